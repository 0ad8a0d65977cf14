// `edict ledger show|export|import|void`, `edict explain --ledger/--input --id`, and the provenance every
// decision carries, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/ledger/harness.h"

namespace edict::ledger_test {

namespace {

class LedgerCommand : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && PgServerUrl().empty())
      GTEST_SKIP() << "no PostgreSQL test server (EDICT_TEST_PG_URL); run through pg_test_server.sh";
    backend_.name = GetParam();
    backend_.dir =
        TempDir("cmd-" + GetParam() + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = backend_.dir + "/" + name;
    WriteFile(path, text);
    return path;
  }
  Result Run(std::vector<std::string> args) { return Edict(args, backend_.dir); }
  Backend backend_;
  const std::string examples_ = std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl";
};

TEST_P(LedgerCommand, ShowVoidExportAndImportAsGiven) {
  std::string ledger = backend_.NewLedger("main");
  ASSERT_EQ(Run({"eval", Policy("ai_diffusion_2025"), "--input", examples_, "--ledger", ledger}).status, 0);
  Result table = Run({"ledger", "show", ledger});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find(
                "aid_lpp         consignee=Bharat Compute Ltd, year=2025          2025                     "
                "26,898,568   26,900,000        1,432  tpp"),
            std::string::npos)
      << table.out;
  Result json = Run({"ledger", "show", ledger, "--format", "json"});
  EXPECT_NE(
      json.out.find("{\"quota\":\"aid_lpp\",\"key\":\"consignee=Bharat Compute Ltd, year=2025\",\"period\":"
                    "\"2025\",\"consumed\":26898568,\"limit\":26900000,\"remaining\":1432,\"unit\":\"tpp\"}"),
      std::string::npos)
      << json.out;
  if (GetParam() == "sqlite") {
    // A mistyped path is an error, not a new empty ledger.
    std::string missing = backend_.dir + "/mistyped.db";
    for (const char* cmd : {"show", "export"}) {
      Result r = Run({"ledger", cmd, missing});
      EXPECT_EQ(r.status, 2) << cmd;
      EXPECT_NE(r.err.find("no ledger at '" + missing + "'"), std::string::npos) << r.err;
    }
    EXPECT_EQ(Run({"explain", Policy("ai_diffusion_2025"), "--ledger", missing, "--id", "s01"}).status, 2);
    EXPECT_FALSE(std::filesystem::exists(missing));
  }
  Result csv = Run({"ledger", "show", ledger, "--format", "csv"});
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "quota,key,period,consumed,limit,remaining,unit");

  Result v = Run({"ledger", "void", ledger, "s18", "--reason", "entered twice"});
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.out,
            "voided shipment 's18' (position 18) at position 66; given back:\n"
            "  aid_lpp (consignee=Bharat Compute Ltd, year=2025): 26,898,568 tpp\n");
  EXPECT_EQ(Run({"ledger", "void", ledger, "s18"}).status, 2);
  std::string totals = TotalsText(ledger);
  EXPECT_NE(totals.find("consignee=Bharat Compute Ltd, year=2025 | 2025 = 0\n"), std::string::npos) << totals;
  // The id is free again.
  std::string again = File("again.jsonl", ReadFile(examples_).substr(0, ReadFile(examples_).find('\n') + 1));
  Result r = Run({"eval", Policy("ai_diffusion_2025"), "--input", again, "--ledger", ledger});
  EXPECT_NE(r.out.find("\"recorded\":true"), std::string::npos) << r.out;  // s01: still recorded

  for (const char* format : {"jsonl", "csv"}) {
    std::string file = backend_.dir + "/export." + format;
    Result e = Run({"ledger", "export", ledger, "--format", format, "--output", file});
    ASSERT_EQ(e.status, 0) << e.err;
    std::string copy = backend_.NewLedger(std::string("copy_") + format);
    Result i = Run({"ledger", "import", copy, "--input", file});
    ASSERT_EQ(i.status, 0) << i.err;
    EXPECT_NE(i.err.find("65 shipments recorded, 1 voids, 0 recorded already, 0 conflicting"),
              std::string::npos)
        << i.err;
    EXPECT_EQ(TotalsText(copy), totals) << format;
    // The copy decides later shipments as the original would.
    Result a = Run({"eval", Policy("ai_diffusion_2025"), "--input", examples_, "--ledger", copy});
    Result b =
        Run({"eval", Policy("ai_diffusion_2025"), "--input", examples_, "--ledger", ledger, "--dry-run"});
    EXPECT_EQ(std::regex_replace(a.out, std::regex(",\"ledger_position\":[0-9]+"), ""),
              std::regex_replace(b.out, std::regex(",\"ledger_position\":([0-9]+|null)"), ""))
        << format;
    // Importing it again records nothing new.
    Result twice = Run({"ledger", "import", copy, "--input", file});
    EXPECT_NE(twice.err.find("0 shipments recorded"), std::string::npos) << twice.err;
  }
  std::string jsonl = ReadFile(backend_.dir + "/export.jsonl");
  EXPECT_NE(jsonl.find("{\"position\":66,\"entry\":\"void\",\"id\":\"s18\",\"voids\":18,"),
            std::string::npos);
  EXPECT_NE(jsonl.find("\"reason\":\"entered twice\"}"), std::string::npos);
}

