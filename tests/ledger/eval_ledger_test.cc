// `edict eval --ledger` as an exporter runs it: daily batches against one ledger decide exactly as one
// combined batch; a re-run reports what is recorded and consumes nothing; a conflicting re-submission is an
// error; a dry run writes nothing; the interpreter and the JIT agree. On SQLite always, on PostgreSQL when
// the test server runs (tests/ledger/pg_test_server.sh).
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/ledger/harness.h"

namespace edict::ledger_test {

namespace {

class EvalLedger : public ::testing::TestWithParam<std::string> {
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
  Result Eval(const std::string& ledger, const std::string& input, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"eval", Policy("ai_diffusion_2025"), "--input", input, "--ledger",
                                     ledger};
    args.insert(args.end(), more.begin(), more.end());
    return Edict(args, backend_.dir);
  }
  Backend backend_;
};

// Lines with "recorded":true dropped of that member, to compare a re-run's output with the first run's.
std::string WithoutRecorded(const std::string& s) {
  return std::regex_replace(s, std::regex(",\"recorded\":true"), "");
}

// Without the ledger's members, to compare with a dry run or a run without a ledger.
std::string WithoutLedger(const std::string& s) {
  return std::regex_replace(WithoutRecorded(s), std::regex(",\"ledger_position\":([0-9]+|null)"), "");
}

TEST_P(EvalLedger, DailyBatchesDecideAsOneCombinedBatch) {
  Generated g = QuotaShipments(1500, 14, 6, 0, 100);
  ASSERT_EQ(g.days.size(), 15u);
  std::string combined = backend_.NewLedger("combined"), daily = backend_.NewLedger("daily");
  Result all = Eval(combined, File("all.jsonl", g.text), {"--explain"});
  ASSERT_EQ(all.status, 0) << all.err;
  std::string outputs;
  for (size_t d = 0; d < g.days.size(); ++d) {
    // Alternate the engines: the interpreter is the reference, the JIT must agree with it day after day.
    Result r = Eval(daily, File("day" + std::to_string(d) + ".jsonl", g.days[d]),
                    {"--explain", "--engine", d % 2 ? "interp" : "jit"});
    ASSERT_EQ(r.status, 0) << r.err;
    outputs += r.out;
  }
  EXPECT_EQ(outputs, all.out);
  // The quotas were really used up: some shipments got LPP, later ones a license.
  EXPECT_NE(all.out.find("\"exception\":\"LPP\""), std::string::npos);
  EXPECT_NE(all.out.find("\"decision\":\"license_required\""), std::string::npos);
  std::string totals = TotalsText(combined);
  EXPECT_EQ(TotalsText(daily), totals);
  EXPECT_NE(totals.find("aid_lpp | consignee=Consignee 0, year=2025 | 2025 = 26898568\n"), std::string::npos)
      << totals;
}

TEST_P(EvalLedger, ARerunReportsTheRecordedDecisionsAndConsumesNothing) {
  Generated g = QuotaShipments(400, 3);
  std::string ledger = backend_.NewLedger("rerun"), input = File("in.jsonl", g.text);
  Result first = Eval(ledger, input, {"--explain"});
  ASSERT_EQ(first.status, 0) << first.err;
  std::string totals = TotalsText(ledger);
  for (const char* engine : {"jit", "interp"}) {
    Result again = Eval(ledger, input, {"--explain", "--engine", engine});
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(WithoutRecorded(again.out), first.out) << engine;
    EXPECT_NE(again.err.find("400 recorded earlier"), std::string::npos) << again.err;
    EXPECT_EQ(TotalsText(ledger), totals) << engine;
  }
  // Half old, half new: the old half is reported, the new half decided against the totals so far.
  Generated more = QuotaShipments(200, 4, 6, 400);
  std::string mixed = Halves(g.text).second + more.text;
  Result r = Eval(ledger, File("mixed.jsonl", mixed), {"--ledger-batch", "64"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string fresh = backend_.NewLedger("fresh");
  Result all = Eval(fresh, File("all.jsonl", g.text + more.text));
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(TotalsText(ledger), TotalsText(fresh));
}

TEST_P(EvalLedger, AConflictingResubmissionIsAnError) {
  std::string ledger = backend_.NewLedger("conflict");
  Generated g = QuotaShipments(50, 5);
  ASSERT_EQ(Eval(ledger, File("in.jsonl", g.text)).status, 0);
  std::string totals = TotalsText(ledger);
  // q7 again with another quantity; q7 with its fields in another order and spacing is the same shipment.
  std::string line7 = g.text.substr(g.text.find("{\"id\":\"q7\""));
  line7 = line7.substr(0, line7.find('\n'));
  std::string changed = std::regex_replace(line7, std::regex("\"quantity\":[0-9]+"), "\"quantity\":9999");
  std::string reordered =
      std::regex_replace(line7, std::regex("^\\{(\"id\":\"q7\"),(.*)\\}$"), "{ $2 , $1 }");
  ASSERT_NE(reordered, line7);
  for (const char* engine : {"jit", "interp"}) {
    Result r = Eval(ledger, File("again.jsonl", changed + "\n" + reordered + "\n"), {"--engine", engine});
    EXPECT_EQ(r.status, 2) << engine;
    EXPECT_NE(r.out.find("{\"id\":\"q7\",\"line\":1,\"error\":\"shipment id 'q7' is recorded in the ledger"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("\"recorded\":true}"), std::string::npos) << r.out;
    EXPECT_EQ(TotalsText(ledger), totals);
  }
  // The same id twice in one input, the second with other content.
  std::string twice =
      "{\"id\":\"n1\",\"date\":\"2025-03-03\",\"destination\":\"IN\",\"consignee\":\"X\",\"item\":"
      "\"nvidia-h100-sxm\",\"quantity\":5}\n";
  std::string other = std::regex_replace(twice, std::regex("\"quantity\":5"), "\"quantity\":6");
  Result r = Eval(ledger, File("twice.jsonl", twice + twice + other));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("\"recorded\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shipment id 'n1' was given on line 1 with other content"), std::string::npos)
      << r.out;
}

// A run of many chunks (the JIT decides each chunk while the one before it is written): an id recorded by
// an earlier run, or by an earlier chunk of the same run, in a chunk that also uses a quota key for the first
// time. The id is reported as recorded, and the key's first use is kept: the chunk is recorded again without
// the id, and the key with it (an id taken used to leave the key's number behind, rolled back, and the
// totals referring to a key that was never written).
TEST_P(EvalLedger, RecordedIdsBesideAKeyUsedForTheFirstTime) {
  auto ship = [](const std::string& id, const std::string& consignee, int quantity) {
    return "{\"id\":\"" + id + "\",\"date\":\"2025-06-02\",\"destination\":\"IN\",\"consignee\":\"" +
           consignee + "\",\"item\":\"nvidia-h100-sxm\",\"quantity\":" + std::to_string(quantity) + "}\n";
  };
  std::string earlier = File("earlier.jsonl", ship("a", "X", 1));
  // Chunks of two: [c c2] [d a] [e f] [c g]; Z, W and V are new keys.
  std::string run =
      File("run.jsonl", ship("c", "X", 2) + ship("c2", "X", 3) + ship("d", "Z", 4) + ship("a", "X", 1) +
                            ship("e", "Z", 5) + ship("f", "W", 6) + ship("c", "X", 2) + ship("g", "V", 7));
  std::map<std::string, std::string> out, totals;
  for (const char* engine : {"jit", "interp"}) {
    std::string ledger = backend_.NewLedger(std::string("chunks-") + engine);
    ASSERT_EQ(Eval(ledger, earlier).status, 0);
    Result r = Eval(ledger, run, {"--ledger-batch", "2", "--engine", engine});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("6 license_exception, 2 recorded earlier"), std::string::npos) << r.err;
    out[engine] = r.out;
    totals[engine] = TotalsText(ledger);
  }
  EXPECT_EQ(out["jit"], out["interp"]);
  EXPECT_EQ(totals["jit"], totals["interp"]);
  // 15,832 tpp an H100.
  EXPECT_EQ(totals["jit"],
            "aid_lpp | consignee=V, year=2025 | 2025 = 110824\n"
            "aid_lpp | consignee=W, year=2025 | 2025 = 94992\n"
            "aid_lpp | consignee=X, year=2025 | 2025 = 94992\n"
            "aid_lpp | consignee=Z, year=2025 | 2025 = 142488\n");
}

TEST_P(EvalLedger, ADryRunDecidesAgainstTheLedgerAndWritesNothing) {
  Generated g = QuotaShipments(600, 6);
  std::string ledger = backend_.NewLedger("dry"), reference = backend_.NewLedger("reference");
  std::string first = File("first.jsonl", Halves(g.text).first);
  std::string second = File("second.jsonl", Halves(g.text).second);
  ASSERT_EQ(Eval(ledger, first).status, 0);
  ASSERT_EQ(Eval(reference, first).status, 0);
  std::string totals = TotalsText(ledger);
  for (const char* engine : {"jit", "interp"}) {
    Result dry = Eval(ledger, second, {"--dry-run", "--explain", "--engine", engine});
    ASSERT_EQ(dry.status, 0) << dry.err;
    EXPECT_NE(dry.err.find("dry run: nothing recorded"), std::string::npos);
    EXPECT_EQ(TotalsText(ledger), totals);
    Result real = Eval(reference, second, {"--explain", "--engine", engine});
    EXPECT_EQ(WithoutLedger(dry.out), WithoutLedger(real.out)) << engine;
    EXPECT_NE(dry.out.find("\"ledger_position\":null}"), std::string::npos);
  }
  Result as_of = Eval(ledger, second, {"--as-of", "2025-06-01"});
  EXPECT_EQ(as_of.status, 64);
  EXPECT_NE(as_of.err.find("add --dry-run"), std::string::npos);
}

TEST_P(EvalLedger, TheTableAndCsvShowRecordedDecisions) {
  std::string ledger = backend_.NewLedger("formats");
  std::string input = std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl";
  std::vector<std::string> timeline = {"eval", Policy("us_ear_timeline"), "--input", input, "--ledger",
                                       ledger};
  Result first = Edict(timeline, backend_.dir);
  ASSERT_EQ(first.status, 0) << first.err;
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> a = timeline;
    a.insert(a.end(), more.begin(), more.end());
    return Edict(a, backend_.dir);
  };
  Result table = with({"--format", "table"});
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("license_exception NAC (notify) (recorded)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(", nothing new recorded\n"), std::string::npos) << table.out;
  // The footer of a table that records says where.
  Result fresh = Edict({"eval", Policy("us_ear_timeline"), "--input", input, "--ledger",
                        backend_.NewLedger("table"), "--format", "table"},
                       backend_.dir);
  EXPECT_EQ(fresh.status, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("\ndecided under us_ear_timeline 2026-01-15 (policy hash "), std::string::npos)
      << fresh.out;
  EXPECT_NE(fresh.out.find(", recorded at positions 1 to 65\n"), std::string::npos) << fresh.out;
  Result csv = with({"--format", "csv"});
  std::vector<std::string> memory = {"eval", Policy("us_ear_timeline"), "--input", input, "--format", "csv"};
  // The same rows, but for their ledger position and "recorded" cells.
  std::string rows = std::regex_replace(csv.out, std::regex(",[0-9]+,true\n"), ",,\n");
  EXPECT_EQ(rows, Edict(memory, backend_.dir).out);
  EXPECT_NE(csv.out.find(",65,true\n"), std::string::npos) << csv.out;
}

INSTANTIATE_TEST_SUITE_P(Databases, EvalLedger, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

}  // namespace edict::ledger_test
