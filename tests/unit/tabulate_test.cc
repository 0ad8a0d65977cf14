// ir::Tabulate precomputes sub-expressions of one enum field per member. It is an optimisation: every policy
// must decide every shipment exactly as it does without it, and an expression that fails for some member must
// keep failing, at its own location, for shipments of that member.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/driver/pipeline.h"
#include "compiler/ir/dump.h"
#include "runtime/interp/decide.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"

namespace edict {
namespace {

namespace fs = std::filesystem;

driver::Compilation CompileWith(const std::string& path, bool tabulate, const std::string* text = nullptr) {
  driver::CompileOptions options;
  options.tabulate = tabulate;
  return driver::CompileFile(path, options, text);
}

// Shipments: the shipped examples, then every catalog item to a spread of destinations, quantities and dates
// (so quotas fill, and the timeline's policies all decide some).
std::vector<std::string> Shipments(const ir::Program& p) {
  std::vector<std::string> out;
  std::ifstream examples(std::string(EDICT_SOURCE_DIR) + "/examples/shipments.jsonl");
  for (std::string line; std::getline(examples, line);) out.push_back(line);
  const ir::Field& item = p.fields[p.FieldIndex("item")];
  const char* destinations[] = {"US", "GB", "IN", "CN", "MO", "AE", "SG", "RU", "DE", "BR"};
  const char* dates[] = {"2023-06-01", "2024-02-01", "2025-03-01", "2025-06-01", "2026-01-15"};
  int n = 0;
  for (const std::string& chip : p.enums[item.enum_index].members)
    for (const char* dest : destinations) {
      ++n;
      std::string quantity = std::to_string(1 + (n * 7919) % 20000);
      out.push_back(R"({"id":"s)" + std::to_string(n) + R"(","date":")" + dates[n % 5] +
                    R"(","destination":")" + dest + R"(","consignee":"C)" + std::to_string(n % 3) +
                    R"(","item":")" + chip + R"(","quantity":)" + quantity +
                    (n % 4 == 0 ? R"(,"veu":"uveu")" : "") +
                    (chip == "model-weights" ? R"(,"training_ops":1e26)" : "") + "}");
    }
  return out;
}

std::vector<std::string> DecideAll(const ir::Program& p, const std::vector<std::string>& lines) {
  io::RecordParser parser(p);
  MemoryLedger ledger;
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    interp::Record record;
    std::string error, id;
    if (!parser.ParseJson(line, &record, &error, &id)) {
      out.push_back("invalid: " + error);
      continue;
    }
    interp::Decision d = interp::Decide(p, record, ledger, interp::DecideOptions{});
    if (d.error)
      out.push_back("error: " + d.error_message + " at " + std::to_string(d.error_span.line) + ":" +
                    std::to_string(d.error_span.col));
    else
      out.push_back(io::DecisionJson(d, id, /*explain=*/true, !p.timeline.empty()));
  }
  return out;
}

class TabulateEveryPolicy : public testing::TestWithParam<std::string> {};

TEST_P(TabulateEveryPolicy, ChangesNoDecision) {
  driver::Compilation plain = CompileWith(GetParam(), false), tabulated = CompileWith(GetParam(), true);
  ASSERT_TRUE(plain.ok() && tabulated.ok());
  std::vector<std::string> lines = Shipments(*plain.program);
  std::vector<std::string> want = DecideAll(*plain.program, lines),
                           got = DecideAll(*tabulated.program, lines);
  ASSERT_EQ(want.size(), got.size());
  int decided = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << lines[i];
    decided += want[i].find("\"rules\":[]") == std::string::npos;
  }
  // A policy without rules (check_country_groups holds assertions only) decides nothing to compare.
  if (!plain.program->rules.empty() || !plain.program->timeline.empty()) {
    EXPECT_GT(decided, 0) << "no rule fired: the comparison would prove nothing";
  }
}

std::vector<std::string> PolicyPaths() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(std::string(EDICT_SOURCE_DIR) + "/policies"))
    if (e.path().extension() == ".edict") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Policies, TabulateEveryPolicy, testing::ValuesIn(PolicyPaths()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

TEST(Tabulate, ReplacesTheChipClassificationByALookup) {
  std::string path = std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict";
  driver::Compilation plain = CompileWith(path, false), tabulated = CompileWith(path, true);
  ASSERT_TRUE(plain.ok() && tabulated.ok());
  EXPECT_EQ(ir::DumpProgram(*plain.program).find("(tabulated"), std::string::npos);
  std::string dump = ir::DumpProgram(*tabulated.program);
  size_t eccn = dump.find("field eccn = ");
  ASSERT_NE(eccn, std::string::npos);
  EXPECT_NE(dump.substr(eccn, dump.find('\n', eccn) - eccn).find("(tabulated item"), std::string::npos)
      << dump;
}

TEST(Tabulate, AnExpressionThatFailsForOneMemberStillFailsThereAtItsLocation) {
  // 15,832 tpp is the H100 SXM's: the division is by zero for that chip alone.
  std::string text = R"(policy "tab"
  in force from 2025-01-01
import ear.units
import ear.outcomes
import ear.chips
import ear.shipment
import countries

rule odd_ratio
  cite "test"
  when 1000 tpp / (item.tpp - 15_832 tpp) > 0
  then license_required(review: approval)
)";
  driver::Compilation plain = CompileWith("tests/unit/tab.edict", false, &text);
  driver::Compilation tabulated = CompileWith("tests/unit/tab.edict", true, &text);
  ASSERT_TRUE(tabulated.ok()) << RenderAll(tabulated.diags);
  ASSERT_TRUE(plain.ok());
  std::vector<std::string> lines = {
      R"({"id":"a","date":"2025-06-02","destination":"GB","consignee":"C","item":"nvidia-h100-sxm","quantity":1})",
      R"({"id":"b","date":"2025-06-02","destination":"GB","consignee":"C","item":"nvidia-h200","quantity":1})"};
  std::vector<std::string> want = DecideAll(*plain.program, lines),
                           got = DecideAll(*tabulated.program, lines);
  EXPECT_NE(got[0].find("division by zero at 11:"), std::string::npos) << got[0];
  EXPECT_EQ(got[0], want[0]);  // the same error at the same place
  EXPECT_EQ(got[1].find("error"), std::string::npos) << got[1];
  EXPECT_EQ(got[1], want[1]);
}

}  // namespace
}  // namespace edict
