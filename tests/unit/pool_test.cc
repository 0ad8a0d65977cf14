// The shared worker pool: every task runs exactly once, on as many threads as the pool has, and calls that
// overlap (from another thread, or from inside a task) still run all their tasks instead of waiting forever.
#include "runtime/parallel/pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace edict {
namespace {

TEST(ParallelFor, RunsEveryTaskOnce) {
  for (size_t n : {0u, 1u, 2u, 3u, 17u}) {
    std::vector<std::atomic<int>> runs(n);
    ParallelFor(n, [&](size_t i) { runs[i]++; });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i << " of " << n;
  }
}

TEST(ParallelFor, RepeatedCallsReuseThePool) {
  std::mutex mu;
  std::set<std::thread::id> seen;
  long total = 0;
  for (int call = 0; call < 1000; ++call)
    ParallelFor(2, [&](size_t i) {
      std::lock_guard lock(mu);
      seen.insert(std::this_thread::get_id());
      total += static_cast<long>(i) + 1;
    });
  EXPECT_EQ(total, 3000);
  // This thread, plus at most the pool's threads (hardware_concurrency() - 1): never a thread per call.
  EXPECT_LE(seen.size(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(ParallelFor, NestedCallsRunInline) {
  std::atomic<int> inner{0};
  ParallelFor(2, [&](size_t) { ParallelFor(3, [&](size_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 6);
}

TEST(ParallelFor, OverlappingCallsFromTwoThreadsBothFinish) {
  std::atomic<long> sum{0};
  auto caller = [&] {
    for (int call = 0; call < 200; ++call) ParallelFor(4, [&](size_t i) { sum += static_cast<long>(i); });
  };
  std::thread other(caller);
  caller();
  other.join();
  EXPECT_EQ(sum.load(), 2 * 200 * (0 + 1 + 2 + 3));
}

// A task that throws, on the calling thread or on a pool thread: every task still runs, the caller gets the
// exception once all have finished (never while a pool thread still uses its stack), and the pool keeps
// working for the next call instead of hanging.
TEST(ParallelFor, AThrowingTaskReachesTheCallerAfterEveryTaskRan) {
  for (size_t thrower : {0u, 1u, 3u}) {
    std::vector<std::atomic<int>> runs(4);
    try {
      ParallelFor(4, [&](size_t i) {
        runs[i]++;
        if (i == thrower) throw std::runtime_error("task " + std::to_string(i));
      });
      ADD_FAILURE() << "no exception from task " << thrower;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "task " + std::to_string(thrower));
    }
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i << ", thrower " << thrower;
    std::atomic<int> after{0};
    ParallelFor(3, [&](size_t) { after++; });
    EXPECT_EQ(after.load(), 3);
  }
}

TEST(ParallelFor, ANestedThrowingTaskLeavesTheThreadUsable) {
  EXPECT_THROW(ParallelFor(2,
                           [&](size_t i) {
                             ParallelFor(2, [&](size_t j) {
                               if (i == 1 && j == 1) throw std::runtime_error("inner");
                             });
                           }),
               std::runtime_error);
  // The thread that ran the nested call is no longer marked as inside a task: its next call still uses the
  // pool and still runs every task.
  std::atomic<int> runs{0};
  ParallelFor(5, [&](size_t) { runs++; });
  EXPECT_EQ(runs.load(), 5);
}

}  // namespace
}  // namespace edict
