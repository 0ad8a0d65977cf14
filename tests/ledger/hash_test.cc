// The hashes behind provenance and exactly-once: SHA-256 against the FIPS 180-4 examples, a policy's content
// hash, and the shipment hash, alike for a record and a packed record, for JSON and CSV, in any field order.
#include <gtest/gtest.h>

#include "compiler/driver/pipeline.h"
#include "compiler/sema/load.h"
#include "runtime/io/reader.h"
#include "runtime/ledger/content_hash.h"
#include "runtime/sha256.h"

namespace edict {

namespace {

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.Update(a);
  EXPECT_EQ(million.HexFinal(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

std::shared_ptr<const ir::Program> Compile(const std::string& name, const std::string* text = nullptr) {
  driver::CompileOptions options;
  auto c = driver::CompileFile(std::string(EDICT_SOURCE_DIR) + "/policies/" + name + ".edict", options, text);
  EXPECT_TRUE(c.ok());
  return c.program;
}

TEST(PolicyHash, NamesTheSources) {
  auto a = Compile("ai_diffusion_2025"), b = Compile("ai_diffusion_2025");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->content_hash.size(), 64u);
  EXPECT_EQ(a->content_hash, b->content_hash);
  auto timeline = Compile("us_ear_timeline");
  ASSERT_TRUE(timeline);
  EXPECT_NE(timeline->content_hash, a->content_hash);
  // One byte more in the policy: another hash.
  std::string text;
  ASSERT_TRUE(sema::ReadFile(std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict", &text));
  text += "\n";
  auto edited = Compile("ai_diffusion_2025", &text);
  ASSERT_TRUE(edited);
  EXPECT_NE(edited->content_hash, a->content_hash);
}

TEST(ShipmentHash, AlikeForRecordsPackedRecordsJsonAndCsv) {
  auto p = Compile("ai_diffusion_2025");
  ASSERT_TRUE(p);
  io::RecordParser parser(*p);
  std::string error, id;
  interp::Record json, reordered, other, csv;
  ASSERT_TRUE(parser.ParseJson(
      R"({"id":"a","date":"2025-06-02","destination":"IN","consignee":"X","item":"nvidia-h100-sxm","quantity":5})",
      &json, &error, &id))
      << error;
  ASSERT_TRUE(parser.ParseJson(
      R"({ "quantity": 5.0, "item":"nvidia-h100-sxm","consignee":"X","destination":"IN","date":"2025-06-02","id":"b"})",
      &reordered, &error, &id))
      << error;
  ASSERT_TRUE(parser.ParseJson(
      R"({"id":"a","date":"2025-06-02","destination":"IN","consignee":"X","item":"nvidia-h100-sxm","quantity":6})",
      &other, &error, &id))
      << error;
  std::vector<std::string_view> header = {"id", "date", "destination", "consignee", "item", "quantity"};
  std::vector<std::string_view> row = {"c", "2025-06-02", "IN", "X", "nvidia-h100-sxm", "5"};
  std::vector<std::string> ignored;
  ASSERT_TRUE(parser.SetCsvHeader(header, false, &ignored, &error)) << error;
  ASSERT_TRUE(parser.ParseCsv(row, &csv, &error, &id)) << error;
  uint64_t h = ledger::ShipmentHash(*p, json);
  EXPECT_EQ(ledger::ShipmentHash(*p, reordered), h);  // the id is not content
  EXPECT_EQ(ledger::ShipmentHash(*p, csv), h);
  EXPECT_NE(ledger::ShipmentHash(*p, other), h);
  batch::PackedLayout layout = batch::PackedLayout::For(*p);
  batch::Batch packed(layout);
  ASSERT_TRUE(batch::Pack(layout, *p, json, &packed));
  ASSERT_TRUE(batch::Pack(layout, *p, other, &packed));
  EXPECT_EQ(ledger::ShipmentHash(*p, packed, 0), h);
  EXPECT_EQ(ledger::ShipmentHash(*p, packed, 1), ledger::ShipmentHash(*p, other));
  // Ledgers keep these hashes: they may not change from one edict to the next.
  EXPECT_EQ(h, 15208671425649547808ull);
  EXPECT_EQ(ledger::ShipmentHash(*p, other), 960284637975410657ull);
  ledger::ShipmentHasher hasher(*p);
  EXPECT_EQ(hasher(packed, 0), h);
  EXPECT_EQ(hasher(packed, 1), ledger::ShipmentHash(*p, other));
}

// The cached hasher agrees with ShipmentHash on every shipment of a varied batch (enums, texts, numbers,
// dates, an absent field).
TEST(ShipmentHash, TheHasherAgreesWithTheHash) {
  auto p = Compile("ai_diffusion_2025");
  ASSERT_TRUE(p);
  io::RecordParser parser(*p);
  batch::PackedLayout layout = batch::PackedLayout::For(*p);
  batch::Batch packed(layout);
  const char* dest[] = {"IN", "MY", "AE", "US", "CN"};
  for (int i = 0; i < 60; ++i) {
    std::string line = "{\"id\":\"s" + std::to_string(i) + "\",\"date\":\"2025-0" +
                       std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) + "\",\"destination\":\"" +
                       dest[i % 5] +
                       "\",\"item\":\"nvidia-h100-sxm\",\"quantity\":" + std::to_string(i % 7 ? i : 1) +
                       ",\"consignee\":\"Consignee " + std::to_string(i % 11) + "\"" +
                       (i % 3 ? ",\"end_use\":\"datacenter\"" : "") + "}";
    std::string error, id;
    ASSERT_TRUE(parser.ParseJson(line, &packed, i + 1, &error, &id)) << line << ": " << error;
  }
  ledger::ShipmentHasher hasher(*p);
  for (size_t i = 0; i < packed.size(); ++i)
    EXPECT_EQ(hasher(packed, i), ledger::ShipmentHash(*p, packed, i)) << i;
}

}  // namespace

}  // namespace edict
