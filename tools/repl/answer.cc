#include "tools/repl/answer.h"

#include <algorithm>
#include <optional>
#include <type_traits>

#include "compiler/diag/human_text.h"
#include "compiler/driver/explain.h"
#include "runtime/date.h"
#include "runtime/interp/eval.h"

namespace edict::repl {

std::string Num(const Rational& r) {
  return text::GroupNumber(r.ToString());
}

namespace {

std::string Describe(const ir::Program& p, int enum_index, int member) {
  if (enum_index < 0 || member < 0) return "";
  const ir::Enum& e = p.enums[enum_index];
  if (member >= static_cast<int>(e.members.size())) return "";
  const std::string& desc = e.descriptions[member];
  return desc.empty() ? e.members[member] : desc;
}

std::string Outcome(const interp::Decision& d) {
  return interp::OutcomeText(*d.program, d.kind, d.symbol, d.notify, d.review);
}

std::string RuleLine(const ir::Rule& r) {
  return r.id + (r.cite.empty() ? "" : " [" + r.cite + "]");
}

// A quota this shipment did not consume: where it stands and what the shipment would add.
struct Unused {
  std::string head;      // "quota aid_lpp (consignee=X, year=2025)"
  bool outside = false;  // the shipment's date is outside the quota's window
  Rational used, amount;
  std::optional<Rational> total;
  bool fits = false;
};

Unused Measure(const ir::Quota& q, interp::EvalContext& ctx, const Ledger& ledger) {
  Unused u;
  u.head = "quota " + q.id + " (" + interp::QuotaKeyText(q, ctx) + ")";
  std::string key = interp::QuotaKey(q, ctx);
  if (key.empty()) {
    u.outside = true;
    return u;
  }
  u.used = ledger.Consumed(key);
  u.amount = interp::Eval(*q.measure, ctx).num;
  u.total = Add(u.used, u.amount);
  u.fits = u.total && Compare(*u.total, q.limit) <= 0;
  return u;
}

// What one quota looks like for this shipment, when it did not consume it.
std::string UnusedQuotaLine(const ir::Quota& q, interp::EvalContext& ctx, const Ledger& ledger) {
  std::string unit = q.unit.empty() ? "" : " " + q.unit;
  Unused u = Measure(q, ctx, ledger);
  if (u.outside) return u.head + ": this shipment's date is outside the quota's window";
  return u.head + ": " + Num(u.used) + " of " + Num(q.limit) + unit + " used; this shipment's " +
         Num(u.amount) + unit + (u.fits ? " would fit" : " does not fit") + " (not consumed)";
}

// Calls `each` with every quota of the deciding program that the decision did not consume, in an evaluation
// context for the shipment. A timeline decides with another program's record layout: nothing then.
template <typename F>
void ForEachUnused(const ir::Program& top, const interp::Record& rec, const interp::Decision& d,
                   const Ledger& ledger, F each) {
  if (d.error || !d.in_force || d.program != &top) return;
  const ir::Program& p = top;
  std::vector<bool> consumed(p.quotas.size(), false);
  for (const auto& q : d.quotas) consumed[q.quota] = true;
  std::deque<BitSet> scratch;
  interp::EvalContext ctx;
  ctx.program = &p;
  ctx.fields = rec.values.data();
  ctx.ledger = &ledger;
  ctx.date = d.date;
  ctx.scratch = &scratch;
  for (size_t i = 0; i < p.quotas.size(); ++i) {
    if (consumed[i]) continue;
    try {
      each(p.quotas[i], ctx);
    } catch (const interp::EvalError& e) {
      each(p.quotas[i], e.message);
    }
  }
}

}  // namespace

std::string InWords(const interp::Decision& d) {
  if (d.error) return "ERROR";
  const ir::Program& p = *d.program;
  switch (d.kind) {
    case ir::OutcomeIR::kNoLicenseRequired:
      return "NO LICENSE REQUIRED";
    case ir::OutcomeIR::kLicenseException: {
      std::string symbol =
          d.symbol >= 0 && p.symbol_enum >= 0 ? p.enums[p.symbol_enum].members[d.symbol] : "?";
      std::string desc = Describe(p, p.symbol_enum, d.symbol);
      std::string out = "SHIPS UNDER LICENSE EXCEPTION " + symbol;
      if (!desc.empty() && desc != symbol) out += " (" + desc + ")";
      if (d.notify) out += ", with notice to BIS";
      return out;
    }
    case ir::OutcomeIR::kLicenseRequired: {
      std::string desc = Describe(p, p.review_enum, d.review);
      return "LICENSE REQUIRED" + (desc.empty() ? "" : ", reviewed under a " + desc);
    }
    case ir::OutcomeIR::kProhibited:
      return "PROHIBITED";
  }
  return "?";
}

std::vector<std::string> QuotaLines(const ir::Program& top, const interp::Record& rec,
                                    const interp::Decision& d, const Ledger& ledger,
                                    const std::string& consumed_note) {
  std::vector<std::string> lines;
  if (d.error || !d.in_force) return lines;
  const ir::Program& p = *d.program;
  std::vector<bool> shown(p.quotas.size(), false);
  for (const auto& q : d.quotas) {
    const ir::Quota& quota = p.quotas[q.quota];
    shown[q.quota] = true;
    std::string unit = quota.unit.empty() ? "" : " " + quota.unit;
    auto left = Sub(q.limit, q.after);
    lines.push_back("quota " + quota.id + " (" + q.key_text + "): " + Num(q.before) + " + " + Num(q.amount) +
                    " = " + Num(q.after) + " of " + Num(q.limit) + unit + ", " +
                    (left ? Num(*left) : std::string("?")) + unit + " left" + consumed_note);
  }
  ForEachUnused(top, rec, d, ledger, [&](const ir::Quota& q, auto& ctx_or_error) {
    if constexpr (std::is_same_v<std::decay_t<decltype(ctx_or_error)>, std::string>)
      lines.push_back("quota " + q.id + ": cannot be evaluated: " + ctx_or_error);
    else
      lines.push_back(UnusedQuotaLine(q, ctx_or_error, ledger));
  });
  return lines;
}

std::string AnswerText(const ir::Program& top, const std::string& top_name, const interp::Record& rec,
                       const interp::Decision& d, const Ledger& ledger, const Style& style) {
  if (d.error) {
    return style.Error("error") + ": " + d.error_message +
           (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : "") + "\n";
  }
  const ir::Program& p = *d.program;
  const char* colour = d.kind == ir::OutcomeIR::kNoLicenseRequired  ? term::kBoldGreen
                       : d.kind == ir::OutcomeIR::kLicenseException ? term::kBoldYellow
                                                                    : term::kBoldRed;
  std::string out = style.Paint(colour, InWords(d)) + "\n";
  out += "  " + Outcome(d) + "  " +
         style.Dim("(" + (&p == &top ? top_name : p.name) + ", " + FormatDate(d.date) + ")") + "\n";
  if (&p != &top)
    out += "  the timeline " + top_name + " chose " + p.name + " for " + FormatDate(d.date) + "\n";
  out += driver::PendingNote(d);
  if (!d.in_force) {
    out += "  " + p.name + " is not in force on " + FormatDate(d.date) + ": no rule is considered\n";
    return out;
  }
  if (d.rules.empty()) out += "  no rule applies\n";
  for (int ri : d.rules) {
    const ir::Rule& r = p.rules[ri];
    out += "  by " + style.Bold(RuleLine(r)) + "\n";
    if (!r.doc.empty()) out += "     " + r.doc + "\n";
  }
  for (const auto& line : QuotaLines(top, rec, d, ledger, " (pending until :commit)"))
    out += "  " + line + "\n";
  return out;
}

std::string UnusedQuotaArithmetic(const ir::Program& top, const interp::Record& rec,
                                  const interp::Decision& d, const Ledger& ledger) {
  std::string out;
  ForEachUnused(top, rec, d, ledger, [&](const ir::Quota& q, auto& ctx_or_error) {
    std::string head = "Quota " + q.id;
    if constexpr (std::is_same_v<std::decay_t<decltype(ctx_or_error)>, std::string>) {
      out += head + ": cannot be evaluated: " + ctx_or_error + "\n";
    } else {
      Unused u = Measure(q, ctx_or_error, ledger);
      std::string unit = q.unit.empty() ? "" : " " + q.unit;
      out += "Q" + u.head.substr(1) + (q.cite.empty() ? "" : " [" + q.cite + "]") + ", not consumed: ";
      if (u.outside) {
        out += "the shipment's date is outside the quota's window\n";
        return;
      }
      out += "limit " + Num(q.limit) + unit + ", consumed before " + Num(u.used) + unit + ", this shipment " +
             Num(u.amount) + unit + ": " + Num(u.used) + " + " + Num(u.amount) + " = " +
             (u.total ? Num(*u.total) : std::string("?")) + (u.fits ? " <= " : " > ") + Num(q.limit) + unit +
             (u.fits ? ", would fit" : ", does not fit") + "\n";
    }
  });
  return out;
}

std::string CompareText(const Column& left, const Column& right, const Style& style, int columns) {
  struct Row {
    std::string label;
    std::vector<std::string> cells[2];
  };
  std::vector<Row> rows(6);
  rows[0].label = "policy";
  rows[1].label = "date";
  rows[2].label = "answer";
  rows[3].label = "outcome";
  rows[4].label = "rules";
  rows[5].label = "quotas";
  const Column* cols[2] = {&left, &right};
  for (int c = 0; c < 2; ++c) {
    const interp::Decision& d = *cols[c]->decision;
    bool chosen = d.program && d.program != cols[c]->top;  // by a timeline
    rows[0].cells[c].push_back(
        cols[c]->policy + (chosen ? ", which chose " + d.program->name : "") +
        (d.pending ? " (" + d.pending->name + ": compliance from " + FormatDate(d.pending->compliance) + ")"
                   : ""));
    rows[1].cells[c].push_back(FormatDate(d.date));
    rows[2].cells[c].push_back(d.error || d.in_force ? InWords(d) : "NOT IN FORCE: no rule is considered");
    if (d.error) {
      rows[3].cells[c].push_back("error: " + d.error_message);
      continue;
    }
    rows[3].cells[c].push_back(Outcome(d) + (d.in_force ? "" : " (not in force)"));
    for (int ri : d.rules) rows[4].cells[c].push_back(RuleLine(d.program->rules[ri]));
    if (d.rules.empty()) rows[4].cells[c].push_back("(none)");
    // The row is labelled `quotas`: its cells leave out the word.
    for (const auto& q : QuotaLines(*cols[c]->top, *cols[c]->rec, d, *cols[c]->ledger, ""))
      rows[5].cells[c].push_back(q.rfind("quota ", 0) == 0 ? q.substr(6) : q);
    if (rows[5].cells[c].empty()) rows[5].cells[c].push_back("(none)");
  }
  // Long cells wrap at word boundaries so that the columns stay aligned, by the columns text takes on a
  // terminal (a consignee's name in Chinese takes two a character). A line is the label (9), a cell, " | "
  // and a cell.
  const size_t label_width = 9;
  const size_t width = (static_cast<size_t>(std::max(columns, 52)) - label_width - 3) / 2;
  auto wrap = [&](const std::vector<std::string>& cells) {
    std::vector<std::string> lines;
    for (const auto& cell : cells) {
      std::string rest = cell, indent;
      while (text::DisplayWidth(rest) > width) {
        size_t fits = text::PrefixForWidth(rest, width);
        size_t cut = rest.rfind(' ', fits);
        if (cut == std::string::npos || cut <= indent.size()) cut = std::max<size_t>(fits, 1);
        lines.push_back(rest.substr(0, cut));
        rest = "  " + rest.substr(rest[cut] == ' ' ? cut + 1 : cut);
        indent = "  ";
      }
      lines.push_back(rest);
    }
    return lines;
  };
  std::string out;
  for (const auto& r : rows) {
    std::vector<std::string> a = wrap(r.cells[0]), b = wrap(r.cells[1]);
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      std::string left = text::PadRight(i < a.size() ? a[i] : "", width);
      std::string label = i == 0 ? r.label : "";
      label.resize(label_width, ' ');
      std::string line = style.Bold(label) + left + " | " + (i < b.size() ? b[i] : "");
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace edict::repl
