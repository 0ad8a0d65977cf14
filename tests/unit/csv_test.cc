// CSV input: libcsv's cells (quoted commas and line breaks, doubled quotes, CRLF, malformed quoting), the
// shortcut for rows without quotes against libcsv itself, where records end, records cut from blocks of any
// size (a BOM, CRLF, quoted line breaks across blocks), header matching, and --keep.
#include "runtime/io/csv.h"

#include <csv.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "compiler/driver/pipeline.h"
#include "runtime/io/keep.h"
#include "runtime/io/reader.h"
#include "runtime/io/records.h"

namespace edict {
namespace {

std::vector<std::string> Cells(std::string_view record, std::string* error = nullptr) {
  io::CsvCells c;
  std::string e;
  std::vector<std::string> out;
  if (!c.Split(record, &e)) {
    if (error) *error = e;
    return {"<error>"};
  }
  for (std::string_view v : c.cells()) out.emplace_back(v);
  return out;
}

using V = std::vector<std::string>;

TEST(CsvCells, Rfc4180Quoting) {
  EXPECT_EQ(Cells("a,b,c"), (V{"a", "b", "c"}));
  EXPECT_EQ(Cells("a,\"b, c\",\"d \"\"e\"\"\","), (V{"a", "b, c", "d \"e\"", ""}));
  EXPECT_EQ(Cells("a,\"line one\nline two\",z"), (V{"a", "line one\nline two", "z"}));
  EXPECT_EQ(Cells("a,\"crlf\r\ninside\",z\r"), (V{"a", "crlf\r\ninside", "z"}));
  EXPECT_EQ(Cells("a,b\r"), (V{"a", "b"}));        // CRLF line ends
  EXPECT_EQ(Cells(" a , b "), (V{" a ", " b "}));  // spaces belong to the cell
  EXPECT_EQ(Cells(",,"), (V{"", "", ""}));
  EXPECT_EQ(Cells("\"\",x"), (V{"", "x"}));
  EXPECT_EQ(Cells("\"Indus, Compute\""), (V{"Indus, Compute"}));
}

TEST(CsvCells, MalformedQuotingHasAReason) {
  std::string error;
  EXPECT_EQ(Cells("a,b\"c,d", &error), (V{"<error>"}));
  EXPECT_EQ(error, "cell 2: a double quote must open or close a quoted cell, or be doubled inside one");
  EXPECT_EQ(Cells("a,\"b\"c,d", &error), (V{"<error>"}));
  EXPECT_EQ(error, "cell 2: a double quote must open or close a quoted cell, or be doubled inside one");
  EXPECT_EQ(Cells("a,b,\"c", &error), (V{"<error>"}));
  EXPECT_EQ(error, "cell 3: its opening quote is never closed, so the cell ran to the end of the input");
  EXPECT_EQ(Cells("a,\"b\"\rc,d", &error), (V{"<error>"}));
  EXPECT_EQ(error, "a carriage return outside quotes in the middle of a line (line breaks are LF or CRLF)");
  // The parser is usable again after an error.
  EXPECT_EQ(Cells("\"x\",y"), (V{"x", "y"}));
  io::CsvCells c;
  EXPECT_FALSE(c.Split("\"open", &error));
  ASSERT_TRUE(c.Split("\"a\",b", &error)) << error;
  EXPECT_EQ(c.cells().size(), 2u);
  EXPECT_EQ(c.cells()[0], "a");
}

// Rows without quotes or carriage returns are cut at commas without libcsv: the cells must be libcsv's.
TEST(CsvCells, TheShortcutGivesLibcsvsCells) {
  std::mt19937 rng(17);
  const std::string alphabet = "ab ,\t;xy\xc3\xa9-0";
  for (int round = 0; round < 2000; ++round) {
    std::string row;
    int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) row.push_back(alphabet[rng() % alphabet.size()]);
    V reference;
    csv_parser p;
    ASSERT_EQ(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_space_func(&p, [](unsigned char) { return 0; });
    auto cell = [](void* s, size_t len, void* out) {
      static_cast<V*>(out)->emplace_back(static_cast<const char*>(s), len);
    };
    ASSERT_EQ(csv_parse(&p, row.data(), row.size(), cell, nullptr, &reference), row.size());
    ASSERT_EQ(csv_fini(&p, cell, nullptr, &reference), 0);
    csv_free(&p);
    EXPECT_EQ(Cells(row), reference) << "row '" << row << "'";
  }
}

TEST(CsvRecordEnd, QuotedLineBreaksContinueTheRecord) {
  io::CsvRecordEnd end;
  EXPECT_TRUE(end.Line("a,b,c"));
  EXPECT_FALSE(end.Line("a,\"starts here"));
  EXPECT_TRUE(end.open());
  EXPECT_FALSE(end.Line("still \"\"inside\"\""));
  EXPECT_TRUE(end.Line("ends\",z"));
  EXPECT_TRUE(end.Line("a,\"b\"\"\",c"));  // a doubled quote at the end of a cell
  EXPECT_TRUE(end.Line("a,b\"c"));         // malformed, but the line ends the record (libcsv says why)
  EXPECT_FALSE(end.Line("\"\"\""));        // an escaped quote, the cell still open
  EXPECT_TRUE(end.Line("\""));
}

// Every record of `text`, read in blocks of `block` bytes: "LINE:TEXT".
V Records(const std::string& text, bool csv, size_t block) {
  size_t at = 0;
  io::RecordBlocks blocks(
      [&](char* buffer, size_t size) {
        size_t n = std::min({size, text.size() - at, size_t{3}});  // short reads, as from a pipe
        std::memcpy(buffer, text.data() + at, n);
        at += n;
        return static_cast<long>(n);
      },
      csv, block);
  V out;
  std::vector<io::InputRecord> records;
  while (blocks.Next(&records))
    for (const auto& r : records) out.push_back(std::to_string(r.line) + ":" + std::string(r.text));
  EXPECT_FALSE(blocks.failed());
  return out;
}

TEST(RecordBlocks, NumbersRecordsByTheirFirstLineWhateverTheBlockSize) {
  const std::string csv =
      "\xEF\xBB\xBFid,note\r\n"
      "a,\"two\r\nlines\"\r\n"
      "\r\n"
      "b,plain\r\n"
      "c,\"x\"\"y\"\n"
      "d,\"never closed\nto the end\n";
  const V expected = {"1:id,note\r", "2:a,\"two\r\nlines\"\r", "5:b,plain\r", "6:c,\"x\"\"y\"",
                      "7:d,\"never closed\nto the end"};
  for (size_t block : {1, 2, 5, 16, 1 << 20}) EXPECT_EQ(Records(csv, true, block), expected) << block;
  // JSON Lines: a record per line, even inside quotes; no final line break.
  const std::string jsonl = "{\"id\":\"a\"}\n\n{\"id\":\"\\\"b\"}\n  \n{\"id\":\"c\"}";
  const V lines = {"1:{\"id\":\"a\"}", "3:{\"id\":\"\\\"b\"}", "5:{\"id\":\"c\"}"};
  for (size_t block : {1, 7, 1 << 20}) EXPECT_EQ(Records(jsonl, false, block), lines) << block;
  EXPECT_EQ(Records("\xEF\xBB\xBF", false, 4), V{});
  EXPECT_EQ(Records("", true, 4), V{});
}

// Random well-formed files (cells with commas, quotes, LF and CRLF inside, empty cells; LF or CRLF row ends)
// written as a spreadsheet would, read back through RecordBlocks and CsvCells in blocks of several sizes: the
// same cells, every row numbered by its first line.
TEST(RecordBlocks, RandomQuotedFilesReadBackCellForCell) {
  std::mt19937 rng(4180);
  const std::vector<std::string> pieces = {"a",    "b c", ",",        "\"",  "\n",
                                           "\r\n", " ",   "\xc3\xa9", "x,y", "1.5"};
  for (int round = 0; round < 200; ++round) {
    std::vector<V> rows;
    std::string file;
    std::vector<int> first_lines;
    int line = 1;
    size_t columns = 1 + rng() % 4;
    bool crlf = rng() % 2;
    for (int r = 0; r < 1 + static_cast<int>(rng() % 12); ++r) {
      V row;
      first_lines.push_back(line);
      for (size_t c = 0; c < columns; ++c) {
        std::string cell;
        for (int k = static_cast<int>(rng() % 4); k > 0; --k) cell += pieces[rng() % pieces.size()];
        if (c == 0) cell = "id" + cell;  // a row that is only spaces would be a blank line, skipped
        row.push_back(cell);
        bool quote = cell.find_first_of(",\"\r\n") != std::string::npos || rng() % 5 == 0;
        if (c) file += ',';
        if (quote) {
          file += '"';
          for (char ch : cell) file += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          file += '"';
        } else {
          file += cell;
        }
        for (char ch : cell) line += ch == '\n';
      }
      file += crlf ? "\r\n" : "\n";
      ++line;
      rows.push_back(row);
    }
    for (size_t block : {3, 64, 1 << 20}) {
      size_t at = 0;
      io::RecordBlocks blocks(
          [&](char* buffer, size_t size) {
            size_t n = std::min(size, file.size() - at);
            std::memcpy(buffer, file.data() + at, n);
            at += n;
            return static_cast<long>(n);
          },
          true, block);
      std::vector<io::InputRecord> records;
      size_t r = 0;
      io::CsvCells cells;
      while (blocks.Next(&records))
        for (const auto& rec : records) {
          ASSERT_LT(r, rows.size()) << "more records than rows in:\n" << file;
          std::string error;
          ASSERT_TRUE(cells.Split(rec.text, &error)) << error << " in:\n" << file;
          V got(cells.cells().begin(), cells.cells().end());
          EXPECT_EQ(got, rows[r]) << "row " << r << " of:\n" << file;
          EXPECT_EQ(rec.line, first_lines[r]) << "row " << r << " of:\n" << file;
          ++r;
        }
      EXPECT_EQ(r, rows.size()) << file;
    }
  }
}

TEST(RecordBlocks, AReadErrorIsNotTheEnd) {
  int calls = 0;
  io::RecordBlocks blocks(
      [&](char* buffer, size_t) -> long {
        if (calls++) return -1;
        std::memcpy(buffer, "a\nb", 3);
        return 3;
      },
      false, 64);
  std::vector<io::InputRecord> records;
  EXPECT_TRUE(blocks.Next(&records));
  EXPECT_FALSE(blocks.Next(&records));
  EXPECT_TRUE(blocks.failed());
}

class CsvHeader : public testing::Test {
 protected:
  void SetUp() override {
    c_ = driver::CompileFile("policies/ai_diffusion_2025.edict", {});
    ASSERT_TRUE(c_.ok()) << RenderAll(c_.diags);
    parser_ = std::make_unique<io::RecordParser>(*c_.program);
  }
  bool Set(const V& names, bool strict = false) {
    std::vector<std::string_view> views(names.begin(), names.end());
    error_.clear();
    return parser_->SetCsvHeader(views, strict, &ignored_, &error_);
  }
  driver::Compilation c_;
  std::unique_ptr<io::RecordParser> parser_;
  V ignored_;
  std::string error_;
};

TEST_F(CsvHeader, NamesMatchInAnyCaseAndUnknownColumnsAreLeftOut) {
  ASSERT_TRUE(Set({"ID", "Date", "invoice", "DESTINATION", " consignee ", "Item", "Quantity", "notes"}))
      << error_;
  EXPECT_EQ(ignored_, (V{"invoice", "notes"}));
  interp::Record rec;
  std::string error, id;
  std::vector<std::string_view> row = {"r1",    "2025-06-02",      "INV-7", "IN",
                                       "Indus", "nvidia-h100-sxm", "1699",  "x"};
  ASSERT_TRUE(parser_->ParseCsv(row, &rec, &error, &id)) << error;
  EXPECT_EQ(id, "r1");
  EXPECT_FALSE(Set({"id", "date", "invoice", "destination", "consignee", "item", "quantity"}, true));
  EXPECT_EQ(error_, "unknown column 'invoice'");
}

TEST_F(CsvHeader, DuplicatesAndMissingRequiredColumnsAreErrors) {
  EXPECT_FALSE(Set({"id", "date", "destination", "consignee", "item", "quantity", "QUANTITY"}));
  EXPECT_EQ(error_, "column 'QUANTITY' is given twice");
  EXPECT_FALSE(Set({"id", "date", "destination", "consignee", "item", "notes", "Notes"}));
  EXPECT_EQ(error_, "column 'Notes' is given twice");
  EXPECT_FALSE(Set({"id", "date", "destination", "consignee", "item"}));
  EXPECT_EQ(error_, "no column for the required field 'quantity'");
}

TEST(Keep, CsvColumnsGoIntoJsonAndCsvOutput) {
  io::KeepColumns keep;
  std::string error;
  ASSERT_TRUE(keep.Parse("Invoice, id", &error));
  V header = {"id", "invoice", "date"};
  std::vector<std::string_view> views(header.begin(), header.end());
  ASSERT_TRUE(keep.UseCsvHeader(views, &error)) << error;
  std::vector<std::string> taken = {"id", "decision"};
  EXPECT_EQ(keep.CsvHeaderCells(taken), ",invoice,input.id");
  io::KeepWriter json(keep, true), csv(keep, false);
  json.Read("r1,\"INV, 7\",2025-01-01");
  csv.Read("r1,\"INV, 7\",2025-01-01");
  std::string out = "{\"id\":\"r1\"}";
  json.AppendJson(out);
  EXPECT_EQ(out, "{\"id\":\"r1\",\"input\":{\"invoice\":\"INV, 7\",\"id\":\"r1\"}}");
  out = "r1,no_license_required";
  csv.AppendCsv(out);
  EXPECT_EQ(out, "r1,no_license_required,\"INV, 7\",r1");
  // A row with the wrong number of cells keeps nothing (its cells cannot be told apart).
  csv.Read("r1,x");
  out = "";
  csv.AppendCsv(out);
  EXPECT_EQ(out, ",,");
  EXPECT_FALSE(keep.Parse("a,,b", &error));
  ASSERT_TRUE(keep.Parse("nope", &error));
  EXPECT_FALSE(keep.UseCsvHeader(views, &error));
  EXPECT_EQ(error, "--keep: the input has no column 'nope'");
}

TEST(Keep, JsonValuesKeepTheirTypes) {
  driver::Compilation c = driver::CompileFile("policies/ai_diffusion_2025.edict", {});
  ASSERT_TRUE(c.ok());
  io::KeepColumns keep;
  std::string error;
  ASSERT_TRUE(keep.Parse("quantity,consignee,end_use", &error));
  keep.UseJson(*c.program);
  io::KeepWriter json(keep, true), csv(keep, false);
  const std::string line = R"({"id":"a","consignee":"A \"B\"","quantity":12 , "x":{"y":[1,2]}})";
  json.Read(line);
  csv.Read(line);
  std::string out = "{}";
  json.AppendJson(out);
  EXPECT_EQ(out, R"({"input":{"consignee":"A \"B\"","quantity":12}})");
  out.clear();
  csv.AppendCsv(out);
  EXPECT_EQ(out, ",12,\"A \"\"B\"\"\",");
  // all: the whole object in JSON output.
  ASSERT_TRUE(keep.Parse("all", &error));
  keep.UseJson(*c.program);
  io::KeepWriter all(keep, true);
  all.Read(line);
  out = "{\"id\":\"a\"}";
  all.AppendJson(out);
  EXPECT_EQ(out, R"({"id":"a","input":{"id":"a","consignee":"A \"B\"","quantity":12,"x":{"y":[1,2]}}})");
  // An invalid line keeps nothing.
  all.Read("{not json");
  out = "{}";
  all.AppendJson(out);
  EXPECT_EQ(out, "{\"input\":{}}");
}

}  // namespace
}  // namespace edict
