// Golden transcripts: tests/repl/transcripts/NAME.in is fed on stdin to `edict repl --echo ARGS` (run from
// the source tree, NO_COLOR set), and stdout and stderr together, followed by the exit status, must equal
// NAME.out. The first line of NAME.in may be `#! ARGS` (the arguments after `repl`; default: none). `$TMP`
// names an empty folder of the test's own (for a ledger file).
// EDICT_UPDATE_GOLDEN=1 rewrites the .out files instead; review the changes with `git diff tests/repl`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(EDICT_SOURCE_DIR) / "tests" / "repl" / "transcripts";

std::vector<std::string> Transcripts() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kDir, ec))
    if (e.path().extension() == ".in") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string RunShell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "popen failed\n";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  out += "[exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "]\n";
  return out;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

class Transcript : public testing::TestWithParam<std::string> {};

TEST_P(Transcript, MatchesGolden) {
  std::string input = ReadAll(kDir / (GetParam() + ".in"));
  std::string args;
  if (input.rfind("#! ", 0) == 0) {
    size_t eol = input.find('\n');
    args = input.substr(3, eol - 3);
    input = eol == std::string::npos ? "" : input.substr(eol + 1);
  }
  // $TMP in a transcript is a folder of its own, empty at the start (a ledger file goes there); the output
  // shows it as $TMP again.
  fs::path tmp = fs::path(testing::TempDir()) / ("repl_" + GetParam() + "_tmp");
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  input = Replace(input, "$TMP", tmp.string());
  args = Replace(args, "$TMP", tmp.string());
  fs::path script = fs::path(testing::TempDir()) / ("repl_" + GetParam() + ".in");
  std::ofstream(script, std::ios::binary) << input;
  std::string command = "cd '" + std::string(EDICT_SOURCE_DIR) + "' && env -u COLUMNS NO_COLOR=1 '" +
                        EDICT_BINARY + "' repl --echo " + args + " < '" + script.string() + "' 2>&1";
  std::string actual = Replace(RunShell(command), tmp.string(), "$TMP");
  fs::remove_all(tmp);
  fs::path golden = kDir / (GetParam() + ".out");
  const char* update = std::getenv("EDICT_UPDATE_GOLDEN");
  if (update && *update && std::string(update) != "0") {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "updated " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with EDICT_UPDATE_GOLDEN=1";
  EXPECT_EQ(ReadAll(golden), actual)
      << "transcript " << GetParam()
      << " changed; if intended, run with EDICT_UPDATE_GOLDEN=1 and review git diff";
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Transcript);
INSTANTIATE_TEST_SUITE_P(Repl, Transcript, testing::ValuesIn(Transcripts()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
