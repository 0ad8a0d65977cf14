// The CLI side of the JIT: `edict eval --engine jit|interp` print the same lines, the object cache is filled
// and reused, and `edict bench --format json` prints the documented shape.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

namespace {

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

const std::string kEdict = EDICT_BINARY;
const std::string kSource = EDICT_SOURCE_DIR;

TEST(JitCli, EvalEnginesPrintTheSameDecisions) {
  std::string cache = ::testing::TempDir() + "edict-cli-cache";
  std::filesystem::remove_all(cache);
  for (std::string policy : {"ai_diffusion_2025", "us_ear_timeline", "rescission_2025"}) {
    std::string base = kEdict + " eval " + kSource + "/policies/" + policy + ".edict --input " + kSource +
                       "/examples/shipments.jsonl --explain 2>/dev/null";
    std::string interp = Shell(base + " --engine interp");
    std::string cold = Shell(base + " --engine jit --cache-dir " + cache);
    std::string cached = Shell(base + " --cache-dir " + cache);  // jit is the default
    EXPECT_GT(interp.size(), 1000u) << policy;
    EXPECT_EQ(cold, interp) << policy;
    EXPECT_EQ(cached, interp) << policy;
  }
  int objects = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cache))
    objects += entry.path().extension() == ".o";
  EXPECT_EQ(objects, 3);  // one per policy, reused by the second run
}

TEST(JitCli, BenchJsonShape) {
  std::string out =
      Shell(kEdict + " bench " + kSource + "/policies/ai_diffusion_2025.edict --seconds 0.05 --format json");
  std::regex shape(
      R"(\{"engines":\[\{"name":"interp","decisions_per_second":[0-9]+\},\{"name":"jit","decisions_per_second":[0-9]+,"compile_ms":[0-9.]+\}\]\}\n)");
  EXPECT_TRUE(std::regex_match(out, shape)) << out;
}

}  // namespace
