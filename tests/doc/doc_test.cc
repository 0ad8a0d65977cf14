// Policy documents (`edict doc`, compiler/driver/policy_doc.h):
//  - every policies/NAME.edict has a committed docs/policies/NAME.md equal, byte for byte, to what `edict
//  doc`
//    generates now, so the documents never go stale (EDICT_UPDATE_GOLDEN=1 rewrites them; review with git
//    diff);
//  - the generator renders nesting, conditions as written, replacements and withdrawals, and no absolute
//  paths.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/pipeline.h"
#include "compiler/driver/policy_doc.h"
#include "compiler/sema/load.h"

namespace fs = std::filesystem;

namespace edict {
namespace {

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Updating() {
  const char* v = std::getenv("EDICT_UPDATE_GOLDEN");
  return v && *v && std::string(v) != "0";
}

// Runs `edict ARGS` from the source tree; returns the exit status and stores stderr in *err.
int RunEdict(const std::string& args, std::string* err) {
  fs::path err_file = fs::path(testing::TempDir()) / "edict_doc_stderr.txt";
  std::string cmd =
      "cd '" EDICT_SOURCE_DIR "' && '" EDICT_BINARY "' " + args + " 2>'" + err_file.string() + "'";
  int status = std::system(cmd.c_str());
  *err = Read(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// "line N: expected ... / actual ..." for the first line that differs.
std::string FirstDifference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  for (int line = 1;; ++line) {
    bool he = static_cast<bool>(std::getline(e, el)), ha = static_cast<bool>(std::getline(a, al));
    if (!he && !ha) return "the files differ only in the final newline";
    if (!he || !ha || el != al)
      return "first difference at line " + std::to_string(line) +
             ":\n  committed: " + (he ? el : "<end of file>") +
             "\n  generated: " + (ha ? al : "<end of file>");
  }
}

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(EDICT_SOURCE_DIR) / "policies"))
    if (entry.path().extension() == ".edict") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class CommittedDoc : public testing::TestWithParam<std::string> {};

TEST_P(CommittedDoc, MatchesWhatEdictDocGenerates) {
  const std::string name = GetParam();
  const std::string policy = "policies/" + name + ".edict";
  const fs::path committed = fs::path(EDICT_SOURCE_DIR) / "docs" / "policies" / (name + ".md");
  const fs::path generated = fs::path(testing::TempDir()) / ("edict_doc_" + name + ".md");
  const std::string regenerate =
      "regenerate it with `edict doc " + policy + " --output docs/policies/" + name +
      ".md` (or run this test with EDICT_UPDATE_GOLDEN=1), review with git diff, and "
      "commit it";
  std::string err;
  ASSERT_EQ(RunEdict("doc " + policy + " --output '" + generated.string() + "'", &err), 0) << err;
  std::string actual = Read(generated);
  ASSERT_FALSE(actual.empty());
  if (Updating()) {
    std::ofstream(committed, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(committed)) << "docs/policies/" << name << ".md is missing: " << regenerate;
  std::string expected = Read(committed);
  EXPECT_TRUE(expected == actual) << "docs/policies/" << name << ".md is stale (" << policy
                                  << " or the generator changed): " << regenerate << "\n"
                                  << FirstDifference(expected, actual);
}

INSTANTIATE_TEST_SUITE_P(Policies, CommittedDoc, testing::ValuesIn(PolicyNames()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(CommittedDocs, EveryDocHasAPolicy) {
  for (const auto& entry : fs::directory_iterator(fs::path(EDICT_SOURCE_DIR) / "docs" / "policies")) {
    if (entry.path().extension() != ".md") continue;
    fs::path policy = fs::path(EDICT_SOURCE_DIR) / "policies" / (entry.path().stem().string() + ".edict");
    EXPECT_TRUE(fs::exists(policy)) << entry.path().filename()
                                    << " documents no policy in policies/: delete it";
  }
}

TEST(EdictDoc, PrintsToStandardOutputWithoutOutputOption) {
  std::string err;
  fs::path out = fs::path(testing::TempDir()) / "edict_doc_stdout.md";
  ASSERT_EQ(RunEdict("doc policies/check_country_groups.edict > '" + out.string() + "'", &err), 0) << err;
  EXPECT_EQ(Read(out), Read(fs::path(EDICT_SOURCE_DIR) / "docs" / "policies" / "check_country_groups.md"));
}

TEST(EdictDoc, UnwritableOutputIsAnError) {
  std::string err;
  EXPECT_EQ(RunEdict("doc policies/check_country_groups.edict --output /nonexistent-dir/x.md", &err), 2);
  EXPECT_NE(err.find("cannot write '/nonexistent-dir/x.md'"), std::string::npos) << err;
}

TEST(EdictDoc, PolicyWithErrorsGivesDiagnosticsAndNoDocument) {
  fs::path bad = fs::path(testing::TempDir()) / "edict_doc_bad.edict";
  std::ofstream(bad)
      << "policy \"Bad\"\n  version \"1\"\n\nrule r\n  when no_such_field\n  then prohibited\n";
  fs::path out = fs::path(testing::TempDir()) / "edict_doc_bad.md";
  fs::remove(out);
  std::string err;
  EXPECT_EQ(RunEdict("doc '" + bad.string() + "' --output '" + out.string() + "'", &err), 1);
  EXPECT_NE(err.find("error["), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out));
}

// Compiles `text` as if it were the file `path` and renders its document.
std::string DocFor(const std::string& path, const std::string& text) {
  driver::CompileOptions options;
  driver::Compilation c = driver::CompileFile(path, options, &text);
  EXPECT_TRUE(c.ok()) << "policy did not compile";
  if (!c.ok()) return "";
  SourceManager sources;
  DiagnosticList diags;
  sema::LoadOptions load;
  load.stdlib_dirs = sema::DefaultStdlibDirs("");
  sema::LoadedProgram loaded;
  EXPECT_TRUE(sema::LoadProgram(path, &text, sources, load, diags, &loaded));
  return driver::PolicyDocMarkdown(*c.program, &loaded);
}

const char* kNested = R"(policy "Nesting"
  version "1"
  source "test"
  in force from 2025-01-01
  summary "Three levels."

import ear.units
import ear.outcomes
import ear.groups
import ear.chips
import ear.shipment
import countries

/// Licence for advanced chips.
rule base
  cite "R1"
  when eccn in advanced_ic and (destination is CN or destination is MO) and item.datacenter
  then license_required(review: approval)

/// China: denial.
exception deny to base
  cite "R2"
  when destination is CN
  then license_required(review: denial)

/// Unless researchers.
exception research to deny
  cite "R3"
  in force from 2025-06-01
  when end_use is research
  then license_exception(NAC, notify: true)

test "one" {
  ship 1 nvidia-h100-sxm to CN consignee "X" on 2025-07-01 end use research
  expect license_exception(NAC, notify: true) by research
}
)";

TEST(PolicyDoc, NestsExceptionsToExceptionsOneHeadingLevelDeeper) {
  std::string doc = DocFor(EDICT_SOURCE_DIR "/policies/doc_test_nested.edict", kNested);
  size_t base = doc.find("### Rule `base`"), deny = doc.find("#### Exception `deny`"),
         research = doc.find("##### Exception `research`");
  ASSERT_NE(base, std::string::npos) << doc;
  ASSERT_NE(deny, std::string::npos) << doc;
  ASSERT_NE(research, std::string::npos) << doc;
  EXPECT_LT(base, deny);
  EXPECT_LT(deny, research);
  EXPECT_NE(doc.find("- **Overrides:** `deny`"), std::string::npos);
  EXPECT_NE(
      doc.find(
          "- `base` → `license_required(review: approval)`\n  - `deny` → "
          "`license_required(review: denial)`\n    - `research` → `license_exception(NAC, notify: true)`"),
      std::string::npos)
      << doc;
  // The rule's own dates are shown only where they are narrower than the policy's.
  EXPECT_NE(doc.find("- **In force:** from 2025-06-01"), std::string::npos);
  EXPECT_EQ(doc.find("- **In force:** from 2025-01-01"), std::string::npos);
  EXPECT_NE(doc.find("1 test, run with"), std::string::npos);
}

TEST(PolicyDoc, QuotesEachConditionAsWritten) {
  std::string doc = DocFor(EDICT_SOURCE_DIR "/policies/doc_test_nested.edict", kNested);
  // A field access keeps its object; a parenthesised part keeps its parentheses' content.
  EXPECT_NE(
      doc.find("- **When** all of:\n  - `eccn in advanced_ic`\n  - `destination is CN or destination is MO`\n"
               "  - `item.datacenter`\n"),
      std::string::npos)
      << doc;
  EXPECT_NE(doc.find("- **When:** `end_use is research`"), std::string::npos);
  EXPECT_NE(doc.find("Licence for advanced chips."), std::string::npos);
  EXPECT_NE(doc.find("- **Citation:** R3"), std::string::npos);
}

TEST(PolicyDoc, HasNoAbsolutePaths) {
  std::string doc = DocFor(EDICT_SOURCE_DIR "/policies/doc_test_nested.edict", kNested);
  EXPECT_EQ(doc.find(EDICT_SOURCE_DIR), std::string::npos);
  EXPECT_NE(doc.find("`doc_test_nested.edict`"), std::string::npos);
}

const char* kAmending = R"(policy "Amending"
  version "1"
  source "test"
  in force from 2025-01-01

import ear.units
import ear.outcomes
import ear.groups
import ear.chips
import ear.shipment
import countries
import policy "advanced_computing_2023"

/// A narrower licence requirement.
rule narrower replaces advanced_computing_2023.destination_license
  cite "N1"
  when eccn in advanced_ic and destination is CN
  then license_required(review: approval)

/// The headquarters rule goes.
withdraw advanced_computing_2023.hq_license, advanced_computing_2023.nac_hq cite "W1"
)";

TEST(PolicyDoc, ListsReplacedAndWithdrawnRulesAndThePoliciesBuiltUpon) {
  std::string doc = DocFor(EDICT_SOURCE_DIR "/policies/doc_test_amending.edict", kAmending);
  EXPECT_NE(doc.find("## Built upon\n"), std::string::npos) << doc;
  EXPECT_NE(doc.find("- `advanced_computing_2023`: Advanced computing items"), std::string::npos) << doc;
  EXPECT_NE(doc.find("- `narrower` replaces `advanced_computing_2023.destination_license`."),
            std::string::npos);
  EXPECT_NE(
      doc.find("- Withdrawn: `advanced_computing_2023.hq_license`, `advanced_computing_2023.nac_hq`. The "
               "headquarters rule goes. Citation: W1."),
      std::string::npos)
      << doc;
  // Withdrawn and replaced rules have no section of their own; the replaced rule's exceptions now override
  // the new one.
  EXPECT_EQ(doc.find("### Rule `advanced_computing_2023.destination_license`"), std::string::npos);
  EXPECT_EQ(doc.find("### Rule `advanced_computing_2023.hq_license`"), std::string::npos);
  EXPECT_NE(doc.find("### Rule `narrower`"), std::string::npos);
  EXPECT_NE(doc.find("#### Exception `advanced_computing_2023.denial_d5_macau`\n"), std::string::npos);
  EXPECT_NE(doc.find("- **Overrides:** `narrower`"), std::string::npos);
}

}  // namespace
}  // namespace edict
