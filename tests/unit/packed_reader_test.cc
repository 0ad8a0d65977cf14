// RecordParser's packed overloads (straight into a batch::Batch) against the record path followed by
// batch::Pack, which is how they worked at first: for every line the same success or failure, the same error
// text and id, the same packed bytes and texts (and batch::Unpack gives back the record); on failure nothing
// is appended. Then: no allocation per line once the batch has grown.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>

#include "compiler/driver/pipeline.h"
#include "runtime/batch/packed.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

// Counts allocations while g_counting is set (the test for "no allocation per line" below). Not under
// AddressSanitizer, which owns the global operator new and delete: replacing some of their forms there frees
// with free() what its own nothrow form allocated. GCC says so with __SANITIZE_ADDRESS__, clang 14 only through
// __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define EDICT_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDICT_UNDER_ASAN 1
#endif
#endif
#ifndef EDICT_UNDER_ASAN
#define EDICT_COUNTS_ALLOCATIONS 1
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC would see the malloc behind operator new and warn about the free.
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace edict {
namespace {

// A schema with every slot kind and every check: int (64-bit), optional int, decimal, a count, a quantity
// (cannot be negative), bool, texts (an id a rule reads, so interned; a default text), enums, a derived
// field.
const char* kFieldsPolicy = R"(policy "packed reader fields"
  in force from 2025-01-01

import ear.units
import ear.outcomes
import countries

enum colour { red, green, blue }

schema s {
  id: text
  date: date
  n: int
  optional m: int
  r: decimal = 0
  qty: units
  optional ops: ops
  flag: bool = false
  note: text = ""
  tag: text = note
  c: colour = red
  where: country = US
  derived twice: int = n * 2
}

rule special
  cite "r"
  when id = "special" and tag = "t" and twice > 4 and flag
  then license_required(review: denial)
)";

std::string Describe(const Value& v) {
  switch (v.kind) {
    case ValueKind::kAbsent:
      return "absent";
    case ValueKind::kBool:
      return v.b ? "true" : "false";
    case ValueKind::kNumber:
      return "number " + v.num.ToString();
    case ValueKind::kText:
      return "text '" + std::string(v.text) + "'";
    case ValueKind::kDate:
      return "date " + std::to_string(v.i);
    case ValueKind::kEnum:
      return "enum " + std::to_string(v.i);
    case ValueKind::kSet:
      return "set";
  }
  return "?";
}

class PackedReader : public testing::Test {
 protected:
  void Load(const std::string& path, const std::string* text = nullptr) {
    c_ = driver::CompileFile(path, {}, text);
    ASSERT_TRUE(c_.ok()) << RenderAll(c_.diags);
    layout_ = batch::PackedLayout::For(*c_.program);
    record_parser_ = std::make_unique<io::RecordParser>(*c_.program);
    packed_parser_ = std::make_unique<io::RecordParser>(*c_.program);
    reference_ = std::make_unique<batch::Batch>(layout_);
    packed_ = std::make_unique<batch::Batch>(layout_);
  }

  // The same CSV header on both parsers.
  bool SetHeader(const std::vector<std::string>& names, std::string* error) {
    std::vector<std::string_view> views(names.begin(), names.end());
    std::vector<std::string> ignored;
    bool a = record_parser_->SetCsvHeader(views, false, &ignored, error);
    bool b = packed_parser_->SetCsvHeader(views, false, &ignored, error);
    EXPECT_EQ(a, b);
    return a && b;
  }

  // One line through both paths. `csv`: the line is a CSV row (the header set by SetCsvHeader).
  void Check(const std::string& line, bool csv = false) {
    SCOPED_TRACE(line);
    ++line_no_;
    const ir::Program& p = *c_.program;
    interp::Record rec;
    std::string ref_error = "<none>", ref_id = "<unset>", error = "<none>", id = "<unset>";
    io::CsvCells split;
    std::string split_error;
    if (csv && !split.Split(line, &split_error)) return;  // malformed quoting: neither path sees the row
    std::span<const std::string_view> cells = split.cells();
    bool ref_ok = csv ? record_parser_->ParseCsv(cells, &rec, &ref_error, &ref_id)
                      : record_parser_->ParseJson(line, &rec, &ref_error, &ref_id);
    if (ref_ok) {  // what the packed overloads did at 7fdfb0a
      rec.line = line_no_;
      if (!batch::Pack(layout_, p, rec, reference_.get())) {
        reference_->PopBack();
        ref_error = "a value does not fit the packed layout";
        ref_ok = false;
      }
    }
    size_t before = packed_->size(), texts_before = packed_->texts().size();
    bool ok = csv ? packed_parser_->ParseCsv(cells, packed_.get(), line_no_, &error, &id)
                  : packed_parser_->ParseJson(line, packed_.get(), line_no_, &error, &id);
    ++lines_;
    ok ? ++valid_ : ++invalid_;
    ASSERT_EQ(ok, ref_ok) << "packed: " << error << "; record: " << ref_error;
    EXPECT_EQ(error, ref_error);
    EXPECT_EQ(id, ref_id);
    ASSERT_EQ(packed_->size(), reference_->size());
    ASSERT_EQ(packed_->texts().size(), reference_->texts().size());
    if (!ok) {
      EXPECT_EQ(packed_->size(), before);
      EXPECT_EQ(packed_->texts().size(), texts_before);
      return;
    }
    size_t k = packed_->size() - 1;
    EXPECT_EQ(packed_->lines()[k], line_no_);
    EXPECT_EQ(std::memcmp(packed_->record(k), reference_->record(k), layout_.size), 0)
        << "packed bytes differ";
    interp::Record back;
    batch::Unpack(layout_, p, *packed_, k, &back);
    ASSERT_EQ(back.values.size(), rec.values.size());
    for (size_t i = 0; i < rec.values.size(); ++i)
      EXPECT_TRUE(ValuesEqual(back.values[i], rec.values[i]))
          << p.fields[i].name << ": packed " << Describe(back.values[i]) << ", record "
          << Describe(rec.values[i]);
  }

  void TearDown() override {
    if (!packed_) return;
    ASSERT_EQ(packed_->texts().size(), reference_->texts().size());
    for (size_t i = 0; i < packed_->texts().size(); ++i)
      EXPECT_EQ(packed_->texts().Get(i), reference_->texts().Get(i)) << "text " << i;
  }

  // A JSON object from key/value pairs (values as raw JSON).
  using Fields = std::vector<std::pair<std::string, std::string>>;
  static std::string Object(const Fields& fields) {
    std::string s = "{";
    for (const auto& [k, v] : fields) s += (s.size() > 1 ? "," : "") + ("\"" + k + "\":") + v;
    return s + "}";
  }
  // For each field of `base` and each value of `values[field]`: the line with that value instead; then each
  // field left out, given null, given twice; then the fields in reverse order.
  void CheckVariants(const Fields& base, const std::map<std::string, std::vector<std::string>>& values) {
    Check(Object(base));
    for (size_t i = 0; i < base.size(); ++i) {
      auto it = values.find(base[i].first);
      if (it != values.end())
        for (const std::string& v : it->second) {
          Fields f = base;
          f[i].second = v;
          Check(Object(f));
        }
      Fields without = base;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      Check(Object(without));
      Fields null = base;
      null[i].second = "null";
      Check(Object(null));
      Fields twice = base;
      twice.push_back(base[i]);
      Check(Object(twice));
    }
    for (const auto& [name, list] : values) {  // fields not in base (optional, defaults, derived)
      bool in_base = false;
      for (const auto& [k, v] : base) in_base |= k == name;
      if (in_base) continue;
      for (const std::string& v : list) {
        Fields f = base;
        f.emplace_back(name, v);
        Check(Object(f));
        std::pair<std::string, std::string> last = f.back();  // first rather than last
        f.pop_back();
        f.insert(f.begin(), last);
        Check(Object(f));
      }
    }
    Fields reversed(base.rbegin(), base.rend());
    Check(Object(reversed));
  }

  driver::Compilation c_;
  batch::PackedLayout layout_;
  std::unique_ptr<io::RecordParser> record_parser_, packed_parser_;
  std::unique_ptr<batch::Batch> reference_, packed_;
  int line_no_ = 0;
  int lines_ = 0, valid_ = 0, invalid_ = 0;
};

// Values every text field is tried with: empty, unicode, escapes, long (shortened in messages), bad escapes.
const std::vector<std::string> kTexts = {
    R"("")",
    R"("A")",
    R"("Ünïcødé 日本 🚀")",
    R"("tab\tquote\"backslash\\ \u00e9 \u65e5 \ud83d\ude80")",
    R"("a very long consignee name that is longer than forty characters")",
    R"("\x")",
    R"("\ud800")",
    "\"bad \xff utf-8\"",
    "\"nul \\u0000 inside\"",
    R"(1)",
    R"(true)",
    R"({})",
    R"([])",
};

