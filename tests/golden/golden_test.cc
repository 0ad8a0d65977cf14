// Golden tests, registered one per file (Kuzu-style):
//  - check/NAME.edict: `edict check` diagnostics must equal check/NAME.err (every diagnostic code has one).
//  - cli/NAME.cmd: one `edict` command line (run from the source tree); stdout, stderr and the exit code must
//  equal
//    cli/NAME.out.
// EDICT_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing; review the change with git diff.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "compiler/driver/pipeline.h"
#include "compiler/sema/check.h"

namespace fs = std::filesystem;

namespace {

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Updating() {
  const char* v = std::getenv("EDICT_UPDATE_GOLDEN");
  return v && *v && std::string(v) != "0";
}

void CompareOrUpdate(const fs::path& expected_file, const std::string& actual) {
  if (Updating()) {
    std::ofstream(expected_file, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_file)) << expected_file << " is missing; run with EDICT_UPDATE_GOLDEN=1";
  EXPECT_EQ(Read(expected_file), actual)
      << "golden mismatch for " << expected_file << " (EDICT_UPDATE_GOLDEN=1 rewrites it)";
}

std::string RunCommand(const std::string& args) {
  std::string cmd =
      "cd '" EDICT_SOURCE_DIR "' && NO_COLOR=1 '" EDICT_BINARY "' " + args + " 2>&1; echo \"[exit $?]\"";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  // Timings are the one thing that changes from run to run.
  size_t pos;
  while ((pos = out.find(" s)\n")) != std::string::npos) {
    size_t open = out.rfind(" (", pos);
    if (open == std::string::npos) break;
    out.replace(open, pos + 3 - open, " (TIME)");
  }
  // A policy's content hash changes with any byte of the policy or the stdlib (docs/ledger.md, "Provenance"):
  // the goldens show where it goes, not its value.
  return std::regex_replace(out, std::regex("\\b[0-9a-f]{64}\\b"), "POLICY-HASH");
}

class CheckGolden : public testing::Test {
 public:
  explicit CheckGolden(fs::path file) : file_(std::move(file)) {}
  void TestBody() override {
    std::string rel = fs::relative(file_, EDICT_SOURCE_DIR).string();
    edict::driver::CompileOptions options;
    options.stdlib_dir = std::string(EDICT_SOURCE_DIR) + "/tests/golden/stdlib";  // golden-only modules
    edict::driver::Compilation c = edict::driver::CompileFile(rel, options);
    c.diags.Sort();
    std::string actual = edict::RenderAll(c.diags);
    if (actual.empty()) actual = "ok\n";
    CompareOrUpdate(fs::path(file_).replace_extension(".err"), actual);
  }

 private:
  fs::path file_;
};

class CliGolden : public testing::Test {
 public:
  explicit CliGolden(fs::path file) : file_(std::move(file)) {}
  void TestBody() override {
    std::string args = Read(file_);
    while (!args.empty() && (args.back() == '\n' || args.back() == '\r')) args.pop_back();
    CompareOrUpdate(fs::path(file_).replace_extension(".out"), "$ edict " + args + "\n" + RunCommand(args));
  }

 private:
  fs::path file_;
};

template <class T>
void RegisterDir(const char* suite, const fs::path& dir, const char* ext) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string name = f.stem().string();
    testing::RegisterTest(suite, name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [f]() -> testing::Test* { return new T(f); });
  }
}

// Every diagnostic code has at least one golden case named after it.
TEST(GoldenCoverage, EveryDiagnosticCodeHasAGoldenCase) {
  fs::path dir = fs::path(EDICT_SOURCE_DIR) / "tests" / "golden" / "check";
  for (const auto& [code, text] : edict::sema::DiagnosticCodes()) {
    bool found = false;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind(code + "_", 0) == 0 && e.path().extension() == ".edict")
        found = true;
    EXPECT_TRUE(found) << "no golden case for " << code << " (" << text << ") in " << dir;
  }
}

const bool registered = [] {
  fs::path root = fs::path(EDICT_SOURCE_DIR) / "tests" / "golden";
  RegisterDir<CheckGolden>("check", root / "check", ".edict");
  RegisterDir<CliGolden>("cli", root / "cli", ".cmd");
  return true;
}();

}  // namespace
