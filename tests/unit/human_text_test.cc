// Numbers and widths as people read them (compiler/diag/human_text.h) and the terminal facts every command
// shares (compiler/diag/terminal.h).
#include "compiler/diag/human_text.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "compiler/diag/terminal.h"

namespace {

using namespace edict;

TEST(Thousands, GroupsByThreeWithSign) {
  EXPECT_EQ(text::Thousands(0), "0");
  EXPECT_EQ(text::Thousands(999), "999");
  EXPECT_EQ(text::Thousands(1000), "1,000");
  EXPECT_EQ(text::Thousands(26898568), "26,898,568");
  EXPECT_EQ(text::Thousands(-42000), "-42,000");
  EXPECT_EQ(text::Thousands(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(GroupDigits, NumbersGetSeparatorsAndNamesDatesAndDecimalsDoNot) {
  EXPECT_EQ(text::GroupDigits("26898568 tpp"), "26,898,568 tpp");
  EXPECT_EQ(text::GroupDigits("-1234567.8912"), "-1,234,567.8912");
  EXPECT_EQ(text::GroupDigits("26898568 + 15832 = 26914400"), "26,898,568 + 15,832 = 26,914,400");
  // Four digits and fewer stay as they are (years, small counts).
  EXPECT_EQ(text::GroupDigits("1699 units on 2025-06-02"), "1699 units on 2025-06-02");
  // Digits inside a name or after a letter: ECCNs, catalog ids, an id, a fraction's parts.
  EXPECT_EQ(text::GroupDigits("nvidia-h100-sxm 3A090.a s123456"), "nvidia-h100-sxm 3A090.a s123456");
  EXPECT_EQ(text::GroupDigits("x_1234567"), "x_1234567");
  // Already grouped, or a decimal part: left alone.
  EXPECT_EQ(text::GroupDigits("1,234,567"), "1,234,567");
  EXPECT_EQ(text::GroupDigits("0.1234567"), "0.1234567");
}

TEST(DisplayWidth, CountsColumnsNotBytes) {
  EXPECT_EQ(text::DisplayWidth("abc"), 3u);
  EXPECT_EQ(text::DisplayWidth("Türkiye"), 7u);              // 2-byte Latin letter
  EXPECT_EQ(text::DisplayWidth("Côte d\u2019Ivoire"), 13u);  // a 3-byte apostrophe
  EXPECT_EQ(text::DisplayWidth("北京数据"), 8u);             // wide CJK: two columns each
  EXPECT_EQ(text::DisplayWidth("e\u0301"), 1u);              // e + combining acute accent
  EXPECT_EQ(text::DisplayWidth("\xF0\x9F\x9A\x80"), 2u);     // an emoji
  EXPECT_EQ(text::DisplayWidth("a\xFF"
                               "b"),
            3u);                                  // a stray byte counts one
  EXPECT_EQ(text::DisplayWidth("\xE4\xB8"), 2u);  // a cut-off sequence: each byte one
  EXPECT_EQ(text::PrefixForWidth("北京数据", 5), 6u) << "two wide characters (6 bytes) fit in 5 columns";
  EXPECT_EQ(text::PrefixForWidth("abc", 10), 3u);
  EXPECT_EQ(text::PrefixForWidth("Türkiye", 2), 3u) << "T and ü (2 bytes)";
  EXPECT_EQ(text::PadRight("北京", 6), "北京  ");
  EXPECT_EQ(text::PadLeft("Türkiye", 9), "  Türkiye");
  EXPECT_EQ(text::PadRight("longer than", 3), "longer than");
}

TEST(Terminal, ColourSettingAndColumns) {
  EXPECT_TRUE(term::UseColor("always", -1));
  EXPECT_FALSE(term::UseColor("never", -1));
  EXPECT_FALSE(term::UseColor("auto", -1)) << "not a terminal";
  EXPECT_EQ(term::Paint(false, term::kRed, "x"), "x");
  EXPECT_EQ(term::Paint(true, term::kRed, "x"), "\033[31mx\033[0m");
  setenv("COLUMNS", "132", 1);
  EXPECT_EQ(term::Columns(-1), 132);
  setenv("COLUMNS", "wide", 1);
  EXPECT_EQ(term::Columns(-1), 80) << "not a number: the default";
  unsetenv("COLUMNS");
  EXPECT_EQ(term::Columns(-1), 80);
}

}  // namespace
