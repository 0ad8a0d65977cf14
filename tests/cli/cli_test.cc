// The command-line conventions of issue 17: --version, --help naming `edict` with defaults, folders wherever
// files go, a wrong --stdlib or $EDICT_STDLIB refused, and distinct exit statuses documented in one place.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "compiler/driver/exit_status.h"
#include "tests/cli/run.h"

namespace fs = std::filesystem;
using edict::test::Contains;
using edict::test::Edict;
using edict::test::Outcome;
using edict::test::TempDir;

namespace {

const std::string kSource = EDICT_SOURCE_DIR;

TEST(Version, FlagAndCommandAgree) {
  Outcome flag = Edict({"--version"});
  EXPECT_EQ(flag.status, 0) << flag.err;
  Outcome command = Edict({"version"});
  ASSERT_EQ(command.status, 0) << command.err;
  std::string first = command.out.substr(0, command.out.find('\n') + 1);
  EXPECT_EQ(flag.out, first);
  EXPECT_EQ(flag.out.rfind("edict ", 0), 0u) << flag.out;
  EXPECT_GT(flag.out.size(), std::string("edict \n").size());
}

TEST(Help, NamesTheProgramEdictAndShowsDefaults) {
  // Started by its full build path: --help still says `edict`.
  Outcome top = Edict({"--help"});
  EXPECT_EQ(top.status, 0);
  EXPECT_TRUE(Contains(top.out, "Usage: edict [OPTIONS] SUBCOMMAND")) << top.out;
  EXPECT_FALSE(Contains(top.out, "bin/edict")) << top.out;
  EXPECT_TRUE(Contains(top.out, "=auto")) << "--color's default: " << top.out;
  Outcome eval = Edict({"eval", "--help"});
  EXPECT_EQ(eval.status, 0);
  EXPECT_TRUE(Contains(eval.out, "Usage: edict eval [OPTIONS] policy")) << eval.out;
  for (const char* shown : {"{jsonl,csv,table}=jsonl", "=8192", "=-", "{jit,interp}=jit"})
    EXPECT_TRUE(Contains(eval.out, shown)) << shown << " in\n" << eval.out;
  Outcome impact = Edict({"impact", "--help"});
  EXPECT_TRUE(Contains(impact.out, "Usage: edict impact")) << impact.out;
  EXPECT_TRUE(Contains(impact.out, "=20")) << "--top's default: " << impact.out;
  // The hidden generators are not offered.
  EXPECT_FALSE(Contains(top.out, "completions")) << top.out;
  EXPECT_FALSE(Contains(top.out, "\n  man ")) << top.out;
}

std::vector<std::string> PolicyFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kSource + "/policies"))
    if (e.path().extension() == ".edict") files.push_back("policies/" + e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Folders, TestAndCheckTakeAFolderAsItsFiles) {
  std::vector<std::string> files = PolicyFiles();
  ASSERT_GT(files.size(), 3u);
  for (const char* command : {"test", "check"}) {
    std::vector<std::string> listed = {command};
    listed.insert(listed.end(), files.begin(), files.end());
    Outcome by_files = Edict(listed);
    Outcome by_folder = Edict({command, "policies/"});
    EXPECT_EQ(by_folder.status, 0) << command << by_folder.err;
    EXPECT_EQ(by_folder.status, by_files.status) << command;
    EXPECT_EQ(by_folder.out, by_files.out) << command;
  }
  // Subfolders too, and a folder mixed with files.
  TempDir dir("folders");
  fs::create_directories(dir / "a" / "b");
  fs::copy_file(kSource + "/policies/licensing_regime_draft.edict", dir / "a" / "b" / "draft.edict");
  fs::copy_file(kSource + "/policies/embargoes_746.edict", dir / "a" / "b" / "embargoes_746.edict");
  std::ofstream(dir / "a" / "notes.txt") << "not a policy\n";
  Outcome r = Edict({"check", (dir / "a").string(), "policies/h20_letter_2025.edict"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "a/b/draft.edict: ok")) << r.out;
  EXPECT_TRUE(Contains(r.out, "a/b/embargoes_746.edict: ok")) << r.out;
  EXPECT_TRUE(Contains(r.out, "policies/h20_letter_2025.edict: ok")) << r.out;
  EXPECT_FALSE(Contains(r.out, "notes.txt")) << r.out;
  // A folder with no policy in it is not "0 passed, 0 failed".
  fs::create_directories(dir / "empty");
  for (const char* command : {"test", "check", "fmt"}) {
    Outcome empty = Edict({command, (dir / "empty").string()});
    EXPECT_EQ(empty.status, edict::driver::kExitBadData) << command << empty.out << empty.err;
    EXPECT_TRUE(Contains(empty.err, "no .edict files in this folder")) << command << empty.err;
  }
}