const std::vector<std::string> kDates = {
    R"("2025-03-03")", R"("1900-01-01")", R"("2199-12-31")",     R"("1899-12-31")", R"("2200-01-01")",
    R"("2024-02-29")", R"("2025-02-29")", R"("2025-13-01")",     R"("2025-00-10")", R"("2025-1-1")",
    R"("20250101")",   R"("")",           R"(20250101)",         R"(true)",         R"("2025-03-03T00:00")",
    R"("1970-01-01")", R"("1969-12-31")", R"("２０２５-01-01")",
};

// Numbers tried in every number field (int, decimal, count, quantity).
const std::vector<std::string> kNumbers = {
    "0",
    "1",
    "2",
    "-1",
    "-0",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "170141183460469231731687303715884105727",
    "170141183460469231731687303715884105728",
    "1234567890123456789012345678901234567890123",
    "5.92",
    "0.1",
    "-5.92",
    "1.5",
    "2.0",
    "1e26",
    "1E+26",
    "3e26",
    "1e-3",
    "2.5E3",
    "1e3",
    "1e19",
    "1e40",
    "1e41",
    "1e400",
    "0.000000000000000000000000000000000000001",
    R"("5")",
    R"("1e26")",
    R"("")",
    R"(true)",
    R"([1])",
};

