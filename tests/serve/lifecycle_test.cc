// `edict serve` over its life: reloads on SIGHUP and --watch (a policy that does not compile is refused and
// the old one keeps serving), SIGTERM draining a request in flight, slow and broken clients, the bearer
// token and TLS.
#include <sys/stat.h>

#include "tests/serve/server.h"

namespace edict::serve_test {

namespace {

using ledger_test::Edict;
using ledger_test::Policy;
using ledger_test::TempDir;

// A policy of one rule: quantity over LIMIT needs a licence.
std::string SmallPolicy(const std::string& version, int limit) {
  return "policy \"Serve reload test\"\n  version \"" + version +
         "\"\n  in force from 2020-01-01\n\nimport ear.units\nimport ear.outcomes\nimport ear.chips\n"
         "import ear.shipment\nimport countries\n\n/// Big shipments need a licence.\nrule big\n  cite "
         "\"test rule\"\n"
         "  when quantity > " +
         std::to_string(limit) + " units\n  then license_required(review: case_by_case)\n";
}

class ServeLife : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  std::string dir_;
};

std::string DecisionFor(httplib::Client& client, int quantity) {
  auto res =
      client.Post("/v1/decide", "{\"shipment\":" + Shipment("r", "DE", "nvidia-h100-sxm", quantity) + "}",
                  "application/json");
  return res && res->status == 200 ? Json(res->body)["decision"].get<std::string>()
                                   : "status " + std::to_string(res ? res->status : -1);
}

std::string PolicyVersion(httplib::Client& client) {
  auto res = client.Get("/v1/policy");
  return res ? Json(res->body)["version"].get<std::string>() : "";
}

// Waits (bounded) for the server to answer with `version`.
bool WaitForVersion(httplib::Client& client, const std::string& version) {
  for (int i = 0; i < 600; ++i) {
    if (PolicyVersion(client) == version) return true;
    Pause(100);
  }
  return false;
}

TEST_F(ServeLife, ReloadOnSighup) {
  std::string policy = dir_ + "/policy.edict";
  WriteFile(policy, SmallPolicy("v1", 100));
  Server server;
  ASSERT_TRUE(server.Start({policy}, dir_, "server")) << server.stderr_text();
  auto client = server.Client();
  EXPECT_EQ(DecisionFor(*client, 50), "no_license_required");
  std::string hash1 = Json(client->Get("/v1/policy")->body)["hash"];

  // A good policy replaces the old one.
  WriteFile(policy, SmallPolicy("v2", 10));
  server.Signal(SIGHUP);
  ASSERT_TRUE(WaitForVersion(*client, "v2")) << server.stderr_text();
  EXPECT_EQ(DecisionFor(*client, 50), "license_required");
  std::string hash2 = Json(client->Get("/v1/policy")->body)["hash"];
  EXPECT_NE(hash1, hash2);
  EXPECT_NE(
      server.stderr_text().find("reload (SIGHUP): now serving policy v2 (hash " + hash2 + ", was " + hash1),
      std::string::npos)
      << server.stderr_text();

  // A policy that does not compile is refused; v2 keeps serving.
  WriteFile(policy, SmallPolicy("v3", 10) + "rule broken when\n");
  server.Signal(SIGHUP);
  ASSERT_TRUE(server.WaitForLog("reload (SIGHUP) refused")) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("still serving policy v2 (hash " + hash2 + ")"), std::string::npos);
  EXPECT_NE(server.stderr_text().find("error"), std::string::npos);  // the diagnostics
  EXPECT_EQ(PolicyVersion(*client), "v2");
  EXPECT_EQ(DecisionFor(*client, 50), "license_required");
  auto metrics = client->Get("/metrics")->body;
  EXPECT_EQ(Metric(metrics, "edict_policy_reloads_total{result=\"ok\"}"), 1);
  EXPECT_EQ(Metric(metrics, "edict_policy_reloads_total{result=\"refused\"}"), 1);
  EXPECT_NE(metrics.find("hash=\"" + hash2 + "\""), std::string::npos);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeLife, ReloadOnWatch) {
  std::string policy = dir_ + "/policy.edict";
  WriteFile(policy, SmallPolicy("v1", 100));
  Server server;
  ASSERT_TRUE(server.Start({policy, "--watch", "--watch-interval", "100"}, dir_, "server"))
      << server.stderr_text();
  auto client = server.Client();
  EXPECT_EQ(DecisionFor(*client, 50), "no_license_required");
  // Saved by rename, as editors do.
  WriteFile(policy + ".tmp", SmallPolicy("v2", 10));
  ASSERT_EQ(std::rename((policy + ".tmp").c_str(), policy.c_str()), 0);
  ASSERT_TRUE(WaitForVersion(*client, "v2")) << server.stderr_text();
  EXPECT_EQ(DecisionFor(*client, 50), "license_required");
  WriteFile(policy, "policy \"x\"\n  version \"v3\"\nrule");
  ASSERT_TRUE(server.WaitForLog("reload (--watch: a policy file changed) refused")) << server.stderr_text();
  EXPECT_EQ(PolicyVersion(*client), "v2");
  WriteFile(policy, SmallPolicy("v4", 100));
  ASSERT_TRUE(WaitForVersion(*client, "v4")) << server.stderr_text();
  EXPECT_EQ(DecisionFor(*client, 50), "no_license_required");
  EXPECT_EQ(server.Stop(), 0);
}

