// The ordered pipeline (runtime/parallel/pipeline.h): every item is read, worked on and emitted exactly once,
// the ordered step and the emits follow input order whatever the workers' speeds, a failed emit stops the
// stream, a stage that throws reaches the caller, and a pipeline started from inside a pool task (which runs
// its workers one after another) still finishes.
#include "runtime/parallel/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/parallel/pool.h"

namespace edict {
namespace {

struct Items {
  size_t items = 0;
  std::vector<int> slot_item;  // the item a slot holds
  std::vector<int> ordered, emitted;
  std::atomic<int> worked{0}, finished{0};
  int next = 0;
  std::mutex mu;
};

// A stream of `items` items on `workers` workers; work takes a pseudo-random while, so that items finish out
// of order.
bool Stream(Items& run, size_t workers, size_t slots, bool with_ordered, int fail_emit_at = -1) {
  run.slot_item.assign(slots + workers + 1, -1);
  OrderedStages stages;
  stages.read = [&](size_t slot) {
    if (run.next == static_cast<int>(run.items)) return false;
    run.slot_item[slot] = run.next++;
    return true;
  };
  stages.work = [&](size_t slot, size_t worker) {
    EXPECT_LT(worker, workers);
    int item = run.slot_item[slot];
    std::this_thread::sleep_for(std::chrono::microseconds((item * 7919) % 13 * 20));
    run.worked++;
  };
  if (with_ordered) {
    stages.ordered = [&](size_t slot, size_t) {
      std::lock_guard lock(run.mu);  // (the pipeline orders the calls; the lock only guards the vector)
      run.ordered.push_back(run.slot_item[slot]);
    };
    stages.finish = [&](size_t, size_t) { run.finished++; };
  }
  stages.emit = [&](size_t slot) {
    int item = run.slot_item[slot];
    if (item == fail_emit_at) return false;
    run.emitted.push_back(item);
    run.slot_item[slot] = -1;  // a slot is reused only after its item was emitted
    return true;
  };
  return RunOrdered(workers, slots, stages);
}

std::vector<int> Iota(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

TEST(RunOrdered, EmitsEveryItemOnceInInputOrder) {
  for (size_t workers : {1u, 2u, 3u})
    for (size_t slots : {2u, 4u, 9u})
      for (bool ordered : {false, true}) {
        Items run;
        run.items = 200;
        EXPECT_TRUE(Stream(run, workers, slots, ordered));
        EXPECT_EQ(run.emitted, Iota(200)) << workers << " workers, " << slots << " slots";
        EXPECT_EQ(run.worked.load(), 200);
        if (ordered) {
          EXPECT_EQ(run.ordered, Iota(200));
          EXPECT_EQ(run.finished.load(), 200);
        }
      }
}

TEST(RunOrdered, AnEmptyStreamEmitsNothing) {
  Items run;
  EXPECT_TRUE(Stream(run, 2, 4, true));
  EXPECT_TRUE(run.emitted.empty());
}

TEST(RunOrdered, AFailedEmitStopsTheStream) {
  Items run;
  run.items = 500;
  EXPECT_FALSE(Stream(run, 2, 5, true, 37));
  EXPECT_EQ(run.emitted, Iota(37));
  EXPECT_LT(run.next, 500);  // reading stopped soon after
}

TEST(RunOrdered, AnExceptionReachesTheCaller) {
  for (bool in_ordered : {false, true}) {
    std::atomic<int> next{0}, ordered{0};
    OrderedStages stages;
    stages.read = [&](size_t) { return next++ < 100; };
    stages.work = [&](size_t, size_t) {
      if (!in_ordered && next.load() >= 30) throw std::runtime_error("work");
    };
    stages.ordered = [&](size_t, size_t) {
      if (in_ordered && ++ordered == 20) throw std::runtime_error("ordered");
    };
    stages.emit = [](size_t) { return true; };
    EXPECT_THROW(RunOrdered(2, 5, stages), std::runtime_error) << in_ordered;
    EXPECT_LT(next.load(), 100);
  }
}

TEST(RunOrdered, StartedFromAPoolTaskItsWorkersRunInTurn) {
  std::vector<std::vector<int>> emitted(2);
  ParallelFor(2, [&](size_t t) {
    Items run;
    run.items = 50;
    EXPECT_TRUE(Stream(run, 2, 4, true));
    emitted[t] = run.emitted;
  });
  EXPECT_EQ(emitted[0], Iota(50));
  EXPECT_EQ(emitted[1], Iota(50));
}

}  // namespace
}  // namespace edict