TEST_F(PackedReader, AiDiffusionJsonMatchesRecordPathAndPack) {
  Load("policies/ai_diffusion_2025.edict");
  Fields base = {{"id", R"("w1")"},          {"date", R"("2025-03-03")"},      {"destination", R"("IN")"},
                 {"consignee", R"("Acme")"}, {"item", R"("nvidia-h100-sxm")"}, {"quantity", "8"}};
  std::map<std::string, std::vector<std::string>> values = {
      {"id", kTexts},
      {"date", kDates},
      {"destination",
       {R"("CN")", R"("in")", R"("Cn")", R"("XX")", R"("xx")", R"("")", R"("MO")", "5", "true"}},
      {"consignee", kTexts},
      {"item",
       {R"("model-weights")", R"("NVIDIA-H100-SXM")", R"("nvidia-h20")", R"("nope")", R"("")", "7", "false"}},
      {"quantity", kNumbers},
      {"training_ops", kNumbers},
      {"exporter", kTexts},
      {"exporter_country", {R"("US")", R"("us")", R"("DE")", R"("de")", R"("ZZ")"}},
      {"consignee_hq", {R"("CN")", R"("cn")", R"("US")"}},
      {"end_user", kTexts},
      {"end_use", {R"("datacenter")", R"("Datacenter")", R"("military")", R"("MILITARY")", R"("warp")", "1"}},
      {"veu", {R"("none")", R"("uveu")", R"("UVEU")", R"("maybe")"}},
      {"open_weights", {"true", "false", R"("true")", R"("yes")", "1", "0"}},
      {"tpp", {"5", R"("5")", "null"}},
      {"eccn", {R"("3A090")", "null"}},
      {"unknown", {"1", "null"}},
      {"a_field_name_that_is_much_longer_than_forty_characters", {"1"}},
      {"Destination", {R"("IN")"}},
  };
  CheckVariants(base, values);
  // Whole lines.
  static const char kNul[] = "{\"id\":\"a\0b\"}";
  for (
      const std::string& line : std::vector<std::string>{
          "",
          " ",
          "not json",
          "[]",
          "{}",
          "null",
          "1",
          R"("text")",
          "{",
          "}",
          R"({"id":"x",)",
          R"({"id":"x")",
          R"({"id":"x"})",
          R"({"id":"x"} )",
          R"({"id":"x"}   x)",
          R"({"id":"x"}{})",
          R"({"id":"x"},)",
          R"({"id":"x" "date":"2025-01-01"})",
          R"({"id":"x",,"date":"2025-01-01"})",
          R"({id:"x"})",
          "{\"id\":\"x\"}\r",
          "\xef\xbb\xbf{\"id\":\"x\"}",
          "{\"i\xff\":1}",
          "{\"id\":\"x\"}\xff",
          std::string(kNul, sizeof kNul - 1),
          R"({"\u0069d":"x","date":"2025-01-01"})",
          R"(  {"id":"w","date":"2025-03-03","destination":"IN","consignee":"A","item":"model-weights","quantity":1,"training_ops":1e26}  )",
          R"({"id":"w","date":"2025-03-03","destination":"IN","consignee":"A","item":"model-weights","quantity":1,"training_ops":1e26,"open_weights":true,"veu":"uveu","end_use":"model_training","exporter":"E","exporter_country":"DE","consignee_hq":"US","end_user":"U"})",
      })
    Check(line);
  // Interned texts shared across lines; ids appended.
  for (int i = 0; i < 50; ++i)
    Check(R"({"id":"n)" + std::to_string(i) + R"(","date":"2025-03-03","destination":"IN","consignee":"c)" +
          std::to_string(i % 7) + R"(","item":"nvidia-h100-sxm","quantity":)" + std::to_string(i + 1) + "}");
  EXPECT_GT(valid_, 100);
  EXPECT_GT(invalid_, 200);
  std::printf("[ info ] %d lines, %d valid, %d invalid\n", lines_, valid_, invalid_);
}

