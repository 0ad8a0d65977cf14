#include "tools/edict/test_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace edict::cli {

size_t TestRun::Rules() const {
  size_t n = 0;
  for (const auto& f : files) n += f.rules;
  return n;
}

size_t TestRun::Applied() const {
  size_t n = 0;
  for (const auto& f : files) n += f.rules - f.missing.size();
  return n;
}

double TestRun::Percent() const {
  return Rules() == 0 ? 100.0 : 100.0 * Applied() / Rules();
}

std::string TestRun::Summary() const {
  return fmt::format("{} passed, {} failed", passed, failed + broken);
}

namespace {

// "87.5%"; never rounded up to the minimum it misses (89.96 is 89.9%, not 90.0%).
std::string Percent(double p) {
  double shown = static_cast<long long>(p * 10) / 10.0;
  return fmt::format("{:.1f}%", shown);
}

std::string CoverageLine(const TestRun& run) {
  std::string line = fmt::format("coverage: {} of {} rules applied in at least one test",
                                 Percent(run.Percent()), run.Rules());
  if (run.min_coverage)
    line += fmt::format(" ({} {} wanted)", run.CoverageMet() ? "at least" : "below the",
                        Percent(*run.min_coverage));
  return line + "\n";
}

}  // namespace

std::string TestText(const TestRun& run) {
  std::string out;
  for (const auto& f : run.files) {
    if (!f.compiled) {
      out += f.file + ": does not compile\n";
      continue;
    }
    for (const auto& r : f.results) {
      if (!r.passed)
        out += "FAIL " + f.file + ": " + r.name + "\n     " + r.message + "\n";
      else if (run.verbose)
        out += "PASS " + f.file + ": " + r.name + "\n";
    }
    if (!run.coverage_details) continue;
    if (f.rules == 0) {
      out += "coverage " + f.file + ": no rules (the tests are assertions only)\n";
      continue;
    }
    out += fmt::format("coverage {}: {}/{} rules applied in at least one test\n", f.file,
                       f.rules - f.missing.size(), f.rules);
    for (const auto& label : f.missing) out += "  no test makes this rule apply: " + label + "\n";
  }
  if (run.min_coverage) out += CoverageLine(run);
  return out + run.Summary() + "\n";
}

std::string TestJson(const TestRun& run) {
  using Json = nlohmann::ordered_json;
  Json files = Json::array();
  for (const auto& f : run.files) {
    Json file = {{"file", f.file}, {"compiled", f.compiled}};
    Json tests = Json::array();
    for (const auto& r : f.results) {
      Json t = {{"name", r.name}, {"line", r.span.line}, {"passed", r.passed}};
      if (!r.passed) t["message"] = r.message;
      tests.push_back(std::move(t));
    }
    file["tests"] = std::move(tests);
    if (run.coverage && f.compiled)
      file["coverage"] = {
          {"rules", f.rules}, {"applied", f.rules - f.missing.size()}, {"missing", f.missing}};
    files.push_back(std::move(file));
  }
  Json out = {{"files", std::move(files)},
              {"passed", run.passed},
              {"failed", run.failed},
              {"not_compiled", run.broken}};
  if (run.coverage) {
    Json c = {{"rules", run.Rules()}, {"applied", run.Applied()}, {"percent", run.Percent()}};
    if (run.min_coverage) {
      c["minimum"] = *run.min_coverage;
      c["met"] = run.CoverageMet();
    }
    out["coverage"] = std::move(c);
  }
  // Invalid UTF-8 in a test name is replaced, never an exception.
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

// Text for an XML attribute or element: the five predefined entities, and characters XML 1.0 cannot hold
// (other control characters) as U+FFFD.
std::string Xml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += "\xEF\xBF\xBD";
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

// A JUnit class name from a file: "policies/ai_diffusion_2025.edict" -> "policies.ai_diffusion_2025".
std::string ClassName(const std::string& file) {
  std::string name = file;
  if (size_t dot = name.rfind(".edict"); dot != std::string::npos && dot + 6 == name.size()) name.resize(dot);
  for (char& c : name)
    if (c == '/') c = '.';
  return name;
}

}  // namespace

std::string TestJunit(const TestRun& run) {
  bool coverage_case = run.min_coverage.has_value();
  int tests = run.passed + run.failed + run.broken + (coverage_case ? 1 : 0);
  int failures = run.failed + (coverage_case && !run.CoverageMet() ? 1 : 0);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"edict test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests,
                     failures, run.broken);
  for (const auto& f : run.files) {
    std::string cls = Xml(ClassName(f.file));
    if (!f.compiled) {
      out += fmt::format("  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">\n", Xml(f.file));
      out += fmt::format(
          "    <testcase name=\"compiles\" classname=\"{}\" file=\"{}\">\n      <error message=\"the policy "
          "does not "
          "compile (see edict check {})\"/>\n    </testcase>\n  </testsuite>\n",
          cls, Xml(f.file), Xml(f.file));
      continue;
    }
    int file_failures = 0;
    for (const auto& r : f.results) file_failures += r.passed ? 0 : 1;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", Xml(f.file),
                       f.results.size(), file_failures);
    for (const auto& r : f.results) {
      std::string head = fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                                     Xml(r.name), cls, Xml(f.file), r.span.line);
      if (r.passed) {
        out += head + "/>\n";
      } else {
        out += head + ">\n" +
               fmt::format("      <failure message=\"{}\">{}</failure>\n", Xml(r.message), Xml(r.message)) +
               "    </testcase>\n";
      }
    }
    out += "  </testsuite>\n";
  }
  if (coverage_case) {
    std::string line = CoverageLine(run);
    line.pop_back();
    out += fmt::format("  <testsuite name=\"coverage\" tests=\"1\" failures=\"{}\" errors=\"0\">\n",
                       run.CoverageMet() ? 0 : 1);
    out += "    <testcase name=\"minimum coverage\" classname=\"coverage\"";
    if (run.CoverageMet()) {
      out += "/>\n";
    } else {
      std::string missing;
      for (const auto& f : run.files)
        for (const auto& label : f.missing) missing += "no test makes this rule apply: " + label + "\n";
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", Xml(line),
                         Xml(missing));
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace edict::cli
