// The random test's ledger (rewindable_ledger.h): a copy as it stood before the current shipment.
#include "tests/jit/rewindable_ledger.h"

#include <gtest/gtest.h>

namespace edict::jit_test {
namespace {

TEST(RewindableLedger, BeforeShipmentUndoesExactlyTheCurrentShipment) {
  RewindableLedger ledger;
  ledger.BeginShipment();
  ASSERT_TRUE(ledger.Add("a", Rational::Int(5)));
  ASSERT_TRUE(ledger.Add("b", Rational{7, 2}));
  const auto earlier = ledger.ledger().entries();

  ledger.BeginShipment();
  ASSERT_TRUE(ledger.Add("a", Rational::Int(3)));
  ASSERT_TRUE(ledger.Add("c", Rational::Int(1)));
  ASSERT_TRUE(ledger.Add("a", Rational::Int(2)));         // a key changed twice goes back to its first value
  EXPECT_EQ(ledger.BeforeShipment().entries(), earlier);  // "c" did not exist: no entry, not a zero one
  // The ledger itself is untouched.
  EXPECT_EQ(ledger.Consumed("a"), Rational::Int(10));
  EXPECT_EQ(ledger.Consumed("c"), Rational::Int(1));

  ledger.BeginShipment();
  EXPECT_EQ(ledger.BeforeShipment().entries(), ledger.ledger().entries());
  ledger.Clear();
  EXPECT_TRUE(ledger.BeforeShipment().entries().empty());
}

}  // namespace
}  // namespace edict::jit_test
