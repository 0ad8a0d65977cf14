// Reloading the policy of a running server: on SIGHUP (Request) and, with --watch, when a file the policy was
// compiled from (Snapshot::SourceFiles) changes (polled by modification time, size and inode, so an editor's
// save-by-rename is seen). The new policy is compiled on this thread while the old one keeps serving; when it
// compiles it is swapped in atomically (Service::Swap), and requests in flight finish on the old one. A
// policy that does not compile is refused with its diagnostics, and the old one keeps serving. Both are
// logged on stderr and counted in /metrics.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/serve/service.h"
#include "tools/serve/snapshot.h"

namespace edict::serve {

class Reloader {
 public:
  // `files`: what the policy being served was compiled from (SourceFiles). `watch_ms` 0: no watching.
  Reloader(Service& service, std::string path, LoadOptions options, std::vector<std::string> files,
           int watch_ms);
  ~Reloader();
  void Start();
  // Asks for a reload (from the signal thread): `why` is logged.
  void Request(const char* why);
  void Stop();

 private:
  struct Stamp {
    bool exists = false;
    long long mtime_ns = 0;
    off_t size = 0;
    ino_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  static Stamp StampOf(const std::string& path);
  void Watch(const std::vector<std::string>& files);
  bool Changed();
  void Loop();
  void Reload(const std::string& why);

  Service& service_;
  std::string path_;
  LoadOptions options_;
  int watch_ms_;
  std::map<std::string, Stamp> watched_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;  // the reason of a requested reload, "" when none
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace edict::serve
