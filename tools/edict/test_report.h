// What `edict test` found, and its three renderings: text for people (quiet on success: failures, coverage
// when asked, and the closing "N passed, N failed"), JSON and JUnit XML for CI systems (--format json|junit).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/driver/test_runner.h"

namespace edict::cli {

struct FileTests {
  std::string file;
  bool compiled = false;
  std::vector<driver::TestResult> results;  // the tests run (those --filter selected)
  // Coverage (with --coverage or --min-coverage): the file's rules, and those no test run made apply.
  size_t rules = 0;
  std::vector<std::string> missing;
};

struct TestRun {
  std::vector<FileTests> files;
  int passed = 0, failed = 0, broken = 0;  // broken: files that do not compile
  bool coverage = false;                   // computed (--coverage or --min-coverage)
  bool coverage_details = false;           // --coverage: each file's rules no test applies
  std::optional<double> min_coverage;      // --min-coverage PCT
  bool verbose = false;                    // --verbose: the tests that passed too

  size_t Rules() const;
  size_t Applied() const;
  double Percent() const;  // 100 when there are no rules
  bool CoverageMet() const { return !min_coverage || Percent() >= *min_coverage; }
  // "12 passed, 1 failed": a file that does not compile counts as a failure.
  std::string Summary() const;
};

std::string TestText(const TestRun& run);  // ends with Summary()
std::string TestJson(const TestRun& run);
std::string TestJunit(const TestRun& run);

}  // namespace edict::cli
