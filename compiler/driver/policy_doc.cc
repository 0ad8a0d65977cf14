#include "compiler/driver/policy_doc.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <string_view>

#include "runtime/date.h"
#include "runtime/interp/timeline.h"

namespace edict::driver {

namespace {

// Whitespace runs become one space; leading and trailing whitespace goes.
std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The byte offset in a file of (line, column): lines are 1-based, columns 0-based and counted in code points.
size_t Offset(const SourceFile& f, int line, int col) {
  size_t at = f.line_starts[line - 1];
  for (int c = 0; c < col && at < f.text.size() && f.text[at] != '\n'; ++c) {
    ++at;
    while (at < f.text.size() && (static_cast<unsigned char>(f.text[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

bool SpanInFile(const Span& span) {
  return span.valid() && span.end_line >= span.line &&
         span.end_line <= static_cast<int>(span.file->line_starts.size());
}

// The source text a span covers, collapsed to one line; empty when the span has no file.
std::string SpanText(const Span& span) {
  if (!SpanInFile(span)) return "";
  size_t begin = Offset(*span.file, span.line, span.col),
         end = Offset(*span.file, span.end_line, span.end_col);
  if (end < begin) return "";
  return Collapse(std::string_view(span.file->text).substr(begin, end - begin));
}

// The span from the leftmost to the rightmost token of an expression. A field access `item.datacenter`
// carries only the span of `datacenter` (where "no such field" points); its object comes first.
void CoverSpan(const ast::Expr& e, Span* cover) {
  if (e.span.valid() && (!cover->valid() || e.span.file == cover->file)) {
    if (!cover->valid() || e.span.line < cover->line ||
        (e.span.line == cover->line && e.span.col < cover->col)) {
      cover->file = e.span.file;
      cover->line = e.span.line;
      cover->col = e.span.col;
    }
    if (cover->end_line == 0 || e.span.end_line > cover->end_line ||
        (e.span.end_line == cover->end_line && e.span.end_col > cover->end_col)) {
      cover->end_line = e.span.end_line;
      cover->end_col = e.span.end_col;
    }
  }
  for (const auto& a : e.args)
    if (a) CoverSpan(*a, cover);
}

// The source text of an expression, widened to balance parentheses that the parser dropped (`(a or b).f`).
std::string ExprText(const ast::Expr& e) {
  Span cover;
  CoverSpan(e, &cover);
  if (!SpanInFile(cover)) return "";
  const SourceFile& f = *cover.file;
  size_t begin = Offset(f, cover.line, cover.col), end = Offset(f, cover.end_line, cover.end_col);
  if (end < begin) return "";
  int depth = 0, unopened = 0;
  for (size_t i = begin; i < end; ++i) {
    if (f.text[i] == '(') ++depth;
    if (f.text[i] == ')' && --depth < 0) {
      ++unopened;
      depth = 0;
    }
  }
  for (; unopened > 0 && begin > 0; --begin)
    if (f.text[begin - 1] == '(') --unopened;
  for (; depth > 0 && end < f.text.size(); ++end)
    if (f.text[end] == ')') --depth;
  return Collapse(std::string_view(f.text).substr(begin, end - begin));
}

// Text safe inside a Markdown table cell.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : Collapse(s)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Code(std::string_view s) {
  return "`" + std::string(s) + "`";
}

// "26900000" -> "26,900,000"; a fraction or a non-number is kept as is after the integer part.
std::string GroupDigits(const std::string& number) {
  size_t start = number.size() > 0 && number[0] == '-' ? 1 : 0;
  size_t end = start;
  while (end < number.size() && std::isdigit(static_cast<unsigned char>(number[end]))) ++end;
  std::string digits = number.substr(start, end - start);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return number.substr(0, start) + grouped + number.substr(end);
}

std::string InForceText(int from, int until) {
  if (from == INT_MIN && until == INT_MAX) return "always";
  std::string out;
  if (from != INT_MIN) out = "from " + FormatDate(from);
  if (until != INT_MAX) out += std::string(out.empty() ? "" : " ") + "until " + FormatDate(until);
  return out;
}

class DocWriter {
 public:
  DocWriter(const ir::Program& p, const sema::LoadedProgram* loaded) : p_(p), loaded_(loaded) {}

  std::string Render() {
    Header();
    if (!p_.timeline.empty()) {
      Timeline();
    } else {
      BuiltUpon();
      Overview();
      Rules();
      Quotas();
      Withdrawals();
    }
    Tests();
    return out_;
  }

 private:
  void Line(const std::string& s = "") { out_ += s + "\n"; }

  // A rule decides something under this policy: not withdrawn, and in force on some day the policy is.
  bool Live(const ir::Rule& r) const {
    return !r.withdrawn && r.from <= r.until && r.until >= p_.from && r.from <= p_.until;
  }

  std::string Outcome(const ir::OutcomeIR& o) const {
    std::string notify;
    if (o.notify) {
      if (o.notify->op == ir::Op::kConst)
        notify = o.notify->constant.b ? "true" : "false";
      else
        notify = SpanText(o.notify->span);
      if (notify.empty()) notify = "(computed)";
    }
    switch (o.kind) {
      case ir::OutcomeIR::kNoLicenseRequired:
        return "no_license_required";
      case ir::OutcomeIR::kProhibited:
        return "prohibited";
      case ir::OutcomeIR::kLicenseException: {
        std::string symbol =
            o.symbol >= 0 && p_.symbol_enum >= 0 ? p_.enums[p_.symbol_enum].members[o.symbol] : "?";
        return "license_exception(" + symbol +
               (notify.empty() || notify == "false" ? "" : ", notify: " + notify) + ")";
      }
      case ir::OutcomeIR::kLicenseRequired: {
        std::string review =
            o.review >= 0 && p_.review_enum >= 0 ? p_.enums[p_.review_enum].members[o.review] : "?";
        return "license_required(review: " + review + ")";
      }
    }
    return "?";
  }

  const ast::Module* FindModule(const std::string& name) const {
    if (!loaded_) return nullptr;
    for (const auto& m : loaded_->modules)
      if (m->is_policy && m->name == name) return m.get();
    return nullptr;
  }

  // The policies whose rules this one builds upon, in load order (dependencies first).
  std::vector<std::string> ImportedPolicies() const {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
      if (n != p_.name && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    };
    if (loaded_)
      for (const auto& m : loaded_->modules)
        if (m->is_policy) add(m->name);
    for (const ir::Rule& r : p_.rules) add(r.policy);
    return names;
  }

  void Header() {
    Line("# " + (p_.title.empty() ? p_.name : p_.title));
    Line();
    Line("> Generated by `edict doc` from `" + p_.name +
         ".edict`. Do not edit this file: change the policy and "
         "regenerate it.");
    Line();
    Line("| | |");
    Line("|---|---|");
    Line("| Policy file | " + Code(p_.name + ".edict") + " |");
    if (!p_.version.empty()) Line("| Version | " + Cell(p_.version) + " |");
    if (!p_.source.empty()) Line("| Source | " + Cell(p_.source) + " |");
    Line("| In force | " + InForceText(p_.from, p_.until) + " |");
    if (p_.has_compliance)
      Line("| Compliance from | " + FormatDate(p_.compliance) +
           (p_.compliance > p_.from ? " (until then a timeline applies the policy it amends)" : "") + " |");
    Line();
    if (!p_.summary.empty()) {
      Line("## Summary");
      Line();
      Line(Collapse(p_.summary));
      Line();
    }
  }

  void BuiltUpon() {
    std::vector<std::string> imported = ImportedPolicies();
    if (imported.empty()) return;
    Line("## Built upon");
    Line();
    Line("This policy imports the following policies; their rules keep their provenance (`POLICY.RULE`).");
    Line();
    for (const std::string& name : imported) {
      int live = 0, total = 0;
      for (const ir::Rule& r : p_.rules)
        if (r.policy == name) {
          ++total;
          if (Live(r)) ++live;
        }
      std::string line = "- " + Code(name);
      if (const ast::Module* m = FindModule(name)) {
        if (!m->header.title.empty()) line += ": " + Collapse(m->header.title);
        if (!m->header.version.empty()) line += " (version " + Collapse(m->header.version) + ")";
        if (!m->header.source.empty()) line += "; source: " + Collapse(m->header.source);
      }
      line += ". " + std::to_string(live) + " of its " + std::to_string(total) +
              (total == 1 ? " rule and exception" : " rules and exceptions") +
              " can apply under this policy.";
      Line(line);
    }
    Line();
  }

  // A tree of rules and their exceptions with outcomes, one line each.
  void Overview() {
    Line("## Rules at a glance");
    Line();
    if (p_.roots.empty()) {
      Line("This policy has no rules: every shipment is `no_license_required`.");
      Line();
      return;
    }
    Line("Each exception is nested under the rule (or exception) it overrides.");
    Line();
    for (int root : p_.roots)
      if (Live(p_.rules[root])) OverviewLine(root, 0);
    Line();
  }

  void OverviewLine(int idx, int depth) {
    const ir::Rule& r = p_.rules[idx];
    Line(std::string(depth * 2, ' ') + "- " + Code(r.id) + " → " + Code(Outcome(r.outcome)));
    for (int e : r.exceptions)
      if (Live(p_.rules[e])) OverviewLine(e, depth + 1);
  }

  void Rules() {
    if (p_.roots.empty()) return;
    Line("## Rules");
    Line();
    Line(
        "The conditions are quoted as written in the policy; all of them must hold for the rule to apply. "
        "Where "
        "exceptions apply, they replace the rule's outcome; across rules, the most severe outcome governs.");
    Line();
    for (int root : p_.roots)
      if (Live(p_.rules[root])) RuleSection(root, 0);
  }

  const ast::Decl* FindRuleDecl(const ir::Rule& r) const {
    const ast::Module* m = FindModule(r.policy);
    if (!m) return nullptr;
    for (const auto& d : m->decls)
      if ((d->kind == ast::DeclKind::kRule || d->kind == ast::DeclKind::kException) && d->name == r.name)
        return d.get();
    return nullptr;
  }

  // The top-level `and` parts of a rule's condition as written: from the AST when loaded, else the IR's
  // texts.
  std::vector<std::string> ConditionTexts(const ir::Rule& r) const {
    std::vector<std::string> texts;
    const ast::Decl* d = FindRuleDecl(r);
    if (d && d->as<ast::RuleDecl>().when) {
      std::function<void(const ast::Expr&)> flatten = [&](const ast::Expr& e) {
        if (e.kind == ast::ExprKind::kBinary && e.op == ast::BinOp::kAnd && e.args.size() == 2) {
          flatten(*e.args[0]);
          flatten(*e.args[1]);
        } else {
          texts.push_back(ExprText(e));
        }
      };
      flatten(*d->as<ast::RuleDecl>().when);
      if (std::find(texts.begin(), texts.end(), "") == texts.end()) return texts;
      texts.clear();
    }
    for (const auto& [text, expr] : r.conditions) texts.push_back(Collapse(text));
    return texts;
  }

  void RuleSection(int idx, int depth) {
    const ir::Rule& r = p_.rules[idx];
    std::string hashes(std::min(3 + depth, 6), '#');
    std::string kind = r.exception ? "Exception" : "Rule";
    Line(hashes + " " + kind + " " + Code(r.id));
    Line();
    if (!r.doc.empty()) {
      Line(Collapse(r.doc));
      Line();
    }
    if (r.exception && r.target >= 0) Line("- **Overrides:** " + Code(p_.rules[r.target].id));
    if (!r.cite.empty()) Line("- **Citation:** " + Collapse(r.cite));
    // Only dates narrower than the policy's own are worth a line.
    int from = std::max(r.from, p_.from), until = std::min(r.until, p_.until);
    if (from != p_.from || until != p_.until) Line("- **In force:** " + InForceText(from, until));
    std::vector<std::string> conditions = ConditionTexts(r);
    if (conditions.empty()) {
      Line("- **When:** always");
    } else if (conditions.size() == 1) {
      Line("- **When:** " + Code(conditions[0]));
    } else {
      Line("- **When** all of:");
      for (const std::string& text : conditions) Line("  - " + Code(text));
    }
    Line("- **Then:** " + Code(Outcome(r.outcome)));
    if (!r.consumes.empty()) {
      std::string q;
      for (int c : r.consumes) q += (q.empty() ? "" : ", ") + Code(p_.quotas[c].id);
      Line("- **Consumes:** " + q + " (only when this rule determines the decision)");
    }
    std::string exceptions;
    for (int e : r.exceptions)
      if (Live(p_.rules[e])) exceptions += (exceptions.empty() ? "" : ", ") + Code(p_.rules[e].id);
    if (!exceptions.empty()) Line("- **Exceptions:** " + exceptions);
    Line();
    for (int e : r.exceptions)
      if (Live(p_.rules[e])) RuleSection(e, depth + 1);
  }

  std::string QuotaMeasure(const ir::Quota& q) const {
    if (!loaded_) return "";
    std::string module = q.id.find('.') == std::string::npos ? p_.name : q.id.substr(0, q.id.rfind('.'));
    for (const auto& m : loaded_->modules) {
      if (m->name != module && !(m.get() == loaded_->root && module == p_.name)) continue;
      for (const auto& d : m->decls)
        if (d->kind == ast::DeclKind::kQuota && d->name == q.name) {
          const auto& qd = d->as<ast::QuotaDecl>();
          if (qd.measure) return SpanText(qd.measure->span);
        }
    }
    return "";
  }

  void Quotas() {
    if (p_.quotas.empty()) return;
    Line("## Quotas");
    Line();
    Line(
        "A shipment fits a quota when what its key has consumed in the period plus the shipment's measure is "
        "at most "
        "the limit. Shipments are counted in input order.");
    Line();
    for (const ir::Quota& q : p_.quotas) {
      Line("### Quota " + Code(q.id));
      Line();
      if (!q.doc.empty()) {
        Line(Collapse(q.doc));
        Line();
      }
      Line("- **Limit:** " + GroupDigits(q.limit.ToString()) + (q.unit.empty() ? "" : " " + q.unit));
      std::string measure = QuotaMeasure(q);
      if (!measure.empty()) Line("- **Measure:** " + Code(measure));
      std::string keys;
      for (const std::string& k : q.key_texts) keys += (keys.empty() ? "" : ", ") + Code(Collapse(k));
      Line("- **Per:** " + (keys.empty() ? std::string("all shipments together") : keys));
      std::string period = "the whole time the policy is in force";
      if (q.calendar_year)
        period = "calendar year of the shipment date";
      else if (q.window)
        period = "from " + FormatDate(q.window_from) + " to " + FormatDate(q.window_to) +
                 " (a shipment outside this window does not fit)";
      Line("- **Period:** " + period);
      if (!q.cite.empty()) Line("- **Citation:** " + Collapse(q.cite));
      std::string users;
      for (size_t i = 0; i < p_.rules.size(); ++i) {
        const ir::Rule& r = p_.rules[i];
        if (!Live(r)) continue;
        for (int c : r.consumes)
          if (&p_.quotas[c] == &q) users += (users.empty() ? "" : ", ") + Code(r.id);
      }
      Line("- **Consumed by:** " +
           (users.empty() ? std::string("no rule in force under this policy") : users));
      Line();
    }
  }

  // Rules of imported policies that this policy withdrew or replaced, with the declarations that did it.
  void Withdrawals() {
    std::vector<std::string> lines;
    if (loaded_) {
      for (const auto& m : loaded_->modules) {
        if (!m->is_policy) continue;
        std::string where = m.get() == loaded_->root ? "" : " (declared in " + Code(m->name) + ")";
        for (const auto& d : m->decls) {
          if (d->kind == ast::DeclKind::kWithdraw) {
            const auto& w = d->as<ast::WithdrawDecl>();
            std::string when = w.has_from ? " from " + FormatDate(w.from) : "";
            std::string line;
            if (w.whole_policy) {
              const std::string& policy = w.names[0].first;
              std::string ids;
              for (const ir::Rule& r : p_.rules)
                if (r.policy == policy) ids += (ids.empty() ? "" : ", ") + Code(r.id);
              line = "- Every rule of " + Code(policy) + " is withdrawn" + when + where + ".";
              if (!ids.empty()) line += " Rules: " + ids + ".";
            } else {
              std::string ids;
              for (const auto& [name, span] : w.names) ids += (ids.empty() ? "" : ", ") + Code(name);
              line = "- Withdrawn" + when + where + ": " + ids + ".";
            }
            if (!d->doc.empty()) line += " " + Collapse(d->doc);
            if (!w.cite.empty()) line += " Citation: " + Collapse(w.cite) + ".";
            lines.push_back(line);
          } else if (d->kind == ast::DeclKind::kRule && !d->as<ast::RuleDecl>().target.empty()) {
            std::string id = m.get() == loaded_->root ? d->name : m->name + "." + d->name;
            lines.push_back("- " + Code(id) + " replaces " + Code(d->as<ast::RuleDecl>().target) + where +
                            ".");
          }
        }
      }
    } else {
      for (const ir::Rule& r : p_.rules)
        if (r.withdrawn) lines.push_back("- " + Code(r.id) + " is withdrawn or replaced.");
    }
    if (lines.empty()) return;
    Line("## Withdrawn and replaced rules");
    Line();
    for (const std::string& l : lines) Line(l);
    Line();
  }

  void Timeline() {
    Line("## Timeline");
    Line();
    Line(
        "Each shipment is decided by the policy in force on its date; before the first period no policy "
        "applies and "
        "the decision is `no_license_required` with no rules. Between a policy's effective date and a later "
        "compliance date, the policy it amends decides.");
    Line();
    Line("| Period | Policy | Title |");
    Line("|---|---|---|");
    for (const interp::TimelinePeriod& period : interp::TimelinePeriods(p_, p_.until)) {
      std::string name = period.entry ? period.entry->program->name : "";
      std::string title = period.entry ? period.entry->program->title : "no policy in force";
      if (period.pending)
        title += " (" + Code(period.pending->name) + " is in force from " + FormatDate(period.pending->from) +
                 ", but compliance is not required until " + FormatDate(period.pending->compliance) +
                 ": the policy it amends governs)";
      Line("| " + InForceText(period.from, period.to) + " | " +
           (name.empty() ? "(none)" : "[" + Code(name) + "](" + name + ".md)") + " | " + Cell(title) + " |");
    }
    Line();
  }

  void Tests() {
    Line("## Tests");
    Line();
    if (p_.tests.empty()) {
      Line("This policy has no tests.");
      Line();
      return;
    }
    Line(std::to_string(p_.tests.size()) + (p_.tests.size() == 1 ? " test" : " tests") +
         ", run with `edict test " + p_.name + ".edict`:");
    Line();
    for (size_t i = 0; i < p_.tests.size(); ++i)
      Line(std::to_string(i + 1) + ". " + Collapse(p_.tests[i].name));
  }

  const ir::Program& p_;
  const sema::LoadedProgram* loaded_;
  std::string out_;
};

}  // namespace

std::string PolicyDocMarkdown(const ir::Program& program, const sema::LoadedProgram* loaded) {
  return DocWriter(program, loaded).Render();
}

}  // namespace edict::driver
