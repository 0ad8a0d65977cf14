#include "runtime/parallel/pool.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace edict {

namespace {

class Pool {
 public:
  explicit Pool(size_t threads) {
    for (size_t t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  size_t threads() const { return threads_.size(); }

  // Hands tasks 1..n-1 to the pool, runs task 0 here and then the tasks the pool has not taken yet, then
  // waits for the pool's share. A task that throws
  // does not stop the others: every task still runs (the caller's stack holds what they use, so Run must not
  // return before they finish), and the first exception is rethrown here once all are done.
  void Run(size_t n, const std::function<void(size_t)>& task) {
    {
      std::lock_guard lock(mu_);
      task_ = &task;
      next_ = 1;
      end_ = n;
      pending_ = n - 1;
      failure_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr mine;
    auto run = [&](size_t i) {
      try {
        task(i);
      } catch (...) {
        if (!mine) mine = std::current_exception();
      }
    };
    run(0);
    // Then every task no pool thread has taken yet: a thread slowed down (by another process on its core)
    // holds up no more than the task it is running.
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(mu_);
        if (next_ >= end_) break;
        i = next_++;
      }
      run(i);
      std::lock_guard lock(mu_);
      --pending_;
    }
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return pending_ == 0; });
    task_ = nullptr;
    std::exception_ptr failure = mine ? mine : failure_;
    failure_ = nullptr;
    lock.unlock();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  void Work() {
    uint64_t seen = 0;
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || (generation_ != seen && next_ < end_); });
      if (stop_) return;
      size_t i = next_++;
      if (next_ >= end_) seen = generation_;
      const std::function<void(size_t)>* task = task_;
      lock.unlock();
      std::exception_ptr failure;
      try {
        (*task)(i);
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      if (failure && !failure_) failure_ = failure;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* task_ = nullptr;
  std::exception_ptr failure_;  // the first exception a pool thread's task threw in this call
  size_t next_ = 0, end_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

Pool& Shared() {
  static Pool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
  return pool;
}

std::mutex busy;                    // held while the pool runs a call's tasks
thread_local bool in_task = false;  // this thread is running a task of ParallelFor

}  // namespace

void ParallelFor(size_t n, const std::function<void(size_t)>& task) {
  if (n == 0) return;
  auto inline_all = [&] {
    std::exception_ptr failure;
    for (size_t i = 0; i < n; ++i) {
      try {
        task(i);
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  };
  if (n == 1 || in_task) return inline_all();
  std::unique_lock lock(busy, std::try_to_lock);
  if (!lock.owns_lock() || Shared().threads() == 0) return inline_all();
  auto marked = [&](size_t i) {
    struct Mark {
      bool was = in_task;
      Mark() { in_task = true; }
      ~Mark() { in_task = was; }
    } mark;
    task(i);
  };
  Shared().Run(n, marked);
}

}  // namespace edict
