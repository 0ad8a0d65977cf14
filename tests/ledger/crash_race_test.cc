// A ledger under stress: runs killed (kill -9) at random points and re-run end with the totals of one clean
// run; eight processes racing for the last units of one quota never pass its limit, and what they recorded is
// what one process deciding the same shipments in ledger order would have decided.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>
#include <thread>

#include "tests/ledger/harness.h"

namespace edict::ledger_test {

namespace {

class LedgerStress : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && PgServerUrl().empty())
      GTEST_SKIP() << "no PostgreSQL test server (EDICT_TEST_PG_URL); run through pg_test_server.sh";
    backend_.name = GetParam();
    backend_.dir =
        TempDir(GetParam() + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = backend_.dir + "/" + name;
    WriteFile(path, text);
    return path;
  }
  std::vector<std::string> EvalArgs(const std::string& ledger, const std::string& input,
                                    std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"eval", Policy("ai_diffusion_2025"), "--input", input, "--ledger",
                                     ledger};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  Backend backend_;
};

std::string WithoutRecorded(const std::string& s) {
  return std::regex_replace(s, std::regex(",\"recorded\":true"), "");
}

// id -> decision line, from the lines of an eval output.
std::map<std::string, std::string> ById(const std::string& out) {
  std::map<std::string, std::string> m;
  std::regex id("^\\{\"id\":\"([^\"]*)\"");
  size_t at = 0;
  while (at < out.size()) {
    size_t nl = out.find('\n', at);
    std::string line = out.substr(at, nl - at);
    std::smatch match;
    if (std::regex_search(line, match, id)) m[match[1]] = WithoutRecorded(line);
    at = nl == std::string::npos ? out.size() : nl + 1;
  }
  return m;
}

TEST_P(LedgerStress, KilledRunsReRunToTheTotalsOfOneCleanRun) {
  Generated g = QuotaShipments(12000, 21, 30, 0, 60);
  std::string input = File("in.jsonl", g.text);
  std::vector<std::string> batch = {"--ledger-batch", "150", "--explain"};
  std::string clean = backend_.NewLedger("clean");
  auto start = std::chrono::steady_clock::now();
  Result reference = Edict(EvalArgs(clean, input, batch), backend_.dir);
  ASSERT_EQ(reference.status, 0) << reference.err;
  double clean_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::string totals = TotalsText(clean);
  ASSERT_NE(totals.find("aid_lpp"), std::string::npos);

  std::string crashed = backend_.NewLedger("crashed");
  std::mt19937 rng(2026);
  int killed = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<std::string> more = batch;
    if (round % 2) more.insert(more.end(), {"--engine", "interp"});
    pid_t pid =
        Spawn(EvalArgs(crashed, input, more), backend_.dir + "/crash.out", backend_.dir + "/crash.err");
    ASSERT_GT(pid, 0);
    // Anywhere from before the policy is compiled to past the end of the run.
    int ms = std::uniform_int_distribution<int>(0, static_cast<int>(clean_ms * 1.1) + 1)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    kill(pid, SIGKILL);
    int status = Wait(pid);
    killed += status == 128 + SIGKILL;
    ASSERT_TRUE(status == 128 + SIGKILL || status == 0) << status << ReadFile(backend_.dir + "/crash.err");
  }
  Result last = Edict(EvalArgs(crashed, input, batch), backend_.dir);
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_GT(killed, 0);
  EXPECT_EQ(TotalsText(crashed), totals);
  EXPECT_EQ(WithoutRecorded(last.out), reference.out);
  // Once more: all of it recorded, nothing consumed.
  Result again = Edict(EvalArgs(crashed, input, batch), backend_.dir);
  EXPECT_NE(again.err.find("12,000 recorded earlier"), std::string::npos) << again.err;
  EXPECT_EQ(TotalsText(crashed), totals);
}

TEST_P(LedgerStress, EightProcessesRaceForTheLastUnitsOfOneQuota) {
  // One consignee's LPP: 26,900,000 tpp a year, 15,832 tpp an H100, so 1,699 H100s fit. Eight processes ask
  // for 8 x 40 shipments of 1 to 60.
  const int kProcesses = 8, kEach = 40;
  std::string ledger = backend_.NewLedger("race");
  std::mt19937 rng(8);
  std::vector<std::string> inputs;
  for (int p = 0; p < kProcesses; ++p) {
    std::string text;
    for (int i = 0; i < kEach; ++i)
      text += "{\"id\":\"p" + std::to_string(p) + "-" + std::to_string(i) +
              "\",\"date\":\"2025-06-02\",\"destination\":\"IN\",\"consignee\":\"Contested\",\"item\":"
              "\"nvidia-h100-sxm\",\"quantity\":" +
              std::to_string(std::uniform_int_distribution<int>(1, 60)(rng)) + "}\n";
    inputs.push_back(File("p" + std::to_string(p) + ".jsonl", text));
  }
  // The schema exists before the race (creating it is serialised too, but the race is about the quota).
  ASSERT_EQ(Edict(EvalArgs(ledger, File("empty.jsonl", "")), backend_.dir).status, 0);
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcesses; ++p) {
    std::vector<std::string> more = {"--ledger-batch", std::to_string(1 + p % 3), "--explain"};
    if (p % 2) more.insert(more.end(), {"--engine", "interp"});
    pids.push_back(Spawn(EvalArgs(ledger, inputs[p], more), backend_.dir + "/p" + std::to_string(p) + ".out",
                         backend_.dir + "/p" + std::to_string(p) + ".err"));
  }
  std::map<std::string, std::string> decided;
  int lpp = 0;
  for (int p = 0; p < kProcesses; ++p) {
    ASSERT_EQ(Wait(pids[p]), 0) << ReadFile(backend_.dir + "/p" + std::to_string(p) + ".err");
    for (auto& [id, line] : ById(ReadFile(backend_.dir + "/p" + std::to_string(p) + ".out"))) {
      lpp += line.find("\"exception\":\"LPP\"") != std::string::npos;
      decided[id] = line;
    }
  }
  ASSERT_EQ(decided.size(), static_cast<size_t>(kProcesses * kEach));
  std::string totals = TotalsText(ledger);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(totals, m, std::regex("consignee=Contested, year=2025 \\| 2025 = ([0-9]+)")))
      << totals;
  long consumed = std::stol(m[1]);
  EXPECT_LE(consumed, 26900000);
  EXPECT_GT(consumed, 26900000 - 60 * 15832);  // the quota was fought over to its last units
  EXPECT_GT(lpp, 20);
  EXPECT_LT(lpp, kProcesses * kEach);

  // Serialisable: the shipments in the order the ledger recorded them, decided by one process, get the same
  // decisions and the same totals.
  std::string error, ordered;
  {
    auto store = ledger::Store::Open(ledger, &error);
    ASSERT_TRUE(store) << error;
    ASSERT_TRUE(store->ForEachEntry(
        [&](const ledger::RecordedShipment* s, const ledger::VoidRecord*) {
          if (s) ordered += s->input + "\n";
          return true;
        },
        &error))
        << error;
  }
  std::string replay = backend_.NewLedger("replay");
  Result r = Edict(EvalArgs(replay, File("ordered.jsonl", ordered), {"--explain"}), backend_.dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ById(r.out), decided);
  EXPECT_EQ(TotalsText(replay), totals);
}

INSTANTIATE_TEST_SUITE_P(Databases, LedgerStress, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

}  // namespace edict::ledger_test
