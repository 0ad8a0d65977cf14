// Policy source: parse, check, lower, and run the policy's own tests through the interpreter. The stdlib
// comes from the source tree, parsed once per process (fuzz::StdlibCache) and checked per input.
#include <cstddef>
#include <cstdint>

#include "compiler/driver/pipeline.h"
#include "compiler/driver/test_runner.h"
#include "compiler/ir/dump.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > 64 * 1024) return -1;  // the interesting structure is small; keeps the rate up
  std::string text(fuzz::AsText(data, size));
  driver::CompileOptions options;
  options.stdlib_dir = fuzz::kStdlib;
  options.parse_cache = fuzz::StdlibCache();
  // A path in a directory with no sibling policies: a relative import finds nothing (E0101), quickly.
  driver::Compilation c = driver::CompileFile("/nonexistent-fuzz-dir/fuzz.edict", options, &text);
  std::string rendered = RenderAll(c.diags);  // every diagnostic renders
  if (!c.ok()) {
    if (!c.diags.HasErrors()) fuzz::Fail("compilation failed without an error diagnostic");
    return 0;
  }
  (void)ir::DumpProgram(*c.program);
  driver::TestReport report = driver::RunTests(*c.program);
  if (report.passed + report.failed != static_cast<int>(report.results.size()))
    fuzz::Fail("test counts do not add up");
  return 0;
}
