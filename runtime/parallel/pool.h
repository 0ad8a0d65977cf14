// A pool of worker threads started once per process and reused by every parallel batch, so that splitting a
// batch across cores costs a wake-up, not a thread start (tens of microseconds each, more than a
// 10,000-shipment batch takes on one core).
#pragma once

#include <cstddef>
#include <functional>

namespace edict {

// Runs task(0) .. task(n-1), task(0) on the calling thread and the others on the shared pool's threads (the
// calling thread takes those still waiting once task(0) is done), and returns when all are done. Tasks run
// concurrently only when the pool is free: a call made while another is running (or from inside a task) runs
// its tasks one after another on the calling thread, so it never waits for itself. At most `n - 1` pool
// threads are used; the pool has hardware_concurrency() - 1 of them. When tasks throw, every task still runs
// to its end and the first exception is rethrown to the caller.
void ParallelFor(size_t n, const std::function<void(size_t)>& task);

}  // namespace edict
