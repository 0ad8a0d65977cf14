// The CLI side of the JIT: `edict eval --engine jit|interp` print the same lines, the object cache is filled
// and reused, and `edict bench --format json` prints the documented shape.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <utility>

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
  // One per policy, reused by the second run; the timeline has one per part (its date dispatch and the seven
  // policies that can decide).
  EXPECT_EQ(objects, 1 + 8 + 1);
}

// Inputs of several pieces (`edict eval` reads 1 MB at a time and hands the pieces to the workers): valid,
// invalid and blank lines, lines the fast path leaves to simdjson (escapes, spaces, other key orders), CSV
// cells with quoted commas and line breaks. The JIT prints the interpreter's lines, in input order, errors
// with their line numbers, for a stateless policy and for one that consumes quotas, in both output formats.
TEST(JitCli, EvalOfLongInputsPrintsTheInterpretersLinesInOrder) {
  std::mt19937 rng(11);
  auto pick = [&](std::initializer_list<const char*> v) { return std::string(v.begin()[rng() % v.size()]); };
  const std::string dir = ::testing::TempDir();
  std::string jsonl, csv = "id,date,destination,consignee,item,quantity,end_use,consignee_hq,training_ops\n";
  for (int i = 0; i < 30000; ++i) {
    std::string id = "s" + std::to_string(i);
    std::string date = pick({"2024", "2025", "2026"}) + "-" + pick({"01", "02", "06", "11"}) + "-" +
                       pick({"01", "15", "28", "29", "30"});
    std::string dest = pick({"IN", "CN", "AE", "DE", "MX", "MO", "US", "SG", "VN", "GB", "XX"});
    std::string consignee = "consignee-" + std::to_string(rng() % 3000);
    std::string item = pick({"nvidia-h100-sxm", "nvidia-h20", "amd-mi300x", "model-weights", "nvidia-a100",
                             "intel-gaudi3", "no-such-chip"});
    std::string quantity =
        pick({"1", "8", "1699", "5000", "64", "256", "1000", "1", "8", "0", "2.5", "100000000000000000000"});
    std::string end_use = pick({"datacenter", "research", "gaming", "military"});
    std::string hq = rng() % 5 == 0 ? pick({"CN", "IN", "US"}) : "";
    std::string ops = item == "model-weights" ? pick({"1e25", "1e+26", "3e26", "2.5e25", "1.5"}) : "";
    std::string line = "{\"id\":\"" + id + "\",\"date\":\"" + date + "\",\"destination\":\"" + dest +
                       "\",\"consignee\":\"" + consignee + "\",\"item\":\"" + item +
                       "\",\"quantity\":" + quantity + ",\"end_use\":\"" + end_use + "\"" +
                       (hq.empty() ? "" : ",\"consignee_hq\":\"" + hq + "\"") +
                       (ops.empty() ? "" : ",\"training_ops\":" + ops) + "}";
    switch (rng() % 40) {
      case 0:
        line = "";  // a blank line
        break;
      case 1:
        line = "{\"id\":\"" + id + "\", \"broken\"";
        break;
      case 2:  // an escape: simdjson reads it
        line.insert(line.find("consignee-") + 9, "\\u002d");
        break;
      case 3:  // blanks and another key order
        line = "{ \"quantity\" : " + quantity + " , \"id\":\"" + id + "\",\"date\":\"" + date +
               "\",\"destination\":\"" + dest + "\",\"consignee\":\"" + consignee + "\",\"item\":\"" + item +
               "\" }";
        break;
      case 4:
        line.insert(line.size() - 1, ",\"colour\":\"red\"");
        break;
      case 5:
        line.insert(line.size() - 1, ",\"consignee_hq\":null");
        break;
      default:
        break;
    }
    jsonl += line + "\n";
    std::string cell = rng() % 50 == 0 ? "\"" + consignee + ", Ltd\nline two\"" : consignee;
    if (line.empty())
      csv += "\n";
    else
      csv += id + "," + date + "," + dest + "," + cell + "," + item + "," + quantity + "," + end_use + "," +
             hq + "," + ops + "\n";
  }
  ASSERT_GT(jsonl.size(), 3u << 20);  // several pieces
  for (const auto& [name, text] : {std::pair{"stream.jsonl", &jsonl}, std::pair{"stream.csv", &csv}}) {
    std::ofstream(dir + name, std::ios::binary) << *text;
    for (std::string policy : {"bench/ai_diffusion_stateless.edict", "policies/ai_diffusion_2025.edict"})
      for (std::string format : {"jsonl", "csv"}) {
        std::string base = kEdict + " eval " + kSource + "/" + policy + " --input " + dir + name +
                           " --format " + format + " 2>/dev/null; echo \"exit $?\"";
        std::string interp = Shell(kEdict + " eval " + kSource + "/" + policy + " --engine interp --input " +
                                   dir + name + " --format " + format + " 2>/dev/null; echo \"exit $?\"");
        std::string jit = Shell(base);
        EXPECT_GT(interp.size(), 30000u * 100) << name << " " << policy << " " << format;
        EXPECT_NE(interp.find("exit 2"), std::string::npos) << "invalid lines make the exit status 2";
        EXPECT_TRUE(jit == interp) << name << " " << policy << " " << format << ": the JIT's output differs";
      }
  }
}

TEST(JitCli, BenchJsonShape) {
  std::string out =
      Shell(kEdict + " bench " + kSource + "/policies/ai_diffusion_2025.edict --seconds 0.05 --format json");
  std::regex shape(
      R"(\{"engines":\[\{"name":"interp","decisions_per_second":[0-9]+\},\{"name":"jit","decisions_per_second":[0-9]+,"compile_ms":[0-9.]+\}\]\}\n)");
  EXPECT_TRUE(std::regex_match(out, shape)) << out;
}

}  // namespace
