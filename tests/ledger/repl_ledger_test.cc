// The REPL against a persistent ledger (`:ledger open`, tools/repl/session_ledger.cc), on SQLite and
// PostgreSQL: what-if until :commit, what :commit records (read back by `edict explain --ledger` and by a
// batch), two sessions sharing a ledger, and a query written back as the JSON line a ledger keeps.
#include <gtest/gtest.h>

#include "compiler/driver/pipeline.h"
#include "runtime/io/reader.h"
#include "runtime/io/record_json.h"
#include "runtime/ledger/content_hash.h"
#include "tests/ledger/harness.h"
#include "tools/repl/session.h"

namespace edict::ledger_test {

namespace {

class ReplLedger : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && PgServerUrl().empty())
      GTEST_SKIP() << "no PostgreSQL test server (EDICT_TEST_PG_URL); run through pg_test_server.sh";
    backend_.name = GetParam();
    backend_.dir =
        TempDir("repl-" + GetParam() + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::unique_ptr<repl::Session> NewSession(const std::string& ledger) {
    repl::SessionOptions options;
    options.edict_version = "test";
    auto s = std::make_unique<repl::Session>(options);
    std::string loaded = s->Load(Policy("ai_diffusion_2025"));
    EXPECT_NE(loaded.find("loaded ai_diffusion_2025"), std::string::npos) << loaded;
    std::string opened = s->Handle(":ledger open " + ledger);
    EXPECT_NE(opened.find("opened ledger"), std::string::npos) << opened;
    return s;
  }
  Backend backend_;
};

const char* kIndus = "ship 1000 nvidia-h100-sxm to IN consignee \"Indus Compute\" on 2025-06-02";

TEST_P(ReplLedger, QueriesAreWhatIfsUntilCommitRecordsThem) {
  std::string ledger = backend_.NewLedger("whatif");
  auto s = NewSession(ledger);
  EXPECT_NE(s->Handle(kIndus).find("0 + 15,832,000 = 15,832,000"), std::string::npos);
  EXPECT_NE(s->Handle(":rollback").find("nothing was recorded"), std::string::npos);
  EXPECT_EQ(TotalsText(ledger), "");  // nothing written
  EXPECT_NE(s->Handle(kIndus).find("what-if: :commit records q2"), std::string::npos);
  std::string commit = s->Handle(":commit");
  EXPECT_EQ(commit.rfind("recorded 1 shipment in ledger ", 0), 0u) << commit;
  EXPECT_NE(commit.find(" at position 1\n"), std::string::npos) << commit;
  std::string totals = TotalsText(ledger);
  EXPECT_NE(totals.find("consignee=Indus Compute, year=2025 | 2025 = 15832000\n"), std::string::npos)
      << totals;
  // The session sees what it recorded; another session sees it too, and its next query counts it.
  EXPECT_NE(s->Handle(":ledger").find("15,832,000 of 26,900,000 tpp, 11,068,000 tpp left"),
            std::string::npos);
  auto other = NewSession(ledger);
  EXPECT_NE(other->Handle("ship 100 nvidia-h100-sxm to IN consignee \"Indus Compute\" on 2025-06-03")
                .find("15,832,000 + 1,583,200 = 17,415,200"),
            std::string::npos);
  EXPECT_FALSE(s->had_error());

  // What :commit recorded reads back like a batch's shipment: explained as recorded, and with provenance.
  Result explain =
      Edict({"explain", Policy("ai_diffusion_2025"), "--ledger", ledger, "--id", "q2"}, backend_.dir);
  ASSERT_EQ(explain.status, 0) << explain.err;
  EXPECT_NE(explain.out.find("by edict test under ai_diffusion_2025 2025-01-15"), std::string::npos)
      << explain.out;
  EXPECT_NE(explain.out.find("The recorded decision is the same."), std::string::npos) << explain.out;
  Result exported = Edict({"ledger", "export", ledger}, backend_.dir);
  EXPECT_NE(exported.out.find("\"command\":\"repl\""), std::string::npos) << exported.out;
  // The same shipment in a batch file is recognised as the one recorded (same id and content).
  std::string batch = backend_.dir + "/batch.jsonl";
  WriteFile(batch,
            "{\"id\":\"q2\",\"item\":\"nvidia-h100-sxm\",\"quantity\":1000,\"destination\":\"IN\","
            "\"consignee\":\"Indus Compute\",\"date\":\"2025-06-02\"}\n");
  Result rerun =
      Edict({"eval", Policy("ai_diffusion_2025"), "--input", batch, "--ledger", ledger}, backend_.dir);
  EXPECT_EQ(rerun.status, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("\"recorded\":true"), std::string::npos) << rerun.out;
  EXPECT_EQ(TotalsText(ledger), totals);
}

TEST_P(ReplLedger, CommitDecidesAgainstTheLedgerAsItThenStands) {
  std::string ledger = backend_.NewLedger("moved");
  auto a = NewSession(ledger), b = NewSession(ledger);
  // A asks first: LPP fits. B records first and uses the allowance up; A's commit decides again.
  EXPECT_NE(a->Handle(kIndus + std::string(" id \"a1\"")).find("LICENSE EXCEPTION LPP"), std::string::npos);
  b->Handle("ship 1699 nvidia-h100-sxm to IN consignee \"Indus Compute\" on 2025-06-01 id \"b1\"");
  EXPECT_NE(b->Handle(":commit").find("recorded 1 shipment"), std::string::npos);
  std::string commit = a->Handle(":commit");
  EXPECT_NE(commit.find("recorded 1 shipment"), std::string::npos) << commit;
  EXPECT_NE(commit.find("a1: decided again as license_required (approval) (it was license_exception LPP "
                        "(notify) when asked: the ledger moved meanwhile)"),
            std::string::npos)
      << commit;
  std::string totals = TotalsText(ledger);
  EXPECT_NE(totals.find("consignee=Indus Compute, year=2025 | 2025 = 26898568\n"), std::string::npos)
      << totals;
  EXPECT_NE(
      totals.find("destination=IN, window=2025-01-13..2027-12-31 | 2025-01-13..2027-12-31 = 15832000\n"),
      std::string::npos)
      << totals;

  // Two sessions that gave one id to different shipments: the second :commit refuses its own.
  a->Handle("ship 1 nvidia-h100-sxm to IN consignee \"X\" on 2025-06-03 id \"same\"");
  b->Handle("ship 2 nvidia-h100-sxm to IN consignee \"X\" on 2025-06-03 id \"same\"");
  EXPECT_NE(a->Handle(":commit").find("recorded 1 shipment"), std::string::npos);
  std::string refused = b->Handle(":commit");
  EXPECT_NE(refused.find("recorded 0 shipments"), std::string::npos) << refused;
  EXPECT_NE(refused.find("same: refused: the id is recorded (position 3) with other content"),
            std::string::npos)
      << refused;
  // Asked again with the recorded content, the id reports its recorded decision and consumes nothing.
  std::string again = b->Handle("ship 1 nvidia-h100-sxm to IN consignee \"X\" on 2025-06-03 id \"same\"");
  EXPECT_NE(again.find("RECORDED ALREADY: shipment 'same' is in the ledger at position 3"), std::string::npos)
      << again;
  EXPECT_EQ(b->Handle(":commit"), "nothing to commit\n");
}

TEST_P(ReplLedger, DefaultIdsSkipTheIdsTheLedgerHas) {
  std::string ledger = backend_.NewLedger("ids");
  auto a = NewSession(ledger);
  a->Handle(kIndus);
  a->Handle(kIndus);
  EXPECT_NE(a->Handle(":commit").find("positions 1 to 2"), std::string::npos);
  auto b = NewSession(ledger);  // a new session would start at q1
  EXPECT_NE(b->Handle(kIndus).find("what-if: :commit records q3"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Databases, ReplLedger, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// Every example shipment, written back as JSON and read again, is the same record (and so hashes alike).
TEST(RecordJson, ReadsBackAsTheSameShipment) {
  std::string error;
  auto compiled = driver::CompileFile(Policy("us_ear_timeline"), {});
  ASSERT_TRUE(compiled.program);
  const ir::Program& program = *compiled.program;
  io::RecordParser parser(program);
  std::istringstream lines(ReadFile(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl"));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    interp::Record first, second;
    std::string id, id2;
    ASSERT_TRUE(parser.ParseJson(line, &first, &error, &id)) << error;
    std::string json = io::RecordJson(program, first, id);
    ASSERT_TRUE(parser.ParseJson(json, &second, &error, &id2)) << error << "\n" << json;
    EXPECT_EQ(id2, id);
    EXPECT_EQ(ledger::ShipmentHash(program, second), ledger::ShipmentHash(program, first)) << json;
    EXPECT_EQ(io::RecordJson(program, second, id2), json);
    ++n;
  }
  EXPECT_EQ(n, 65);
  // Texts that need escaping, and a fraction of a unit.
  interp::Record rec;
  std::string id;
  ASSERT_TRUE(
      parser.ParseJson("{\"id\":\"a\\\"b\",\"date\":\"2025-06-02\",\"destination\":\"IN\",\"consignee\":"
                       "\"tab\\there\",\"item\":\"nvidia-h100-sxm\",\"quantity\":3}",
                       &rec, &error, &id))
      << error;
  std::string json = io::RecordJson(program, rec, id);
  EXPECT_NE(json.find("\"id\":\"a\\\"b\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"consignee\":\"tab\\there\""), std::string::npos) << json;
}

}  // namespace

}  // namespace edict::ledger_test
