#include "compiler/diff/replay.h"

#include "compiler/diff/symbolic.h"
#include "runtime/date.h"
#include "runtime/interp/decide.h"
#include "runtime/interp/eval.h"

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

std::string ReplayOne(const ir::Program& p, const Witness& w, std::vector<std::string>* rules) {
  interp::DecideOptions options;
  options.consume = false;
  // First pass: fill in defaults and derived fields, so the quota keys can be computed.
  interp::Record filled = BuildRecord(p, w);
  MemoryLedger empty;
  interp::Decide(p, filled, empty, options);
  MemoryLedger ledger;
  for (const ir::Quota& q : p.quotas) {
    std::string label = QuotaLabel(q);
    for (const auto& [l, amount] : w.consumed) {
      if (l != label) continue;
      std::deque<BitSet> scratch;
      interp::EvalContext ctx;
      ctx.program = &p;
      ctx.fields = filled.values.data();
      ctx.ledger = &empty;
      ctx.scratch = &scratch;
      ctx.date = p.date_field >= 0 ? filled.values[p.date_field].i : 0;
      try {
        std::string key = interp::QuotaKey(q, ctx);
        if (!key.empty()) ledger.Add(key, amount);
      } catch (const interp::EvalError&) {
      }
    }
  }
  interp::Record rec = BuildRecord(p, w);
  interp::Decision d = interp::Decide(p, rec, ledger, options);
  if (d.error)
    return d.error_message.rfind("conflict", 0) == 0 ? "error (conflicting rules)"
                                                     : "error: " + d.error_message;
  if (rules)
    for (int r : d.rules) rules->push_back(p.rules[r].id);
  return interp::OutcomeText(p, d.kind, d.symbol, d.notify, d.review);
}

ReplayResult Replay(const ir::Program& old_program, const ir::Program& new_program, const Witness& witness) {
  ReplayResult r;
  r.old_outcome = ReplayOne(old_program, witness, &r.old_rules);
  r.new_outcome = ReplayOne(new_program, witness, &r.new_rules);
  r.differ = r.old_outcome != r.new_outcome;
  return r;
}

namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string Witness::ToJson() const {
  std::string out = "{";
  for (const auto& [name, v] : fields) {
    if (out.size() > 1) out += ", ";
    out += JsonString(name) + ": ";
    switch (v.kind) {
      case TypeKind::kBool:
        out += v.b ? "true" : "false";
        break;
      case TypeKind::kNumber:
        out += v.num.ToString();
        break;
      case TypeKind::kDate:
        out += JsonString(FormatDate(v.date));
        break;
      default:
        out += JsonString(v.text);
        break;
    }
  }
  return out + "}";
}

}  // namespace edict::diff
