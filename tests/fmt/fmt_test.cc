// `edict fmt` never changes meaning and is idempotent, on every shipped file (policies/, stdlib/, bench/) and
// on the odd layouts of tests/fmt/cases/, whose canonical layout is tests/fmt/expected/
// (EDICT_UPDATE_GOLDEN=1 rewrites it). "Never changes meaning" is checked twice: the formatted text lowers to
// the same IR (ir::DumpProgram), and `edict diff` proves the two versions behave the same for every shipment.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/pipeline.h"
#include "compiler/format/format.h"
#include "compiler/format/unified_diff.h"
#include "compiler/ir/dump.h"

extern char** environ;

namespace fs = std::filesystem;

namespace {

const fs::path kSource = EDICT_SOURCE_DIR;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

bool Updating() {
  const char* v = std::getenv("EDICT_UPDATE_GOLDEN");
  return v && *v && std::string(v) != "0";
}

std::vector<fs::path> EdictFiles(const fs::path& dir, bool recursive) {
  std::vector<fs::path> files;
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.path().extension() == ".edict") files.push_back(e.path());
  } else {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".edict") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string FormatOrFail(const std::string& text, const std::string& label) {
  edict::format::FormatResult r = edict::format::FormatSource(text);
  EXPECT_TRUE(r.ok) << label << ": " << r.error;
  edict::format::FormatResult again = edict::format::FormatSource(r.text);
  EXPECT_EQ(r.text, again.text) << label << " is not idempotent:\n"
                                << edict::format::UnifiedDiff(r.text, again.text, label);
  return r.text;
}

// The IR of `path` compiled from `text` (or its file), or the diagnostics when it does not compile.
std::string IrOf(const fs::path& path, const std::string* text, const std::string& stdlib_dir = "") {
  edict::driver::CompileOptions options;
  options.stdlib_dir = stdlib_dir;
  edict::driver::Compilation c = edict::driver::CompileFile(path.string(), options, text);
  EXPECT_TRUE(c.ok()) << path << " does not compile:\n" << edict::RenderAll(c.diags);
  if (!c.ok()) return "does not compile";
  return edict::ir::DumpProgram(*c.program);
}

// Runs `edict diff OLD NEW` (argv, no shell) and returns its exit status.
int EdictDiff(const fs::path& old_file, const fs::path& new_file) {
  std::vector<std::string> args = {EDICT_BINARY, "diff", old_file.string(), new_file.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, EDICT_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

fs::path ScratchDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("edict_fmt_test_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(FmtShipped, PoliciesAndBenchKeepTheirIrAndAreProvedEquivalent) {
  fs::path scratch = ScratchDir("policies");
  std::vector<fs::path> files = EdictFiles(kSource / "policies", false);
  for (const auto& f : EdictFiles(kSource / "bench", false)) files.push_back(f);
  for (const auto& f : files) {
    std::string text = Read(f);
    std::string formatted = FormatOrFail(text, f.string());
    EXPECT_EQ(IrOf(f, &text), IrOf(f, &formatted)) << f;
    if (f.parent_path().filename() == "policies") Write(scratch / f.filename(), formatted);
  }
  // `import policy "x"` is relative to the importing file, so the formatted policies sit together.
  for (const auto& f : EdictFiles(kSource / "policies", false))
    EXPECT_EQ(EdictDiff(f, scratch / f.filename()), 0) << "edict diff " << f << " (formatted)";
}

TEST(FmtShipped, StdlibFormattedGivesEveryPolicyTheSameIr) {
  fs::path scratch = ScratchDir("stdlib");
  for (const auto& f : EdictFiles(kSource / "stdlib", true))
    Write(scratch / fs::relative(f, kSource / "stdlib"), FormatOrFail(Read(f), f.string()));
  for (const auto& f : EdictFiles(kSource / "policies", false))
    EXPECT_EQ(IrOf(f, nullptr), IrOf(f, nullptr, scratch.string())) << f << " with the formatted stdlib";
}

class FmtCase : public testing::Test {
 public:
  explicit FmtCase(fs::path file) : file_(std::move(file)) {}
  void TestBody() override {
    std::string text = Read(file_);
    std::string formatted = FormatOrFail(text, file_.string());
    fs::path expected = kSource / "tests" / "fmt" / "expected" / file_.filename();
    if (Updating()) Write(expected, formatted);
    EXPECT_EQ(Read(expected), formatted) << "golden mismatch for " << expected << " (EDICT_UPDATE_GOLDEN=1)";
    EXPECT_EQ(IrOf(file_, &text), IrOf(file_, &formatted));
    if (text.rfind("policy", 0) == 0) {
      EXPECT_EQ(EdictDiff(file_, expected), 0) << "edict diff " << file_;
    }
  }

 private:
  fs::path file_;
};

const bool registered = [] {
  for (const auto& f : EdictFiles(kSource / "tests" / "fmt" / "cases", false))
    testing::RegisterTest("FmtCase", f.stem().string().c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [f]() -> testing::Test* { return new FmtCase(f); });
  return true;
}();

}  // namespace
