// Pairs of small policies through the semantic diff (structural and Z3 behavioural): the input is the old
// policy, a line "=====", then the new one. Solver queries are bounded (100 ms each, 4 classes, no
// descriptions) so that one input stays well under a second.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/diff/diff.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edict;
  if (size > 16 * 1024) return -1;
  std::string_view text = fuzz::AsText(data, size);
  size_t sep = text.find("\n=====\n");
  if (sep == std::string_view::npos) return -1;
  diff::PolicyInput a{"old", "/nonexistent-fuzz-dir/old.edict", std::string(text.substr(0, sep + 1)),
                      fuzz::kStdlib, fuzz::StdlibCache()};
  diff::PolicyInput b{"new", "/nonexistent-fuzz-dir/new.edict", std::string(text.substr(sep + 7)),
                      fuzz::kStdlib, fuzz::StdlibCache()};
  diff::BehaviourOptions options;
  options.max_classes = 4;
  options.describe_budget = 0;
  options.query_timeout_ms = 100;
  diff::DiffReport report;
  std::string error;
  if (!diff::RunDiff(a, b, options, &report, &error, false)) return 0;
  (void)diff::RenderText(report, false);
  (void)diff::RenderJson(report);
  (void)diff::RenderMarkdown(report);
  // A policy compared with itself decides every shipment alike.
  if (*a.text == *b.text && !report.behaviour.classes.empty())
    fuzz::Fail("a policy differs from itself: " + diff::RenderText(report, false));
  return 0;
}
