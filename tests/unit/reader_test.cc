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

// The flat-line scanner (flat_json.h) and simdjson read every line alike: the same verdict, message, id,
// values and packed bytes. Lines are valid shipments mutated at random (characters deleted, inserted or
// doubled), so both the scanner's declines and its successes are exercised.
std::string Describe(const interp::Record& rec) {
  std::string out;
  for (const Value& v : rec.values) {
    out += std::to_string(static_cast<int>(v.kind)) + ":" + std::to_string(v.b) + "," + std::to_string(v.i) +
           "," + v.num.ToString() + "," + std::string(v.text) + ";";
  }
  return out;
}

// The line with control and non-ASCII bytes shown as \xNN, for failure messages.
std::string Visible(const std::string& line) {
  std::string out;
  for (unsigned char c : line) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string DescribePacked(const batch::Batch& b) {
  if (b.size() == 0) return "empty";
  std::string out(reinterpret_cast<const char*>(b.record(0)), b.layout().size);
  for (size_t t = 0; t < b.texts().size(); ++t) out += "|" + std::string(b.texts().Get(t));
  return out;
}

TEST_F(Reader, FlatScannerAndSimdjsonAgree) {
  const std::vector<std::string> bases = {
      R"({"id":"s1","date":"2025-03-03","destination":"IN","consignee":"Indus Compute","item":"nvidia-h100-sxm","quantity":1500,"end_use":"datacenter","veu":"none"})",
      R"( { "id" : "w" , "date" : "2025-03-03" , "destination" : "AE" , "consignee" : "A" , "item" : "model-weights" , "quantity" : 1 , "training_ops" : 1.5e26 , "open_weights" : false } )",
      R"({"id":"n","date":"2025-06-01","destination":"CN","consignee":"B","consignee_hq":null,"item":"nvidia-h20","quantity":-0,"open_weights":true})",
      R"({"id":"x","date":"2025-01-15","destination":"US","consignee":"C","item":"amd-mi300x","quantity":12.0E+1})",
  };
  const std::string noise = "\"{}[],:\\ 0123456789eE.-+tfnul\t\r\x01\xc3\xa9x";
  uint64_t seed = 42;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(seed >> 33);
  };
  io::RecordParser slow(*c_.program);
  slow.set_fast_json(false);
  batch::PackedLayout layout = batch::PackedLayout::For(*c_.program);
  int accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string line = bases[next() % bases.size()];
    for (size_t m = next() % 3; m > 0; --m) {
      size_t at = next() % (line.size() + 1);
      switch (next() % 3) {
        case 0:
          if (at < line.size()) line.erase(at, 1);
          break;
        case 1:
          line.insert(at, 1, noise[next() % noise.size()]);
          break;
        default:
          if (at < line.size()) line.insert(at, 1, line[at]);
      }
    }
    interp::Record a, b;
    std::string ea, eb, ia, ib;
    bool oka = parser_->ParseJson(line, &a, &ea, &ia);
    bool okb = slow.ParseJson(line, &b, &eb, &ib);
    ASSERT_EQ(oka, okb) << Visible(line);
    ASSERT_EQ(ea, eb) << Visible(line);
    ASSERT_EQ(ia, ib) << Visible(line);
    if (oka) {
      ASSERT_EQ(Describe(a), Describe(b)) << Visible(line);
    }
    accepted += oka;
    batch::Batch pa(layout), pb(layout);
    ea.clear(), eb.clear(), ia.clear(), ib.clear();
    oka = parser_->ParseJson(line, &pa, 7, &ea, &ia);
    okb = slow.ParseJson(line, &pb, 7, &eb, &ib);
    ASSERT_EQ(oka, okb) << Visible(line);
    ASSERT_EQ(ea, eb) << Visible(line);
    ASSERT_EQ(ia, ib) << Visible(line);
    ASSERT_EQ(DescribePacked(pa), DescribePacked(pb)) << Visible(line);
  }
  // Both kinds of line occur: some survive their mutations, many do not.
  EXPECT_GT(accepted, 2000);
  EXPECT_LT(accepted, 19000);
}

}  // namespace
}  // namespace edict
