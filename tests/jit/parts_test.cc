// A timeline compiles as parts: the date dispatch, and one module per policy that can decide, optimised and
// compiled on several threads, each part with an object cache entry of its own. Whatever the number of
// threads (and so the order in which the parts are compiled and finish), and whichever parts come from the
// cache, the decisions are the interpreter's.
#include <fstream>
#include <map>
#include <set>

#include "runtime/interp/timeline.h"
#include "runtime/io/reader.h"
#include "tests/jit/harness.h"

namespace edict::jit_test {
namespace {

namespace fs = std::filesystem;

const std::string kPolicies = std::string(EDICT_SOURCE_DIR) + "/policies/";

std::unique_ptr<jit::CompiledPolicy> Compile(std::shared_ptr<const ir::Program> p, int threads,
                                             const std::string& cache_dir = "") {
  jit::JitOptions options;
  options.cache_dir = cache_dir;
  options.compile_threads = threads;
  std::string error;
  auto policy = jit::CompiledPolicy::Compile(std::move(p), options, &error);
  EXPECT_TRUE(policy) << error;
  return policy;
}

// The example shipments on dates around each entry's first binding day and within each period, so that
// every part decides some of them.
std::vector<interp::Record> Shipments(const ir::Program& p) {
  std::set<int> dates;
  for (const ir::TimelineEntry& e : p.timeline)
    for (int d : {e.from, interp::BindingFrom(e)})
      for (int k : {-1, 0, 1, 40}) dates.insert(d + k);
  io::RecordParser parser(p);
  std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl");
  std::vector<interp::Record> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    interp::Record r;
    std::string error, id;
    if (line.empty() || !parser.ParseJson(line, &r, &error, &id)) continue;
    // Each shipment on a few of the dates, a different few each time.
    auto it = dates.begin();
    std::advance(it, n++ % dates.size());
    for (int k = 0; k < 3 && it != dates.end(); ++k, ++it) {
      r.values[p.date_field] = Value::Date(*it);
      out.push_back(r);
    }
  }
  return out;
}

// Decides `records` in order with both engines, each with a ledger of its own, and compares every decision.
// Returns how many of the timeline's entries decided some of them.
size_t ExpectInterpretersDecisions(const ir::Program& p, const jit::CompiledPolicy& policy,
                                   const std::vector<interp::Record>& records) {
  MemoryLedger interp_ledger, jit_ledger;
  std::vector<interp::Record> copies = records;
  std::vector<interp::Decision> got = policy.DecideBatch(copies, jit_ledger, interp::DecideOptions{}, 1);
  EXPECT_EQ(got.size(), records.size());
  if (got.size() != records.size()) return 0;
  std::set<const ir::TimelineEntry*> entries;
  for (size_t i = 0; i < records.size(); ++i) {
    interp::Record r = records[i];
    interp::Decision want = interp::Decide(p, r, interp_ledger, interp::DecideOptions{});
    EXPECT_EQ(Render(got[i], "x"), Render(want, "x")) << "shipment " << i << ": " << Show(p, records[i]);
    entries.insert(interp::EntryInForce(p, records[i].values[p.date_field].i));
  }
  EXPECT_EQ(jit_ledger.entries(), interp_ledger.entries());
  entries.erase(nullptr);
  return entries.size();
}

std::map<std::string, std::string> Objects(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out[e.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

// The policies that can decide, plus the dispatch: us_ear_timeline's AI Diffusion entry is passed over on
// every date (its compliance date comes after the next entry's start), so it is not compiled at all.
int ExpectedParts(const ir::Program& p) {
  int parts = 1, later = INT_MAX;
  for (size_t k = p.timeline.size(); k-- > 0;) {
    int from = interp::BindingFrom(p.timeline[k]);
    if (from < later) ++parts;
    later = std::min(later, from);
  }
  return parts;
}

TEST(TimelineParts, EveryThreadCountDecidesAlike) {
  Loaded l = Load(kPolicies + "us_ear_timeline.edict");
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  ASSERT_EQ(ExpectedParts(p), 8);  // 8 entries, one never binding, and the dispatch
  std::vector<interp::Record> records = Shipments(p);
  ASSERT_GT(records.size(), 150u);
  for (int threads : {1, 2, 3, 16}) {
    SCOPED_TRACE(threads);
    auto policy = Compile(l.program, threads);
    ASSERT_TRUE(policy);
    EXPECT_EQ(policy->stats().parts, 8);
    EXPECT_EQ(policy->stats().parts_from_cache, 0);
    EXPECT_EQ(ExpectInterpretersDecisions(p, *policy, records), 7u);
  }
}

// The cache holds one object per part. One removed and one damaged: those two are compiled again (and
// written again), the others are loaded, and the decisions do not change.
TEST(TimelineParts, APartMissingOrDamagedIsRecompiledAlone) {
  Loaded l = Load(kPolicies + "us_ear_timeline.edict");
  ASSERT_TRUE(l.compilation.ok());
  const ir::Program& p = *l.program;
  std::vector<interp::Record> records = Shipments(p);
  const std::string cache = ::testing::TempDir() + "edict-parts-cache";
  fs::remove_all(cache);
  auto cold = Compile(l.program, 2, cache);
  ASSERT_TRUE(cold);
  EXPECT_FALSE(cold->stats().from_cache);
  std::map<std::string, std::string> objects = Objects(cache);
  ASSERT_EQ(objects.size(), 8u);
  auto first = objects.begin();
  auto second = std::next(first);
  fs::remove(fs::path(cache) / first->first);
  {
    std::string bytes = second->second;
    for (size_t i = bytes.size() / 3; i < bytes.size() / 2; ++i)
      bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
    std::ofstream(fs::path(cache) / second->first, std::ios::binary | std::ios::trunc) << bytes;
  }
  auto partial = Compile(l.program, 2, cache);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->stats().parts, 8);
  EXPECT_EQ(partial->stats().parts_from_cache, 6);
  EXPECT_FALSE(partial->stats().from_cache);
  ExpectInterpretersDecisions(p, *partial, records);
  EXPECT_EQ(Objects(cache), objects) << "the two parts are written again, as they were";
  auto cached = Compile(l.program, 2, cache);
  ASSERT_TRUE(cached);
  EXPECT_TRUE(cached->stats().from_cache);
  EXPECT_EQ(cached->stats().parts_from_cache, 8);
  ExpectInterpretersDecisions(p, *cached, records);
}

// A part's object is the same whichever thread compiled it and in whichever order: one thread and four
// fill two caches with the same files.
TEST(TimelineParts, ObjectsDoNotDependOnTheThreads) {
  Loaded l = Load(kPolicies + "us_ear_timeline.edict");
  ASSERT_TRUE(l.compilation.ok());
  const std::string one = ::testing::TempDir() + "edict-parts-one",
                    four = ::testing::TempDir() + "edict-parts-four";
  fs::remove_all(one);
  fs::remove_all(four);
  ASSERT_TRUE(Compile(l.program, 1, one));
  ASSERT_TRUE(Compile(l.program, 4, four));
  std::map<std::string, std::string> a = Objects(one), b = Objects(four);
  EXPECT_EQ(a.size(), 8u);
  EXPECT_TRUE(a == b) << "objects differ between one and four compiling threads";
}

// The same policy twice on a timeline (and another between): two parts with the same code under two names,
// each deciding its own period; the entry a later one supersedes on its first day is never compiled.
TEST(TimelineParts, APolicyAppliedTwice) {
  const std::string text =
      "policy \"twice\"\n  in force from 2015-01-29\n\nimport ear.units\nimport ear.outcomes\nimport "
      "ear.groups\nimport ear.chips\nimport ear.shipment\nimport countries\n\ntimeline {\n"
      "  from 2015-01-29 apply \"embargoes_746\"\n"
      "  from 2022-10-07 apply \"advanced_computing_2022\"\n"
      "  from 2023-11-17 apply \"embargoes_746\"\n"
      "  from 2024-06-01 apply \"advanced_computing_2022\"\n"
      "  from 2024-06-01 apply \"advanced_computing_2023\"\n"
      "}\n";
  Loaded l = Load(kPolicies + "twice.edict", &text);
  ASSERT_TRUE(l.compilation.ok()) << RenderAll(l.compilation.diags);
  const ir::Program& p = *l.program;
  ASSERT_EQ(p.timeline.size(), 5u);
  EXPECT_EQ(ExpectedParts(p), 5);
  std::vector<interp::Record> records = Shipments(p);
  ASSERT_GT(records.size(), 100u);
  const std::string cache = ::testing::TempDir() + "edict-parts-twice";
  fs::remove_all(cache);
  for (int threads : {1, 2}) {
    auto policy = Compile(l.program, threads, cache);
    ASSERT_TRUE(policy);
    EXPECT_EQ(policy->stats().parts, 5);
    EXPECT_EQ(policy->stats().parts_from_cache, threads == 1 ? 0 : 5);
    EXPECT_EQ(ExpectInterpretersDecisions(p, *policy, records), 4u);
  }
}

}  // namespace
}  // namespace edict::jit_test
