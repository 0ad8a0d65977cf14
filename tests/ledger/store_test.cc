// The ledger store on its own: totals survive reopening, a second id is refused, Find, voids and the state
// before a position, two stores on one ledger, and the schema version check.
#include <gtest/gtest.h>

#include <deque>

#include "runtime/ledger/amount.h"
#include "tests/ledger/harness.h"

namespace edict::ledger_test {

namespace {

using ledger::ChunkRecords;
using ledger::EntryRecord;
using ledger::Store;
using ledger::UseRecord;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && PgServerUrl().empty())
      GTEST_SKIP() << "no PostgreSQL test server (EDICT_TEST_PG_URL); run through pg_test_server.sh";
    backend_.name = GetParam();
    backend_.dir = TempDir("store-" + GetParam() + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    where_ = backend_.NewLedger("store");
  }
  std::unique_ptr<Store> Open() {
    std::string error;
    auto s = Store::Open(where_, &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  // Records shipments (id, key, amount) in one transaction, adding to the totals as an engine would.
  Store::RecordResult Put(Store& s, const std::vector<std::tuple<std::string, std::string, int>>& rows) {
    std::string error;
    EXPECT_TRUE(s.Begin(true, &error)) << error;
    int64_t outcome = 0;
    EXPECT_TRUE(s.InternOutcome("\"decision\":\"license_exception\"", &outcome, &error)) << error;
    ChunkRecords chunk;
    for (const auto& [id, key, amount] : rows) {
      EntryRecord e;
      e.id = id;
      inputs_.push_back("{\"id\":\"" + id + "\"}");
      e.input = inputs_.back();
      e.content = std::hash<std::string>()(id);
      e.outcome = outcome;
      e.first_use = static_cast<uint32_t>(chunk.uses.size());
      if (!key.empty()) {
        UseRecord u;
        u.ledger_key = key;
        u.quota = "lpp";
        labels_.push_back("consignee=" + key);
        u.label = labels_.back();
        u.unit = "tpp";
        u.limit = Rational::Int(100);
        u.amount = Rational::Int(amount);
        u.before = s.Consumed(key);
        EXPECT_TRUE(s.Add(key, u.amount));
        chunk.uses.push_back(u);
        e.uses = 1;
      }
      chunk.entries.push_back(e);
    }
    Store::RecordResult r = s.Record(chunk, &error);
    if (r == Store::RecordResult::kOk)
      EXPECT_TRUE(s.Commit(&error)) << error;
    else
      s.Rollback();
    return r;
  }
  Backend backend_;
  std::string where_;
  std::deque<std::string> inputs_, labels_;
};

TEST_P(StoreTest, TotalsSurviveReopening) {
  {
    auto s = Open();
    ASSERT_EQ(Put(*s, {{"a",
                        "lpp\x1f"
                        "A\x1f"
                        "2025",
                        30},
                       {"b",
                        "lpp\x1f"
                        "A\x1f"
                        "2025",
                        20},
                       {"c", "", 0}}),
              Store::RecordResult::kOk);
    EXPECT_EQ(s->Consumed("lpp\x1f"
                          "A\x1f"
                          "2025"),
              Rational::Int(50));
  }
  auto s = Open();
  std::string error;
  ASSERT_TRUE(s->Begin(false, &error)) << error;
  EXPECT_EQ(s->Consumed("lpp\x1f"
                        "A\x1f"
                        "2025"),
            Rational::Int(50));
  EXPECT_EQ(s->Consumed("lpp\x1f"
                        "B\x1f"
                        "2025"),
            Rational{});
  EXPECT_EQ(s->next_position(), 4);
  s->Rollback();
}

TEST_P(StoreTest, ARecordedIdIsRefusedAndNothingOfTheChunkIsWritten) {
  auto s = Open();
  std::string key =
      "lpp\x1f"
      "A\x1f"
      "2025";
  ASSERT_EQ(Put(*s, {{"a", key, 30}}), Store::RecordResult::kOk);
  EXPECT_EQ(Put(*s, {{"b", key, 5}, {"a", key, 7}}), Store::RecordResult::kIdTaken);
  std::string error;
  ASSERT_TRUE(s->Begin(false, &error));
  EXPECT_EQ(s->Consumed(key), Rational::Int(30));
  EXPECT_EQ(s->next_position(), 2);
  std::vector<std::string_view> ids = {"a", "b"};
  std::vector<ledger::RecordedShipment> found;
  ASSERT_TRUE(s->Find(ids, &found, &error)) << error;
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "a");
  EXPECT_EQ(found[0].position, 1);
  EXPECT_EQ(found[0].decision, "\"decision\":\"license_exception\"");
  ASSERT_EQ(found[0].uses.size(), 1u);
  EXPECT_EQ(found[0].uses[0].amount, Rational::Int(30));
  EXPECT_EQ(found[0].uses[0].period, "2025");
  s->Rollback();
}

TEST_P(StoreTest, AVoidGivesBackTheUseAndKeepsAnAuditEntry) {
  auto s = Open();
  std::string key =
      "lpp\x1f"
      "A\x1f"
      "2025";
  ASSERT_EQ(Put(*s, {{"a", key, 30}, {"b", key, 20}}), Store::RecordResult::kOk);
  ledger::VoidRecord v;
  std::string error;
  ledger::RunInfo run;
  run.edict_version = "test";
  ASSERT_TRUE(s->Void("a", "entered twice", run, &v, &error)) << error;
  EXPECT_EQ(v.position, 3);
  EXPECT_EQ(v.voided, 1);
  EXPECT_FALSE(s->Void("a", "again", run, &v, &error));
  EXPECT_NE(error.find("voided already"), std::string::npos) << error;
  EXPECT_FALSE(s->Void("zz", "", run, &v, &error));
  // The id is free again: a corrected shipment may take it.
  ASSERT_EQ(Put(*s, {{"a", key, 1}}), Store::RecordResult::kOk);
  MemoryLedger before;
  ASSERT_TRUE(s->StateBefore(2, &before, &error)) << error;
  EXPECT_EQ(before.Consumed(key), Rational::Int(30));  // the void came later
  ASSERT_TRUE(s->StateBefore(4, &before, &error)) << error;
  EXPECT_EQ(before.Consumed(key), Rational::Int(20));
  ASSERT_TRUE(s->Begin(false, &error));
  EXPECT_EQ(s->Consumed(key), Rational::Int(21));
  s->Rollback();
  std::vector<std::string> seen;
  ASSERT_TRUE(s->ForEachEntry(
      [&](const ledger::RecordedShipment* sh, const ledger::VoidRecord* vo) {
        seen.push_back(sh ? sh->id + "@" + std::to_string(sh->position) + (sh->voided_by ? "x" : "")
                          : "void " + vo->id + "@" + std::to_string(vo->position) + " " + vo->reason);
        return true;
      },
      &error))
      << error;
  EXPECT_EQ(seen, (std::vector<std::string>{"a@1x", "b@2", "void a@3 entered twice", "a@4"}));
}

TEST_P(StoreTest, TwoStoresSeeEachOthersCommits) {
  auto one = Open(), two = Open();
  std::string key =
                  "lpp\x1f"
                  "A\x1f"
                  "2025",
              error;
  ASSERT_EQ(Put(*one, {{"a", key, 30}}), Store::RecordResult::kOk);
  ASSERT_EQ(Put(*two, {{"b", key, 5}}), Store::RecordResult::kOk);
  ASSERT_TRUE(one->Begin(true, &error));
  EXPECT_EQ(one->Consumed(key), Rational::Int(35));
  EXPECT_EQ(one->next_position(), 3);
  one->Rollback();
  EXPECT_EQ(Put(*one, {{"b", key, 5}}), Store::RecordResult::kIdTaken);
}

TEST_P(StoreTest, ANewerSchemaIsRefused) {
  { auto s = Open(); }
  {
    auto s = Open();
    std::string error;
    ASSERT_TRUE(s->Begin(true, &error));
    s->Rollback();
  }
  // Written by "a newer edict".
  {
    std::string error;
    auto conn =
        GetParam() == "sqlite" ? ledger::OpenSqlite(where_, &error) : ledger::OpenPostgres(where_, &error);
    ASSERT_TRUE(conn) << error;
    ASSERT_TRUE(conn->Begin(true, &error)) << error;
    ASSERT_TRUE(conn->Run("UPDATE ledger_state SET schema_version = 99", {}, nullptr, nullptr, &error))
        << error;
    ASSERT_TRUE(conn->Commit(&error)) << error;
  }
  std::string error;
  EXPECT_FALSE(Store::Open(where_, &error));
  EXPECT_NE(error.find("schema version 99, newer than this edict knows"), std::string::npos) << error;
}

TEST(LedgerAmount, RoundTrips) {
  for (const char* text : {"0", "1699", "-5", "5.92", "3/7", "26900000"}) {
    auto r = ledger::ParseAmount(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(ledger::AmountText(*r), text);
  }
  EXPECT_FALSE(ledger::ParseAmount("x"));
  EXPECT_FALSE(ledger::ParseAmount("1/0"));
  EXPECT_FALSE(ledger::ParseAmount("1.5/2"));
}

TEST(LedgerFile, NotADatabaseIsAnError) {
  std::string dir = TempDir("notdb");
  WriteFile(dir + "/x.db", "this is not a database, it is text long enough to be read as a header.....\n");
  std::string error;
  EXPECT_FALSE(Store::Open(dir + "/x.db", &error));
  EXPECT_NE(error.find("x.db"), std::string::npos) << error;
  EXPECT_FALSE(Store::Open(dir + "/missing/dir/x.db", &error));
  EXPECT_NE(error.find("cannot open ledger"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// The JIT keeps its quota totals from batch to batch while the ledger's Version() is the one its last flush
// left; every change, by anyone, must give a new one, and no two ledgers may share one.
TEST(MemoryLedgerVersion, ChangesWithEveryChangeAndIsNeverShared) {
  MemoryLedger a, b;
  EXPECT_NE(a.Version(), 0u);
  EXPECT_NE(a.Version(), b.Version());
  EXPECT_TRUE(a.KnownEmpty());
  uint64_t v = a.Version();
  EXPECT_EQ(a.Version(), v);  // asking changes nothing
  (void)a.Consumed("q|k|2025");
  EXPECT_EQ(a.Version(), v);  // nor does reading
  a.Add("q|k|2025", Rational::Int(5));
  EXPECT_FALSE(a.KnownEmpty());
  EXPECT_NE(a.Version(), v);
  v = a.Version();
  a.AddHashed("q|k|2025", LedgerKeyHash("q|k|2025"), Rational{1, 3});
  EXPECT_NE(a.Version(), v);
  v = a.Version();
  a.Clear();
  EXPECT_NE(a.Version(), v);
  EXPECT_TRUE(a.KnownEmpty());
  v = a.Version();
  MemoryLedger c = a;  // a copy is another ledger
  EXPECT_NE(c.Version(), v);
  v = b.Version();
  b = a;  // and a ledger assigned to has changed
  EXPECT_NE(b.Version(), v);
}

}  // namespace

}  // namespace edict::ledger_test
