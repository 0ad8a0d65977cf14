// The endpoints of `edict serve`, from a request body to a reply, with no sockets in sight: the HTTP layer
// (http_server.cc) routes requests here and copies the replies out, and the fuzz harness calls these
// directly. Decisions are written by the writers of `edict eval` (runtime/io/writer.h), so a decision reads
// the same from both.
//
// The policy being served is a Snapshot behind a shared_ptr: each request takes the current one and keeps it
// until it has answered, so Swap (a reload) never changes a policy under a request in flight.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "runtime/ledger/ledger.h"
#include "tools/serve/metrics.h"
#include "tools/serve/request.h"
#include "tools/serve/snapshot.h"

namespace edict::serve {

struct Reply {
  int status = 200;
  std::string body;
  const char* content_type = "application/json";
};

// {"error": message, "status": status} with "field", "hint" and "offset" when known.
Reply ErrorReply(int status, const std::string& message, const std::string& field = "",
                 const std::string& hint = "");
Reply ErrorReply(const RequestError& e);

// What /v1/decide hands a persistent ledger: a request whose shipments were all read and found valid.
struct LedgerRequest {
  const Snapshot* snapshot = nullptr;
  const ShipmentsRequest* request = nullptr;
  std::vector<interp::Record>* records = nullptr;  // in request order
  const std::vector<std::string>* ids = nullptr;
  std::string_view request_id;
  interp::DecideOptions options;
};

// What a request decided, for the metrics.
struct DecideTally {
  std::array<uint64_t, 4> outcomes{};  // by ir::OutcomeIR::Kind
  uint64_t errors = 0, recorded = 0;
  bool log_failed = false;  // the decision log could not be written
};

// A persistent ledger behind the endpoints (the binary's ledger_gate.cc, over runtime/ledger's Store).
class LedgerGate {
 public:
  virtual ~LedgerGate() = default;
  virtual std::string kind() const = 0;  // "sqlite" or "postgresql"
  // Decides the shipments against the ledger's totals; with request->record, records them, each shipment id
  // exactly once. The reply is the whole answer (200, 409 on an id recorded with other content, 503 when the
  // ledger fails).
  virtual Reply Decide(const LedgerRequest& request, DecideTally* tally) = 0;
  // Runs `body` against the ledger's committed totals in a read transaction, rolled back after.
  virtual bool ReadOnly(const std::function<void(Ledger&)>& body, std::string* error) = 0;
  // Whether the ledger answers (GET /healthz).
  virtual bool Ping(std::string* error) = 0;
};

class Service {
 public:
  // `ledger` may be null (decisions are what-ifs against an empty ledger; "record" is refused).
  Service(std::shared_ptr<const Snapshot> snapshot, LedgerGate* ledger);

  Reply Decide(std::string_view body, std::string_view request_id);
  Reply Explain(std::string_view body);
  Reply Policy() const;
  Reply Health() const;
  Reply MetricsText() const;

  std::shared_ptr<const Snapshot> current() const;
  // Serves `next` from now on and returns the snapshot it replaces.
  std::shared_ptr<const Snapshot> Swap(std::shared_ptr<const Snapshot> next);
  Metrics& metrics() { return metrics_; }
  const Metrics& metrics() const { return metrics_; }

 private:
  // Reads every shipment of `request` (into packed records when `packed`, else records): all or nothing.
  // False with the error reply set.
  bool ReadShipments(const Snapshot& snapshot, Scratch& scratch, const ShipmentsRequest& request,
                     std::string_view body, bool packed, Reply* error);
  void Count(const DecideTally& tally);

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  LedgerGate* ledger_;
  Metrics metrics_;
};

// A decision error as `edict eval` writes it: {"id":..., "line": N, "error": "reason (at FILE:LINE:COL)"};
// in a request, N is the shipment's place (1-based).
std::string DecisionErrorJson(const interp::Decision& d, std::string_view id, int line);

}  // namespace edict::serve
