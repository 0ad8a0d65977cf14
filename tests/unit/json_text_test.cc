// The one JSON escaper every writer uses (runtime/io/json_text.h), directly and as fmt arguments.
#include "runtime/io/json_text.h"

#include <gtest/gtest.h>

namespace {

using edict::io::Json;
using edict::io::JsonEscape;
using edict::io::JsonList;

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("plain"), "\"plain\"");
  EXPECT_EQ(JsonEscape(""), "\"\"");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonEscape("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
  EXPECT_EQ(JsonEscape(std::string("nul\0esc\x1b", 8)), "\"nul\\u0000esc\\u001b\"");
  EXPECT_EQ(JsonEscape("北京 Türkiye"), "\"北京 Türkiye\"") << "UTF-8 is copied as it is";
}

TEST(JsonText, FormatsAsFmtArguments) {
  EXPECT_EQ(fmt::format("{{\"id\":{}}}", Json{"s\"1"}), "{\"id\":\"s\\\"1\"}");
  std::vector<std::string> rules = {"a", "b\\c"}, none;
  EXPECT_EQ(fmt::format("{}", JsonList{rules}), "[\"a\", \"b\\\\c\"]");
  EXPECT_EQ(fmt::format("{}", JsonList{rules, ","}), "[\"a\",\"b\\\\c\"]");
  EXPECT_EQ(fmt::format("{}", JsonList{none}), "[]");
  // The same text whichever way it is written.
  std::string appended;
  edict::io::AppendJsonString(appended, "x\ny");
  EXPECT_EQ(appended, fmt::format("{}", Json{"x\ny"}));
}

}  // namespace
