// Runs the tests written in a policy (`test "..." { ship ... expect ... }`) against the reference
// interpreter.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"

namespace edict::driver {

struct TestResult {
  std::string name;
  bool passed = true;
  std::string message;  // why it failed
  Span span;
};

struct TestReport {
  std::vector<TestResult> results;
  std::set<std::string> fired;  // "policy:rule" of every rule or exception that applied to some test shipment
  int passed = 0, failed = 0;
};

// Runs the tests `select` accepts by name (every test when it is empty).
TestReport RunTests(const ir::Program& program, const std::function<bool(const std::string&)>& select = {});

// Builds a record from a test step's fields (the test's `ship ...`), for the program's schema.
interp::Record RecordFromStep(const ir::Program& program, const ir::TestStep& step);

// Every rule of the program (and of a timeline's policies) as "policy:rule" with its id, for coverage.
std::vector<std::pair<std::string, std::string>> CoverableRules(const ir::Program& program);
std::string CoverageKey(const ir::Program& program, int rule);

}  // namespace edict::driver