TEST_F(PackedReader, TimelineJsonMatchesRecordPathAndPack) {
  Load("policies/us_ear_timeline.edict");
  Fields base = {{"id", R"("t1")"},       {"date", R"("2023-11-17")"},  {"destination", R"("CN")"},
                 {"consignee", R"("C")"}, {"item", R"("nvidia-a100")"}, {"quantity", "1"}};
  std::map<std::string, std::vector<std::string>> values = {
      {"id", kTexts},
      {"date", kDates},
      {"destination", {R"("IN")", R"("cn")", R"("XX")"}},
      {"consignee", kTexts},
      {"quantity", kNumbers},
      {"training_ops", kNumbers},
      {"open_weights", {"true", "false", R"("false")"}},
      {"tpp", {"1"}},
  };
  CheckVariants(base, values);
  for (const char* date :
       {"2023-11-16", "2025-01-12", "2025-01-13", "2025-04-09", "2025-05-13", "2026-01-15"})
    Check(R"({"id":"d","date":")" + std::string(date) +
          R"(","destination":"CN","consignee":"C","item":"nvidia-h20","quantity":2})");
  std::printf("[ info ] %d lines, %d valid, %d invalid\n", lines_, valid_, invalid_);
}

TEST_F(PackedReader, EverySlotKindAndCheckMatchesRecordPathAndPack) {
  std::string text = kFieldsPolicy;
  Load("tests/unit/packed_fields.edict", &text);
  const ir::Program& p = *c_.program;
  EXPECT_TRUE(layout_.fields[p.id_field].interned);  // a rule reads it
  EXPECT_EQ(layout_.fields[p.FieldIndex("n")].kind, batch::SlotKind::kInt);
  EXPECT_EQ(layout_.fields[p.FieldIndex("qty")].kind, batch::SlotKind::kInt);
  EXPECT_EQ(layout_.fields[p.FieldIndex("r")].kind, batch::SlotKind::kRational);
  Fields base = {{"id", R"("special")"}, {"date", R"("2025-06-01")"}, {"n", "3"}, {"qty", "2"}};
  std::map<std::string, std::vector<std::string>> values = {
      {"id", kTexts},
      {"date", kDates},
      {"n", kNumbers},
      {"m", kNumbers},
      {"r", kNumbers},
      {"qty", kNumbers},
      {"ops", kNumbers},
      {"note", kTexts},
      {"tag", kTexts},
      {"flag", {"true", "false", R"("true")", "1"}},
      {"c", {R"("red")", R"("RED")", R"("Blue")", R"("purple")"}},
      {"where", {R"("DE")", R"("de")", R"("dE")"}},
      {"twice", {"6", "null"}},
  };
  CheckVariants(base, values);
  std::printf("[ info ] %d lines, %d valid, %d invalid\n", lines_, valid_, invalid_);
}

