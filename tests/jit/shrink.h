// Greedy shrinking of a failing shipment: simplify one input field at a time, keeping a simpler value only
// while the shipment still fails, until nothing simpler fails (or the attempt budget is spent). What "fails"
// means is the caller's predicate, so the shrinker knows nothing of the engines.
#pragma once

#include <functional>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/date.h"
#include "runtime/interp/decide.h"

namespace edict::jit_test {

// Whether a candidate still fails. The candidate holds input fields only (as drawn: left-out fields absent,
// derived fields absent); engines fill in defaults, so a predicate that decides it must decide a copy.
using FailsPredicate = std::function<bool(const interp::Record&)>;

struct ShrinkOptions {
  // The date every date field is first tried at.
  int simple_date = DaysFromCivil(2025, 1, 1);
  // Dates where decisions change (rule and policy boundaries, +-1 day); tried before arbitrary dates.
  std::vector<int> boundary_dates;
  // Predicate calls at most; each call counts, accepted or not.
  int max_attempts = 5000;
};

struct ShrinkResult {
  interp::Record record;  // the simplest failing shipment found
  int attempts = 0;       // predicate calls
  int steps = 0;          // simplifications kept
  bool capped = false;    // stopped by max_attempts before reaching a fixed point
};

// `failing` must fail. Simpler means, per field: left out (optional fields and fields with defaults); then
// false; "" ; enum member 0; numbers at 0 (1 for counts), then whole, then nearer to it; dates at the simple
// date, then at boundary dates nearer to it, then nearer to it. The identifier and derived fields are kept.
ShrinkResult Shrink(const ir::Program& program, const interp::Record& failing, const FailsPredicate& fails,
                    const ShrinkOptions& options = {});

}  // namespace edict::jit_test
