// Unit tests of the REPL's input handling, short-form queries and completion (the session without a
// terminal).
#include "tools/repl/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tools/repl/input.h"

namespace edict::repl {
namespace {

TEST(ReplInput, ClassifiesWhatIsTyped) {
  EXPECT_EQ(Classify("  "), InputKind::kEmpty);
  EXPECT_EQ(Classify("# a note"), InputKind::kEmpty);
  EXPECT_EQ(Classify(":why"), InputKind::kCommand);
  EXPECT_EQ(Classify("{\"item\": \"x\"}"), InputKind::kJsonQuery);
  EXPECT_EQ(Classify(" { \"item\" : 1}"), InputKind::kJsonQuery);
  EXPECT_EQ(Classify("{}"), InputKind::kJsonQuery);
  EXPECT_EQ(Classify("{IN, FR} + aid_tier1"), InputKind::kExpression);  // a set literal
  EXPECT_EQ(Classify("{\"a\", \"b\"}"), InputKind::kExpression);        // a set of texts: no `:`
  EXPECT_EQ(Classify("ship 1 x to IN"), InputKind::kShipQuery);
  EXPECT_EQ(Classify("const x = 1"), InputKind::kDeclaration);
  EXPECT_EQ(Classify("/// reason\nrule r"), InputKind::kDeclaration);
  EXPECT_EQ(Classify("set_size + 1"), InputKind::kExpression);
  EXPECT_EQ(Classify("1 + 1"), InputKind::kExpression);
}

TEST(ReplInput, MultiLineDeclarationsEndWithAnEmptyLineOrClosingBrace) {
  EXPECT_FALSE(NeedsMore("const x = 1\n"));
  EXPECT_TRUE(NeedsMore("rule r\n"));
  EXPECT_TRUE(NeedsMore("rule r\n  when true\n"));
  EXPECT_FALSE(NeedsMore("rule r\n  when true\n\n"));
  EXPECT_TRUE(NeedsMore("/// doc\n"));
  EXPECT_TRUE(NeedsMore("enum e {\n  a,\n"));
  EXPECT_FALSE(NeedsMore("enum e {\n  a\n}\n"));
  EXPECT_TRUE(NeedsMore("set s = {IN,\n"));
  EXPECT_FALSE(NeedsMore("ship 1 x consignee \"{\"\n"));  // braces inside texts do not count
  EXPECT_FALSE(NeedsMore("/// doc\n\n"));                 // an empty line ends doc comments alone
}

TEST(ReplInput, AFunctionOrRuleWholeOnOneLineIsComplete) {
  EXPECT_FALSE(NeedsMore("function f(c: catalog) -> tpp = c.tpp * 3\n"));
  EXPECT_FALSE(NeedsMore("function f(c: catalog) -> tpp = c.tpp * 3  # a comment\n"));
  EXPECT_FALSE(NeedsMore("/// doc\nfunction f(x: int) -> int = x\n"));
  EXPECT_FALSE(NeedsMore("rule r cite \"x\" when destination is MY then prohibited\n"));
  EXPECT_FALSE(NeedsMore("exception e to r when true then license_required(review: approval)\n"));
  EXPECT_FALSE(NeedsMore("rule r when true then prohibited consumes q\n"));
  EXPECT_FALSE(NeedsMore("rule r when a then prohibited # then\n"));
  EXPECT_TRUE(NeedsMore("function f(c: catalog) -> tpp =\n"));
  EXPECT_TRUE(NeedsMore("function f(c: catalog) -> tpp = c.tpp *\n"));
  EXPECT_TRUE(NeedsMore("rule r when destination is MY\n"));  // no `then` yet: clauses follow
  EXPECT_TRUE(NeedsMore("rule r when true then\n"));
  EXPECT_TRUE(NeedsMore("rule r cite \"then\" when x\n"));  // `then` in a text does not count
  EXPECT_TRUE(
      NeedsMore("rule r\n  when true then prohibited\n"));  // begun over lines: ends with an empty one
  EXPECT_TRUE(NeedsMore("quota q limit 5 tpp measure tpp\n"));
}

TEST(ReplInput, TextsTakeEscapedQuotes) {
  EXPECT_FALSE(NeedsMore("ship 1 x consignee \"a \\\"{\\\" b\"\n"));  // the brace is inside the text
}

TEST(ReplInput, CommandsAreRecognisedOnContinuationLines) {
  EXPECT_TRUE(StartsCommand(":quit"));
  EXPECT_TRUE(StartsCommand("  :help"));
  EXPECT_TRUE(StartsCommand(":?"));
  EXPECT_FALSE(StartsCommand("  : int = 5"));  // a type annotation on its own line
  EXPECT_FALSE(StartsCommand("when x"));
  EXPECT_FALSE(StartsCommand(":"));
}

TEST(ReplInput, HistoryKeepsMultiLineInputAsOneLineUnlessItHasComments) {
  using V = std::vector<std::string>;
  EXPECT_EQ(HistoryEntries({"rule r", "  cite \"x\"", "  then prohibited", ""}),
            (V{"rule r cite \"x\" then prohibited"}));
  EXPECT_EQ(HistoryEntries({"1 + 2"}), (V{"1 + 2"}));
  // A comment or doc comment runs to the end of its line: joined, it would swallow the rest.
  EXPECT_EQ(HistoryEntries({"/// why", "rule r", "  then prohibited"}),
            (V{"/// why", "rule r", "  then prohibited"}));
  EXPECT_EQ(HistoryEntries({"const c = 5 units  # five", "", "  "}), (V{"const c = 5 units  # five"}));
}

TEST(ReplInput, TypedPathsTakeQuotesAndHome) {
  const char* old_home = std::getenv("HOME");
  std::string saved = old_home ? old_home : "";
  setenv("HOME", "/home/regulator", 1);
  EXPECT_EQ(TypedPath("~/p.edict"), "/home/regulator/p.edict");
  EXPECT_EQ(TypedPath("~"), "/home/regulator");
  EXPECT_EQ(TypedPath("\"my policies/p.edict\""), "my policies/p.edict");
  EXPECT_EQ(TypedPath("a~/p.edict"), "a~/p.edict");
  if (old_home)
    setenv("HOME", saved.c_str(), 1);
  else
    unsetenv("HOME");
}

TEST(ReplInput, HistoryKeepsATextThatGoesOnToTheNextLineLineByLine) {
  std::vector<std::string> lines = {"rule r cite \"abc\\", "   def\" then prohibited"};
  EXPECT_EQ(HistoryEntries(lines), lines);
}

TEST(ReplInput, DeclaredNames) {
  EXPECT_EQ(DeclaredName("/// doc with rule in it\nrule pilot_cap\n  then prohibited\n"), "pilot_cap");
  EXPECT_EQ(DeclaredName("function triple(c: catalog) -> tpp = c.tpp * 3"), "triple");
  EXPECT_EQ(DeclaredName("exception small to licence"), "small");
  EXPECT_EQ(DeclaredName("test \"x\" {"), "\"x\"");
  EXPECT_EQ(DeclaredName("import ear.groups"), "");
  EXPECT_EQ(DeclaredName("import policy \"m3\""), "");
  EXPECT_EQ(DeclaredName("withdraw lpp_exception"), "");
}

class ReplSession : public testing::Test {
 protected:
  void SetUp() override {
    std::string out = session.Load(EDICT_SOURCE_DIR "/policies/ai_diffusion_2025.edict");
    ASSERT_NE(out.find("loaded ai_diffusion_2025"), std::string::npos) << out;
  }
  Session session{SessionOptions{}};
};

TEST_F(ReplSession, CompletesChipIdsCountriesCommandsAndFields) {
  Completion c = session.Complete("ship 10 nvidia-h100-s");
  EXPECT_EQ(c.start, 8u);
  EXPECT_EQ(c.candidates, std::vector<std::string>{"nvidia-h100-sxm"});
  c = session.Complete("ship 10 nvidia-h100-sxm to C");
  EXPECT_NE(std::find(c.candidates.begin(), c.candidates.end(), "CN"), c.candidates.end());
  EXPECT_EQ(std::find(c.candidates.begin(), c.candidates.end(), "consignee"), c.candidates.end());
  c = session.Complete(":rel");
  EXPECT_EQ(c.start, 0u);
  EXPECT_EQ(c.candidates, std::vector<std::string>{":reload"});
  c = session.Complete("ship 1 nvidia-h100-sxm with consignee_");
  EXPECT_EQ(c.candidates, std::vector<std::string>{"consignee_hq"});
  c = session.Complete("performance_d");
  EXPECT_EQ(c.candidates, std::vector<std::string>{"performance_density"});
}

// Typed imports add up (none replaces another), and a test typed again replaces the one typed before.
TEST_F(ReplSession, ImportsAddUpAndTestsAreReplacedByName) {
  EXPECT_NE(session.Handle("import ear.groups").find("added import"), std::string::npos);
  EXPECT_NE(session.Handle("import ear.chips").find("added import"), std::string::npos);
  EXPECT_EQ(session.Handle("d5_and_macau").find("unknown name"), std::string::npos);
  std::string test =
      "test \"typed\" {\n  ship 1 nvidia-h100-sxm to IN consignee \"a\" on 2025-03-01\n  expect ";
  EXPECT_NE(session.Handle(test + "prohibited\n}\n").find("added the test"), std::string::npos);
  EXPECT_NE(session.Handle(test + "license_exception(LPP, notify: true)\n}\n").find("replaced the test"),
            std::string::npos);
  std::string tests = session.Handle(":tests");
  EXPECT_NE(tests.find("PASS typed"), std::string::npos) << tests;
  EXPECT_EQ(tests.find("FAIL"), std::string::npos) << tests;
}

// `:load ~/...` completes and loads from $HOME.
TEST_F(ReplSession, LoadCompletesAndReadsUnderHome) {
  namespace fs = std::filesystem;
  fs::path home = fs::temp_directory_path() / ("edict_repl_home_" + std::to_string(::getpid()));
  fs::create_directories(home / "pol");
  fs::copy_file(EDICT_SOURCE_DIR "/tests/diff/fixtures/base.edict", home / "pol" / "home_policy.edict",
                fs::copy_options::overwrite_existing);
  const char* old_home = std::getenv("HOME");
  std::string saved = old_home ? old_home : "";
  setenv("HOME", home.c_str(), 1);
  Completion c = session.Complete(":load ~/po");
  EXPECT_EQ(c.candidates, std::vector<std::string>{"~/pol/"});
  c = session.Complete(":load ~/pol/");
  EXPECT_EQ(c.candidates, std::vector<std::string>{"~/pol/home_policy.edict"});
  std::string out = session.Handle(":load ~/pol/home_policy.edict");
  EXPECT_NE(out.find("loaded home_policy"), std::string::npos) << out;
  if (old_home)
    setenv("HOME", saved.c_str(), 1);
  else
    unsetenv("HOME");
  fs::remove_all(home);
}

// Quotas of the same name declared by two policies (an edited copy under another file name) keep ledger
// entries of their own; :ledger tells them apart.
TEST(ReplLedger, EntriesThatReadAlikeNameTheirPolicy) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("edict_repl_ledger_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* name : {"quota_copy_a.edict", "quota_copy_b.edict"})
    fs::copy_file(EDICT_SOURCE_DIR "/tests/diff/fixtures/base.edict", dir / name,
                  fs::copy_options::overwrite_existing);
  Session session{SessionOptions{}};
  session.Load((dir / "quota_copy_a.edict").string());
  session.Load((dir / "quota_copy_b.edict").string());
  for (const char* policy : {":policy quota_copy_a", ":policy quota_copy_b"}) {
    session.Handle(policy);
    session.Handle("ship 100 nvidia-h100-sxm to IN consignee \"X\" on 2025-06-02");
    session.Handle(":commit");
  }
  std::string ledger = session.Handle(":ledger");
  EXPECT_NE(ledger.find("small (consignee=X, year=2025) [quota_copy_a.small]: 1,583,200 tpp"),
            std::string::npos)
      << ledger;
  EXPECT_NE(ledger.find("small (consignee=X, year=2025) [quota_copy_b.small]: 1,583,200 of 26,900,000 tpp"),
            std::string::npos)
      << ledger;
  fs::remove_all(dir);
}

TEST_F(ReplSession, QueriesAreWhatIfsUntilCommitted) {
  std::string q = "ship 800 nvidia-h100-sxm to IN consignee \"A\" on 2025-03-01";
  EXPECT_NE(session.Handle(q).find("0 + 12,665,600 = 12,665,600"), std::string::npos);
  EXPECT_NE(session.Handle(q).find("12,665,600 + 12,665,600 = 25,331,200"),
            std::string::npos);  // sees the pending use
  EXPECT_NE(session.Handle(":rollback").find("2 queries"), std::string::npos);
  EXPECT_NE(session.Handle(q).find("0 + 12,665,600 = 12,665,600"), std::string::npos);
  EXPECT_NE(session.Handle(":commit").find("1 query"), std::string::npos);
  EXPECT_EQ(session.Handle(":rollback"), "nothing to roll back\n");
  EXPECT_NE(session.Handle(q).find("12,665,600 + 12,665,600"), std::string::npos);
  EXPECT_FALSE(session.had_error());
}

TEST_F(ReplSession, JsonQueriesKeepTheirOwnIdAndGetOneOnlyWhenTheyHaveNone) {
  std::string out = session.Handle(
      "{\"id\": \"mine\", \"item\": \"nvidia-h100-sxm\", \"quantity\": 10, \"destination\": \"IN\", "
      "\"consignee\": \"id\", \"date\": \"2025-03-01\"}");
  EXPECT_NE(out.find("SHIPS UNDER"), std::string::npos) << out;
  EXPECT_NE(session.Handle(":why").find("id=\"mine\""), std::string::npos);
  out = session.Handle(
      "{\"item\": \"nvidia-h100-sxm\", \"quantity\": 10, \"destination\": \"IN\", \"consignee\": \"id\", "
      "\"date\": \"2025-03-01\", \"exporter\": \"\\\"id\\\": 1\"}");
  EXPECT_NE(out.find("SHIPS UNDER"), std::string::npos) << out;
  EXPECT_NE(session.Handle(":why").find("id=\"q2\""), std::string::npos);
  EXPECT_FALSE(session.had_error());
}

TEST_F(ReplSession, ErrorsPointIntoTheTypedLineAndDoNotEndTheSession) {
  std::string out = session.Handle("nvidia-h100-sxm.tpp * nope");
  EXPECT_NE(out.find("<input>:1:23"), std::string::npos) << out;
  EXPECT_NE(out.find(" 1 | nvidia-h100-sxm.tpp * nope"), std::string::npos) << out;
  EXPECT_TRUE(session.had_error());
  EXPECT_FALSE(session.done());
  EXPECT_EQ(session.Handle("2 * 21"), "42\n");
}

TEST_F(ReplSession, TypedRulesChangeTheAnswer) {
  std::string q = "ship 10 nvidia-h100-sxm to FR consignee \"B\" on 2025-03-01";
  std::string before = session.Handle(q);
  std::string added =
      session.Handle("rule no_france\n  cite \"test\"\n  when destination is FR\n  then prohibited\n\n");
  EXPECT_NE(added.find("added rule no_france"), std::string::npos) << added;
  std::string after = session.Handle(q);
  EXPECT_EQ(before.find("PROHIBITED"), std::string::npos) << before;
  EXPECT_NE(after.find("PROHIBITED"), std::string::npos) << after;
  EXPECT_NE(after.find("by no_france [test]"), std::string::npos) << after;
  // Typed again, the rule replaces the one typed before.
  std::string replaced = session.Handle(
      "rule no_france cite \"test 2\" when destination is FR then license_required(review: denial)\n");
  EXPECT_NE(replaced.find("replaced rule no_france"), std::string::npos) << replaced;
  after = session.Handle(q);
  EXPECT_EQ(after.find("PROHIBITED"), std::string::npos) << after;
  EXPECT_NE(after.find("by no_france [test 2]"), std::string::npos) << after;
  session.Handle(":reset");
  EXPECT_EQ(session.Handle(q).find("no_france"), std::string::npos);
}

// :compare's table is as wide as the terminal (set by the loop from $COLUMNS or the tty), not a fixed 124.
TEST_F(ReplSession, CompareTableFitsTheTerminalWidth) {
  std::string out = session.Load(EDICT_SOURCE_DIR "/policies/licensing_regime_draft.edict");
  ASSERT_NE(out.find("loaded licensing_regime_draft"), std::string::npos) << out;
  session.Handle(":policy ai_diffusion_2025");
  session.Handle("ship 600 nvidia-h100-sxm to IN consignee \"Tata\" on 2025-06-02");
  for (int columns : {52, 80, 100, 124, 200}) {
    session.set_columns(columns);
    std::string table = session.Handle(":compare licensing_regime_draft");
    size_t widest = 0, lines = 0;
    for (size_t at = 0, end; at < table.size(); at = end + 1, ++lines) {
      end = table.find('\n', at);
      widest = std::max(widest, end - at);
    }
    EXPECT_LE(widest, static_cast<size_t>(columns)) << table;
    EXPECT_GT(widest, static_cast<size_t>(columns) - 12) << table;  // and it uses the width it has
    EXPECT_GT(lines, 6u) << table;
  }
  EXPECT_FALSE(session.had_error());
}

// A user's file named session.edict, loaded by a relative path, is reloaded like any other (the built-in
// session policy has that path too, and was once told apart by it).
TEST(ReplReload, RereadsAFileCalledSessionEdict) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(testing::TempDir()) / ("edict_repl_reload_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path before = fs::current_path();
  fs::current_path(dir);
  auto write = [](const char* limit) {
    std::ofstream("session.edict") << "policy \"mine\"\n  summary \"x\"\n\nimport ear.units\n\nconst cap = "
                                   << limit << " tpp\n";
  };
  write("5");
  Session session{SessionOptions{}};
  std::string out = session.Load("session.edict");
  EXPECT_NE(out.find("loaded session"), std::string::npos) << out;
  write("7");
  out = session.Handle(":reload");
  EXPECT_NE(out.find("reloaded session"), std::string::npos) << out;
  EXPECT_EQ(session.Handle("cap"), "7 tpp\n");
  fs::current_path(before);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace edict::repl