TEST_F(PackedReader, CsvMatchesRecordPathAndPack) {
  std::string text = kFieldsPolicy;
  Load("tests/unit/packed_fields.edict", &text);
  std::vector<std::string> header = {"id",  "date", "n",    "m",   "r", "qty",
                                     "ops", "flag", "note", "tag", "c", "where"};
  std::string error;
  ASSERT_TRUE(SetHeader(header, &error)) << error;
  std::vector<std::string> base = {"special", "2025-06-01", "3", "",  "0.5",   "2",
                                   "",        "true",       "x", "t", "green", "DE"};
  auto row = [](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) s += ',';
      std::string c = cells[i];
      if (c.find_first_of(",\"") != std::string::npos) {
        std::string q = "\"";
        for (char ch : c) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        c = q + "\"";
      }
      s += c;
    }
    return s;
  };
  Check(row(base), true);
  std::vector<std::string> numbers = {"0",
                                      "1",
                                      "-1",
                                      "2147483648",
                                      "9223372036854775807",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "5.92",
                                      "1e26",
                                      "1,000",
                                      "1_000",
                                      " 7 ",
                                      "7 ",
                                      "1.5",
                                      "abc",
                                      "1e400",
                                      "0x10",
                                      "+3",
                                      "-0"};
  std::vector<std::string> texts = {"", "x", "Ünïcødé 日本", "with, comma", "with \"quotes\"", "\xff"};
  std::map<std::string, std::vector<std::string>> values = {
      {"id", texts},
      {"date", {"2025-01-01", "1900-01-01", "2199-12-31", "2200-01-01", "2025-02-29", "x"}},
      {"n", numbers},
      {"m", numbers},
      {"r", numbers},
      {"qty", numbers},
      {"ops", numbers},
      {"flag", {"true", "false", "TRUE", "1", "yes"}},
      {"note", texts},
      {"tag", texts},
      {"c", {"red", "RED", "purple"}},
      {"where", {"US", "us", "ZZ"}},
  };
  for (size_t i = 0; i < header.size(); ++i)
    for (const std::string& v : values[header[i]]) {
      std::vector<std::string> cells = base;
      cells[i] = v;
      Check(row(cells), true);
    }
  Check("special,2025-06-01,3", true);  // too few cells
  Check(row(base) + ",extra", true);
  // A header with a derived field, and one with a column the schema does not have (left out of every row).
  ASSERT_TRUE(SetHeader({"id", "date", "n", "qty", "twice"}, &error)) << error;
  Check("a,2025-01-01,1,1,2", true);
  Check("a,2025-01-01,1,1,", true);
  ASSERT_TRUE(SetHeader({"ID", "Date", "invoice", "N", "qty"}, &error)) << error;
  Check("a,2025-01-01,INV-1,1,1", true);
  Check("a,2025-01-01,,1,x", true);
  // A column given twice (in any case) is refused by both.
  EXPECT_FALSE(SetHeader({"id", "date", "n", "qty", "note", "Note"}, &error));
  EXPECT_EQ(error, "column 'Note' is given twice");
  std::printf("[ info ] %d rows, %d valid, %d invalid\n", lines_, valid_, invalid_);
}

TEST_F(PackedReader, NoAllocationPerLineOnceTheBatchHasGrown) {
  Load("policies/ai_diffusion_2025.edict");
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i)
    lines.push_back(R"({"id":"shipment-number-)" + std::to_string(i) +
                    R"(","date":"2025-03-03","destination":"IN","consignee":"consignee-)" +
                    std::to_string(i % 10) + R"(","item":"model-weights","quantity":)" +
                    std::to_string(i % 100 + 1) +
                    R"(,"training_ops":1e26,"end_use":"datacenter","open_weights":false})");
  batch::Batch batch(layout_);
  std::string error, id;
  auto read = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
      ASSERT_TRUE(packed_parser_->ParseJson(lines[i], &batch, static_cast<int>(i + 1), &error, &id)) << error;
  };
  read(0, lines.size());  // grows the batch's vectors and the parser's buffers
  batch.Clear(0);         // keeps the vectors' room
  read(0, 1000);          // the ten consignees are interned again, the ids fill part of a 64 KiB chunk
  g_allocations = 0;
  g_counting = true;
  read(1000, 1200);
  g_counting = false;
  EXPECT_EQ(batch.size(), 1200u);
#ifndef EDICT_COUNTS_ALLOCATIONS
  GTEST_SKIP() << "allocations are counted in the build without AddressSanitizer (which runs this test too)";
#endif
  EXPECT_EQ(g_allocations.load(), 0u) << "allocations while reading 200 lines";
  // The record path, for comparison, allocates for its texts.
  interp::Record rec;
  ASSERT_TRUE(record_parser_->ParseJson(lines[0], &rec, &error, &id));
  g_allocations = 0;
  g_counting = true;
  for (size_t i = 0; i < 200; ++i) ASSERT_TRUE(record_parser_->ParseJson(lines[i], &rec, &error, &id));
  g_counting = false;
  std::printf("[ info ] record path: %zu allocations for 200 lines\n", g_allocations.load());
}

}  // namespace
}  // namespace edict
