#include "tools/edict/eval_ledger.h"

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostics.h"
#include "compiler/driver/files.h"
#include "runtime/interp/timeline.h"
#include "runtime/io/csv.h"
#include "runtime/io/keep.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/content_hash.h"
#include "tools/edict/shipment_input.h"

namespace edict::cli {

LedgerEval::LedgerEval(ledger::Store& store, const ir::Program& program, bool dry_run)
    : store_(store), program_(program), dry_run_(dry_run) {}

void LedgerEval::SetRun(const ledger::RunInfo& run) {
  run_ = run;
  store_.SetRun(run);
}

bool LedgerEval::Begin(std::string* error) {
  recorded_.clear();
  return store_.Begin(!dry_run_, error);
}

bool LedgerEval::Resolve(std::span<LedgerShipment> chunk, std::string* error) {
  std::vector<std::string_view> ids;
  ids.reserve(chunk.size());
  for (const LedgerShipment& s : chunk) ids.push_back(s.id);
  if (!store_.Find(ids, &recorded_, error)) return false;
  std::unordered_map<std::string_view, int32_t> in_ledger, in_chunk;
  for (size_t k = 0; k < recorded_.size(); ++k) in_ledger.emplace(recorded_[k].id, static_cast<int32_t>(k));
  for (size_t i = 0; i < chunk.size(); ++i) {
    LedgerShipment& s = chunk[i];
    s.state = LedgerShipment::kNew;
    s.other = s.first = -1;
    s.position = 0;
    if (auto it = in_ledger.find(s.id); it != in_ledger.end()) {
      const ledger::RecordedShipment& r = recorded_[it->second];
      s.state = r.content == s.content ? LedgerShipment::kRecorded : LedgerShipment::kConflict;
      s.other = it->second;
      s.position = r.position;
      continue;
    }
    auto [it, fresh] = in_chunk.emplace(s.id, static_cast<int32_t>(i));
    if (fresh) continue;
    const LedgerShipment& first = chunk[it->second];
    s.first = it->second;
    s.state = first.content == s.content ? LedgerShipment::kRepeat : LedgerShipment::kConflict;
    if (s.state == LedgerShipment::kRepeat) s.other = it->second;
  }
  return true;
}

// A decision's JSON members are interned once per distinct decision; most batches have a few dozen.
int64_t LedgerEval::OutcomeId(const interp::DecisionView& d, std::string* error) {
  int period = interp::PendingRulesPeriod(program_, d.date);
  // Most shipments decide as the one before them did.
  const LastOutcome& l = last_;
  if (l.id != 0 && d.program == l.program && d.kind == l.kind && d.symbol == l.symbol &&
      d.review == l.review && d.notify == l.notify && d.in_force == l.in_force && d.pending == l.pending &&
      period == l.period && std::equal(d.rules.begin(), d.rules.end(), l.rules.begin(), l.rules.end()))
    return l.id;
  int64_t id = OutcomeIdByKey(d, period, error);
  if (id != 0)
    last_ = {d.program, d.kind,   d.symbol,
             d.review,  d.notify, d.in_force,
             d.pending, period,   std::vector<int>(d.rules.begin(), d.rules.end()),
             id};
  return id;
}

int64_t LedgerEval::OutcomeIdByKey(const interp::DecisionView& d, int period, std::string* error) {
  std::string& key = scratch_;
  key.clear();
  auto put = [&](int64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(reinterpret_cast<intptr_t>(d.program));
  put(static_cast<int64_t>(d.kind));
  put(d.symbol);
  put(d.review);
  put(d.notify);
  put(d.in_force);
  put(reinterpret_cast<intptr_t>(d.pending));  // a pending compliance date shows in the text
  put(period);                                 // and so do rules pending theirs
  for (int r : d.rules) put(r);
  auto it = outcome_ids_.find(key);
  if (it != outcome_ids_.end()) return it->second;
  std::string json;
  io::AppendDecisionJson(json, d, "", false, !program_.timeline.empty());
  // {"id":"",MEMBERS} -> MEMBERS
  std::string members = json.substr(9, json.size() - 10);
  int64_t id = 0;
  if (!store_.InternOutcome(members, &id, error)) return 0;
  outcome_ids_.emplace(key, id);
  return id;
}

bool LedgerEval::Collect(std::span<LedgerShipment> chunk,
                         const std::function<interp::DecisionView(size_t)>& view, std::string* error) {
  records_.Clear();
  which_.clear();
  for (size_t i = 0; i < chunk.size(); ++i) {
    LedgerShipment& s = chunk[i];
    if (s.state != LedgerShipment::kNew) continue;
    interp::DecisionView d = view(i);
    if (d.error) continue;
    ledger::EntryRecord e;
    e.id = s.id;
    e.input = s.input;
    e.content = s.content;
    e.outcome = OutcomeId(d, error);
    if (e.outcome == 0) return false;
    e.first_use = static_cast<uint32_t>(records_.uses.size());
    for (const interp::QuotaUse& q : d.quotas) {
      if (q.key.empty()) continue;  // outside the quota's window: nothing consumed
      const ir::Quota& quota = d.program->quotas[q.quota];
      ledger::UseRecord u;
      u.ledger_key = q.key;
      u.quota = quota.id;
      u.label = q.key_text;
      u.unit = quota.unit;
      u.limit = q.limit;
      u.amount = q.amount;
      u.before = q.before;
      records_.uses.push_back(u);
    }
    e.uses = static_cast<uint32_t>(records_.uses.size()) - e.first_use;
    records_.entries.push_back(e);
    which_.push_back(i);
  }
  return true;
}

void LedgerEval::SetPositions(std::span<LedgerShipment> chunk, int64_t base) {
  for (size_t k = 0; k < which_.size(); ++k) chunk[which_[k]].position = base + static_cast<int64_t>(k);
  // Repeats take the position of their first occurrence.
  for (LedgerShipment& s : chunk)
    if (s.state == LedgerShipment::kRepeat) s.position = chunk[s.other].position;
}

LedgerEval::Result LedgerEval::Record(std::span<LedgerShipment> chunk,
                                      const std::function<interp::DecisionView(size_t)>& view,
                                      std::string* error) {
  if (!Collect(chunk, view, error)) return Result::kError;
  int64_t base = store_.next_position();
  switch (store_.Record(records_, error)) {
    case ledger::Store::RecordResult::kOk:
      break;
    case ledger::Store::RecordResult::kIdTaken:
      return Result::kIdTaken;
    case ledger::Store::RecordResult::kError:
      return Result::kError;
  }
  SetPositions(chunk, base);
  return Result::kOk;
}

bool LedgerEval::BeginStaged(std::string* error) {
  recorded_.clear();
  return store_.BeginStaged(error);
}

bool LedgerEval::Stage(std::span<LedgerShipment> chunk,
                       const std::function<interp::DecisionView(size_t)>& view, ledger::ChunkWrite* out,
                       std::string* error) {
  if (!Collect(chunk, view, error)) return false;
  int64_t base = store_.next_position();
  if (store_.Stage(records_, out, error) != ledger::Store::RecordResult::kOk) return false;
  SetPositions(chunk, base);
  return true;
}

void LedgerEval::Unstage() {
  store_.Unstage();
  outcome_ids_.clear();  // ids given out to staged chunks are gone with them
  last_.id = 0;
}

bool LedgerEval::Commit(std::string* error) {
  return store_.Commit(error);
}

void LedgerEval::Rollback() {
  store_.Rollback();
  outcome_ids_.clear();  // ids given out in the transaction are gone with it
  last_.id = 0;
}

std::string LedgerEval::ConflictMessage(std::span<const LedgerShipment> chunk, size_t i) const {
  const LedgerShipment& s = chunk[i];
  std::string id(s.id);
  if (s.other >= 0)
    return "shipment id '" + id + "' is recorded in the ledger (position " +
           std::to_string(recorded_[s.other].position) +
           ") with other content; an id is decided once (edict ledger void frees it)";
  return "shipment id '" + id + "' was given on line " + std::to_string(chunk[s.first].line) +
         " with other content; an id is decided once";
}

namespace {

std::string JsonNumberText(const Rational& r) {
  return r.IsInteger() ? r.ToString() : io::JsonEscape(r.ToString());
}

nlohmann::json Members(const ledger::RecordedShipment& r) {
  auto j = nlohmann::json::parse("{" + r.decision + "}", nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string TextOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The array's strings joined by `sep`, one place each (an empty citation keeps its place).
std::string Joined(const nlohmann::json& j, const char* key, std::string_view sep) {
  std::string out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  bool first = true;
  for (const auto& e : *it) {
    if (!e.is_string()) continue;
    if (!first) out += sep;
    out += e.get<std::string>();
    first = false;
  }
  return out;
}

io::Provenance RecordedProvenance(const ledger::RecordedShipment& r) {
  return {r.run.policy_id, r.run.policy_version, r.run.policy_hash, r.run.edict_version};
}

}  // namespace

void AppendRecordedJson(std::string& out, std::string_view id, const ledger::RecordedShipment& r,
                        bool explain) {
  out += "{\"id\":";
  out += io::JsonEscape(id);
  out += ",";
  out += r.decision;
  if (explain) {
    out += ",\"quotas\":[";
    for (size_t i = 0; i < r.uses.size(); ++i) {
      const ledger::RecordedUse& u = r.uses[i];
      auto after = Add(u.before, u.amount);
      std::optional<Rational> remaining;
      if (after && u.limit) remaining = Sub(*u.limit, *after);
      out += (i ? "," : "") + std::string("{\"quota\":") + io::JsonEscape(u.quota) +
             ",\"key\":" + io::JsonEscape(u.label) +
             ",\"limit\":" + (u.limit ? JsonNumberText(*u.limit) : "null") +
             ",\"consumed_before\":" + JsonNumberText(u.before) +
             ",\"this_shipment\":" + JsonNumberText(u.amount) +
             ",\"remaining\":" + (remaining ? JsonNumberText(*remaining) : "null") + "}";
    }
    out += "]";
  }
  out += "}";
  io::AppendProvenanceJson(out, RecordedProvenance(r).Json(), r.position, true);
}

void AppendRecordedCsv(std::string& out, std::string_view id, const ledger::RecordedShipment& r) {
  nlohmann::json j = Members(r);
  auto notify = j.find("notify");
  out += io::CsvCell(id) + "," + TextOr(j, "decision") + "," + TextOr(j, "exception") + "," +
         TextOr(j, "review_policy") + "," +
         (notify != j.end() && notify->is_boolean() && *notify ? "true" : "false") + "," +
         io::CsvCell(Joined(j, "rules", " ")) + "," +
         io::CsvCell(Joined(j, "citations", io::kCitationSeparator)) + "," +
         io::CsvCell(TextOr(j, "policy")) + ",";
  io::AppendProvenanceCsv(out, RecordedProvenance(r).Csv(), r.position, true);
}

RecordedSummary SummariseRecorded(const ledger::RecordedShipment& r) {
  nlohmann::json j = Members(r);
  RecordedSummary s;
  s.outcome = TextOr(j, "decision");
  std::string exception = TextOr(j, "exception"), review = TextOr(j, "review_policy");
  auto notify = j.find("notify");
  if (!exception.empty())
    s.outcome += " " + exception + (notify != j.end() && notify->is_boolean() && *notify ? " (notify)" : "");
  if (!review.empty()) s.outcome += " (" + review + ")";
  s.rules = Joined(j, "rules", " ");
  s.policy = TextOr(j, "policy");
  return s;
}

}  // namespace edict::cli

// ---- record by record ----

namespace edict::cli {

namespace {

struct ParsedLine {
  int line = 0;
  std::string_view text;
  std::string id, error;
  bool valid = false;
  interp::Record record;
  interp::Decision decision;
  long shipment = -1;
};

}  // namespace

bool RunLedgerLines(const LineEval& eval, ShipmentInput& input, io::RecordParser& parser, driver::Output& out,
                    io::TableWriter& table, LineCounts* counts, std::string* error) {
  const ir::Program& program = *eval.program;
  LedgerEval& ledger = *eval.ledger;
  auto format = static_cast<io::Format>(eval.format);
  bool timeline = !program.timeline.empty();
  io::CsvCells cells;
  std::vector<ParsedLine> chunk;
  std::vector<LedgerShipment> shipments;
  std::vector<io::InputRecord> records;
  size_t step = std::max<size_t>(1, eval.batch);
  bool jsonl = format == io::Format::kJsonl;
  const std::string provenance = jsonl ? eval.provenance.Json() : eval.provenance.Csv();
  while (out.ok() && input.Next(&records)) {
    for (size_t from = 0; from < records.size() && out.ok(); from += step) {
      chunk.clear();
      for (size_t k = from; k < std::min(records.size(), from + step); ++k) {
        ParsedLine& p = chunk.emplace_back();
        p.line = records[k].line;
        p.text = records[k].text;
      }
      // Parses (again, after a roll back: deciding fills in a record's defaults) every record that is to be
      // decided; `only_new` leaves the others as they are.
      auto parse = [&](bool only_new) {
        for (ParsedLine& p : chunk) {
          if (only_new && p.valid && shipments[p.shipment].state != LedgerShipment::kNew) continue;
          p.error.clear();
          p.valid = input.csv() ? cells.Split(p.text, &p.error) &&
                                      parser.ParseCsv(cells.cells(), &p.record, &p.error, &p.id)
                                : parser.ParseJson(p.text, &p.record, &p.error, &p.id);
          p.record.line = p.line;
        }
      };
      parse(false);
      shipments.clear();
      std::vector<size_t> line_of;
      for (size_t k = 0; k < chunk.size(); ++k) {
        ParsedLine& p = chunk[k];
        if (!p.valid) continue;
        p.shipment = static_cast<long>(shipments.size());
        line_of.push_back(k);
        LedgerShipment s;
        s.id = p.id;
        s.input = p.text;
        s.content = ledger::ShipmentHash(program, p.record);
        s.line = p.line;
        shipments.push_back(s);
      }
      auto decide = [&] {
        for (ParsedLine& p : chunk)
          if (p.valid && shipments[p.shipment].state == LedgerShipment::kNew)
            p.decision = eval.decide(p.record, ledger.store());
      };
      auto view = [&](size_t i) { return interp::DecisionView::Of(chunk[line_of[i]].decision); };
      if (!ledger.Begin(error)) return false;
      if (ledger.dry_run()) {
        bool ok = ledger.Resolve(shipments, error);
        if (ok) decide();
        ledger.Rollback();
        if (!ok) return false;
      } else {
        for (int attempt = 0;; ++attempt) {
          if (attempt == 1) {
            if (!ledger.Begin(error) || !ledger.Resolve(shipments, error)) {
              ledger.Rollback();
              return false;
            }
            parse(true);
          }
          decide();
          LedgerEval::Result r = ledger.Record(shipments, view, error);
          if (r == LedgerEval::Result::kOk) {
            if (!ledger.Commit(error)) return false;
            break;
          }
          ledger.Rollback();
          if (r == LedgerEval::Result::kError) return false;
          if (attempt == 1) {
            *error = "internal: a shipment id resolved as new was recorded already";
            return false;
          }
        }
      }
      // In input order.
      for (ParsedLine& p : chunk) {
        ++counts->total;
        if (eval.kept) eval.kept->Read(p.text);
        auto write = [&](std::string line) {
          if (eval.kept)
            format == io::Format::kJsonl ? eval.kept->AppendJson(line) : eval.kept->AppendCsv(line);
          line += '\n';
          out.Write(line);
        };
        auto write_error = [&](const std::string& message) {
          if (format == io::Format::kJsonl) {
            write(io::ErrorJson(p.id, p.line, message));
          } else if (format == io::Format::kCsv) {
            std::string row = io::ErrorCsv(p.id, p.line, message);
            io::AppendProvenanceCsv(row, provenance, -1, false);
            write(row);
          } else {
            table.AddError(p.id, p.line, message);
          }
        };
        if (!p.valid) {
          ++counts->invalid;
          write_error(p.error);
          continue;
        }
        const LedgerShipment& s = shipments[p.shipment];
        if (s.state == LedgerShipment::kConflict) {
          ++counts->invalid;
          write_error(ledger.ConflictMessage(shipments, static_cast<size_t>(p.shipment)));
          continue;
        }
        if (s.state == LedgerShipment::kRecorded) {
          ++counts->recorded;
          const ledger::RecordedShipment& r = ledger.recorded()[s.other];
          std::string line;
          if (format == io::Format::kJsonl) {
            AppendRecordedJson(line, p.id, r, eval.explain);
            write(line);
          } else if (format == io::Format::kCsv) {
            AppendRecordedCsv(line, p.id, r);
            write(line);
          } else {
            RecordedSummary sum = SummariseRecorded(r);
            table.AddRecorded(p.id, p.record, program, sum.outcome, sum.rules, sum.policy);
          }
          continue;
        }
        const interp::Decision& d =
            s.state == LedgerShipment::kRepeat ? chunk[line_of[s.other]].decision : p.decision;
        if (d.error) {
          ++counts->failed;
          if (format == io::Format::kTable)
            table.Add(d, p.id, p.record, program);
          else
            write_error(d.error_message + (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : ""));
          continue;
        }
        if (s.state == LedgerShipment::kRepeat)
          ++counts->recorded;
        else
          ++counts->outcomes[interp::DecisionName(d.kind)];
        bool repeat = s.state == LedgerShipment::kRepeat;
        if (!repeat && s.position > 0) {
          if (!counts->first_position) counts->first_position = s.position;
          counts->last_position = s.position;
        }
        if (format == io::Format::kJsonl) {
          std::string json = io::DecisionJson(d, p.id, eval.explain, timeline);
          io::AppendProvenanceJson(json, provenance, s.position, repeat);
          write(json);
        } else if (format == io::Format::kCsv) {
          std::string row = io::DecisionCsv(d, p.id, timeline);
          io::AppendProvenanceCsv(row, provenance, s.position, repeat);
          write(row);
        } else {
          table.Add(d, p.id, p.record, program);
        }
      }
    }
  }
  return true;
}

}  // namespace edict::cli
