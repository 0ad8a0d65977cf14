#include "tools/serve/service.h"

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostics.h"
#include "compiler/driver/explain.h"
#include "runtime/io/writer.h"
#include "tools/serve/hints.h"

namespace edict::serve {

using nlohmann::json;

namespace {

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ShipmentPath(const ShipmentsRequest& r, size_t i, const std::string& field) {
  std::string out = r.many ? "shipments[" + std::to_string(i) + "]" : "shipment";
  return field.empty() ? out : out + "." + field;
}

}  // namespace

Reply ErrorReply(int status, const std::string& message, const std::string& field, const std::string& hint) {
  json j;
  j["error"] = message;
  j["status"] = status;
  if (!field.empty()) j["field"] = field;
  if (!hint.empty()) j["hint"] = hint;
  return Reply{status, Dump(j)};
}

Reply ErrorReply(const RequestError& e) {
  json j;
  j["error"] = e.message;
  j["status"] = e.status;
  if (!e.field.empty()) j["field"] = e.field;
  if (!e.hint.empty()) j["hint"] = e.hint;
  if (e.offset >= 0) j["offset"] = e.offset;
  return Reply{e.status, Dump(j)};
}

std::string DecisionErrorJson(const interp::Decision& d, std::string_view id, int line) {
  return io::ErrorJson(id, line,
                       d.error_message + (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : ""));
}

Service::Service(std::shared_ptr<const Snapshot> snapshot, LedgerGate* ledger)
    : snapshot_(std::move(snapshot)), ledger_(ledger) {}

std::shared_ptr<const Snapshot> Service::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return snapshot_;
}

std::shared_ptr<const Snapshot> Service::Swap(std::shared_ptr<const Snapshot> next) {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_.swap(next);
  return next;
}

void Service::Count(const DecideTally& tally) {
  for (size_t k = 0; k < tally.outcomes.size(); ++k)
    if (tally.outcomes[k]) metrics_.Decisions(static_cast<ir::OutcomeIR::Kind>(k), tally.outcomes[k]);
  if (tally.errors) metrics_.EvaluationErrors(tally.errors);
  if (tally.recorded) metrics_.Recorded(tally.recorded);
  if (tally.log_failed) metrics_.DecisionLogError();
}

bool Service::ReadShipments(const Snapshot& snapshot, Scratch& s, const ShipmentsRequest& request,
                            std::string_view body, bool packed, Reply* error) {
  const size_t n = request.shipments.size();
  s.ids.assign(n, std::string());
  if (packed) {
    snapshot.jit()->Reset(s.batch.get());
  } else {
    s.records.clear();
    s.records.resize(n);
  }
  json problems = json::array();
  std::string message;
  for (size_t i = 0; i < n; ++i) {
    std::string_view text = request.shipments[i];
    bool ok = packed ? s.parser.ParseJson(text, s.batch.get(), static_cast<int>(i + 1), &message, &s.ids[i])
                     : s.parser.ParseJson(text, &s.records[i], &message, &s.ids[i]);
    if (ok) continue;
    // The envelope reader does not look inside a shipment: a syntax error there is the body's.
    RequestError syntax;
    if (DescribeSyntaxError(body, &syntax)) {
      *error = ErrorReply(syntax);
      return false;
    }
    ShipmentProblem p = Diagnose(snapshot.program(), text, message);
    json j;
    j["index"] = i;
    j["id"] = s.ids[i].empty() ? json(nullptr) : json(s.ids[i]);
    j["error"] = p.message;
    j["field"] = ShipmentPath(request, i, p.field);
    if (!p.hint.empty()) j["hint"] = p.hint;
    problems.push_back(std::move(j));
  }
  if (problems.empty()) return true;
  metrics_.InvalidShipments(problems.size());
  json j;
  const json& first = problems.front();
  j["error"] = request.many ? std::to_string(problems.size()) + " of " + std::to_string(n) +
                                  " shipments are invalid; none was decided"
                            : first["error"].get<std::string>();
  j["status"] = 422;
  j["field"] = first["field"];
  if (first.contains("hint")) j["hint"] = first["hint"];
  if (request.many) j["errors"] = std::move(problems);
  *error = Reply{422, Dump(j)};
  return false;
}