// A request whose body is still arriving when SIGTERM comes is answered in full; then the server exits 0.
TEST_F(ServeLife, SigtermDrainsRequestsInFlight) {
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025")}, dir_, "server")) << server.stderr_text();
  auto client = server.Client();
  std::string body = "{\"shipment\":" + Shipment("late", "IN", "nvidia-h100-sxm", 1699) + "}";
  RawSocket raw(server.port());
  ASSERT_TRUE(raw.ok());
  raw.Send("POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 20));
  // In flight: the metrics request itself and the one waiting for its body.
  bool in_flight = false;
  for (int i = 0; i < 600 && !in_flight; ++i) {
    auto m = client->Get("/metrics");
    in_flight = m && Metric(m->body, "edict_http_requests_in_flight") == 2;
    if (!in_flight) Pause(50);
  }
  ASSERT_TRUE(in_flight);
  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForLog("SIGTERM: no new connections")) << server.stderr_text();
  raw.Send(body.substr(20));
  std::string response = raw.ReadResponse(60000);
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_NE(response.find("\"exception\":\"LPP\""), std::string::npos) << response;
  EXPECT_EQ(server.Stop(0 /* already signalled: just wait */), 0) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("edict serve: stopped"), std::string::npos);
}

// A client that stops sending is dropped after --read-timeout; broken requests and clients that hang up are
// answered or dropped, and the server keeps serving.
TEST_F(ServeLife, SlowAndBrokenClients) {
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025"), "--read-timeout", "1", "--keep-alive-timeout", "1"},
                           dir_, "server"))
      << server.stderr_text();
  {
    RawSocket slow(server.port());
    ASSERT_TRUE(slow.ok());
    slow.Send("POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Le");
    bool closed = false;
    slow.ReadUntilClosed(60000, &closed);
    EXPECT_TRUE(closed);
  }
  {
    RawSocket slow_body(server.port());
    slow_body.Send("POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"shipment\"");
    bool closed = false;
    std::string got = slow_body.ReadUntilClosed(60000, &closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(got.find("HTTP/1.1 200"), std::string::npos) << got;
  }
  {
    RawSocket idle(server.port());  // connects and says nothing
    bool closed = false;
    idle.ReadUntilClosed(60000, &closed);
    EXPECT_TRUE(closed);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 24; ++i) {
    RawSocket raw(server.port());
    std::string junk;
    int n = 1 + static_cast<int>(rng() % 600);
    for (int k = 0; k < n; ++k) junk.push_back(static_cast<char>(rng() % 256));
    if (i % 3 == 0) junk = "POST /v1/decide HTTP/1.1\r\nContent-Length: 5\r\n\r\n" + junk;
    if (i % 3 == 1) junk = "GET /" + junk + " HTTP/1.1\r\n\r\n";
    raw.Send(junk);
    bool closed = false;
    raw.ReadUntilClosed(i % 8 ? 50 : 3000, &closed);
  }
  // A client that hangs up before its answer is written (the server must not die of SIGPIPE).
  std::string many;
  for (int i = 0; i < 3000; ++i)
    many += (many.empty() ? "" : ",") + Shipment("m" + std::to_string(i), "IN", "nvidia-h100-sxm", 1);
  std::string body = "{\"shipments\":[" + many + "]}";
  for (int i = 0; i < 5; ++i) {
    RawSocket gone(server.port());
    gone.Send("POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body);
  }
  auto client = server.Client();
  auto health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(server.Alive());
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
}

TEST_F(ServeLife, BearerToken) {
  WriteFile(dir_ + "/token", "s3cret-token-1234\n");
  Server server;
  ASSERT_TRUE(server.Start({Policy("ai_diffusion_2025"), "--token-file", dir_ + "/token"}, dir_, "server"))
      << server.stderr_text();
  auto client = server.Client();
  std::string body = "{\"shipment\":" + Shipment("t", "IN", "nvidia-h100-sxm", 1) + "}";
  auto none = client->Post("/v1/decide", body, "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"edict\"");
  EXPECT_EQ(client->Get("/v1/policy")->status, 401);
  EXPECT_EQ(client->Get("/metrics")->status, 401);
  EXPECT_EQ(client->Get("/healthz")->status, 200);  // for load balancers
  httplib::Headers wrong = {{"Authorization", "Bearer s3cret-token-1235"}};
  EXPECT_EQ(client->Post("/v1/decide", wrong, body, "application/json")->status, 401);
  httplib::Headers shorter = {{"Authorization", "Bearer s3cret"}};
  EXPECT_EQ(client->Post("/v1/decide", shorter, body, "application/json")->status, 401);
  client->set_bearer_token_auth("s3cret-token-1234");
  auto ok = client->Post("/v1/decide", body, "application/json");
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(client->Get("/v1/policy")->status, 200);
  EXPECT_EQ(server.Stop(), 0);
  // An empty token file is refused at start.
  WriteFile(dir_ + "/empty", "\n");
  auto refused = Edict({"serve", Policy("ai_diffusion_2025"), "--token-file", dir_ + "/empty"}, dir_);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("must hold one token"), std::string::npos) << refused.err;
}

