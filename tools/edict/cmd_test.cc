// `edict test FILE... [--coverage]`: runs the tests written in policies; ends with "N passed, N failed".
#include <cstdio>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/driver/test_runner.h"
#include "tools/edict/commands.h"
#include "tools/edict/paths.h"

namespace edict::cli {

namespace {

void AddTest(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("test", "Run the tests written in policies");
  static std::vector<std::string> files;
  static bool coverage = false;
  cmd->add_option("files", files, "Policy files, or folders of them")->required()->check(CLI::ExistingPath);
  cmd->add_flag("--coverage", coverage, "Report which rules no test decided by");
  cmd->callback([&] {
    auto& out = driver::Output::Stdout();
    int passed = 0, failed = 0, broken = 0;
    bool listed = true;
    for (const auto& f : ExpandPaths(files, "test", &listed)) {
      auto program = CompileForCommand(f, common);
      if (!program) {
        ++broken;
        out.Print("%s: does not compile\n", f.c_str());
        continue;
      }
      driver::TestReport report = driver::RunTests(*program);
      // A timeline's rules are covered by its own tests and by the tests of the policies it applies.
      for (const auto& entry : program->timeline) {
        driver::TestReport sub = driver::RunTests(*entry.program);
        report.fired.insert(sub.fired.begin(), sub.fired.end());
      }
      for (const auto& r : report.results) {
        if (r.passed)
          out.Print("PASS %s: %s\n", f.c_str(), r.name.c_str());
        else
          out.Print("FAIL %s: %s\n     %s\n", f.c_str(), r.name.c_str(), r.message.c_str());
      }
      passed += report.passed;
      failed += report.failed;
      if (coverage) {
        auto rules = driver::CoverableRules(*program);
        size_t hit = 0;
        std::string missing;
        for (const auto& [key, label] : rules) {
          if (report.fired.count(key))
            ++hit;
          else
            missing += "  no test makes this rule apply: " + label + "\n";
        }
        if (rules.empty())
          out.Print("coverage %s: no rules (the tests are assertions only)\n", f.c_str());
        else
          out.Print("coverage %s: %zu/%zu rules applied in at least one test\n%s", f.c_str(), hit,
                    rules.size(), missing.c_str());
      }
    }
    out.Print("%d passed, %d failed\n", passed, failed + broken);
    if (failed + broken > 0)
      exit_code = driver::kExitNo;
    else if (!listed)
      exit_code = driver::kExitBadData;
  });
}

Registrar registrar(30, AddTest);

}  // namespace

}  // namespace edict::cli
