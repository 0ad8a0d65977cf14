// The endpoints in process (tools/serve/service.h): the request reader's verdicts, hints, and a reload under
// load: while threads decide, another swaps the policy back and forth; every request is decided wholly by one
// policy or the other, and each snapshot lives until its last request is done (ASan checks the last part).
#include "tools/serve/service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/serve/hints.h"
#include "tools/serve/request.h"

namespace edict::serve {

namespace {

std::string SmallPolicy(const std::string& version, int limit) {
  return "policy \"Serve reload test\"\n  version \"" + version +
         "\"\n  in force from 2020-01-01\n\nimport ear.units\nimport ear.outcomes\nimport ear.chips\n"
         "import ear.shipment\nimport countries\n\n/// Big shipments need a licence.\nrule big\n  cite "
         "\"test rule\"\n"
         "  when quantity > " +
         std::to_string(limit) + " units\n  then license_required(review: case_by_case)\n";
}

std::shared_ptr<const Snapshot> Load(const std::string& name, const std::string& text,
                                     const std::string& engine) {
  std::string dir = ::testing::TempDir() + "edict-serve-unit-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name + ".edict";
  std::ofstream(path) << text;
  LoadOptions options;
  options.engine = engine;
  std::string diagnostics;
  auto s = Snapshot::Load(path, options, &diagnostics, nullptr);
  EXPECT_TRUE(s) << diagnostics;
  return s;
}

TEST(ServeRequest, ReadsTheEnvelope) {
  RequestReader reader;
  ShipmentsRequest r;
  RequestError e;
  ASSERT_TRUE(reader.Read(R"({"shipments":[{"id":"a"},{"id":"b"}],"record":true,"explain":false})",
                          RequestKind::kDecide, &r, &e));
  ASSERT_EQ(r.shipments.size(), 2u);
  EXPECT_EQ(r.shipments[1], R"({"id":"b"})");
  EXPECT_TRUE(r.many);
  EXPECT_TRUE(r.record);
  ASSERT_TRUE(
      reader.Read(R"( {"as_of":"2025-01-02","shipment":{"id":"a"}} )", RequestKind::kExplain, &r, &e));
  EXPECT_FALSE(r.many);
  EXPECT_TRUE(r.has_as_of);

  struct Case {
    const char* body;
    int status;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"shipment":{"id":"a"},"shipment":{"id":"b"}})", 422, "shipment"},
           {R"({"shipment":{"id":"a"},"shipments":[]})", 422, "shipments"},
           {R"({"record":true})", 422, ""},
           {R"({"shipments":[{"id":"a"}],"record":true})", -1, ""},
           {R"({"shipments":{"id":"a"}})", 400, "shipments"},
           {R"({"shipments":[{"id":"a"}, 3]})", 400, "shipments[1]"},
           {R"({"shipment":{"id":"a"},"explain":1})", 400, "explain"},
           {R"({"shipment":{"id":"a"},"as_of":20250101})", 400, "as_of"},
           {R"({"shipment":{"id":"a"},"record":true,"as_of":"2025-01-01"})", 422, "as_of"},
           {R"({"shipment":{"id":"a"},"Record":true})", 422, "Record"},
           // Inside a shipment the reader of `edict eval` looks (Service::Decide turns its refusal into 400).
           {R"({"shipment":{"id":"a",}})", -1, ""},
           {R"({"shipments":[{"id":"a"},{"id":"b"} {"id":"c"}]})", 400, "shipments[2]"},
           {"{\"shipment\":{\"id\":\"a\"}}\n{}", 400, ""},
           {"nul\x01l", 400, ""},
       }) {
    bool ok = reader.Read(c.body, RequestKind::kDecide, &r, &e);
    if (c.status < 0) {
      EXPECT_TRUE(ok) << c.body;
      continue;
    }
    EXPECT_FALSE(ok) << c.body;
    EXPECT_EQ(e.status, c.status) << c.body << ": " << e.message;
    EXPECT_EQ(e.field, c.field) << c.body << ": " << e.message;
  }
  EXPECT_FALSE(reader.Read(R"({"shipments":[{"id":"a"}]})", RequestKind::kExplain, &r, &e));
  EXPECT_EQ(e.status, 422);
  EXPECT_FALSE(reader.Read(R"({"shipment":{"id":"a"},"record":true})", RequestKind::kExplain, &r, &e));
}

TEST(ServeRequest, SyntaxErrorsSayWhere) {
  RequestError e;
  EXPECT_FALSE(DescribeSyntaxError(R"({"a":[1,2,{"b":true}]})", &e));
  ASSERT_TRUE(DescribeSyntaxError("{\"a\":[1,2,{\"b\":tru}]}", &e));
  EXPECT_EQ(e.field, "a[2].b");
  EXPECT_EQ(e.offset, 18);  // where the literal "tru}" ends
  EXPECT_EQ(e.status, 400);
  EXPECT_NE(e.message.find("line 1, column 19"), std::string::npos) << e.message;
  ASSERT_TRUE(DescribeSyntaxError("{\"a\":1}\n\n{", &e));
  EXPECT_NE(e.message.find("line 3"), std::string::npos) << e.message;
  EXPECT_EQ(DidYouMean("shipmnts", {"shipment", "shipments"}), "did you mean `shipments`?");
  EXPECT_EQ(DidYouMean("zzzzzz", {"shipment", "shipments"}), "");
}

