// `edict serve --ledger`: "record": true consumes quotas exactly once by shipment id, each recorded decision
// is kept with its request id and policy hash (the ledger's runs, and --decision-log), and two servers on one
// ledger, with clients racing for the last units of a quota, never pass its limit. Every case runs on SQLite
// and, through pg_test_server.sh (the serve_postgres test), on PostgreSQL.
#include <atomic>
#include <map>
#include <mutex>
#include <pqxx/pqxx>

#include "tests/serve/server.h"

namespace edict::serve_test {

namespace {

using ledger_test::Backend;
using ledger_test::PgServerUrl;
using ledger_test::Policy;
using ledger_test::TempDir;
using ledger_test::TotalsText;

class ServeLedger : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && PgServerUrl().empty())
      GTEST_SKIP() << "no PostgreSQL test server (EDICT_TEST_PG_URL); run through pg_test_server.sh";
    backend_.name = GetParam();
    backend_.dir =
        TempDir(GetParam() + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  Backend backend_;
};

std::string Record(const std::string& shipment) {
  return "{\"shipment\":" + shipment + ",\"record\":true}";
}

// The LPP total of one consignee in 2025, in tpp, from the ledger's totals ("" when none).
std::string LppTotal(const std::string& ledger, const std::string& consignee) {
  std::string totals = TotalsText(ledger);
  std::string key = "aid_lpp | consignee=" + consignee + ", year=2025 | 2025 = ";
  size_t at = totals.find(key);
  if (at == std::string::npos) return "";
  return totals.substr(at + key.size(), totals.find('\n', at) - at - key.size());
}

constexpr long kTppPerH100 = 15832;  // catalog: 989.4 TFLOPS x 16 bits
constexpr long kLppLimit = 26900000;

TEST_P(ServeLedger, RecordsExactlyOnceAndLogsEachDecision) {
  std::string ledger = backend_.NewLedger("once");
  std::string log = backend_.dir + "/decisions.jsonl";
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025"), "--ledger", ledger, "--decision-log", log},
                           backend_.dir, "server"))
      << server.stderr_text();
  auto client = server.Client();
  std::string a = Shipment("a", "IN", "nvidia-h100-sxm", 1000, "Once Co");
  std::string b = Shipment("b", "IN", "nvidia-h100-sxm", 1000, "Once Co");

  // What-if (the default) against the ledger: nothing is recorded.
  auto what_if = client->Post("/v1/decide", "{\"shipment\":" + a + "}", "application/json");
  ASSERT_EQ(what_if->status, 200) << what_if->body;
  EXPECT_EQ(Json(what_if->body)["exception"], "LPP");
  EXPECT_EQ(LppTotal(ledger, "Once Co"), "");

  auto first = client->Post("/v1/decide", Record(a), "application/json");
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(Json(first->body)["exception"], "LPP");
  EXPECT_FALSE(Json(first->body).contains("recorded"));
  std::string request_a = first->get_header_value("X-Request-Id");
  EXPECT_EQ(LppTotal(ledger, "Once Co"), std::to_string(1000 * kTppPerH100));

  // The same shipment again: its recorded decision, nothing consumed.
  auto again = client->Post("/v1/decide", Record(a), "application/json");
  ASSERT_EQ(again->status, 200);
  EXPECT_EQ(Json(again->body)["recorded"], true);
  EXPECT_EQ(Json(again->body)["exception"], "LPP");
  EXPECT_EQ(LppTotal(ledger, "Once Co"), std::to_string(1000 * kTppPerH100));

  // What `edict eval --ledger` reports for the recorded shipment is what the server reported.
  WriteFile(backend_.dir + "/a.jsonl", a + "\n");
  auto eval = ledger_test::Edict(
      {"eval", Policy("ai_diffusion_2025"), "--input", backend_.dir + "/a.jsonl", "--ledger", ledger},
      backend_.dir);
  EXPECT_EQ(eval.out, again->body + "\n") << eval.err;

  // A what-if now sees the recorded use: b no longer fits LPP.
  auto b_what_if =
      client->Post("/v1/decide", "{\"shipment\":" + b + ",\"explain\":true}", "application/json");
  auto bj = Json(b_what_if->body);
  EXPECT_EQ(bj["decision"], "license_required");
  // Explain reads the ledger too.
  auto explain = client->Post("/v1/explain", "{\"shipment\":" + b + "}", "application/json");
  ASSERT_EQ(explain->status, 200) << explain->body;
  EXPECT_NE(Json(explain->body)["text"].get<std::string>().find("15,832,000"), std::string::npos);

  // Other content under a recorded id: 409, and nothing of the request is recorded (b with it).
  std::string a_changed = Shipment("a", "IN", "nvidia-h100-sxm", 5, "Once Co");
  auto conflict = client->Post("/v1/decide", "{\"shipments\":[" + b + "," + a_changed + "],\"record\":true}",
                               "application/json");
  ASSERT_EQ(conflict->status, 409) << conflict->body;
  auto cj = Json(conflict->body);
  EXPECT_EQ(cj["field"], "shipments[1].id");
  EXPECT_EQ(cj["errors"][0]["id"], "a");
  EXPECT_NE(cj["errors"][0]["error"].get<std::string>().find("recorded in the ledger (position 1)"),
            std::string::npos);
  auto b_recorded = client->Post("/v1/decide", Record(b), "application/json");
  ASSERT_EQ(b_recorded->status, 200);
  EXPECT_FALSE(Json(b_recorded->body).contains("recorded"));  // recorded now, not by the refused request
  std::string request_b = b_recorded->get_header_value("X-Request-Id");
  EXPECT_EQ(Json(b_recorded->body)["decision"], "license_required");
  EXPECT_EQ(LppTotal(ledger, "Once Co"), std::to_string(1000 * kTppPerH100));

  // A client's own request id is kept.
  httplib::Headers mine = {{"X-Request-Id", "order-4711"}};
  auto c = client->Post("/v1/decide", mine, Record(Shipment("c", "IN", "nvidia-h100-sxm", 1, "Other Co")),
                        "application/json");
  EXPECT_EQ(c->get_header_value("X-Request-Id"), "order-4711");

  auto metrics = client->Get("/metrics")->body;
  EXPECT_EQ(Metric(metrics, "edict_recorded_shipments_total"), 3);
  auto health = Json(client->Get("/healthz")->body);
  EXPECT_EQ(health["ledger"], GetParam() == "sqlite" ? "sqlite" : "postgresql");
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();

  // The decision log: one line per recorded decision, with its request id and the policy hash.
  std::vector<nlohmann::json> lines;
  std::stringstream ss(ReadFile(log));
  for (std::string line; std::getline(ss, line);) lines.push_back(Json(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], "a");
  EXPECT_EQ(lines[0]["request_id"], request_a);
  EXPECT_EQ(lines[0]["ledger_position"], 1);
  EXPECT_EQ(lines[0]["quotas"][0]["this_shipment"], 1000 * kTppPerH100);
  EXPECT_EQ(lines[1]["id"], "b");
  EXPECT_EQ(lines[1]["request_id"], request_b);
  EXPECT_EQ(lines[2]["request_id"], "order-4711");
  EXPECT_EQ(lines[0]["policy_hash"].get<std::string>().size(), 64u);
  // The ledger keeps them too: each recording request is a run named by its request id.
  std::string error;
  auto store = ledger::Store::Open(ledger, &error);
  ASSERT_TRUE(store) << error;
  ledger::RecordedShipment r;
  bool found = false;
  ASSERT_TRUE(store->Lookup("b", &r, &found, &error)) << error;
  ASSERT_TRUE(found);
  EXPECT_EQ(r.run.command, "serve");
  EXPECT_EQ(r.run.input_name, "request " + request_b);
  EXPECT_EQ(r.run.policy_hash, lines[0]["policy_hash"]);
}