TEST_P(LedgerCommand, ImportUnderAPolicyRecordsAsEvalDoes) {
  Generated g = QuotaShipments(300, 31);
  std::string input = File("history.jsonl", g.text);
  std::string imported = backend_.NewLedger("imported"), evaluated = backend_.NewLedger("evaluated");
  Result i = Run({"ledger", "import", imported, "--input", input, "--policy", Policy("ai_diffusion_2025")});
  ASSERT_EQ(i.status, 0) << i.err;
  EXPECT_TRUE(i.out.empty());
  ASSERT_EQ(Run({"eval", Policy("ai_diffusion_2025"), "--input", input, "--ledger", evaluated}).status, 0);
  EXPECT_EQ(TotalsText(imported), TotalsText(evaluated));
  Result e = Run({"ledger", "export", imported});
  EXPECT_NE(e.out.find("\"command\":\"import\""), std::string::npos);
}

TEST_P(LedgerCommand, ExplainReproducesADecisionOfTheBatch) {
  // Consignee 0's LPP runs out part way: the first shipment after that gets a license in the batch, while on
  // its own (an empty ledger) it would fit.
  Generated g = QuotaShipments(400, 7, 2);
  std::string input = File("batch.jsonl", g.text), ledger = backend_.NewLedger("explain");
  Result batch = Run({"eval", Policy("ai_diffusion_2025"), "--input", input, "--ledger", ledger});
  ASSERT_EQ(batch.status, 0) << batch.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(batch.out, m,
                                std::regex("\\{\"id\":\"(q[0-9]+)\",\"decision\":\"license_required\"")));
  std::string id = m[1];
  std::string line = g.text.substr(g.text.find("{\"id\":\"" + id + "\""));
  line = line.substr(0, line.find('\n'));

  Result alone = Run({"explain", Policy("ai_diffusion_2025"), "--shipment", line});
  EXPECT_NE(alone.out.find("Decision: license_exception(LPP"), std::string::npos) << alone.out;
  Result recorded = Run({"explain", Policy("ai_diffusion_2025"), "--ledger", ledger, "--id", id});
  ASSERT_EQ(recorded.status, 0) << recorded.err;
  EXPECT_NE(recorded.out.find("shipment " + id + ": ledger position "), std::string::npos) << recorded.out;
  EXPECT_NE(recorded.out.find("Decision: license_required"), std::string::npos) << recorded.out;
  EXPECT_NE(recorded.out.find("The recorded decision is the same."), std::string::npos) << recorded.out;
  Result from_file = Run({"explain", Policy("ai_diffusion_2025"), "--input", input, "--id", id});
  ASSERT_EQ(from_file.status, 0) << from_file.err;
  EXPECT_NE(from_file.out.find("Decision: license_required"), std::string::npos) << from_file.out;
  // The quota arithmetic reads the same in both.
  auto arithmetic = [](const std::string& s) { return s.substr(s.find("Decision:")); };
  EXPECT_EQ(arithmetic(from_file.out),
            arithmetic(recorded.out.substr(0, recorded.out.find("\nThe recorded"))));

  EXPECT_EQ(Run({"explain", Policy("ai_diffusion_2025"), "--ledger", ledger, "--id", "nope"}).status, 2);
  EXPECT_EQ(Run({"explain", Policy("ai_diffusion_2025"), "--id", id}).status, 64);  // a usage error
}

TEST_P(LedgerCommand, DecisionsSayWhereTheyCameFrom) {
  std::string ledger = backend_.NewLedger("provenance");
  Result first = Run({"eval", Policy("ai_diffusion_2025"), "--input", examples_, "--ledger", ledger});
  ASSERT_EQ(first.status, 0) << first.err;
  std::smatch m;
  std::regex provenance(
      "\"policy_id\":\"ai_diffusion_2025\",\"policy_version\":\"2025-01-15\",\"policy_hash\":\"([0-9a-f]{64})"
      "\","
      "\"edict_version\":\"[0-9.]+\",\"ledger_position\":1\\}");
  ASSERT_TRUE(std::regex_search(first.out, m, provenance)) << first.out.substr(0, 600);
  std::string hash = m[1];
  // Another policy over the same ledger: its own hash on what it decides, the first one's on what was
  // recorded.
  std::string more =
      File("more.jsonl", std::regex_replace(ReadFile(examples_), std::regex("\"id\": \"s"), "\"id\": \"t"));
  Result second = Run({"eval", Policy("us_ear_timeline"), "--input", more, "--ledger", ledger});
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.out.find(hash), std::string::npos);
  EXPECT_NE(second.out.find("\"policy_id\":\"us_ear_timeline\""), std::string::npos);
  EXPECT_NE(second.out.find("\"ledger_position\":66}"), std::string::npos);
  Result rerun = Run({"eval", Policy("us_ear_timeline"), "--input", examples_, "--ledger", ledger});
  EXPECT_NE(rerun.out.find(
                "\"policy_id\":\"ai_diffusion_2025\",\"policy_version\":\"2025-01-15\",\"policy_hash\":\"" +
                hash + "\",\"edict_version\":"),
            std::string::npos);
  Result table = Run({"eval", Policy("ai_diffusion_2025"), "--input", examples_, "--format", "table"});
  EXPECT_NE(table.out.find("decided under ai_diffusion_2025 2025-01-15 (policy hash " + hash + "), edict "),
            std::string::npos)
      << table.out;
}

INSTANTIATE_TEST_SUITE_P(Databases, LedgerCommand, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

}  // namespace edict::ledger_test
