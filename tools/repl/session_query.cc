// Queries and the quota ledger: answering, :why, :compare, :ledger, :commit, :rollback.
#include <map>
#include <set>

#include "compiler/driver/explain.h"
#include "runtime/date.h"
#include "runtime/io/reader.h"
#include "runtime/io/record_json.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/content_hash.h"
#include "runtime/ledger/store.h"
#include "tools/repl/json_query.h"
#include "tools/repl/query.h"
#include "tools/repl/session_internal.h"

namespace edict::repl {

void CopyLedger(const MemoryLedger& from, MemoryLedger* to) {
  to->Clear();
  for (const auto& [key, amount] : from.entries()) to->Add(key, amount);
}

void LabelKeys(const MemoryLedger& before, const MemoryLedger& after, const interp::Decision& d,
               std::map<std::string, KeyLabel>* labels) {
  if (!d.program) return;
  for (const auto& [key, amount] : after.entries()) {
    if (before.Consumed(key) == amount) continue;
    std::string id = key.substr(0, key.find('\x1f'));
    for (const auto& use : d.quotas) {
      const ir::Quota& q = d.program->quotas[use.quota];
      if (q.ledger_id == id) (*labels)[key] = KeyLabel{q.id + " (" + use.key_text + ")", q.unit};
    }
  }
}

bool Session::ParseQuery(const ir::Program& program, std::string_view input, bool json,
                         const QueryDefaults& defaults, interp::Record* rec, std::string* error_text) {
  if (!json) {
    QueryError error;
    if (ParseShipQuery(program, input, defaults, rec, &error)) return true;
    *error_text = Diagnose(input, error.col, error.end_col, error.message, error.hint);
    return false;
  }
  // A JSON object may leave out the id and, when an :as-of date is set, the date.
  std::string text = WithDefaults(input, defaults);
  io::RecordParser parser(program);
  std::string error, ignored;
  if (parser.ParseJson(text, rec, &error, &ignored)) return true;
  ByteRange at = ErrorRange(input, error);
  *error_text =
      Diagnose(input, static_cast<int>(at.begin), static_cast<int>(at.end), "invalid shipment: " + error,
               error.rfind("missing", 0) == 0 ? "add it, or ask in the short form: ship N ITEM ..." : "");
  return false;
}

// The shipment's date decides (rules, the policy a timeline picks, quota periods), so the record is dated
// by the query or :as-of before deciding. Only a schema without a date field takes the :as-of date here.
interp::DecideOptions OptionsFor(const ir::Program& program, const QueryDefaults& defaults, bool consume) {
  interp::DecideOptions options;
  options.has_as_of = defaults.has_date && program.date_field < 0;
  options.as_of = defaults.date;
  options.consume = consume;
  return options;
}

std::string Session::Query(std::string_view input, bool json) {
  EnsureSessionPolicy();
  Policy* p = Current();
  if (!p) return Fail("no policy loaded", ":load FILE");
  auto last = std::make_unique<LastQuery>();
  last->defaults.id = "q" + std::to_string(query_count_ + 1);
  last->defaults.has_date = has_as_of_;
  last->defaults.date = as_of_;
  std::string error;
  // With a ledger open: its totals as they stand now, and an id it has not recorded.
  if (store_ && (!RefreshFromStore(&error) || !NextQueryId(&last->defaults.id, &error))) return Fail(error);
  if (!ParseQuery(*p->program, input, json, last->defaults, &last->record, &error)) return error;
  ++query_count_;
  std::unique_ptr<ToRecord> record;
  std::string note;
  if (store_ && p->program->id_field < 0) note = "  note: this policy's shipments have no id: not recorded\n";
  if (store_ && p->program->id_field >= 0) {
    std::string recorded = CheckRecorded(*p->program, last->record, &note);
    if (!recorded.empty()) {
      last_.reset();
      return recorded;
    }
    // As parsed: deciding fills in defaults, which the content hash and the recorded input leave out.
    record = std::make_unique<ToRecord>();
    record->id = std::string(last->record.values[p->program->id_field].text);
    record->input = io::RecordJson(*p->program, last->record, record->id);
    record->content = ledger::ShipmentHash(*p->program, last->record);
    record->program = p->program;
    record->policy = p->name;
    record->record = last->record;
    record->defaults = last->defaults;
  }
  last->text = std::string(input);
  last->json = json;
  last->policy = p->name;
  last->program = p->program;
  last->typed = p->typed;
  CopyLedger(working_, &last->before);
  last->decision = interp::Decide(*p->program, last->record, working_,
                                  OptionsFor(*p->program, last->defaults, true), &last->trace);
  PointAtTyped(*p, &last->decision);
  if (last->decision.error) had_error_ = true;
  if (!store_ && !last->decision.quotas.empty()) ++pending_;
  LabelKeys(last->before, working_, last->decision, &key_labels_);
  last_ = std::move(last);
  std::string out = AnswerText(*p->program, p->name, last_->record, last_->decision, working_, style_) + note;
  if (record && !last_->decision.error) {
    record->answer = io::ShortOutcome(last_->decision);
    out += "  what-if: :commit records " + record->id + " in the ledger, :rollback forgets it\n";
    to_record_.push_back(std::move(*record));
    pending_ = static_cast<int>(to_record_.size());
  }
  int date_field = p->program->date_field;
  if (has_as_of_ && date_field >= 0 && last_->record.values[date_field].i != as_of_)
    out += "  note: decided on the query's own date " + FormatDate(last_->record.values[date_field].i) +
           "; :as-of " + FormatDate(as_of_) + " only dates queries that give none\n";
  return out;
}

std::string Session::Why() {
  if (!last_)
    return Fail("no query yet", "ask one: ship 10 nvidia-h100-sxm to IN consignee \"X\" on 2025-03-01");
  return driver::ExplainText(*last_->program, last_->record, last_->decision, last_->trace) +
         UnusedQuotaArithmetic(*last_->program, last_->record, last_->decision, last_->before);
}

std::string Session::Compare(const std::string& name) {
  if (!last_) return Fail("no query to compare yet");
  if (name.empty()) return Fail(":compare needs a loaded policy", ":policy lists them; :load FILE adds one");
  Policy* other = Find(name);
  if (!other) return Fail("no loaded policy '" + name + "'", ":load FILE first");
  // The same query as it was answered: its id and the :as-of date of then, not of now.
  interp::Record rec;
  std::string error;
  if (!ParseQuery(*other->program, last_->text, last_->json, last_->defaults, &rec, &error))
    return Fail("the last query cannot be asked of " + other->name + ":") + error;
  // The other policy answers from the quotas as they were before the query, and consumes nothing.
  MemoryLedger ledger;
  CopyLedger(last_->before, &ledger);
  interp::Decision d =
      interp::Decide(*other->program, rec, ledger, OptionsFor(*other->program, last_->defaults, false));
  PointAtTyped(*other, &d);
  // Quotas the query did not consume read as they were when it was answered: as in `before`.
  Column left{last_->policy, last_->program.get(), &last_->record, &last_->decision, &last_->before};
  Column right{other->name + " (what-if)", other->program.get(), &rec, &d, &ledger};
  return CompareText(left, right, style_, columns_);
}

namespace {

// "lpp (Reliance, 2025)" from a ledger key (quota id and key parts separated by \x1f).
std::string KeyText(const std::string& key, const std::map<std::string, KeyLabel>& labels) {
  if (auto it = labels.find(key); it != labels.end()) return it->second.text;
  size_t cut = key.find('\x1f');
  if (cut == std::string::npos) return key;
  std::string out = key.substr(0, cut) + " (";
  for (size_t i = cut + 1; i < key.size(); ++i)
    out += key[i] == '\x1f' ? std::string(", ") : std::string(1, key[i]);
  return out + ")";
}

// The quota of a ledger key in `p` (or in the policies of its timeline); null when `p` has no such quota.
const ir::Quota* QuotaOf(const ir::Program* p, const std::string& key) {
  if (!p) return nullptr;
  std::string id = key.substr(0, key.find('\x1f'));
  for (const auto& q : p->quotas)
    if (q.ledger_id == id) return &q;
  for (const auto& entry : p->timeline)
    if (const ir::Quota* q = QuotaOf(entry.program.get(), key)) return q;
  return nullptr;
}

// " tpp": the unit of the quota that consumed under `key`, else of the current policy's quota of that id.
std::string Unit(const ir::Program* p, const std::string& key,
                 const std::map<std::string, KeyLabel>& labels) {
  std::string unit;
  if (auto it = labels.find(key); it != labels.end())
    unit = it->second.unit;
  else if (const ir::Quota* q = QuotaOf(p, key))
    unit = q->unit;
  return unit.empty() ? "" : " " + unit;
}

// "26,898,568 of 26,900,000 tpp, 1432 tpp left" when the current policy has the quota, else "26,898,568 tpp".
std::string Against(const ir::Program* p, const std::string& key, const Rational& total,
                    const std::string& unit, bool* limit_shown) {
  const ir::Quota* q = QuotaOf(p, key);
  if (!q) return Num(total) + unit;
  *limit_shown = true;
  std::string out = Num(total) + " of " + Num(q->limit) + unit + ", ";
  if (Compare(total, q->limit) <= 0) {
    auto left = Sub(q->limit, total);
    return out + (left ? Num(*left) : std::string("?")) + unit + " left";
  }
  auto over = Sub(total, q->limit);
  return out + (over ? Num(*over) : std::string("?")) + unit + " over the limit";
}

}  // namespace

std::string Session::LedgerText() const {
  const ir::Program* p = current_ >= 0 ? policies_[current_].program.get() : nullptr;
  std::string out;
  bool limit_shown = false;
  // Two ledger entries can read alike: quotas of the same name declared by different policies (an edited copy
  // under another file name) keep entries of their own. Such labels name their policy's entry.
  std::map<std::string, std::set<std::string>> keys_of;
  for (const auto* ledger : {&committed_, &working_})
    for (const auto& [key, amount] : ledger->entries()) keys_of[KeyText(key, key_labels_)].insert(key);
  auto label = [&](const std::string& key) {
    std::string text = KeyText(key, key_labels_);
    if (keys_of[text].size() > 1) text += " [" + key.substr(0, key.find('\x1f')) + "]";
    return text;
  };
  // With a ledger open, "committed" is what it has recorded (read again now).
  std::string committed = store_ ? "recorded in ledger " + store_->where() : "committed";
  if (committed_.entries().empty())
    out += committed + ": nothing\n";
  else
    out += committed + ":\n";
  for (const auto& [key, amount] : committed_.entries())
    out += "  " + label(key) + ": " + Against(p, key, amount, Unit(p, key, key_labels_), &limit_shown) + "\n";
  std::string pending;
  for (const auto& [key, amount] : working_.entries()) {
    Rational before = committed_.Consumed(key);
    if (before == amount) continue;
    auto delta = Sub(amount, before);
    std::string unit = Unit(p, key, key_labels_);
    pending += "  " + label(key) + ": +" + (delta ? Num(*delta) : std::string("?")) + unit + " (total " +
               Against(p, key, amount, unit, &limit_shown) + ")\n";
  }
  if (pending.empty())
    out += "pending: nothing\n";
  else
    out += "pending (" + std::to_string(pending_) + (pending_ == 1 ? " query" : " queries") +
           (store_ ? "; :commit records them, :rollback discards):\n"
                   : "; :commit keeps, :rollback discards):\n") +
           pending;
  // With several policies loaded, say whose limits these are: the use may come from another one.
  if (limit_shown && policies_.size() > 1)
    out += "limits and what is left: as in " + policies_[current_].name + ", the current policy\n";
  return out;
}

std::string Session::Commit() {
  if (store_) return CommitToStore();
  if (pending_ == 0) return "nothing to commit\n";
  CopyLedger(working_, &committed_);
  std::string out = "committed the quota use of " + std::to_string(pending_) +
                    (pending_ == 1 ? " query" : " queries") + "\n";
  pending_ = 0;
  return out;
}

std::string Session::Rollback() {
  if (pending_ == 0) return "nothing to roll back\n";
  CopyLedger(committed_, &working_);
  std::string out = "discarded the quota use of " + std::to_string(pending_) +
                    (pending_ == 1 ? " query" : " queries") + (store_ ? "; nothing was recorded\n" : "\n");
  pending_ = 0;
  to_record_.clear();
  return out;
}

}  // namespace edict::repl