TEST(ServeHints, NameTheFieldAndSuggest) {
  auto s = Load("hints", SmallPolicy("v1", 100), "interp");
  ASSERT_TRUE(s);
  const ir::Program& p = s->program();
  auto hint = [&](const std::string& text, const std::string& message) { return Diagnose(p, text, message); };
  ShipmentProblem d = hint(R"({"destination":"india"})", "field 'destination': unknown country 'india'");
  EXPECT_EQ(d.field, "destination");
  EXPECT_EQ(d.hint, "did you mean `IN` (India)?");
  d = hint(R"({"destination":"in"})", "field 'destination': unknown country 'in'");
  EXPECT_EQ(d.hint, "did you mean `IN` (India)?");
  d = hint(R"({"destination":"Korea"})", "field 'destination': unknown country 'Korea'");
  EXPECT_NE(d.hint.find("`KP`"), std::string::npos) << d.hint;
  EXPECT_NE(d.hint.find("`KR`"), std::string::npos) << d.hint;
  d = hint(R"({"item":"nvidia-h100-smx"})", "field 'item': unknown catalog id 'nvidia-h100-smx'");
  EXPECT_EQ(d.hint, "did you mean `nvidia-h100-sxm`?");
  d = hint(R"({"end_use":"war"})", "field 'end_use': unknown end_use 'war'");
  EXPECT_NE(d.hint.find("one of `datacenter`"), std::string::npos) << d.hint;
  d = hint(R"({"id":"a","quantitty":3})", "unknown field 'quantitty'");
  EXPECT_EQ(d.field, "quantitty");
  EXPECT_EQ(d.hint, "did you mean `quantity`?");
  d = hint(R"({"id":"a","zzz":3,"qqq":1})", "unknown field 'zzz'");
  EXPECT_EQ(d.field, "zzz");
  EXPECT_NE(d.hint.find("the fields are `id`"), std::string::npos) << d.hint;
  d = hint(R"({"id":"a"})", "missing required field 'quantity'");
  EXPECT_EQ(d.field, "quantity");
  EXPECT_EQ(d.hint, "a whole number of at least 1, as a JSON number");
  d = hint(R"({"tpp":3})", "field 'tpp' is computed by the policy and cannot be given");
  EXPECT_EQ(d.hint, "leave it out: the policy computes it");
}

// What --watch looks at: the policy and the policies it imports, and the stdlib's modules.
TEST(ServeSnapshot, SourceFilesForWatch) {
  LoadOptions options;
  options.engine = "interp";
  std::string diagnostics;
  std::vector<std::string> files;
  auto s = Snapshot::Load(std::string(EDICT_SOURCE_DIR) + "/policies/us_ear_timeline.edict", options,
                          &diagnostics, &files);
  ASSERT_TRUE(s) << diagnostics;
  auto has = [&](const std::string& tail) {
    for (const std::string& f : files)
      if (f.size() >= tail.size() && f.compare(f.size() - tail.size(), tail.size(), tail) == 0) return true;
    return false;
  };
  EXPECT_TRUE(has("policies/us_ear_timeline.edict"));
  EXPECT_TRUE(has("policies/ai_diffusion_2025.edict"));
  EXPECT_TRUE(has("policies/embargoes_746.edict"));
  EXPECT_TRUE(has("stdlib/ear/chips.edict"));
  for (const std::string& f : files) EXPECT_TRUE(std::filesystem::is_regular_file(f)) << f;
}

// Requests decided while the policy is swapped under them: each answer is v1's or v2's, never a mix or a
// crash, and the snapshots outlive the requests that use them.
TEST(ServeService, SwapUnderLoad) {
  auto v1 = Load("swap1", SmallPolicy("v1", 100), "jit");
  auto v2 = Load("swap2", SmallPolicy("v2", 10), "interp");
  ASSERT_TRUE(v1 && v2);
  Service service(v1, nullptr);
  std::string body =
      R"({"shipments":[{"id":"a","date":"2025-01-02","destination":"DE","consignee":"c",)"
      R"("item":"nvidia-a100","quantity":50},{"id":"b","date":"2025-01-02","destination":"FR",)"
      R"("consignee":"c","item":"nvidia-a100","quantity":50}]})";
  std::atomic<bool> done{false};
  std::atomic<int> odd{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        Reply r = service.Decide(body, "t");
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        std::string a = j["decisions"][0]["decision"], b = j["decisions"][1]["decision"];
        if (r.status != 200 || a != b) ++odd;
        ++answered;
      }
    });
  std::thread swapper([&] {
    for (int i = 0; !done; ++i) {
      service.Swap(i % 2 ? v1 : v2);
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  done = true;
  swapper.join();
  EXPECT_EQ(odd, 0);
  EXPECT_EQ(answered, 1200);
  // The old snapshot is released by the swap, and only then freed: a weak reference sees it go.
  std::weak_ptr<const Snapshot> gone = v1;
  service.Swap(v2);
  v1.reset();
  EXPECT_TRUE(gone.expired());
}

}  // namespace

}  // namespace edict::serve
