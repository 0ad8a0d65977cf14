#include "tools/serve/ledger_gate.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "runtime/io/writer.h"
#include "runtime/ledger/content_hash.h"
#include "tools/edict/eval_ledger.h"

namespace edict::serve {

using nlohmann::json;

std::unique_ptr<StoreGate> StoreGate::Open(const std::string& where, const std::string& edict_version,
                                           DecisionLog* log, std::string* error) {
  auto store = ledger::Store::Open(where, error);
  if (!store) return nullptr;
  std::unique_ptr<StoreGate> gate(new StoreGate);
  gate->where_ = where;
  gate->kind_ = store->dialect() == ledger::Dialect::kSqlite ? "sqlite" : "postgresql";
  gate->edict_version_ = edict_version;
  gate->log_ = log;
  gate->pool_.push_back(std::move(store));
  return gate;
}

std::unique_ptr<ledger::Store> StoreGate::Take(std::string* error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_.empty()) {
      auto store = std::move(pool_.back());
      pool_.pop_back();
      return store;
    }
  }
  return ledger::Store::Open(where_, error);
}

void StoreGate::Give(std::unique_ptr<ledger::Store> store) {
  std::lock_guard<std::mutex> lock(mutex_);
  pool_.push_back(std::move(store));
}

void StoreGate::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  pool_.clear();
}

bool StoreGate::Ping(std::string* error) {
  auto store = Take(error);
  if (!store) return false;
  if (!store->Begin(false, error)) return false;  // a store that failed is dropped, not pooled
  store->Rollback();
  Give(std::move(store));
  return true;
}

bool StoreGate::ReadOnly(const std::function<void(Ledger&)>& body, std::string* error) {
  auto store = Take(error);
  if (!store || !store->Begin(false, error)) return false;
  body(*store);
  store->Rollback();
  Give(std::move(store));
  return true;
}

