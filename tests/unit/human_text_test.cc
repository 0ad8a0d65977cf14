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

TEST(GroupNumber, NumbersGetSeparatorsAndDatesEccnsAndNamesDoNot) {
  EXPECT_EQ(text::GroupNumber("26898568 tpp"), "26,898,568 tpp");
  EXPECT_EQ(text::GroupNumber("1432 tpp"), "1,432 tpp");
  EXPECT_EQ(text::GroupNumber("999"), "999");
  EXPECT_EQ(text::GroupNumber("-1234567.8912"), "-1,234,567.8912") << "the decimals stay as they are";
  EXPECT_EQ(text::GroupNumber("12345/7"), "12,345/7") << "a fraction that is no finite decimal";
  EXPECT_EQ(text::GroupNumber("2025-06-02"), "2025-06-02");
  EXPECT_EQ(text::GroupNumber("3A090.a.1"), "3A090.a.1");
  EXPECT_EQ(text::GroupNumber("1234.5.6"), "1234.5.6");
  EXPECT_EQ(text::GroupNumber("\"12345\""), "\"12345\"") << "a text is not a number";
  EXPECT_EQ(text::GroupNumber("nvidia-h100-sxm"), "nvidia-h100-sxm");
  EXPECT_EQ(text::GroupNumber("-"), "-");
  EXPECT_EQ(text::GroupNumber(""), "");
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
