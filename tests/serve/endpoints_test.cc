// `edict serve` end to end, over loopback: every endpoint, the decisions against `edict eval`'s, and every
// error status with its reason, field and hint.
#include "tests/serve/server.h"

namespace edict::serve_test {

namespace {

using ledger_test::Edict;
using ledger_test::Policy;
using ledger_test::TempDir;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Every example shipment in one request: the decisions are `edict eval`'s lines, member for member and in
// the same order (provenance included), under both engines, with and without the quota figures.
class ServeEngines : public ::testing::TestWithParam<std::string> {};

TEST_P(ServeEngines, DecisionsAreEvalsLines) {
  std::string dir = TempDir("engines-" + GetParam());
  std::string policy = Policy("us_ear_timeline");
  std::string input = std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl";
  Server server;
  ASSERT_TRUE(server.Start({policy, "--engine", GetParam()}, dir, "server")) << server.stderr_text();
  std::vector<std::string> shipments = Lines(ReadFile(input));
  ASSERT_GT(shipments.size(), 20u);
  std::string array;
  for (const std::string& s : shipments) array += (array.empty() ? "" : ",") + s;
  auto client = server.Client();
  for (bool explain : {false, true}) {
    std::vector<std::string> args = {"eval", policy, "--input", input};
    if (explain) args.push_back("--explain");
    auto eval = Edict(args, dir);
    ASSERT_EQ(eval.status, 0) << eval.err;
    std::vector<std::string> expected = Lines(eval.out);
    ASSERT_EQ(expected.size(), shipments.size());
    std::string body = "{\"shipments\":[" + array + "]" + (explain ? ",\"explain\":true" : "") + "}";
    auto res = client->Post("/v1/decide", body, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    auto got = nlohmann::ordered_json::parse(res->body);
    ASSERT_EQ(got["decisions"].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(got["decisions"][i].dump(), nlohmann::ordered_json::parse(expected[i]).dump())
          << "shipment " << i;
  }
  // One shipment: the decision object itself, as eval prints it for a file of that one line.
  WriteFile(dir + "/one.jsonl", shipments[3] + "\n");
  auto eval = Edict({"eval", policy, "--input", dir + "/one.jsonl"}, dir);
  auto res = client->Post("/v1/decide", "{\"shipment\":" + shipments[3] + "}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body + "\n", eval.out);
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
}

INSTANTIATE_TEST_SUITE_P(Engines, ServeEngines, ::testing::Values("jit", "interp"),
                         [](const auto& info) { return info.param; });

class Serve : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  std::string dir_;
};

TEST_F(Serve, EveryEndpoint) {
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025")}, dir_, "server")) << server.stderr_text();
  auto client = server.Client();

  auto health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto h = Json(health->body);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["policy"]["id"], "ai_diffusion_2025");
  EXPECT_TRUE(h["ledger"].is_null());
  EXPECT_EQ(health->get_header_value("X-Request-Id").size(), 16u);

  auto policy = client->Get("/v1/policy");
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->status, 200);
  auto p = Json(policy->body);
  EXPECT_EQ(p["id"], "ai_diffusion_2025");
  EXPECT_EQ(p["version"], "2025-01-15");
  std::string hash = p["hash"];
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(h["policy"]["hash"], hash);
  ASSERT_TRUE(p["rules"].is_array());
  bool lpp = false;
  for (const auto& r : p["rules"]) {
    EXPECT_TRUE(r.contains("cite"));
    if (r["id"] == "lpp_exception") {
      lpp = true;
      EXPECT_EQ(r["kind"], "exception");
      EXPECT_EQ(r["cite"], "15 CFR 740.29 (License Exception LPP) [S: SemiAnalysis; P: fact sheet]");
      EXPECT_EQ(r["consumes"][0], "aid_lpp");
    }
  }
  EXPECT_TRUE(lpp);
  EXPECT_EQ(p["quotas"][0]["limit"], 26900000);

  // The shipment of `edict explain`'s example: License Exception LPP, and why.
  std::string s = Shipment("q1", "IN", "nvidia-h100-sxm", 1699);
  auto decide = client->Post("/v1/decide", "{\"shipment\":" + s + "}", "application/json");
  ASSERT_TRUE(decide);
  EXPECT_EQ(decide->status, 200);
  EXPECT_EQ(Json(decide->body)["exception"], "LPP");
  auto explain = client->Post("/v1/explain", "{\"shipment\":" + s + "}", "application/json");
  ASSERT_TRUE(explain);
  ASSERT_EQ(explain->status, 200) << explain->body;
  auto e = Json(explain->body);
  EXPECT_EQ(e["decision"]["exception"], "LPP");
  EXPECT_EQ(e["decision"]["quotas"][0]["remaining"], 1432);
  EXPECT_NE(e["text"].get<std::string>().find("Rules considered:"), std::string::npos);
  bool applied = false;
  for (const auto& r : e["rules"])
    if (r["rule"] == "lpp_exception") applied = r["applies"];
  EXPECT_TRUE(applied);
  // The same as `edict explain` prints.
  auto cli = Edict({"explain", Policy("ai_diffusion_2025"), "--shipment", s}, dir_);
  EXPECT_EQ(e["text"], cli.out);

  // What-if: every request starts from an empty ledger, and a request's shipments see each other's use.
  std::string two = "{\"shipments\":[" + s + "," + Shipment("q2", "IN", "nvidia-h100-sxm", 1) + "]}";
  auto both = client->Post("/v1/decide", two, "application/json");
  ASSERT_TRUE(both);
  auto b = Json(both->body);
  EXPECT_EQ(b["decisions"][0]["exception"], "LPP");
  EXPECT_EQ(b["decisions"][1]["decision"], "license_required");
  auto again = client->Post("/v1/decide", "{\"shipment\":" + s + "}", "application/json");
  EXPECT_EQ(Json(again->body)["exception"], "LPP");
  // as_of decides as on another day: before the rule was in force.
  auto before =
      client->Post("/v1/decide", "{\"shipment\":" + s + ",\"as_of\":\"2024-06-01\"}", "application/json");
  ASSERT_TRUE(before);
  EXPECT_EQ(Json(before->body)["decision"], "no_license_required");

  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  const std::string& m = metrics->body;
  EXPECT_EQ(Metric(m, "edict_http_requests_total{endpoint=\"/v1/decide\",status=\"200\"}"), 4);
  EXPECT_EQ(Metric(m, "edict_http_requests_total{endpoint=\"/v1/explain\",status=\"200\"}"), 1);
  EXPECT_EQ(Metric(m, "edict_decisions_total{outcome=\"license_exception\"}"), 4);  // 3 decided, 1 explained
  EXPECT_EQ(Metric(m, "edict_decisions_total{outcome=\"license_required\"}"), 1);
  EXPECT_EQ(Metric(m, "edict_decisions_total{outcome=\"no_license_required\"}"), 1);
  EXPECT_EQ(Metric(m, "edict_http_request_duration_seconds_count{endpoint=\"/v1/decide\"}"), 4);
  EXPECT_EQ(Metric(m, "edict_http_request_duration_seconds_bucket{endpoint=\"/v1/decide\",le=\"+Inf\"}"), 4);
  EXPECT_EQ(
      Metric(m, "edict_policy_info{id=\"ai_diffusion_2025\",version=\"2025-01-15\",hash=\"" + hash + "\"}"),
      1);
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
}

TEST_F(Serve, EveryErrorStatus) {
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025"), "--max-body", "4096"}, dir_, "server"))
      << server.stderr_text();
  auto client = server.Client();
  auto post = [&](const std::string& path, const std::string& body) {
    auto res = client->Post(path, body, "application/json");
    EXPECT_TRUE(res);
    return res ? std::make_pair(res->status, Json(res->body)) : std::make_pair(-1, nlohmann::json());
  };
  // 400: not JSON, with the reason, the byte and the member it was in.
  auto [s1, j1] = post("/v1/decide", "{\"shipment\":{\"id\":\"q1\",\"quantity\":12a}}");
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(j1["field"], "shipment.quantity");
  EXPECT_EQ(j1["offset"], 36);
  EXPECT_NE(j1["error"].get<std::string>().find("invalid literal"), std::string::npos);
  auto [s2, j2] = post("/v1/decide", "{\"shipments\":[{\"id\":\"a\"},{\"id\":\"b\",]}");
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(j2["field"], "shipments[1].id");  // the member before the stray comma
  EXPECT_EQ(post("/v1/decide", "").first, 400);
  EXPECT_EQ(post("/v1/decide", "[]").first, 400);
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":[]}").second["field"], "shipment");
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":{},\"record\":\"yes\"}").second["field"], "record");
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":{}} trailing").first, 400);
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":{\"id\":\"\xff\"}}").first, 400);

  // 422: well-formed, but naming what the policy does not know; the field and a hint.
  auto [s3, j3] =
      post("/v1/decide", "{\"shipment\":" + Shipment("q1", "Germany", "nvidia-h100-sxm", 1) + "}");
  EXPECT_EQ(s3, 422);
  EXPECT_EQ(j3["field"], "shipment.destination");
  EXPECT_EQ(j3["hint"], "did you mean `DE` (Germany)?");
  EXPECT_EQ(j3["error"], "field 'destination': unknown country 'Germany'");
  auto [s4, j4] = post("/v1/decide", "{\"shipment\":" + Shipment("q1", "DE", "nvidia-h200", 1) + "}");
  EXPECT_EQ(s4, 422);
  EXPECT_EQ(j4["field"], "shipment.item");
  EXPECT_NE(j4["hint"].get<std::string>().find("`nvidia-h200-sxm`"), std::string::npos) << j4.dump();
  std::string misspelt = Shipment("q1", "DE", "nvidia-h100-sxm", 1);
  misspelt.replace(misspelt.find("consignee"), 9, "consigne");
  auto [s5, j5] = post(
      "/v1/decide", "{\"shipments\":[" + Shipment("ok", "DE", "nvidia-h100-sxm", 1) + "," + misspelt + "]}");
  EXPECT_EQ(s5, 422);
  EXPECT_EQ(j5["field"], "shipments[1].consigne");
  EXPECT_EQ(j5["hint"], "did you mean `consignee`?");
  EXPECT_EQ(j5["errors"].size(), 1u);
  EXPECT_EQ(j5["errors"][0]["index"], 1);
  auto [s6, j6] = post("/v1/decide", "{\"shipment\":{\"id\":\"q1\"},\"recrod\":true}");
  EXPECT_EQ(s6, 422);
  EXPECT_EQ(j6["hint"], "did you mean `record`?");
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":" + misspelt + ",\"record\":true}").first, 422);
  auto [s7, j7] =
      post("/v1/decide", "{\"shipment\":" + Shipment("q1", "IN", "nvidia-h100-sxm", 1) + ",\"record\":true}");
  EXPECT_EQ(s7, 422);  // no ledger to record in
  EXPECT_EQ(j7["field"], "record");
  EXPECT_EQ(post("/v1/decide", "{\"shipment\":{\"id\":\"q\"},\"as_of\":\"2025-02-30\"}").second["field"],
            "as_of");
  EXPECT_EQ(post("/v1/explain", "{\"shipments\":[]}").first, 422);

  // 413: over --max-body, with a length or chunked.
  std::string big = "{\"shipments\":[" + std::string(5000, ' ') + "]}";
  EXPECT_EQ(post("/v1/decide", big).first, 413);
  {
    RawSocket raw(server.port());
    ASSERT_TRUE(raw.ok());
    std::string chunk(3000, ' ');
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    raw.Send("POST /v1/decide HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    raw.Send(std::string(size) + "\r\n" + chunk + "\r\n" + size + "\r\n" + chunk + "\r\n0\r\n\r\n");
    std::string response = raw.ReadResponse(30000);
    EXPECT_EQ(response.rfind("HTTP/1.1 413", 0), 0u) << response;
    // The connection is still in step: the next request on it is answered.
    raw.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(raw.ReadResponse(30000).rfind("HTTP/1.1 200", 0), 0u);
  }
  // 404 and 405, with JSON bodies too.
  auto missing = client->Get("/v2/decide");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json(missing->body)["status"], 404);
  auto wrong = client->Get("/v1/decide");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST");
  EXPECT_EQ(client->Post("/v1/policy", "{}", "application/json")->status, 405);
  // No path leads to a file: a traversal is just an unknown endpoint.
  EXPECT_EQ(client->Get("/../../etc/passwd")->status, 404);
  EXPECT_EQ(client->Get("/v1/policy/../../../etc/passwd")->status, 404);

  auto metrics = client->Get("/metrics")->body;
  EXPECT_EQ(Metric(metrics, "edict_http_requests_total{endpoint=\"/v1/decide\",status=\"413\"}"), 2);
  EXPECT_EQ(Metric(metrics, "edict_invalid_shipments_total"), 3);
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
}

}  // namespace

}  // namespace edict::serve_test
