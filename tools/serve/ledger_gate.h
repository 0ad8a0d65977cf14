// The persistent ledger behind `edict serve --ledger PATH|URL`: runtime/ledger's Store, one connection per
// request in flight (a pool), and `edict eval --ledger`'s chunk logic (tools/edict/eval_ledger.h) with one
// request as one chunk and one transaction:
//
//   Begin (record: the ledger's writer lock) -> Resolve (ids recorded already, repeats) -> decide the new
//   shipments in request order against the totals -> Record -> Commit (a what-if rolls back instead).
//
// So servers sharing a ledger queue for the lock request by request and never pass a limit together, and a
// shipment id is recorded once: sent again with the same content it reports the recorded decision
// ("recorded": true), with other content the request is refused (409) and nothing of it is recorded. Each
// recording request is a run of the ledger (command "serve", input "request ID", the policy's hash), which
// is how the ledger keeps the request id of every recorded decision; --decision-log keeps them in a file too.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/ledger/store.h"
#include "tools/serve/decision_log.h"
#include "tools/serve/service.h"

namespace edict::serve {

class StoreGate : public LedgerGate {
 public:
  // Opens (and migrates) the ledger once to check it. Null with `error` when it cannot be opened.
  static std::unique_ptr<StoreGate> Open(const std::string& where, const std::string& edict_version,
                                         DecisionLog* log, std::string* error);

  std::string kind() const override { return kind_; }
  Reply Decide(const LedgerRequest& request, DecideTally* tally) override;
  bool ReadOnly(const std::function<void(Ledger&)>& body, std::string* error) override;
  bool Ping(std::string* error) override;
  // Closes the pooled connections (at shutdown, once no request is in flight).
  void Close();

 private:
  StoreGate() = default;
  std::unique_ptr<ledger::Store> Take(std::string* error);
  void Give(std::unique_ptr<ledger::Store> store);

  std::string where_, kind_, edict_version_;
  DecisionLog* log_ = nullptr;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ledger::Store>> pool_;
};

}  // namespace edict::serve