TEST(Stdlib, AWrongStdlibIsAnErrorNotAFallback) {
  TempDir dir("stdlib");
  fs::create_directories(dir / "policies_only");
  fs::copy_file(kSource + "/policies/embargoes_746.edict", dir / "policies_only" / "embargoes_746.edict");
  std::ofstream(dir / "file") << "x\n";
  const std::string policy = "policies/ai_diffusion_2025.edict";
  struct Case {
    std::string dir, why;
  };
  for (const Case& c : {Case{(dir / "missing").string(), "no such directory"},
                        Case{(dir / "file").string(), "not a directory"},
                        Case{(dir / "policies_only").string(), "it holds no stdlib module"}}) {
    Outcome option = Edict({"--stdlib", c.dir, "check", policy});
    EXPECT_EQ(option.status, edict::driver::kExitUsage) << c.dir << option.err;
    EXPECT_TRUE(Contains(option.err, "--stdlib '" + c.dir + "' is not a stdlib directory: " + c.why))
        << option.err;
    EXPECT_EQ(option.out, "") << "nothing was checked";
    // Given after the command, the same.
    Outcome after = Edict({"check", "--stdlib", c.dir, policy});
    EXPECT_EQ(after.status, edict::driver::kExitUsage) << c.dir << after.err;
    EXPECT_TRUE(Contains(after.err, "--stdlib '" + c.dir + "' is not a stdlib directory: " + c.why))
        << after.err;
    Outcome env = Edict({"check", policy}, {{"EDICT_STDLIB", c.dir}});
    EXPECT_EQ(env.status, edict::driver::kExitUsage) << c.dir << env.err;
    EXPECT_TRUE(Contains(env.err, "EDICT_STDLIB='" + c.dir + "' is not a stdlib directory: " + c.why))
        << env.err;
    // Every command is guarded, not only check.
    Outcome eval = Edict({"eval", policy, "--input", "examples/shipments.jsonl"}, {{"EDICT_STDLIB", c.dir}});
    EXPECT_EQ(eval.status, edict::driver::kExitUsage) << eval.err;
    EXPECT_EQ(eval.out, "");
  }
  // Help still works, to find out what is wrong.
  EXPECT_EQ(Edict({"--help"}, {{"EDICT_STDLIB", (dir / "missing").string()}}).status, 0);
  // A real stdlib, and a folder of extra modules searched before it.
  EXPECT_EQ(Edict({"check", policy}, {{"EDICT_STDLIB", kSource + "/stdlib"}}).status, 0);
  EXPECT_EQ(Edict({"--stdlib", "stdlib", "check", policy}).status, 0);
  EXPECT_EQ(Edict({"check", "--stdlib", "stdlib", policy, "--color", "never"}).status, 0);
  EXPECT_EQ(Edict({"check", "--no-such-option", policy}).status, edict::driver::kExitUsage);
  EXPECT_EQ(Edict({"--stdlib", "tests/golden/stdlib", "check", policy}).status, 0);
  // An empty EDICT_STDLIB is no setting at all.
  EXPECT_EQ(Edict({"check", policy}, {{"EDICT_STDLIB", ""}}).status, 0);
}

TEST(ExitStatus, UsageBadRowsFailedTestsAndWriteErrorsAreDistinct) {
  Outcome usage = Edict({"eval", "policies/ai_diffusion_2025.edict", "--no-such-option"});
  Outcome usage_value = Edict({"eval", "policies/ai_diffusion_2025.edict", "--format", "xml"});
  Outcome bad_rows =
      Edict({"eval", "policies/ai_diffusion_2025.edict", "--input", "tests/golden/inputs/bad_lines.jsonl"});
  Outcome failed_tests = Edict({"test", "tests/golden/inputs/assertions.edict"});
  Outcome write_failed = edict::test::RunArgs(
      {EDICT_BINARY, "eval", "policies/ai_diffusion_2025.edict", "--input", "examples/shipments.jsonl"}, {},
      {}, "/dev/null", "/dev/full");
  Outcome ok = Edict({"test", "policies/licensing_regime_draft.edict"});
  EXPECT_EQ(usage.status, 64) << usage.err;
  EXPECT_EQ(usage_value.status, 64) << usage_value.err;
  EXPECT_EQ(bad_rows.status, 2) << bad_rows.err;
  EXPECT_EQ(failed_tests.status, 1) << failed_tests.err;
  EXPECT_EQ(write_failed.status, 74) << write_failed.err;
  EXPECT_TRUE(Contains(write_failed.err, "cannot write standard output: No space left on device"));
  EXPECT_EQ(ok.status, 0) << ok.err;
  std::set<int> distinct = {ok.status, failed_tests.status, bad_rows.status, usage.status,
                            write_failed.status};
  EXPECT_EQ(distinct.size(), 5u);
}

TEST(ExitStatus, DocumentedInOnePlace) {
  std::string doc = edict::test::Slurp(kSource + "/docs/exit-status.md");
  for (const auto& s : edict::driver::kExitStatuses)
    EXPECT_TRUE(Contains(doc, "\n| " + std::to_string(s.status) + " |"))
        << s.status << " not in exit-status.md";
  // The man page lists them from the same table.
  Outcome man = Edict({"man"});
  ASSERT_EQ(man.status, 0) << man.err;
  for (const auto& s : edict::driver::kExitStatuses)
    EXPECT_TRUE(Contains(man.out, ".TP\n.B " + std::to_string(s.status) + "\n")) << s.status;
}

}  // namespace
