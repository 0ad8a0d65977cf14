#include "compiler/diff/replay.h"

#include <fmt/format.h>

#include <iterator>

#include "compiler/diff/periods.h"
#include "compiler/diff/symbolic.h"
#include "runtime/date.h"
#include "runtime/interp/decide.h"
#include "runtime/interp/eval.h"
#include "runtime/interp/resolve.h"
#include "runtime/interp/timeline.h"
#include "runtime/io/json_text.h"

namespace edict::diff {

namespace {

// The witness as a record of `p`'s schema (enums by member name; fields `p` lacks are left out).
interp::Record BuildRecord(const ir::Program& p, const Witness& w) {
  interp::Record rec;
  rec.values.assign(p.fields.size(), Value{});
  for (const auto& [name, v] : w.fields) {
    int i = p.FieldIndex(name);
    if (i < 0 || p.fields[i].kind == ir::Field::kDerived) continue;
    const ir::Field& f = p.fields[i];
    switch (v.kind) {
      case TypeKind::kBool:
        rec.values[i] = Value::Bool(v.b);
        break;
      case TypeKind::kNumber:
        rec.values[i] = Value::Number(v.num);
        break;
      case TypeKind::kText:
        rec.values[i] = Value::Text(rec.Keep(v.text));
        break;
      case TypeKind::kDate:
        rec.values[i] = Value::Date(v.date);
        break;
      case TypeKind::kEnum: {
        const auto& members = p.enums[f.enum_index].members;
        for (size_t m = 0; m < members.size(); ++m)
          if (members[m] == v.text) rec.values[i] = Value::Enum(static_cast<int>(m));
        break;
      }
      default:
        break;
    }
  }
  return rec;
}

}  // namespace

const ir::Program* InForce(const ir::Program& p, int date) {
  if (p.timeline.empty()) return &p;
  const ir::TimelineEntry* entry = interp::EntryInForce(p, date);
  return entry ? entry->program.get() : nullptr;
}

namespace {

// The witness's value of `p`'s date field (the one a timeline dispatches on).
int WitnessDate(const ir::Program& p, const Witness& w) {
  if (p.date_field < 0) return 0;
  for (const auto& [name, v] : w.fields)
    if (name == p.fields[p.date_field].name && v.kind == TypeKind::kDate) return v.date;
  return 0;
}

// A ledger holding what the witness says each quota of `p` (the policy in force) had consumed before it.
void SeedLedger(const ir::Program& p, bool is_old, const Witness& w, MemoryLedger& ledger) {
  interp::DecideOptions options;
  options.consume = false;
  // First fill in defaults and derived fields, so the quota keys can be computed.
  interp::Record filled = BuildRecord(p, w);
  MemoryLedger empty;
  interp::Decide(p, filled, empty, options);
  for (const ir::Quota& q : p.quotas) {
    for (const ConsumedBefore& c : w.consumed) {
      if ((is_old ? c.old_quota : c.new_quota) != q.id) continue;
      std::deque<BitSet> scratch;
      interp::EvalContext ctx;
      ctx.program = &p;
      ctx.fields = filled.values.data();
      ctx.ledger = &empty;
      ctx.scratch = &scratch;
      ctx.date = p.date_field >= 0 ? filled.values[p.date_field].i : 0;
      try {
        std::string key = interp::QuotaKey(q, ctx);
        if (!key.empty()) ledger.Add(key, c.amount);
      } catch (const interp::EvalError&) {
      }
    }
  }
}

}  // namespace

ReplaySide ReplayOne(const ir::Program& p, bool is_old, const Witness& w, const Decider& decide) {
  interp::DecideOptions options;
  options.consume = false;
  // A timeline's ledger entries are its policies' (one ledger for all): seed them through the policy in
  // force.
  MemoryLedger ledger;
  if (const ir::Program* in_force = InForce(p, WitnessDate(p, w))) SeedLedger(*in_force, is_old, w, ledger);
  interp::Record rec = BuildRecord(p, w);
  interp::Decision d = decide ? decide(rec, ledger, options) : interp::Decide(p, rec, ledger, options);
  const ir::Program& decided = d.program ? *d.program : p;  // a timeline's policy in force
  ReplaySide side;
  if (d.error) {
    side.outcome =
        d.error_message.rfind("conflict", 0) == 0 ? "error (conflicting rules)" : "error: " + d.error_message;
    return side;
  }
  for (int r : d.rules) side.rules.push_back(decided.rules[r].id);
  int date = d.date;
  for (const interp::QuotaUse& u : d.quotas) {
    const ir::Quota& q = decided.quotas[u.quota];
    if (q.window && (date < q.window_from || date > q.window_to)) continue;  // no ledger entry: nothing added
    auto sum = Add(side.uses[q.id], u.amount);
    if (sum) side.uses[q.id] = *sum;
  }
  side.outcome = interp::OutcomeText(decided, d.kind, d.symbol, d.notify, d.review);
  return side;
}

ReplayResult Replay(const ir::Program& old_program, const ir::Program& new_program, const Witness& witness,
                    const std::vector<std::pair<int, int>>* uses) {
  ReplaySide a = ReplayOne(old_program, true, witness), b = ReplayOne(new_program, false, witness);
  ReplayResult r;
  r.old_outcome = a.outcome;
  r.new_outcome = b.outcome;
  r.old_rules = a.rules;
  r.new_rules = b.rules;
  r.differ = a.outcome != b.outcome;
  bool uses_differ = false;
  int date = WitnessDate(old_program, witness);
  const ir::Program* old_in_force = InForce(old_program, date);
  const ir::Program* new_in_force = InForce(new_program, WitnessDate(new_program, witness));
  std::vector<std::pair<int, int>> paired;
  if (!uses && (!old_program.timeline.empty() || !new_program.timeline.empty())) {
    // The pairing of a timeline's ledger entries holds across its periods: take the witness's period's.
    Bounds bounds;
    Periods periods(old_program, new_program, bounds.date_from, bounds.date_to);
    for (const Period& p : periods.list())
      if (p.from <= date && date <= p.to) paired = p.uses;
  } else if (!uses && old_in_force && new_in_force) {
    paired = PairQuotas(*old_in_force, *new_in_force);
  }
  for (auto [i, j] : uses ? *uses : paired) {
    Rational x = i >= 0 && old_in_force ? a.uses[old_in_force->quotas[i].id] : Rational{};
    Rational y = j >= 0 && new_in_force ? b.uses[new_in_force->quotas[j].id] : Rational{};
    if (!(x == y)) uses_differ = true;
  }
  if (uses_differ && a.outcome.rfind("error", 0) != 0 && b.outcome.rfind("error", 0) != 0) {
    r.differ = true;
    for (const auto& [id, amount] : a.uses)
      if (!(amount == Rational{})) r.old_uses.push_back(id + " " + amount.ToString());
    for (const auto& [id, amount] : b.uses)
      if (!(amount == Rational{})) r.new_uses.push_back(id + " " + amount.ToString());
  }
  return r;
}

std::string Witness::ToJson() const {
  std::string out = "{";
  auto to = std::back_inserter(out);
  for (const auto& [name, v] : fields) {
    fmt::format_to(to, "{}{}: ", out.size() > 1 ? ", " : "", io::Json{name});
    switch (v.kind) {
      case TypeKind::kBool:
        fmt::format_to(to, "{}", v.b);
        break;
      case TypeKind::kNumber: {
        // A number that is not a finite decimal ("11/30", rare: the search prefers decimals) stays exact, as
        // a string, so the line is still valid JSON.
        std::string n = v.num.ToString();
        if (n.find('/') == std::string::npos)
          out += n;
        else
          io::AppendJsonString(out, n);
        break;
      }
      case TypeKind::kDate:
        io::AppendJsonString(out, FormatDate(v.date));
        break;
      default:
        io::AppendJsonString(out, v.text);
        break;
    }
  }
  return out + "}";
}

}  // namespace edict::diff
