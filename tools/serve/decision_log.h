// `edict serve --decision-log FILE.jsonl`: every decision recorded in the ledger, one JSON object a line, as
// /v1/decide answered it (quota figures included) with the request id, the policy hash, the ledger position
// and the time. Appended (never truncated), written and flushed to the OS when the request's transaction has
// committed, synced to disk on Close.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace edict::serve {

class DecisionLog {
 public:
  DecisionLog() = default;
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;
  ~DecisionLog();

  // Opens (creating) `path` for appending. False with `error` ("cannot write 'PATH': REASON").
  bool Open(const std::string& path, std::string* error);
  bool is_open() const { return fd_ >= 0; }
  // Appends whole lines (each ending in '\n') at once. False with `error` when the write failed.
  bool Append(std::string_view lines, std::string* error);
  // Syncs and closes; false with `error` when either failed.
  bool Close(std::string* error);

 private:
  std::mutex mutex_;
  int fd_ = -1;
  std::string path_;
};

}  // namespace edict::serve
