#include "runtime/date.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <random>
#include <string>

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

// ParseDate as it read before it was made loop-free (every input line has a date): the reference.
std::optional<int> ReferenceParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t n, int* out) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, &y) || !digits(5, 2, &m) || !digits(8, 2, &d)) return std::nullopt;
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

TEST(Date, AgreesWithTheReferenceOnEveryDayAndOnNearMisses) {
  char buf[16];
  int checked = 0;
  for (int y = 1890; y <= 2210; ++y)
    for (int m = 0; m <= 13; ++m)
      for (int d = 0; d <= 32; ++d) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        ASSERT_EQ(ParseDate(buf), ReferenceParseDate(buf)) << buf;
        ++checked;
      }
  // Bytes other than digits in every position (':' and '/' sit just above and below the digits).
  std::mt19937 rng(10);
  const std::string alphabet = "0123456789-/: a\xff";
  for (int i = 0; i < 200000; ++i) {
    std::string s = "2024-02-29";
    for (int k = static_cast<int>(rng() % 3); k >= 0; --k)
      s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
    if (rng() % 50 == 0) s.resize(rng() % 12, '1');
    ASSERT_EQ(ParseDate(s), ReferenceParseDate(s)) << s;
    ++checked;
  }
  EXPECT_GT(checked, 100000);
}

}  // namespace
}  // namespace edict
