// EDICT_JIT_DUMP, for whoever tunes the code generator or profiles compiled code: the module as generated
// (PATH.in), as optimised (PATH) and as assembly (PATH.s), its blocks named after the rule or field they
// belong to. What the dumps show of the generated code is checked here too: the quota entries fetched ahead
// only for a policy that looks quotas up.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/jit/harness.h"

namespace edict::jit_test {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Dumps {
  std::string generated, optimised, assembly;
};

// Compiles `policy` (no object cache, so that it is compiled) with EDICT_JIT_DUMP set.
Dumps Dump(const std::string& policy) {
  fs::path dir = fs::temp_directory_path() / ("edict-dump-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / "module.ll";
  ::setenv("EDICT_JIT_DUMP", path.c_str(), 1);
  Loaded l = Load(std::string(EDICT_SOURCE_DIR) + "/" + policy);
  EXPECT_TRUE(l.compilation.ok());
  auto jit = Jit(l.program, 2);
  ::unsetenv("EDICT_JIT_DUMP");
  EXPECT_TRUE(jit);
  Dumps d{Slurp(path.string() + ".in"), Slurp(path), Slurp(path.string() + ".s")};
  fs::remove_all(dir);
  return d;
}

TEST(JitDump, WritesTheModuleAndItsAssemblyWithBlocksNamedAfterTheRules) {
  Dumps d = Dump("policies/ai_diffusion_2025.edict");
  EXPECT_NE(d.generated.find("define i64 @edict_decide("), std::string::npos);
  EXPECT_NE(d.optimised.find("define i64 @edict_decide("), std::string::npos);
  EXPECT_NE(d.assembly.find("edict_decide:"), std::string::npos);
  // A rule's condition, a field's formula and a quota test, by name, before and after optimisation.
  for (const char* name : {"when.worldwide_license", "then.ccl_eccn", "fits.lpp_exception"})
    EXPECT_NE(d.generated.find(name), std::string::npos) << name;
  EXPECT_NE(d.assembly.find("# %when.worldwide_license"), std::string::npos);
}

TEST(JitDump, AnUnwritablePathIsReportedAndTheCompileGoesOn) {
  fs::path path = fs::temp_directory_path() / ("edict-dump-missing-" + std::to_string(::getpid())) / "m.ll";
  ::setenv("EDICT_JIT_DUMP", path.c_str(), 1);
  Loaded l = Load(std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict");
  ASSERT_TRUE(l.compilation.ok());
  testing::internal::CaptureStderr();
  auto jit = Jit(l.program, 2);
  std::string err = testing::internal::GetCapturedStderr();
  ::unsetenv("EDICT_JIT_DUMP");
  EXPECT_TRUE(jit);
  for (const std::string& file : {path.string() + ".in", path.string(), path.string() + ".s"})
    EXPECT_NE(err.find("EDICT_JIT_DUMP: cannot write " + file), std::string::npos) << err;
}

TEST(JitDump, QuotaEntriesAreFetchedAheadOnlyWhereAQuotaIsLookedUp) {
  // ai_diffusion_2025 tests aid_lpp, keyed by the consignee's name: its entries are fetched ahead.
  EXPECT_NE(Dump("policies/ai_diffusion_2025.edict").generated.find("prefetchtotal"), std::string::npos);
  // The stateless benchmark policy imports the same quotas but withdrew every rule that looks them up.
  EXPECT_EQ(Dump("bench/ai_diffusion_stateless.edict").generated.find("prefetchtotal"), std::string::npos);
}

}  // namespace
}  // namespace edict::jit_test