// Two servers on one ledger, eight clients recording shipments that race for the last 99 H100s of a
// consignee's License Exception LPP: what they record never passes the limit, and every shipment refused LPP
// was refused because it did not fit when its turn came.
TEST_P(ServeLedger, TwoServersNeverPassALimit) {
  std::string ledger = backend_.NewLedger("race");
  Server one, two;
  ASSERT_TRUE(one.Start({Policy("ai_diffusion_2025"), "--ledger", ledger}, backend_.dir, "one"))
      << one.stderr_text();
  ASSERT_TRUE(two.Start({Policy("ai_diffusion_2025"), "--ledger", ledger}, backend_.dir, "two"))
      << two.stderr_text();
  {
    auto client = one.Client();
    auto prefill = client->Post(
        "/v1/decide", Record(Shipment("fill", "IN", "nvidia-h100-sxm", 1600, "Race Co")), "application/json");
    ASSERT_EQ(prefill->status, 200) << prefill->body;
    ASSERT_EQ(Json(prefill->body)["exception"], "LPP");
  }
  const long room = kLppLimit / kTppPerH100 - 1600;  // 99 H100s
  ASSERT_EQ(room, 99);
  std::mt19937 rng(15);
  std::vector<int> quantity(48);
  for (int& q : quantity) q = 1 + static_cast<int>(rng() % 25);
  std::mutex mutex;
  std::map<int, std::string> decided;  // shipment -> its decision
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      auto client = (t % 2 ? two : one).Client();
      for (int i = t; i < static_cast<int>(quantity.size()); i += 8) {
        // Some shipments are sent as a pair in one request.
        std::string body;
        std::vector<int> these = {i};
        if (i + 8 < static_cast<int>(quantity.size()) && i % 3 == 0) these.push_back(i + 8);
        for (int k : these)
          body += (body.empty() ? "" : ",") +
                  Shipment("r" + std::to_string(k), "IN", "nvidia-h100-sxm", quantity[k], "Race Co");
        auto res =
            client->Post("/v1/decide", "{\"shipments\":[" + body + "],\"record\":true}", "application/json");
        if (!res || res->status != 200) {
          ++failures;
          continue;
        }
        auto j = Json(res->body);
        std::lock_guard<std::mutex> lock(mutex);
        for (size_t k = 0; k < these.size(); ++k) {
          const auto& d = j["decisions"][k];
          decided[these[k]] = d["decision"].get<std::string>() +
                              (d["exception"].is_null() ? "" : " " + d["exception"].get<std::string>());
        }
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(failures, 0);
  // A shipment sent in a pair is sent again on its own later: the second time reports the recorded decision.
  long lpp_units = 0;
  int lpp = 0;
  for (const auto& [k, d] : decided)
    if (d == "license_exception LPP") {
      lpp_units += quantity[k];
      ++lpp;
    }
  EXPECT_GT(lpp, 0);
  EXPECT_LE(lpp_units, room);
  for (const auto& [k, d] : decided)
    if (d != "license_exception LPP") {
      EXPECT_GT(quantity[k], room - lpp_units) << "shipment r" << k << ": " << d;
    }
  EXPECT_EQ(LppTotal(ledger, "Race Co"), std::to_string((1600 + lpp_units) * kTppPerH100));
  EXPECT_EQ(decided.size(), quantity.size());
  EXPECT_EQ(one.Stop(), 0) << one.stderr_text();
  EXPECT_EQ(two.Stop(), 0) << two.stderr_text();
}

// A ledger that goes away under a running server (its PostgreSQL database dropped, the server's connections
// ended): decisions answer 503, /healthz answers 503, nothing is recorded, and the server keeps running.
class ServeLedgerLost : public ServeLedger {};

TEST_P(ServeLedgerLost, AnswersServiceUnavailable) {
  std::string ledger = backend_.NewLedger("lost");
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025"), "--ledger", ledger}, backend_.dir, "server"))
      << server.stderr_text();
  auto client = server.Client();
  std::string body = Record(Shipment("l1", "IN", "nvidia-h100-sxm", 1, "Lost Co"));
  ASSERT_EQ(client->Post("/v1/decide", body, "application/json")->status, 200);
  // postgresql:///NAME?host=... -> NAME
  size_t begin = ledger.find(":///") + 4;
  std::string name = ledger.substr(begin, ledger.find('?') - begin);
  {
    pqxx::connection admin(PgServerUrl());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE " + tx.quote_name(name) + " WITH (FORCE)");
  }
  auto lost = client->Post("/v1/decide", Record(Shipment("l2", "IN", "nvidia-h100-sxm", 1, "Lost Co")),
                           "application/json");
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->status, 503) << lost->body;
  EXPECT_EQ(Json(lost->body)["status"], 503);
  auto what_if = client->Post(
      "/v1/explain", "{\"shipment\":" + Shipment("l3", "IN", "nvidia-h100-sxm", 1) + "}", "application/json");
  EXPECT_EQ(what_if->status, 503);
  auto health = client->Get("/healthz");
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(Json(health->body)["status"], "unavailable");
  EXPECT_EQ(Metric(client->Get("/metrics")->body, "edict_ledger_errors_total"), 2);
  EXPECT_TRUE(server.Alive());
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
}

// Only PostgreSQL can lose its database under a running server this way.
INSTANTIATE_TEST_SUITE_P(Databases, ServeLedgerLost, ::testing::Values("postgres"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Databases, ServeLedger, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

}  // namespace edict::serve_test