namespace {

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Reply StoreGate::Decide(const LedgerRequest& lr, DecideTally* tally) {
  const Snapshot& snapshot = *lr.snapshot;
  const ir::Program& program = snapshot.program();
  const ShipmentsRequest& request = *lr.request;
  std::vector<interp::Record>& records = *lr.records;
  const std::vector<std::string>& ids = *lr.ids;
  const size_t n = records.size();
  std::string error;
  auto store = Take(&error);
  if (!store) return ErrorReply(503, "the ledger cannot be opened: " + error);
  // A store that failed may have lost its connection: it is dropped rather than pooled.
  auto failed = [&](const std::string& what) {
    if (store->in_transaction()) store->Rollback();
    return ErrorReply(503, what + ": " + error);
  };
  cli::LedgerEval eval(*store, program, !request.record);
  ledger::RunInfo run;
  run.command = "serve";
  run.policy_id = program.name;
  run.policy_version = program.version;
  run.policy_hash = program.content_hash;
  run.edict_version = edict_version_;
  run.input_name = "request " + std::string(lr.request_id);
  run.input_format = "json";
  eval.SetRun(run);
  std::vector<cli::LedgerShipment> shipments(n);
  for (size_t i = 0; i < n; ++i) {
    cli::LedgerShipment& s = shipments[i];
    s.id = ids[i];
    s.input = request.shipments[i];
    s.content = ledger::ShipmentHash(program, records[i]);
    s.line = static_cast<int>(i + 1);
  }
  if (!eval.Begin(&error)) return failed("the ledger cannot be read");
  if (!eval.Resolve(shipments, &error)) return failed("the ledger cannot be read");
  json conflicts = json::array();
  for (size_t i = 0; i < n; ++i)
    if (shipments[i].state == cli::LedgerShipment::kConflict)
      conflicts.push_back({{"index", i}, {"id", ids[i]}, {"error", eval.ConflictMessage(shipments, i)}});
  if (!conflicts.empty()) {
    eval.Rollback();
    Give(std::move(store));
    json j;
    j["error"] = conflicts.size() == 1 ? conflicts[0]["error"].get<std::string>()
                                       : std::to_string(conflicts.size()) +
                                             " shipment ids are taken by other content; nothing was decided";
    j["status"] = 409;
    j["field"] = (request.many ? "shipments[" + std::to_string(conflicts[0]["index"].get<size_t>()) + "]"
                               : std::string("shipment")) +
                 ".id";
    j["hint"] =
        "an id is decided once; give the shipment a new id, or void the recorded one (edict ledger void)";
    if (request.many) j["errors"] = std::move(conflicts);
    return Reply{409, j.dump(-1, ' ', false, json::error_handler_t::replace)};
  }
  std::vector<interp::Decision> decisions(n);
  for (size_t i = 0; i < n; ++i)
    if (shipments[i].state == cli::LedgerShipment::kNew)
      decisions[i] = snapshot.Decide(records[i], *store, lr.options);
  if (request.record) {
    auto view = [&](size_t i) { return interp::DecisionView::Of(decisions[i]); };
    cli::LedgerEval::Result r = eval.Record(shipments, view, &error);
    if (r == cli::LedgerEval::Result::kIdTaken)
      error = "internal: a shipment id resolved as new was recorded already";
    if (r != cli::LedgerEval::Result::kOk) return failed("the ledger cannot be written");
    if (!eval.Commit(&error)) return failed("the ledger cannot be written");
  } else {
    eval.Rollback();
  }
  // In request order, as `edict eval --ledger` writes lines.
  bool timeline = snapshot.timeline();
  Reply reply;
  std::string& out = reply.body;
  std::string log;
  if (request.many) out += "{\"decisions\":[";
  for (size_t i = 0; i < n; ++i) {
    // Room for the rest at the first decision's size: one allocation for a batch's answer (service.cc).
    if (i == 1 && n > 2) out.reserve(out.size() * 5 / 4 * n);
    if (i) out.push_back(',');
    const cli::LedgerShipment& s = shipments[i];
    if (s.state == cli::LedgerShipment::kRecorded) {
      cli::AppendRecordedJson(out, ids[i], eval.recorded()[s.other], request.explain);
      continue;
    }
    bool repeat = s.state == cli::LedgerShipment::kRepeat;
    const interp::Decision& d = repeat ? decisions[s.other] : decisions[i];
    if (d.error) {
      ++tally->errors;
      out += DecisionErrorJson(d, ids[i], static_cast<int>(i + 1));
      continue;
    }
    // As `edict eval --ledger` writes it: the ledger position (0, shown as null, for a what-if; a repeat of
    // an id earlier in the request has its first's) and "recorded": true for a repeat.
    io::AppendDecisionJson(out, interp::DecisionView::Of(d), ids[i], request.explain, timeline);
    io::AppendProvenanceJson(out, snapshot.provenance(), s.position, repeat);
    if (repeat) continue;
    ++tally->outcomes[static_cast<size_t>(d.kind)];
    if (!request.record) continue;
    ++tally->recorded;
    if (log_) {
      // As `edict eval --ledger --explain` writes it (provenance and position included), then the request.
      std::string decision = io::DecisionJson(d, ids[i], true, timeline);
      io::AppendProvenanceJson(decision, snapshot.provenance(), s.position, false);
      nlohmann::ordered_json line = nlohmann::ordered_json::parse(decision, nullptr, false);
      line["request_id"] = std::string(lr.request_id);
      line["recorded_at"] = UtcNow();
      log += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    }
  }
  if (request.many) out += "]}";
  Give(std::move(store));
  if (!log.empty() && !log_->Append(log, &error)) {
    // The decisions are committed: the client is answered, and the failure is reported and counted.
    std::fprintf(stderr, "edict serve: decision log: %s\n", error.c_str());
    tally->log_failed = true;
  }
  return reply;
}

}  // namespace edict::serve
