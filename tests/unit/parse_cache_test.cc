// sema::ParseCache (the fuzz harnesses' stdlib parsed once per process) must change nothing but speed: a
// compilation through the cache, first or later, gives the IR, the diagnostics and the test results of one
// without it; an edited stdlib file is parsed again; a stdlib file that does not parse is reported every
// time.
#include "compiler/sema/parse_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/driver/pipeline.h"
#include "compiler/driver/test_runner.h"
#include "compiler/ir/dump.h"

namespace edict {
namespace {

namespace fs = std::filesystem;

const std::string kSource = EDICT_SOURCE_DIR;

// Everything a compilation shows: the diagnostics as rendered (spans, source lines, notes), the IR, and what
// the policy's own tests report (with their lines).
std::string Outcome(const std::string& path, std::shared_ptr<sema::ParseCache> cache,
                    const std::string& stdlib = kSource + "/stdlib", const std::string* text = nullptr) {
  driver::CompileOptions options;
  options.stdlib_dir = stdlib;
  options.parse_cache = std::move(cache);
  driver::Compilation c = driver::CompileFile(path, options, text);
  std::string out = RenderAll(c.diags);
  if (!c.ok()) return out + "(failed)\n";
  out += ir::DumpProgram(*c.program);
  driver::TestReport report = driver::RunTests(*c.program);
  for (const auto& r : report.results)
    out += r.name + (r.passed ? ": pass" : ": FAIL " + r.message + " at " + Where(r.span)) + "\n";
  return out;
}

std::vector<std::string> Files(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kSource + "/" + dir))
    if (e.path().extension() == ext) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ParseCache, ShippedPoliciesCompileAlike) {
  auto cache = std::make_shared<sema::ParseCache>();
  std::vector<std::string> files = Files("policies", ".edict");
  ASSERT_GE(files.size(), 10u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    std::string plain = Outcome(f, nullptr);
    EXPECT_EQ(plain, Outcome(f, cache));  // parses what the cache lacks
    EXPECT_EQ(plain, Outcome(f, cache));  // every stdlib module copied from the cache
  }
  EXPECT_GE(cache->size(), 6u);  // countries, ear.units, ear.outcomes, ear.groups, ear.chips, ear.shipment...
  EXPECT_GT(cache->hits(), files.size());
}

// A full cache keeps what it has and leaves the rest to the loader.
TEST(ParseCache, FullCacheParsesTheRestItself) {
  auto cache = std::make_shared<sema::ParseCache>(3);
  std::vector<std::string> files = Files("policies", ".edict");
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    std::string plain = Outcome(f, nullptr);
    EXPECT_EQ(plain, Outcome(f, cache));
    EXPECT_EQ(plain, Outcome(f, cache));
  }
  EXPECT_EQ(cache->size(), 3u);
  EXPECT_GT(cache->hits(), 0u);
  auto none = std::make_shared<sema::ParseCache>(0);
  EXPECT_EQ(Outcome(files[0], nullptr), Outcome(files[0], none));
  EXPECT_EQ(none->size(), 0u);
}

// A root given as text is kept too, so a REPL session that loads the same policy again reuses its parse; a
// different text under the same path is another entry.
TEST(ParseCache, RootTextIsKeptByContent) {
  auto cache = std::make_shared<sema::ParseCache>();
  const std::string path = kSource + "/policies/p.edict";
  const std::string a = "import ear.units\nconst x = 3 tpp\n", b = "import ear.units\nconst x = 4 widgets\n";
  std::string plain_a = Outcome(path, nullptr, kSource + "/stdlib", &a);
  std::string plain_b = Outcome(path, nullptr, kSource + "/stdlib", &b);
  EXPECT_NE(plain_a, plain_b);
  EXPECT_EQ(plain_a, Outcome(path, cache, kSource + "/stdlib", &a));
  size_t hits = cache->hits();
  EXPECT_EQ(plain_b, Outcome(path, cache, kSource + "/stdlib", &b));
  EXPECT_EQ(plain_a, Outcome(path, cache, kSource + "/stdlib", &a));
  EXPECT_EQ(cache->hits(), hits + 3);  // b's import, then a and its import
}

// The checker's error cases, many of which point into the stdlib or name stdlib declarations.
TEST(ParseCache, DiagnosticsAlike) {
  auto cache = std::make_shared<sema::ParseCache>();
  int compared = 0;
  for (const auto& f : Files("tests/golden/check", ".edict")) {
    SCOPED_TRACE(f);
    std::string plain = Outcome(f, nullptr);
    EXPECT_EQ(plain, Outcome(f, cache));
    EXPECT_EQ(plain, Outcome(f, cache));
    ++compared;
  }
  EXPECT_GE(compared, 40);
}

class ParseCacheStdlib : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edict-parse-cache-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(kSource + "/stdlib", dir_ / "stdlib", fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Append(const std::string& rel, const std::string& text) {
    std::ofstream out(dir_ / "stdlib" / rel, std::ios::app);
    out << text;
    ASSERT_TRUE(out.flush());
  }
  std::string Compile(const std::string& policy, const std::shared_ptr<sema::ParseCache>& cache) {
    return Outcome((dir_ / "p.edict").string(), cache, (dir_ / "stdlib").string(), &policy);
  }
  fs::path dir_;
};

TEST_F(ParseCacheStdlib, EditedFileIsParsedAgain) {
  auto cache = std::make_shared<sema::ParseCache>();
  const std::string policy = "import ear.units\nconst x = 3 widgets\n";
  std::string before = Compile(policy, cache);
  EXPECT_NE(before.find("error"), std::string::npos) << before;  // no unit `widgets` yet
  Append("ear/units.edict", "\nunit widgets \"a test unit\"\n");
  std::string after = Compile(policy, cache);
  EXPECT_EQ(after.find("error"), std::string::npos) << after;
  EXPECT_EQ(after, Compile(policy, nullptr));
}

TEST_F(ParseCacheStdlib, ParseErrorsAreReportedEveryTime) {
  Append("ear/units.edict", "\nunit = = \n");
  auto cache = std::make_shared<sema::ParseCache>();
  const std::string policy = "import ear.units\nconst x = 3 tpp\n";
  std::string plain = Compile(policy, nullptr);
  EXPECT_NE(plain.find("stdlib/ear/units.edict"), std::string::npos) << plain;
  EXPECT_EQ(plain, Compile(policy, cache));
  EXPECT_EQ(plain, Compile(policy, cache));
}

}  // namespace
}  // namespace edict
