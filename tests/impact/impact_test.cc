// `edict impact` end to end, with the binary: what a small history moves between two fixture policies (counts
// worked out by hand), the rows written with kept columns, and the same report and rows from the JIT and the
// interpreter on every input form (CSV and JSON Lines, one schema or two, quotas or none).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/driver/process.h"

namespace fs = std::filesystem;

namespace {

const std::string kSource = EDICT_SOURCE_DIR;
const std::string kBase = kSource + "/tests/diff/fixtures/base.edict";
const std::string kHistory = kSource + "/tests/impact/history.csv";

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Impact : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The JIT's object cache: one of this test's own.
    dir_ = new fs::path(fs::temp_directory_path() / ("edict-impact-" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    setenv("XDG_CACHE_HOME", (*dir_ / "cache").c_str(), 1);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Runs `edict impact ARGS`; returns the exit status, stdout in `out`.
  int Run(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {EDICT_BINARY, "impact"});
    edict::driver::RunOptions options;
    options.capture = out;
    std::string error;
    int status = edict::driver::RunProgram(args, options, &error);
    EXPECT_GE(status, 0) << error;
    return status;
  }
  nlohmann::json Report(std::vector<std::string> args, int expect_status = 2) {
    std::string out;
    args.push_back("--format");
    args.push_back("json");
    EXPECT_EQ(Run(args, &out), expect_status);
    return nlohmann::json::parse(out);
  }
  static fs::path* dir_;
};

fs::path* Impact::dir_ = nullptr;

TEST_F(Impact, CountsWhatMovesWhereAndWhy) {
  fs::path rows = *dir_ / "rows.csv";
  nlohmann::json r = Report({kBase, kSource + "/tests/diff/fixtures/country_moved.edict", "--input", kHistory,
                             "--rows", rows.string(), "--keep", "row,INVOICE"});
  // India became an ally: its two LPP shipments that the policy was in force for move to AIA.
  EXPECT_EQ(r["shipments"], 7);
  EXPECT_EQ(r["moved"], 2);
  EXPECT_EQ(r["stricter"], 0);
  EXPECT_EQ(r["looser"], 0);
  EXPECT_EQ(r["as_severe"], 2);  // one licence exception for another
  EXPECT_EQ(r["invalid"]["old"], 1);
  EXPECT_EQ(r["invalid"]["new"], 1);
  bool found = false;
  for (const auto& m : r["matrix"])
    if (m["from"] == "license_exception LPP (notify)") {
      EXPECT_EQ(m["to"], "license_exception AIA (notify)");
      EXPECT_EQ(m["shipments"], 2);
      found = true;
    }
  EXPECT_TRUE(found) << r["matrix"].dump();
  ASSERT_FALSE(r["destinations"].empty());
  EXPECT_EQ(r["destinations"][0]["destination"], "IN");
  EXPECT_EQ(r["destinations"][0]["name"], "India");
  EXPECT_EQ(r["destinations"][0]["moved"], 2);
  EXPECT_EQ(r["destinations"][0]["shipments"], 3);  // h1, h4 and h5 (not in force under either)
  EXPECT_EQ(r["months"].size(), 4u);
  EXPECT_EQ(r["months"][1]["month"], "2025-06");
  EXPECT_EQ(r["months"][1]["moved"], 1);
  ASSERT_EQ(r["rules"]["old"].size(), 1u);
  EXPECT_EQ(r["rules"]["old"][0]["rule"], "small_volume");
  EXPECT_EQ(r["rules"]["old"][0]["moved"], 2);
  ASSERT_EQ(r["rules"]["new"].size(), 1u);
  EXPECT_EQ(r["rules"]["new"][0]["rule"], "allied");
  EXPECT_EQ(r["invalid_rows"]["old"][0]["line"], 7);
  EXPECT_EQ(
      Slurp(rows),
      "line,id,destination,item,date,from,to,from_rules,to_rules,Row,Invoice\n"
      "2,h1,IN,nvidia-h100-sxm,2025-06-02,license_exception LPP (notify),license_exception AIA (notify),"
      "small_volume,allied,1,INV-1\n"
      "5,h4,IN,nvidia-h100-sxm,2025-07-01,license_exception LPP (notify),license_exception AIA (notify),"
      "small_volume,allied,4,INV-4\n");
}

TEST_F(Impact, ALowerQuotaIsStricter) {
  nlohmann::json r = Report({kBase, kSource + "/tests/diff/fixtures/lpp_lowered.edict", "--input", kHistory});
  // 1,699 H100s no longer fit the small-volume quota: a licence instead.
  EXPECT_EQ(r["moved"], 1);
  EXPECT_EQ(r["stricter"], 1);
  EXPECT_EQ(r["rules"]["new"][0]["rule"], "licence");
}

TEST_F(Impact, BadUsageAndBadHeadersAreRefused) {
  std::string out;
  // --keep without --rows: nothing to keep the columns in.
  EXPECT_EQ(Run({kBase, kBase, "--input", kHistory, "--keep", "row"}, &out), 64);  // a usage error
  EXPECT_EQ(Run({kBase, kBase, "--input", kHistory, "--strict"}, &out), 2);
  // The report would overwrite the input.
  fs::path copy = *dir_ / "history.csv";
  fs::copy_file(kHistory, copy, fs::copy_options::overwrite_existing);
  EXPECT_EQ(Run({kBase, kBase, "--input", copy.string(), "--html", copy.string()}, &out), 64);
  EXPECT_EQ(Slurp(copy), Slurp(kHistory));
}

// The JIT and the interpreter give the same report, HTML and rows.
void ExpectEnginesAgree(const std::vector<std::string>& args, const fs::path& dir) {
  std::string outputs[2];
  const char* engines[2] = {"jit", "interp"};
  for (int e = 0; e < 2; ++e) {
    std::vector<std::string> a = args;
    fs::path rows = dir / (std::string("rows-") + engines[e] + ".jsonl");
    fs::path html = dir / (std::string("report-") + engines[e] + ".html");
    for (const char* s : {"--engine", engines[e], "--format", "json", "--rows", rows.c_str(), "--keep", "all",
                          "--html", html.c_str()})
      a.push_back(s);
    a.insert(a.begin(), {EDICT_BINARY, "impact"});
    edict::driver::RunOptions options;
    std::string report, error;
    options.capture = &report;
    int status = edict::driver::RunProgram(a, options, &error);
    EXPECT_TRUE(status == 0 || status == 2) << error;
    outputs[e] = report + "\n--- rows\n" + Slurp(rows) + "\n--- html\n" + Slurp(html);
  }
  EXPECT_FALSE(outputs[0].empty());
  EXPECT_EQ(outputs[0], outputs[1]) << "engines disagree on " << args[0] << " -> " << args[1];
}

TEST_F(Impact, EnginesAgree) {
  const std::string p = kSource + "/policies/";
  // Quotas on both sides, JSON Lines (one schema: the new batch is a copy of the old one).
  ExpectEnginesAgree({p + "ai_diffusion_2025.edict", p + "licensing_regime_draft.edict", "--input",
                      kSource + "/examples/shipments.jsonl"},
                     *dir_);
  // A timeline against its last policy, CSV with an invalid row.
  ExpectEnginesAgree({p + "us_ear_timeline.edict", p + "china_case_by_case_2026.edict", "--input", kHistory},
                     *dir_);
  // Two schemas (each policy reads the records itself): the golden test's own schema against a shipped
  // policy.
  ExpectEnginesAgree({kBase, kSource + "/tests/impact/extra_field.edict", "--input", kHistory}, *dir_);
}

}  // namespace
