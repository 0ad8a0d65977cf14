#include "runtime/date.h"

#include <gtest/gtest.h>

namespace edict {
namespace {

TEST(Date, RoundTripsAndOrders) {
  auto a = ParseDate("2025-01-13");
  auto b = ParseDate("2025-05-13");
  ASSERT_TRUE(a && b);
  EXPECT_LT(*a, *b);
  EXPECT_EQ(FormatDate(*a), "2025-01-13");
  EXPECT_EQ(YearOf(*b), 2025);
  EXPECT_EQ(*ParseDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseDate("2024-03-01") - *ParseDate("2024-02-28"), 2);  // leap year
}

TEST(Date, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseDate("2025-02-29").has_value());
  EXPECT_FALSE(ParseDate("2025-13-01").has_value());
  EXPECT_FALSE(ParseDate("2025-1-01").has_value());
  EXPECT_FALSE(ParseDate("25-01-01").has_value());
  EXPECT_FALSE(ParseDate("2025/01/01").has_value());
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseDate("1900-02-29").has_value());
}

}  // namespace
}  // namespace edict
