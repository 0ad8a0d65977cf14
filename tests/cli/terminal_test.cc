// What a user at a terminal sees (a pseudo-terminal drives the binary): `eval` and `impact` reading standard
// input say so; eval, impact and diff show their progress on standard error, erase it when done, and say
// nothing of it with --quiet or when standard error is not a terminal.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/cli/pty.h"
#include "tests/cli/run.h"
#include "tools/edict/progress.h"

namespace {

using edict::test::Contains;
using edict::test::Pty;

const char* kLine =
    R"({"id":"t1","date":"2025-06-02","destination":"IN","consignee":"Indus Compute","item":"nvidia-h100-sxm","quantity":1699})";

TEST(Terminal, EvalWithoutInputSaysItReadsStandardInput) {
  Pty term({"eval", "policies/ai_diffusion_2025.edict"});
  ASSERT_TRUE(term.started());
  ASSERT_TRUE(term.WaitFor("edict eval: reading shipments from standard input")) << term.screen();
  term.Type(std::string(kLine) + "\n");
  term.Type("\x04");  // Ctrl-D at the start of a line: the end of the input
  ASSERT_TRUE(term.WaitFor("\"id\":\"t1\"")) << term.screen();
  ASSERT_TRUE(term.WaitFor("1 shipments: 1 license_exception")) << term.screen();
  EXPECT_EQ(term.Finish(), 0) << term.screen();
}

TEST(Terminal, ImpactWithoutInputSaysItReadsStandardInput) {
  Pty term({"impact", "policies/ai_diffusion_2025.edict", "policies/licensing_regime_draft.edict"});
  ASSERT_TRUE(term.started());
  ASSERT_TRUE(term.WaitFor("edict impact: reading shipments from standard input")) << term.screen();
  term.Type(std::string(kLine) + "\n\x04");
  ASSERT_TRUE(term.WaitFor("1 shipments:")) << term.screen();
  EXPECT_EQ(term.Finish(), 0) << term.screen();
}

TEST(Terminal, NoNoteWhenStandardInputIsAFileOrGivenByName) {
  // Standard input from a file: no note (the golden tests run the same way, with a file named).
  edict::test::Outcome piped =
      edict::test::RunArgs({EDICT_BINARY, "eval", "policies/ai_diffusion_2025.edict"}, {}, {},
                           EDICT_SOURCE_DIR "/examples/shipments.jsonl");
  EXPECT_EQ(piped.status, 0) << piped.err;
  EXPECT_FALSE(Contains(piped.err, "reading shipments")) << piped.err;
  // A terminal, but the shipments come from a file.
  Pty term({"eval", "policies/ai_diffusion_2025.edict", "--input", "examples/shipments.jsonl"});
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  EXPECT_FALSE(Contains(term.screen(), "reading shipments")) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), " shipments: ")) << term.screen();
}

}  // namespace

namespace {

// A shipment file of `n` lines (the examples, repeated), in a temporary folder.
std::string Shipments(const edict::test::TempDir& dir, int n) {
  std::string examples = edict::test::Slurp(EDICT_SOURCE_DIR "/examples/shipments.jsonl"), text;
  std::vector<std::string> lines;
  for (size_t at = 0; at < examples.size();) {
    size_t nl = examples.find('\n', at);
    lines.push_back(examples.substr(at, nl - at + 1));
    at = nl + 1;
  }
  for (int i = 0; i < n; ++i) text += lines[static_cast<size_t>(i) % lines.size()];
  std::string path = (dir / "shipments.jsonl").string();
  std::ofstream(path) << text;
  return path;
}

TEST(Progress, EvalDrawsABarWithRateAndTimeLeftAndErasesIt) {
  edict::test::TempDir dir("progress");
  std::string input = Shipments(dir, 60000);
  Pty term(
      {"eval", "policies/us_ear_timeline.edict", "--input", input, "--output", (dir / "out.jsonl").string()},
      {{"XDG_CACHE_HOME", (dir / "cache").string()}});
  ASSERT_TRUE(term.started());
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  const std::string& s = term.screen();
  EXPECT_TRUE(Contains(s, "\redict eval: [")) << s;
  EXPECT_TRUE(Contains(s, " rows/s")) << s;
  EXPECT_TRUE(Contains(s, "%")) << s;
  EXPECT_TRUE(Contains(s, "ETA ")) << s;
  // Erased before the summary, which starts a clean line.
  EXPECT_TRUE(Contains(s, "\r\033[K60,000 shipments: ")) << s;
}

TEST(Progress, QuietSaysNothingButErrors) {
  edict::test::TempDir dir("quiet");
  std::string input = Shipments(dir, 20000);
  Pty term({"eval", "policies/us_ear_timeline.edict", "--input", input, "--output",
            (dir / "out.jsonl").string(), "--quiet"},
           {{"XDG_CACHE_HOME", (dir / "cache").string()}});
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  EXPECT_EQ(term.screen(), "") << "nothing on a terminal with --quiet";
  std::string out = edict::test::Slurp(dir / "out.jsonl");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 20000) << "every shipment decided";
}

