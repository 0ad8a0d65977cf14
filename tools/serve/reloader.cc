#include "tools/serve/reloader.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>

namespace edict::serve {

Reloader::Reloader(Service& service, std::string path, LoadOptions options, std::vector<std::string> files,
                   int watch_ms)
    : service_(service), path_(std::move(path)), options_(std::move(options)), watch_ms_(watch_ms) {
  Watch(files);
}

Reloader::~Reloader() {
  Stop();
}

Reloader::Stamp Reloader::StampOf(const std::string& path) {
  struct stat st;
  Stamp s;
  if (::stat(path.c_str(), &st) != 0) return s;
  s.exists = true;
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  s.size = st.st_size;
  s.inode = st.st_ino;
  return s;
}

void Reloader::Watch(const std::vector<std::string>& files) {
  watched_.clear();
  watched_[path_] = StampOf(path_);  // the policy itself, also when its compilation read nothing
  for (const std::string& f : files) watched_[f] = StampOf(f);
}

bool Reloader::Changed() {
  bool changed = false;
  for (auto& [path, stamp] : watched_) {
    Stamp now = StampOf(path);
    if (!(now == stamp)) {
      stamp = now;
      changed = true;
    }
  }
  return changed;
}

void Reloader::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Reloader::Request(const char* why) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_ = why;
  wake_.notify_all();
}

void Reloader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Reloader::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    if (watch_ms_ > 0)
      wake_.wait_for(lock, std::chrono::milliseconds(watch_ms_));
    else
      wake_.wait(lock, [this] { return stop_ || !pending_.empty(); });
    if (stop_) break;
    std::string why = pending_;
    pending_.clear();
    lock.unlock();
    if (why.empty() && watch_ms_ > 0 && Changed()) {
      // An editor may still be writing: wait for the files to stand still for one interval.
      std::this_thread::sleep_for(std::chrono::milliseconds(watch_ms_));
      while (Changed()) std::this_thread::sleep_for(std::chrono::milliseconds(watch_ms_));
      why = "--watch: a policy file changed";
    }
    if (!why.empty()) Reload(why);
    lock.lock();
  }
}

void Reloader::Reload(const std::string& why) {
  std::shared_ptr<const Snapshot> old = service_.current();
  std::string diagnostics;
  std::vector<std::string> files;
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const Snapshot> next = Snapshot::Load(path_, options_, &diagnostics, &files);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // A policy that compiles may import other files than before: watch those. One that does not compile is
  // watched as before, so that its fix is seen.
  if (watch_ms_ > 0 && next) Watch(files);
  const PolicyLabels& was = old->labels();
  if (!next) {
    service_.metrics().Reload(false);
    std::fprintf(stderr,
                 "edict serve: reload (%s) refused: '%s' does not compile; still serving %s %s (hash %s)\n%s",
                 why.c_str(), path_.c_str(), was.id.c_str(), was.version.c_str(), was.hash.c_str(),
                 diagnostics.c_str());
    return;
  }
  const PolicyLabels& now = next->labels();
  if (now.hash == was.hash) {
    std::fprintf(stderr, "edict serve: reload (%s): %s %s unchanged (hash %s)\n", why.c_str(), now.id.c_str(),
                 now.version.c_str(), now.hash.c_str());
    return;
  }
  service_.Swap(next);
  service_.metrics().Reload(true);
  std::fprintf(stderr,
               "edict serve: reload (%s): now serving %s %s (hash %s, was %s), engine %s, %.0f ms%s%s\n",
               why.c_str(), now.id.c_str(), now.version.c_str(), now.hash.c_str(), was.hash.c_str(),
               next->engine(), ms, next->engine_note().empty() ? "" : "; ", next->engine_note().c_str());
}

}  // namespace edict::serve
