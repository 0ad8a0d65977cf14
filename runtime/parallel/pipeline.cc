#include "runtime/parallel/pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "runtime/parallel/pool.h"

namespace edict {

namespace {

class Pipeline {
 public:
  Pipeline(size_t slots, const OrderedStages& stages)
      : stages_(stages), slots_(slots), done_(slots, 0), slot_of_(slots, 0) {
    for (size_t s = slots; s-- > 0;) free_.push_back(s);
  }

  void Worker(size_t worker) {
    for (;;) {
      // Take a free slot and read the next item into it.
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopped_ || end_ || (!free_.empty() && !reading_); });
      if (stopped_ || end_) return;
      size_t slot = free_.back();
      free_.pop_back();
      reading_ = true;
      size_t seq = next_read_;
      lock.unlock();
      bool got = Guard([&] { return stages_.read(slot); });
      lock.lock();
      reading_ = false;
      if (!got) {
        end_ = true;
        free_.push_back(slot);
        changed_.notify_all();
        return;
      }
      ++next_read_;
      slot_of_[seq % slots_] = slot;
      changed_.notify_all();
      lock.unlock();

      // A stage that throws stops the pipeline: the item is then only handed back.
      bool ok = Guard([&] { return stages_.work(slot, worker), true; });
      if (stages_.ordered) {
        lock.lock();
        changed_.wait(lock, [&] { return stopped_ || next_ordered_ == seq; });
        ok = ok && !stopped_;
        lock.unlock();
        if (ok) ok = Guard([&] { return stages_.ordered(slot, worker), true; });
        lock.lock();
        ++next_ordered_;
        changed_.notify_all();
        lock.unlock();
      }
      if (ok && stages_.finish) Guard([&] { return stages_.finish(slot, worker), true; });

      // Emit every item that is next in order and done, unless another worker is doing so.
      lock.lock();
      done_[seq % slots_] = 1;
      if (emitting_) continue;
      emitting_ = true;
      while (!stopped_ && next_emit_ < next_read_ && done_[next_emit_ % slots_]) {
        size_t at = next_emit_ % slots_, s = slot_of_[at];
        lock.unlock();
        bool emitted = Guard([&] { return stages_.emit(s); });
        lock.lock();
        done_[at] = 0;
        ++next_emit_;
        free_.push_back(s);
        if (!emitted) {
          stopped_ = true;
          emit_failed_ = emit_failed_ || !failure_;
        }
        changed_.notify_all();
      }
      emitting_ = false;
    }
  }

  bool Finish() {
    if (failure_) std::rethrow_exception(failure_);
    return !emit_failed_;
  }

 private:
  // Runs a stage; an exception stops the pipeline (kept for the caller) and counts as false.
  template <typename F>
  bool Guard(F&& f) {
    try {
      return f();
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!failure_) failure_ = std::current_exception();
      stopped_ = true;
      changed_.notify_all();
      return false;
    }
  }

  const OrderedStages& stages_;
  const size_t slots_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<size_t> free_;
  std::vector<char> done_;       // by sequence number modulo slots: finished, waiting to be emitted
  std::vector<size_t> slot_of_;  // by sequence number modulo slots: the item's slot
  size_t next_read_ = 0, next_ordered_ = 0, next_emit_ = 0;
  bool reading_ = false, emitting_ = false, end_ = false, stopped_ = false, emit_failed_ = false;
  std::exception_ptr failure_;
};

}  // namespace

bool RunOrdered(size_t workers, size_t slots, const OrderedStages& stages) {
  workers = std::max<size_t>(workers, 1);
  Pipeline pipeline(std::max(slots, workers + 1), stages);
  ParallelFor(workers, [&](size_t w) { pipeline.Worker(w); });
  return pipeline.Finish();
}

}  // namespace edict
