// `edict test FILES|DIRS`: runs the tests written in policies. Quiet when they pass (each failure, coverage
// when asked, then "N passed, N failed"); --format json|junit for CI systems, --filter NAME, --min-coverage
// PCT.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/driver/test_runner.h"
#include "tools/edict/commands.h"
#include "tools/edict/paths.h"
#include "tools/edict/test_report.h"

namespace edict::cli {

namespace {

struct TestArgs {
  std::vector<std::string> files, filters;
  std::string format = "text";
  bool coverage = false, verbose = false;
  double min_coverage = 0;
  const CLI::Option* min_coverage_option = nullptr;  // given when its count() > 0
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// --filter: a test runs when its name contains one of the texts, in any case.
bool Selected(const std::vector<std::string>& filters, const std::string& name) {
  if (filters.empty()) return true;
  std::string lower = Lower(name);
  return std::any_of(filters.begin(), filters.end(),
                     [&](const std::string& f) { return lower.find(Lower(f)) != std::string::npos; });
}

int RunTestCommand(const TestArgs& args, const Common& common) {
  TestRun run;
  run.coverage_details = args.coverage;
  bool minimum = args.min_coverage_option && args.min_coverage_option->count() > 0;
  run.coverage = args.coverage || minimum;
  if (minimum) run.min_coverage = args.min_coverage;
  run.verbose = args.verbose;
  auto select = [&](const std::string& name) { return Selected(args.filters, name); };
  bool listed = true;
  size_t selected = 0;
  for (const auto& path : ExpandPaths(args.files, "test", &listed)) {
    FileTests file;
    file.file = path;
    auto program = CompileForCommand(path, common);
    if (!program) {
      ++run.broken;
      run.files.push_back(std::move(file));
      continue;
    }
    file.compiled = true;
    driver::TestReport report = driver::RunTests(*program, select);
    // A timeline's rules are covered by its own tests and by the tests of the policies it applies.
    for (const auto& entry : program->timeline) {
      driver::TestReport sub = driver::RunTests(*entry.program, select);
      report.fired.insert(sub.fired.begin(), sub.fired.end());
    }
    run.passed += report.passed;
    run.failed += report.failed;
    selected += report.results.size();
    file.results = std::move(report.results);
    if (run.coverage) {
      auto rules = driver::CoverableRules(*program);
      file.rules = rules.size();
      for (const auto& [key, label] : rules)
        if (!report.fired.count(key)) file.missing.push_back(label);
    }
    run.files.push_back(std::move(file));
  }
  auto& out = driver::Output::Stdout();
  if (args.format == "json")
    out.Write(TestJson(run));
  else if (args.format == "junit")
    out.Write(TestJunit(run));
  else
    out.Write(TestText(run));
  // The machine formats keep standard output to themselves; the closing line goes to standard error.
  if (args.format != "text") std::fprintf(stderr, "%s\n", run.Summary().c_str());
  if (!args.filters.empty() && selected == 0 && run.broken == 0) {
    std::string names;
    for (const auto& f : args.filters) names += (names.empty() ? "'" : ", '") + f + "'";
    std::fprintf(stderr, "edict test: no test name contains %s\n", names.c_str());
    return driver::kExitUsage;
  }
  if (run.failed + run.broken > 0 || !run.CoverageMet()) return driver::kExitNo;
  if (!listed) return driver::kExitBadData;
  return driver::kExitOk;
}

void AddTest(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("test", "Run the tests written in policies");
  static TestArgs args;
  cmd->add_option("files", args.files, "Policy files, or folders of them")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("--format", args.format, "text, json or junit (JUnit XML, for CI systems)")
      ->check(CLI::IsMember({"text", "json", "junit"}));
  cmd->add_option("--filter", args.filters,
                  "Run only the tests whose name contains this text, in any case (repeat for several)")
      ->type_name("TEXT")
      ->allow_extra_args(false);  // each --filter takes one value, so files can follow
  cmd->add_flag("--coverage", args.coverage, "Report which rules no test decided by");
  args.min_coverage_option =
      cmd->add_option("--min-coverage", args.min_coverage,
                      "Fail (status 1) when fewer than PCT percent of the rules apply in at least one test")
          ->type_name("PCT")
          ->check(CLI::Range(0.0, 100.0))
          ->default_str("");  // none: no minimum
  cmd->add_flag("--verbose,-v", args.verbose, "List the tests that passed too");
  cmd->callback([&] { exit_code = RunTestCommand(args, common); });
}

Registrar registrar(30, AddTest);

}  // namespace

}  // namespace edict::cli