Reply Service::Decide(std::string_view body, std::string_view request_id) {
  std::shared_ptr<const Snapshot> snapshot = current();
  Snapshot::Lease lease = snapshot->Borrow();
  Scratch& s = *lease;
  ShipmentsRequest request;
  RequestError bad;
  if (!s.reader.Read(body, RequestKind::kDecide, &request, &bad)) return ErrorReply(bad);
  if (request.record && !ledger_)
    return ErrorReply(422, "this server has no ledger to record in", "record",
                      "start edict serve with --ledger, or leave out \"record\" for a what-if");
  interp::DecideOptions options;
  options.has_as_of = request.has_as_of;
  options.as_of = request.as_of;
  // With a ledger, shipments go record by record through the ledger's transaction (ledger_gate.cc);
  // without one, the JIT decides them as one packed batch.
  bool packed = snapshot->jit() && !ledger_;
  Reply error;
  if (!ReadShipments(*snapshot, s, request, body, packed, &error)) return error;
  DecideTally tally;
  if (ledger_) {
    LedgerRequest lr;
    lr.snapshot = snapshot.get();
    lr.request = &request;
    lr.records = &s.records;
    lr.ids = &s.ids;
    lr.request_id = request_id;
    lr.options = options;
    Reply reply = ledger_->Decide(lr, &tally);
    if (reply.status == 503) metrics_.LedgerError();
    Count(tally);
    return reply;
  }
  // A what-if against an empty ledger: the request's shipments see what the earlier ones of it consumed.
  MemoryLedger ledger;
  bool timeline = snapshot->timeline();
  Reply reply;
  std::string& out = reply.body;
  if (request.many) out += "{\"decisions\":[";
  const size_t n = request.shipments.size();
  auto add = [&](const interp::DecisionView& d, size_t i, const interp::Decision* full) {
    if (i) out.push_back(',');
    if (d.error) {
      ++tally.errors;
      out += DecisionErrorJson(*full, s.ids[i], static_cast<int>(i + 1));
      return;
    }
    ++tally.outcomes[static_cast<size_t>(d.kind)];
    io::AppendDecisionJson(out, d, s.ids[i], request.explain, timeline);
    io::AppendProvenanceJson(out, snapshot->provenance(), -1, false);
    // Room for the rest at the first decision's size: one allocation for a batch's answer instead of a
    // copy (and fresh pages) at every doubling.
    if (i == 0 && n > 1) out.reserve(out.size() + out.size() * 5 / 4 * (n - 1));
  };
  if (packed) {
    snapshot->jit()->DecideBatch(*s.batch, ledger, options, &s.decisions, 1);
    for (size_t i = 0; i < n; ++i) {
      interp::DecisionView d = s.decisions.View(i, &s.rules);
      if (d.error) {
        interp::Decision full = s.decisions.Decision(i);
        add(d, i, &full);
      } else {
        add(d, i, nullptr);
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      interp::Decision d = snapshot->Decide(s.records[i], ledger, options);
      add(interp::DecisionView::Of(d), i, &d);
    }
  }
  if (request.many) out += "]}";
  Count(tally);
  return reply;
}

Reply Service::Explain(std::string_view body) {
  std::shared_ptr<const Snapshot> snapshot = current();
  Snapshot::Lease lease = snapshot->Borrow();
  Scratch& s = *lease;
  ShipmentsRequest request;
  RequestError bad;
  if (!s.reader.Read(body, RequestKind::kExplain, &request, &bad)) return ErrorReply(bad);
  Reply error;
  if (!ReadShipments(*snapshot, s, request, body, false, &error)) return error;
  interp::DecideOptions options;
  options.has_as_of = request.has_as_of;
  options.as_of = request.as_of;
  const ir::Program& program = snapshot->program();
  interp::Record& record = s.records[0];
  interp::Decision d;
  interp::Trace trace;
  // The interpreter explains (it keeps the trace), against the ledger's totals when there is one.
  auto decide = [&](Ledger& ledger) { d = interp::Decide(program, record, ledger, options, &trace); };
  if (ledger_) {
    std::string why;
    if (!ledger_->ReadOnly(decide, &why)) {
      metrics_.LedgerError();
      return ErrorReply(503, "the ledger cannot be read: " + why);
    }
  } else {
    MemoryLedger ledger;
    decide(ledger);
  }
  const std::string& id = s.ids[0];
  nlohmann::ordered_json j;
  std::string decision =
      d.error ? DecisionErrorJson(d, id, 1) : io::DecisionJson(d, id, true, snapshot->timeline());
  if (!d.error) io::AppendProvenanceJson(decision, snapshot->provenance(), -1, false);
  j["decision"] = nlohmann::ordered_json::parse(decision, nullptr, false);
  if (d.error)
    metrics_.EvaluationErrors(1);
  else
    metrics_.Decisions(d.kind);
  j["summary"] = driver::DecisionSummary(d);
  const ir::Program& deciding = d.program ? *d.program : program;
  j["policy"] = deciding.name;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const interp::RuleTrace& t : trace.rules) {
    const ir::Rule& r = deciding.rules[t.rule];
    nlohmann::ordered_json rule;
    rule["rule"] = r.id;
    rule["kind"] = r.exception ? "exception" : "rule";
    rule["cite"] = r.cite;
    rule["depth"] = t.depth;
    rule["in_force"] = t.in_force;
    rule["applies"] = t.applies;
    nlohmann::ordered_json conditions = nlohmann::ordered_json::array();
    for (const auto& [text, value] : t.conditions)
      conditions.push_back({{"condition", text}, {"value", value}});
    rule["conditions"] = std::move(conditions);
    rule["outcome"] = t.outcome;
    rule["resolved"] = t.resolved;
    rules.push_back(std::move(rule));
  }
  j["rules"] = std::move(rules);
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const auto& [name, value] : trace.fields) fields.push_back({{"name", name}, {"value", value}});
  j["computed"] = std::move(fields);
  j["text"] = driver::ExplainText(program, record, d, trace);
  return Reply{200, j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
}

Reply Service::Policy() const {
  return Reply{200, current()->policy_json()};
}

Reply Service::Health() const {
  std::shared_ptr<const Snapshot> snapshot = current();
  json j;
  j["status"] = "ok";
  const PolicyLabels& l = snapshot->labels();
  j["policy"] = {{"id", l.id}, {"version", l.version}, {"hash", l.hash}};
  j["engine"] = snapshot->engine();
  j["ledger"] = ledger_ ? json(ledger_->kind()) : json(nullptr);
  int status = 200;
  std::string why;
  if (ledger_ && !ledger_->Ping(&why)) {
    j["status"] = "unavailable";
    j["error"] = "the ledger does not answer: " + why;
    status = 503;
  }
  return Reply{status, Dump(j)};
}

Reply Service::MetricsText() const {
  return Reply{200, metrics_.Render(current()->labels()), "text/plain; version=0.0.4; charset=utf-8"};
}

}  // namespace edict::serve
