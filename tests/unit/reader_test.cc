#include "runtime/io/reader.h"

#include <gtest/gtest.h>

#include "compiler/driver/pipeline.h"

namespace edict {
namespace {

class Reader : public testing::Test {
 protected:
  void SetUp() override {
    c_ = driver::CompileFile("policies/ai_diffusion_2025.edict", {});
    ASSERT_TRUE(c_.ok()) << RenderAll(c_.diags);
    parser_ = std::make_unique<io::RecordParser>(*c_.program);
  }
  std::string Error(const std::string& line) {
    interp::Record rec;
    std::string error, id;
    EXPECT_FALSE(parser_->ParseJson(line, &rec, &error, &id)) << line;
    return error;
  }
  driver::Compilation c_;
  std::unique_ptr<io::RecordParser> parser_;
};

TEST_F(Reader, DefaultsApplyAndNumbersAreExact) {
  interp::Record rec;
  std::string error, id;
  ASSERT_TRUE(parser_->ParseJson(
      R"({"id":"w","date":"2025-03-03","destination":"IN","consignee":"A","item":"model-weights","quantity":1,"training_ops":1e26})",
      &rec, &error, &id))
      << error;
  EXPECT_EQ(id, "w");
  const auto& p = *c_.program;
  EXPECT_EQ(rec.values[p.FieldIndex("training_ops")].num.ToString(), "100000000000000000000000000");
  EXPECT_TRUE(rec.values[p.FieldIndex("consignee_hq")].absent());  // filled from destination when deciding
}

TEST_F(Reader, BadInputsHaveReasons) {
  EXPECT_EQ(Error("not json"), "each line must be a JSON object {...}");
  EXPECT_EQ(Error(R"({"id":"x",)"),
            "not valid JSON (JSON document ended early in the middle of an object or array.)");
  EXPECT_EQ(Error("[]"), "each line must be a JSON object {...}");
  EXPECT_EQ(Error(R"({"id":"x"})"), "missing required field 'date'");
  EXPECT_EQ(
      Error(
          R"({"id":"x","date":"2025-01-01","destination":"IN","consignee":"A","item":"nvidia-h100-sxm","quantity":-1})"),
      "field 'quantity' must be a whole number of at least 1, got -1");
  EXPECT_EQ(Error(R"({"id":1})"), "field 'id' must not be a number");
  EXPECT_EQ(Error(R"({"id":"x","veu":"maybe"})"), "field 'veu': unknown veu_kind 'maybe'");
  EXPECT_EQ(Error(R"({"id":"x","date":{"y":1}})"), "field 'date' must be a string, number or boolean");
}

TEST_F(Reader, CsvSplittingHonoursQuotes) {
  std::vector<std::string> cells;
  ASSERT_TRUE(io::SplitCsv("a,\"b, c\",\"d \"\"e\"\"\",", &cells));
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[1], "b, c");
  EXPECT_EQ(cells[2], "d \"e\"");
  EXPECT_EQ(cells[3], "");
  EXPECT_FALSE(io::SplitCsv("a,\"b", &cells));
}

TEST(NameTable, FindsEveryNameAddedAndNothingElse) {
  std::vector<std::string> names;
  for (char a = 'A'; a <= 'Z'; ++a)
    for (char b = 'A'; b <= 'Z'; ++b) names.push_back(std::string{a, b});  // 676 codes: the table grows
  names.push_back("");
  names.push_back("nvidia-h100-sxm");
  io::NameTable t;
  for (size_t i = 0; i < names.size(); ++i) t.Add(names[i], static_cast<int>(i));
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(t.Find(names[i]), static_cast<int>(i)) << names[i];
  EXPECT_EQ(t.Find("A"), -1);
  EXPECT_EQ(t.Find("ABC"), -1);
  EXPECT_EQ(t.Find("nvidia-h100-sx"), -1);
  EXPECT_EQ(io::NameTable{}.Find("US"), -1);
}

}  // namespace
}  // namespace edict