TEST(Progress, StandardInputHasNoSizeSoNoBarOrTimeLeft) {
  Pty term({"eval", "policies/ai_diffusion_2025.edict", "--output", "/dev/null"});
  ASSERT_TRUE(term.WaitFor("reading shipments from standard input")) << term.screen();
  term.Type(std::string(kLine) + "\n\x04");
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), "\redict eval: 1 rows")) << term.screen();
  EXPECT_FALSE(Contains(term.screen(), "ETA")) << term.screen();
}

TEST(Progress, NoBarWhenDecisionsGoToTheSameTerminal) {
  edict::test::TempDir dir("tty-out");
  std::string input = Shipments(dir, 5000);
  Pty term({"eval", "policies/us_ear_timeline.edict", "--input", input},
           {{"XDG_CACHE_HOME", (dir / "cache").string()}});
  EXPECT_EQ(term.Finish(), 0) << term.screen().substr(0, 2000);
  const std::string& s = term.screen();
  EXPECT_FALSE(Contains(s, "rows/s")) << "no bar between the decisions";
  EXPECT_TRUE(Contains(s, "\"decision\":")) << s.substr(0, 2000);
  EXPECT_TRUE(Contains(s, "5,000 shipments: ")) << s.substr(s.size() > 2000 ? s.size() - 2000 : 0);
}

TEST(Progress, ImpactDrawsABar) {
  edict::test::TempDir dir("impact");
  std::string input = Shipments(dir, 20000);
  Pty term({"impact", "policies/ai_diffusion_2025.edict", "policies/licensing_regime_draft.edict", "--input",
            input, "--output", (dir / "report.txt").string()},
           {{"XDG_CACHE_HOME", (dir / "cache").string()}});
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), "\redict impact: [")) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), " rows/s")) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), "\r\033[K20,000 shipments: ")) << term.screen();
}

TEST(Progress, DiffShowsItsStages) {
  Pty term({"diff", "tests/diff/fixtures/base.edict", "tests/diff/fixtures/reordered.edict"});
  int status = term.Finish();
  EXPECT_EQ(status, 0) << term.screen();
  const std::string& s = term.screen();
  EXPECT_TRUE(Contains(s, "edict diff: [1/4] compiling both versions")) << s;
  EXPECT_TRUE(Contains(s, "edict diff: [4/4] behaviour")) << s;
  EXPECT_TRUE(Contains(s, "solver queries")) << s;
  // Erased before the report.
  EXPECT_TRUE(Contains(s, "\r\033[Kedict diff ")) << s;
}

TEST(Progress, NothingWhenStandardErrorIsNotATerminal) {
  edict::test::TempDir dir("notty");
  std::string input = Shipments(dir, 20000);
  edict::test::Outcome r = edict::test::RunArgs({EDICT_BINARY, "eval", "policies/us_ear_timeline.edict",
                                                 "--input", input, "--output", (dir / "out.jsonl").string()},
                                                {{"XDG_CACHE_HOME", (dir / "cache").string()}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Contains(r.err, "\r")) << r.err;
  EXPECT_FALSE(Contains(r.err, "rows/s")) << r.err;
  EXPECT_TRUE(Contains(r.err, "20,000 shipments: ")) << r.err;
}

TEST(Progress, TheLineFitsTheTerminal) {
  using edict::cli::Progress;
  std::string wide = Progress::RowsLine("eval", 1234567, 50, 100, 2.0, 100);
  EXPECT_EQ(wide.rfind("edict eval: [", 0), 0u) << wide;
  EXPECT_TRUE(Contains(wide, "]  50%  1,234,567 rows  617,283 rows/s  ETA 0:02")) << wide;
  EXPECT_LE(wide.size(), 99u) << wide;
  // Too narrow for a bar: the figures alone.
  std::string narrow = Progress::RowsLine("eval", 1234567, 50, 100, 2.0, 60);
  EXPECT_EQ(narrow, "edict eval: 50%  1,234,567 rows  617,283 rows/s  ETA 0:02");
  // No size known: no share, no time left.
  EXPECT_EQ(Progress::RowsLine("eval", 42, 10, 0, 1.0, 100), "edict eval: 42 rows  42 rows/s");
  // An hour and more.
  EXPECT_TRUE(Contains(Progress::RowsLine("eval", 1, 1, 1000, 10.0, 100), "ETA 2:46:30"));
}

}  // namespace
