// `:ledger open PATH|URL`: queries against a persistent ledger (docs/ledger.md), what-if until :commit.
//
// The session keeps its two in-memory ledgers: `committed_` is the store's totals, read again before every
// query (so what other processes recorded meanwhile counts), and `working_` adds the pending queries' use.
// :commit takes the ledger's writer lock, decides the pending queries again in order against the totals as
// they then stand (the same path as `edict eval --ledger`: tools/edict/eval_ledger.h, one run per policy),
// records them and commits; :rollback forgets them, and nothing was written.
#include <set>

#include "runtime/io/record_json.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/content_hash.h"
#include "runtime/ledger/store.h"
#include "tools/edict/eval_ledger.h"
#include "tools/repl/input.h"
#include "tools/repl/session_internal.h"

namespace edict::repl {

namespace {

bool IsUrl(const std::string& where) {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

// The id field of a parsed record, or "".
std::string RecordId(const ir::Program& program, const interp::Record& rec) {
  if (program.id_field < 0 || rec.values.size() <= static_cast<size_t>(program.id_field)) return "";
  return std::string(rec.values[program.id_field].text);
}

}  // namespace

std::string Session::LedgerCommand(const std::string& arg) {
  if (arg.empty()) return LedgerText();
  size_t space = arg.find_first_of(" \t");
  std::string sub = arg.substr(0, space), rest = space == std::string::npos ? "" : Trim(arg.substr(space));
  if (sub == "open") {
    if (rest.empty()) return Fail(":ledger open needs a SQLite file or a postgresql:// URL");
    return OpenLedger(IsUrl(rest) ? rest : TypedPath(rest));
  }
  if (sub == "close") return CloseLedger();
  return Fail("unknown :ledger command '" + sub + "'",
              ":ledger shows the quota use; :ledger open PATH|URL, :ledger close");
}

bool Session::RefreshFromStore(std::string* error) {
  std::vector<ledger::TotalRow> rows;
  if (!store_->Totals(&rows, error)) return false;
  // The pending use, key by key, is put back on top of the fresh totals.
  MemoryLedger pending;
  for (const auto& [key, amount] : working_.entries()) {
    auto delta = Sub(amount, committed_.Consumed(key));
    if (delta && !(*delta == Rational{})) pending.Add(key, *delta);
  }
  committed_.Clear();
  for (const auto& r : rows) {
    committed_.Add(r.ledger_key, r.consumed);
    key_labels_.try_emplace(r.ledger_key, KeyLabel{r.quota + " (" + r.label + ")", r.unit});
  }
  CopyLedger(committed_, &working_);
  for (const auto& [key, amount] : pending.entries())
    if (!working_.Add(key, amount)) {
      *error = "the pending use of " + key + " no longer adds up";
      return false;
    }
  return true;
}

std::string Session::OpenLedger(const std::string& where) {
  if (pending_ > 0)
    return Fail("the pending queries would be lost", ":commit or :rollback them first, then :ledger open");
  std::string error;
  auto store = ledger::Store::Open(where, &error);
  if (!store) return Fail(error);
  int64_t entries = 0;
  if (!store->Begin(false, &error)) return Fail(error);
  entries = store->next_position() - 1;
  store->Rollback();
  std::string was = store_ ? "closed ledger " + store_->where() + "; " : "";
  if (!store_ && !committed_.entries().empty()) was = "the session's in-memory ledger is set aside; ";
  store_ = std::move(store);
  to_record_.clear();
  next_query_id_ = query_count_ + 1;
  committed_.Clear();
  working_.Clear();
  if (!RefreshFromStore(&error)) {
    store_.reset();
    return Fail(error);
  }
  return was + "opened ledger " + store_->where() + ": " + std::to_string(entries) +
         (entries == 1 ? " entry, " : " entries, ") + std::to_string(committed_.entries().size()) +
         (committed_.entries().size() == 1 ? " quota key" : " quota keys") +
         ". Queries are what-ifs against it: :commit records them, :rollback forgets them\n";
}

std::string Session::CloseLedger() {
  if (!store_) return "no ledger open: quota use is kept in memory for this session\n";
  if (pending_ > 0) return Fail("the pending queries would be lost", ":commit or :rollback them first");
  std::string where = store_->where();
  store_.reset();
  committed_.Clear();
  working_.Clear();
  return "closed ledger " + where + "; quota use is kept in memory again, starting from nothing\n";
}

bool Session::NextQueryId(std::string* id, std::string* error) {
  next_query_id_ = std::max(next_query_id_, query_count_ + 1);
  std::set<std::string> pending;
  for (const ToRecord& t : to_record_) pending.insert(t.id);
  // A hundred candidates per look-up: a ledger that recorded q1..q500 in earlier sessions costs five.
  for (;;) {
    std::vector<std::string> ids;
    for (int k = 0; k < 100; ++k) ids.push_back("q" + std::to_string(next_query_id_ + k));
    std::vector<std::string_view> views(ids.begin(), ids.end());
    std::vector<ledger::RecordedShipment> found;
    if (!store_->Begin(false, error)) return false;
    bool ok = store_->Find(views, &found, error);
    store_->Rollback();
    if (!ok) return false;
    std::set<std::string> taken(pending);
    for (const auto& r : found) taken.insert(r.id);
    for (const std::string& candidate : ids) {
      if (taken.count(candidate)) {
        ++next_query_id_;
        continue;
      }
      *id = candidate;
      return true;
    }
  }
}

std::string Session::CheckRecorded(const ir::Program& program, const interp::Record& rec, std::string* note) {
  std::string id = RecordId(program, rec);
  if (id.empty()) return "";
  for (const ToRecord& t : to_record_)
    if (t.id == id)
      return Fail("shipment id '" + id + "' is pending already (asked earlier in this session)",
                  "give this query its own id (id \"...\"), or :rollback");
  std::string error;
  std::vector<std::string_view> ids = {id};
  std::vector<ledger::RecordedShipment> found;
  if (!store_->Begin(false, &error)) return Fail(error);
  bool ok = store_->Find(ids, &found, &error);
  store_->Rollback();
  if (!ok) return Fail(error);
  if (found.empty()) return "";
  const ledger::RecordedShipment& r = found.front();
  if (r.content != ledger::ShipmentHash(program, rec)) {
    *note = "  note: shipment id '" + id + "' is recorded in the ledger (position " +
            std::to_string(r.position) +
            ") with other content: this answer is a what-if, and :commit will refuse it (give another id)\n";
    return "";
  }
  cli::RecordedSummary sum = cli::SummariseRecorded(r);
  return "RECORDED ALREADY: shipment '" + id + "' is in the ledger at position " +
         std::to_string(r.position) + " (" + (sum.policy.empty() ? r.run.policy_id : sum.policy) + ")\n  " +
         sum.outcome + (sum.rules.empty() ? "" : "  by " + sum.rules) +
         "\n  nothing is consumed again; ask with another id (id \"...\") to try it anew\n";
}

std::string Session::CommitToStore() {
  if (to_record_.empty()) return "nothing to commit\n";
  std::string error;
  auto fail = [&](const std::string& message) {
    store_->Rollback();
    return Fail("nothing recorded: " + message, "the pending queries are kept; :commit again or :rollback");
  };
  if (!store_->Begin(true, &error)) return fail(error);
  size_t n = to_record_.size();
  std::vector<cli::LedgerShipment> shipments(n);
  std::vector<interp::Record> records(n);
  std::vector<interp::Decision> decisions(n);
  for (size_t i = 0; i < n; ++i) {
    shipments[i].id = to_record_[i].id;
    shipments[i].input = to_record_[i].input;
    shipments[i].content = to_record_[i].content;
    shipments[i].line = static_cast<int>(i + 1);
  }
  // One run per policy: consecutive queries of one policy go in together, in the order asked.
  for (size_t from = 0; from < n;) {
    size_t to = from;
    while (to < n && to_record_[to].program == to_record_[from].program) ++to;
    const ir::Program& program = *to_record_[from].program;
    cli::LedgerEval eval(*store_, program, false);
    ledger::RunInfo run;
    run.command = "repl";
    run.policy_id = program.name;
    run.policy_version = program.version;
    run.policy_hash = program.content_hash;
    run.edict_version = options_.edict_version;
    run.input_name = "repl";
    run.input_format = "jsonl";
    eval.SetRun(run);
    std::span<cli::LedgerShipment> group(shipments.data() + from, to - from);
    if (!eval.Resolve(group, &error)) return fail(error);
    for (size_t i = from; i < to; ++i) {
      if (shipments[i].state != cli::LedgerShipment::kNew) continue;
      records[i] = to_record_[i].record;
      decisions[i] =
          interp::Decide(program, records[i], *store_, OptionsFor(program, to_record_[i].defaults, true));
    }
    auto view = [&](size_t k) { return interp::DecisionView::Of(decisions[from + k]); };
    cli::LedgerEval::Result r = eval.Record(group, view, &error);
    if (r == cli::LedgerEval::Result::kIdTaken) return fail("a shipment id was recorded by another process");
    if (r == cli::LedgerEval::Result::kError) return fail(error);
    from = to;
  }
  if (!store_->Commit(&error)) return fail(error);
  // What was recorded, and what :commit decided otherwise than the answer given when asked.
  std::string notes;
  int64_t first = 0, last = 0;
  long recorded = 0;
  for (size_t i = 0; i < n; ++i) {
    const cli::LedgerShipment& s = shipments[i];
    const ToRecord& t = to_record_[i];
    if (s.state == cli::LedgerShipment::kRecorded) {
      notes += "  " + t.id + ": recorded meanwhile by another run (position " + std::to_string(s.position) +
               "); not recorded again\n";
      continue;
    }
    if (s.state != cli::LedgerShipment::kNew) {
      notes += "  " + t.id + ": refused: the id is recorded (position " + std::to_string(s.position) +
               ") with other content\n";
      continue;
    }
    const interp::Decision& d = decisions[i];
    if (d.error) {
      notes += "  " + t.id + ": not recorded: " + d.error_message + "\n";
      continue;
    }
    ++recorded;
    if (!first) first = s.position;
    last = s.position;
    std::string now = io::ShortOutcome(d);
    if (now != t.answer)
      notes += "  " + t.id + ": decided again as " + now + " (it was " + t.answer +
               " when asked: the ledger moved meanwhile)\n";
  }
  to_record_.clear();
  pending_ = 0;
  CopyLedger(committed_, &working_);  // the pending use is recorded now: it comes back with the totals
  std::string out = "recorded " + std::to_string(recorded) + (recorded == 1 ? " shipment" : " shipments") +
                    " in ledger " + store_->where();
  if (recorded == 1) out += " at position " + std::to_string(first);
  if (recorded > 1) out += " at positions " + std::to_string(first) + " to " + std::to_string(last);
  out += "\n" + notes;
  if (!RefreshFromStore(&error)) out += Fail(error);
  return out;
}

}  // namespace edict::repl
