#include "compiler/driver/explain.h"

#include "compiler/diag/human_text.h"
#include "runtime/date.h"
#include "runtime/interp/eval.h"
#include "runtime/interp/timeline.h"

namespace edict::driver {

namespace {

// Numbers as people read them: "26,898,568".
std::string Num(const Rational& r) {
  return text::GroupNumber(r.ToString());
}

// A rule in force on the decision's date whose own compliance date is later.
bool RulePending(const ir::Rule& r, int date) {
  return r.has_compliance && r.in_force_from <= date && date < r.from && date <= r.until;
}

std::string RulePendingNotes(const interp::Decision& d) {
  std::string out;
  if (!d.program || !d.in_force) return out;
  for (int i : interp::PendingRules(*d.program, d.date)) {
    const ir::Rule& r = d.program->rules[i];
    out += "  rule " + r.id + " is in force" +
           (r.in_force_from == INT_MIN ? "" : " from " + FormatDate(r.in_force_from)) + ", compliance from " +
           FormatDate(r.from) + ": it does not bind yet, so it was not applied\n";
  }
  return out;
}

}  // namespace

std::string PendingNote(const interp::Decision& d) {
  if (!d.pending) return RulePendingNotes(d);
  const ir::Program& q = *d.pending;
  std::string dates = "in force from " + FormatDate(q.from) + ", compliance from " + FormatDate(q.compliance);
  if (&q == d.program)
    return "  compliance with " + q.name + " is not required before " + FormatDate(q.compliance) + " (" +
           dates + "): this is the policy's own answer; until then the rules it amends govern\n" +
           RulePendingNotes(d);
  return "  " + q.name + " is passed over: " + dates + "; until then the policy it amends governs\n" +
         RulePendingNotes(d);
}

std::string DecisionSummary(const interp::Decision& d) {
  if (d.error)
    return "error: " + d.error_message + (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : "");
  const ir::Program& p = *d.program;
  std::string out = interp::OutcomeText(p, d.kind, d.symbol, d.notify, d.review);
  if (!d.in_force) return out + " (the policy is not in force on " + FormatDate(d.date) + ")";
  for (size_t i = 0; i < d.rules.size(); ++i) {
    const ir::Rule& r = p.rules[d.rules[i]];
    out += (i ? ", " : " by ") + r.id + (r.cite.empty() ? "" : " [" + r.cite + "]");
  }
  if (d.rules.empty()) out += " (no rule applies)";
  return out;
}

std::string ExplainText(const ir::Program& top, const interp::Record& record, const interp::Decision& d,
                        const interp::Trace& trace) {
  const ir::Program& p = d.program ? *d.program : top;
  std::string out;
  out += "Policy: " + p.title + " (" + p.name + (p.source.empty() ? "" : ", " + p.source) + ")\n";
  if (&p != &top) out += "  chosen by the timeline " + top.name + " for " + FormatDate(d.date) + "\n";
  out += PendingNote(d);
  out += "Shipment:";
  for (size_t i = 0; i < top.fields.size() && i < record.values.size(); ++i) {
    if (record.values[i].absent() || top.fields[i].kind == ir::Field::kDerived) continue;
    std::string value = interp::FormatValue(top, record.values[i], top.fields[i].type);
    out += " " + top.fields[i].name + "=" +
           (record.values[i].kind == ValueKind::kNumber ? text::GroupNumber(value) : value);
  }
  out += "\n";
  if (!trace.fields.empty()) {
    out += "Computed:";
    for (const auto& [name, value] : trace.fields)
      out += " " + name + "=" + text::GroupNumber(value);  // numbers only: a date or an ECCN stays
    out += "\n";
  }
  if (!d.in_force) {
    out += "The policy is not in force on " + FormatDate(d.date) + ": no rule is considered.\n";
  } else {
    out += "Rules considered:\n";
    for (const auto& t : trace.rules) {
      const ir::Rule& r = p.rules[t.rule];
      std::string indent(2 + 4 * t.depth, ' ');
      std::string state = RulePending(r, d.date)
                              ? "not binding before its compliance date " + FormatDate(r.from)
                          : !t.in_force ? "not in force"
                          : t.applies   ? "applies"
                                        : "does not apply";
      out += indent + (r.exception ? "exception " : "rule ") + r.id +
             (r.cite.empty() ? "" : " [" + r.cite + "]") + ": " + state;
      if (t.applies) out += " -> " + t.outcome;
      if (t.applies && !t.resolved.empty() && t.resolved != t.outcome) out += ", overridden: " + t.resolved;
      out += "\n";
      if (!r.doc.empty() && t.depth == 0 && t.applies) out += indent + "  \"" + r.doc + "\"\n";
      for (const auto& [text, value] : t.conditions) out += indent + "  " + value + "  <- " + text + "\n";
    }
  }
  out += "Decision: " + DecisionSummary(d) + "\n";
  for (int ri : d.rules)
    if (!p.rules[ri].doc.empty()) out += "  " + p.rules[ri].id + ": " + p.rules[ri].doc + "\n";
  for (const auto& q : d.quotas) {
    const ir::Quota& quota = p.quotas[q.quota];
    auto remaining = Sub(q.limit, q.after);
    std::string unit = quota.unit.empty() ? "" : " " + quota.unit;
    out += "Quota " + quota.id + " (" + q.key_text + ")" +
           (quota.cite.empty() ? "" : " [" + quota.cite + "]") + ": limit " + Num(q.limit) + unit +
           ", consumed before " + Num(q.before) + unit + ", this shipment " + Num(q.amount) + unit +
           ", remaining " + (remaining ? Num(*remaining) : std::string("?")) + unit + "\n";
  }
  return out;
}

}  // namespace edict::driver
