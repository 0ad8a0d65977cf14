#include "runtime/rational.h"

#include <gtest/gtest.h>

namespace edict {
namespace {

Rational R(const char* s) {
  return *ParseRational(s);
}

TEST(Rational, ParsesIntegersDecimalsAndExponentsExactly) {
  EXPECT_EQ(R("26_900_000").ToString(), "26900000");
  EXPECT_EQ(R("5.92").ToString(), "5.92");
  EXPECT_EQ(R("5.92").num, 148);  // 592/100 reduced
  EXPECT_EQ(R("5.92").den, 25);
  EXPECT_EQ(R("1e26").ToString(), "100000000000000000000000000");
  EXPECT_EQ(R("2.5E3").ToString(), "2500");
  EXPECT_EQ(R("-3").ToString(), "-3");
}

TEST(Rational, RejectsMalformedAndOutOfRange) {
  EXPECT_FALSE(ParseRational("").has_value());
  EXPECT_FALSE(ParseRational("1.2.3").has_value());
  EXPECT_FALSE(ParseRational("12a").has_value());
  EXPECT_FALSE(ParseRational("1e").has_value());
  EXPECT_FALSE(ParseRational("1e99").has_value());
  EXPECT_FALSE(ParseRational("999999999999999999999999999999999999999999").has_value());
}

TEST(Rational, ComparesExactlyWithoutRounding) {
  // Performance density of an H100: 15832/814 against the 5.92 threshold.
  auto pd = Div(R("15832"), R("814"));
  ASSERT_TRUE(pd.has_value());
  EXPECT_GT(Compare(*pd, R("5.92")), 0);
  // 4816/814 = 5.916... < 5.92 although it rounds to 5.92 at two places.
  EXPECT_LT(Compare(*Div(R("4816"), R("814")), R("5.92")), 0);
  EXPECT_EQ(Compare(*Div(R("4818.88"), R("814")), R("5.92")), 0);
  EXPECT_LT(Compare(R("-1"), R("0.5")), 0);
}

TEST(Rational, ArithmeticReportsOverflowInsteadOfWrapping) {
  Rational big = R("100000000000000000000000000000000000000");  // 1e38, near the 128-bit limit
  EXPECT_FALSE(Add(big, big).has_value());
  EXPECT_FALSE(Mul(big, R("10")).has_value());
  EXPECT_FALSE(Div(R("1"), R("0")).has_value());
  EXPECT_EQ(Mul(R("1699"), R("15832"))->ToString(), "26898568");
  EXPECT_EQ(Sub(R("26900000"), R("26898568"))->ToString(), "1432");
}

TEST(Rational, PrintsNonTerminatingFractionsExactly) {
  EXPECT_EQ(Div(R("1"), R("3"))->ToString(), "1/3");
  EXPECT_EQ(Div(R("1"), R("8"))->ToString(), "0.125");
  EXPECT_TRUE(R("9223372036854775807").FitsInt64());
  EXPECT_FALSE(R("9223372036854775808").FitsInt64());
}

}  // namespace
}  // namespace edict
