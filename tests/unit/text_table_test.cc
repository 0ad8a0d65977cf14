// batch::TextTable: interned texts keep their ids when a batch is refilled, appended texts do not, and a
// table's generation changes exactly when an interned id may come to mean another text.
#include <gtest/gtest.h>

#include <string>

#include "runtime/batch/packed.h"

namespace edict {
namespace {

TEST(TextTable, InternedIdsOutliveAClearAndAppendedOnesDoNot) {
  batch::PackedLayout layout;  // no fields: only the texts matter here
  batch::Batch b(layout);
  batch::TextTable& t = b.texts();
  uint32_t constant = t.Intern("a constant");
  const size_t constants = t.size();
  const uint64_t generation = t.generation();
  uint32_t acme = t.Intern("Acme");
  uint32_t id = t.Append("shipment-1");
  EXPECT_NE(id & batch::TextTable::kAppended, 0u);
  EXPECT_EQ(t.Get(id), "shipment-1");
  EXPECT_EQ(t.Append(""), batch::TextTable::kAppended | 1u);
  EXPECT_EQ(t.Get(batch::TextTable::kAppended | 1u), "");
  EXPECT_EQ(t.appended(), 2u);

  b.Clear(constants);  // the next piece of input
  EXPECT_EQ(t.generation(), generation);
  EXPECT_EQ(t.appended(), 0u);
  EXPECT_EQ(t.Intern("Acme"), acme);
  EXPECT_EQ(t.Get(acme), "Acme");
  EXPECT_EQ(t.Get(constant), "a constant");
  EXPECT_EQ(t.Append("shipment-2"), batch::TextTable::kAppended);  // appended ids start again
  EXPECT_EQ(t.Get(batch::TextTable::kAppended), "shipment-2");

  t.Truncate(constants);  // the interned texts beyond the constants go: a new generation
  EXPECT_NE(t.generation(), generation);
  EXPECT_EQ(t.size(), constants);
  EXPECT_EQ(t.Intern("a constant"), constant);
  EXPECT_EQ(t.Intern("Other"), acme);  // the id now means another text
  EXPECT_EQ(t.Get(acme), "Other");
}

TEST(TextTable, ABatchDropsItsInternedTextsBeyondItsBound) {
  batch::PackedLayout layout;
  batch::Batch b(layout);
  const uint64_t generation = b.texts().generation();
  for (size_t k = 0; k <= batch::Batch::kKeptTexts; ++k) b.texts().Intern("consignee " + std::to_string(k));
  b.Clear(1);
  EXPECT_EQ(b.texts().size(), 1u);
  EXPECT_NE(b.texts().generation(), generation);
  // A long text counts by its bytes.
  const uint64_t before = b.texts().generation();
  b.texts().Intern(std::string(batch::Batch::kKeptTextBytes + 1, 'x'));
  b.Clear(1);
  EXPECT_EQ(b.texts().size(), 1u);
  EXPECT_NE(b.texts().generation(), before);
  EXPECT_EQ(b.texts().Get(b.texts().Intern("after")), "after");
}

TEST(TextTable, GenerationsAreNotShared) {
  batch::TextTable a, b;
  EXPECT_NE(a.generation(), b.generation());
}

}  // namespace
}  // namespace edict