TEST_F(ServeLife, Tls) {
  std::string cert = dir_ + "/cert.pem", key = dir_ + "/key.pem";
  // A self-signed certificate for 127.0.0.1, made by the openssl command (no shell).
  std::vector<std::string> argv = {"/usr/bin/openssl",
                                   "req",
                                   "-x509",
                                   "-newkey",
                                   "rsa:2048",
                                   "-nodes",
                                   "-keyout",
                                   key,
                                   "-out",
                                   cert,
                                   "-days",
                                   "2",
                                   "-subj",
                                   "/CN=127.0.0.1",
                                   "-addext",
                                   "subjectAltName=IP:127.0.0.1"};
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, ptrs[0], nullptr, nullptr, ptrs.data(), environ), 0);
  ASSERT_EQ(ledger_test::Wait(pid), 0);
  Server server;
  ASSERT_TRUE(
      server.Start({Policy("ai_diffusion_2025"), "--tls-cert", cert, "--tls-key", key}, dir_, "server"))
      << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("listening on https://"), std::string::npos);
  httplib::SSLClient tls("127.0.0.1", server.port());
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto res = tls.Post("/v1/decide", "{\"shipment\":" + Shipment("t", "IN", "nvidia-h100-sxm", 1699) + "}",
                      "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Json(res->body)["exception"], "LPP");
  // Plain HTTP to the TLS port gets no answer.
  auto plain = server.Client();
  plain->set_read_timeout(5, 0);
  auto no = plain->Get("/healthz");
  EXPECT_TRUE(!no || no->status != 200);
  EXPECT_EQ(server.Stop(), 0) << server.stderr_text();
  // A key that does not go with the certificate is refused at start.
  WriteFile(dir_ + "/bad.pem", "not a key\n");
  auto refused = Edict({"serve", Policy("ai_diffusion_2025"), "--tls-cert", cert, "--tls-key",
                        dir_ + "/bad.pem", "--listen", "127.0.0.1:0"},
                       dir_);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("cannot use the TLS certificate"), std::string::npos) << refused.err;
}

}  // namespace

}  // namespace edict::serve_test
