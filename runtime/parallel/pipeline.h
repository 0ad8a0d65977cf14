// An ordered pipeline over a stream of items (pieces of an input file), on the shared pool's threads: each
// worker takes the next item, reads it (one reader at a time, in input order), works on it in parallel with
// the other workers, passes an optional ordered step (one item at a time, in input order: deciding batches
// that consume quotas), finishes it in parallel, and the items are emitted in input order (one at a time, by
// whichever worker completes the next one). At most `slots` items are in flight, so memory stays flat
// whatever the input's length, and a worker slowed down by another process holds up one item, not half of
// the input.
#pragma once

#include <cstddef>
#include <functional>

namespace edict {

struct OrderedStages {
  // Fills slot `slot` with the next item; false at the end of the input (or on a read error, which the
  // caller notes). Never called by two workers at once.
  std::function<bool(size_t slot)> read;
  // Parallel work on a slot's item, by worker `worker` (0 .. workers - 1; for per-worker scratch).
  std::function<void(size_t slot, size_t worker)> work;
  // In input order, one item at a time (may be empty).
  std::function<void(size_t slot, size_t worker)> ordered;
  // Parallel work after the ordered step (may be empty).
  std::function<void(size_t slot, size_t worker)> finish;
  // In input order, one item at a time; false stops the pipeline (a write failed): items in flight are
  // dropped and nothing more is read.
  std::function<bool(size_t slot)> emit;
};

// Runs the stream to its end on `workers` threads with `slots` item slots (at least workers + 1). Returns
// false when an emit failed. An exception thrown by a stage stops the pipeline and is rethrown here.
bool RunOrdered(size_t workers, size_t slots, const OrderedStages& stages);

}  // namespace edict
