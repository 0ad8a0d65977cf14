// Renderings of a diff report: terminal text (optionally coloured), JSON and Markdown.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "compiler/diag/terminal.h"
#include "compiler/diff/diff.h"
#include "runtime/io/json_text.h"

namespace edict::diff {

namespace {

std::string Join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

const char* Sign(Change::Kind k) {
  return k == Change::kAdded ? "+" : k == Change::kRemoved ? "-" : "~";
}

std::string ChangeLine(const Change& c) {
  std::string out = (c.in.empty() ? "" : "in " + Join(c.in) + ": ") + c.what + " " + c.name;
  switch (c.kind) {
    case Change::kAdded:
      return out + (c.detail.empty() ? "" : " (" + c.detail + ")") + ": " + c.after;
    case Change::kRemoved:
      return out + ": " + c.before;
    case Change::kChanged:
      if (c.detail == "members") return out + " members: " + Join({c.before, c.after}, " ");
      return out + (c.detail.empty() ? "" : " " + c.detail) + ": " + c.before + "  ->  " + c.after;
  }
  return out;
}

std::string Side(const std::string& outcome, const std::vector<std::string>& rules) {
  return outcome + (rules.empty() ? "" : " by " + Join(rules));
}

// "nvidia-h100-sxm, nvidia-b200" or "any of 24" or "all 249 except CN, MO".
std::string Values(const std::vector<std::string>& seen, bool complete, int domain) {
  if (!complete)
    return Join(seen) + ", ... (" + std::to_string(seen.size()) + "+ values; enumeration budget spent)";
  if (static_cast<int>(seen.size()) == domain) return "any (all " + std::to_string(domain) + ")";
  if (seen.empty()) return "(only when omitted)";
  return Join(seen) + " (" + std::to_string(seen.size()) + " of " + std::to_string(domain) + ")";
}

// As Values, but a list longer than half its domain is shown by what it leaves out.
std::string ValuesOf(const std::vector<std::string>& seen, bool complete,
                     const std::vector<std::string>& all) {
  int domain = static_cast<int>(all.size());
  if (!complete || all.empty() || static_cast<int>(seen.size()) * 2 <= domain ||
      static_cast<int>(seen.size()) == domain)
    return Values(seen, complete, domain);
  std::vector<std::string> missing;
  for (const auto& m : all)
    if (std::find(seen.begin(), seen.end(), m) == seen.end()) missing.push_back(m);
  return "all " + std::to_string(seen.size()) + " of " + std::to_string(domain) + " except " + Join(missing);
}

// A ledger entry by the quota's name in each version: "aid_lpp", "aid_lpp (NEW: lpp)", "lpp (NEW only)".
std::string QuotaName(const ConsumedBefore& c) {
  if (c.new_quota.empty()) return c.old_quota + " (OLD only)";
  if (c.old_quota.empty()) return c.new_quota + " (NEW only)";
  return c.old_quota == c.new_quota ? c.old_quota : c.old_quota + " (NEW: " + c.new_quota + ")";
}

std::string ConsumedText(const Witness& w) {
  std::vector<std::string> parts;
  for (const auto& c : w.consumed) parts.push_back(QuotaName(c) + " " + c.amount.ToString());
  return Join(parts);
}

// The countries, end uses and dates of a class are described for the first chip it was found for (one
// solver problem per chip); when the class spans several, the lines say so rather than imply the rest.
std::string ForFirst(const BehaviourClass& c) {
  if (c.split_field.empty() || c.split_values.size() < 2) return "";
  return " (for " + c.split_field + " " + c.split_values[0] + ")";
}

// "policy in force: advanced_computing_2023 -> ai_diffusion_2025", when a version is a timeline.
std::string InForceText(const BehaviourClass& c, const std::string& arrow = " -> ") {
  if (c.old_policy.empty() && c.new_policy.empty()) return "";
  auto side = [](const std::string& p) { return p.empty() ? std::string("(the policy itself)") : p; };
  return "policy in force: " + side(c.old_policy) + arrow + side(c.new_policy);
}

// "quantity (for item nvidia-a100): 1586 to 5388", "tpp: 7917312 or more (after earlier quota use)".
std::vector<std::string> RangeTexts(const BehaviourClass& c) {
  std::vector<std::string> out;
  for (const auto& r : c.ranges)
    out.push_back(r.field + ForFirst(c) + ": " +
                  (!r.not_described.empty() ? "not described (" + r.not_described + ")"
                   : r.unbounded            ? r.min + " or more"
                                            : r.min + " to " + r.max) +
                  (r.empty_ledger || !r.not_described.empty() ? "" : " (after earlier quota use)"));
  return out;
}

std::string DatesText(const BehaviourClass& c) {
  return "dates: " + c.first_date + " to " + c.last_date + " (earliest and latest" +
         (ForFirst(c).empty() ? ")" : ", for " + c.split_field + " " + c.split_values[0] + ")");
}

std::string UsesText(const std::vector<std::string>& uses) {
  return uses.empty() ? "nothing" : Join(uses);
}

std::string Verdict(const DiffReport& r) {
  const BehaviourResult& b = r.behaviour;
  if (r.equivalent()) return "no behavioural difference for any shipment or quota history (proved by Z3)";
  if (r.differs()) {
    std::string out = "behaviour differs: ";
    if (!b.classes.empty())
      out += std::to_string(b.classes.size()) + " class" + (b.classes.size() == 1 ? "" : "es");
    if (!b.input_changes.empty())
      out += std::string(b.classes.empty() ? "" : " and ") + std::to_string(b.input_changes.size()) +
             " input value" + (b.input_changes.size() == 1 ? "" : "s") + " only one version accepts";
    return out + (b.proved ? " (all classes found; proved by Z3)" : " (the search is incomplete, see below)");
  }
  return "no difference found, but equivalence is NOT proved (see below)";
}

struct Colors {
  const char *red = "", *green = "", *yellow = "", *bold = "", *dim = "", *reset = "";
};

std::string Md(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string RenderText(const DiffReport& r, bool color) {
  Colors k;
  if (color) k = {term::kRed, term::kGreen, term::kYellow, term::kBold, term::kDim, term::kReset};
  std::string out =
      std::string(k.bold) + "edict diff " + r.old_label + " -> " + r.new_label + k.reset + "\n\n";
  out +=
      std::string(k.bold) + "Structural changes (" + std::to_string(r.changes.size()) + ")" + k.reset + "\n";
  if (r.changes.empty()) out += "  none\n";
  for (const Change& c : r.changes) {
    const char* col = c.kind == Change::kAdded ? k.green : c.kind == Change::kRemoved ? k.red : k.yellow;
    out += std::string("  ") + col + Sign(c.kind) + " " + ChangeLine(c) + k.reset + "\n";
  }
  const BehaviourResult& b = r.behaviour;
  out += "\n" + std::string(k.bold) + "Behavioural differences (" + std::to_string(b.classes.size()) + ")" +
         k.reset + "\n";
  int n = 0;
  for (const BehaviourClass& c : b.classes) {
    out += "  " + std::to_string(++n) + ". " + k.red + Side(c.old_outcome, c.old_rules) + k.reset +
           "\n     -> " + k.green + Side(c.new_outcome, c.new_rules) + k.reset + "\n";
    if (!c.split_field.empty())
      out +=
          "     " + c.split_field + ": " + ValuesOf(c.split_values, true, c.domains.at(c.split_field)) + "\n";
    for (const auto& [field, seen] : c.values)
      out += "     " + field + ForFirst(c) + ": " +
             ValuesOf(seen, c.values_complete.at(field), c.domains.at(field)) + "\n";
    for (const auto& range : RangeTexts(c)) out += "     " + range + "\n";
    if (!c.first_date.empty()) out += "     " + DatesText(c) + "\n";
    if (!InForceText(c).empty()) out += "     " + InForceText(c) + "\n";
    if (!c.old_uses.empty() || !c.new_uses.empty())
      out += "     the witness adds to the quotas: " + UsesText(c.old_uses) + " -> " + UsesText(c.new_uses) +
             "\n";
    out += std::string("     ") + k.dim + "witness: " + c.witness.ToJson() + k.reset + "\n";
    if (!c.witness.consumed.empty())
      out += std::string("     ") + k.dim +
             "with this already consumed before it (same in both versions): " + ConsumedText(c.witness) +
             k.reset + "\n";
  }
  if (b.classes.empty()) out += "  none found\n";
  if (!b.input_changes.empty()) {
    out += "\n" + std::string(k.bold) + "Inputs only one version accepts (" +
           std::to_string(b.input_changes.size()) + ")" + k.reset + "\n";
    for (const auto& s : b.input_changes) out += "  " + s + "\n";
  }
  out += "\n" + std::string(k.bold) + "Result: " + Verdict(r) + k.reset + "\n";
  for (const auto& s : b.not_covered) out += "  not covered: " + s + "\n";
  out += "  searched: " + Join(b.assumptions, "; ") + "\n";
  out += "  decisions compared by outcome and quota use; " +
         std::string(b.classes.empty()
                         ? "no witness to replay"
                         : "every witness replayed through the interpreter" +
                               std::string(b.second_engine.empty() ? "" : " and the " + b.second_engine) +
                               " on both versions") +
         "\n";
  fmt::format_to(std::back_inserter(out), "  {} solver queries, {:.2f} s\n", b.queries, r.seconds);
  return out;
}

std::string RenderJson(const DiffReport& r) {
  using io::Json;
  using io::JsonList;
  std::string out;
  auto to = std::back_inserter(out);
  fmt::format_to(to,
                 "{{\n  \"old\": {},\n  \"new\": {},\n  \"equivalent\": {},\n  \"differs\": {},\n"
                 "  \"proved\": {},\n  \"changes\": [",
                 Json{r.old_label}, Json{r.new_label}, r.equivalent(), r.differs(), r.behaviour.proved);
  for (size_t i = 0; i < r.changes.size(); ++i) {
    const Change& c = r.changes[i];
    const char* kind = c.kind == Change::kAdded     ? "added"
                       : c.kind == Change::kRemoved ? "removed"
                                                    : "changed";
    fmt::format_to(to,
                   "{}\n    {{\"kind\": \"{}\", \"what\": {}, \"name\": {}, \"detail\": {}, \"before\": {}, "
                   "\"after\": {}, \"in\": {}}}",
                   i ? "," : "", kind, Json{c.what}, Json{c.name}, Json{c.detail}, Json{c.before},
                   Json{c.after}, JsonList{c.in});
  }
  out += r.changes.empty() ? "],\n" : "\n  ],\n";
  out += "  \"classes\": [";
  for (size_t i = 0; i < r.behaviour.classes.size(); ++i) {
    const BehaviourClass& c = r.behaviour.classes[i];
    fmt::format_to(to,
                   "{}\n    {{\"old\": {{\"outcome\": {}, \"rules\": {}}}, \"new\": {{\"outcome\": {}, "
                   "\"rules\": {}}},\n     \"where\": {{",
                   i ? "," : "", Json{c.old_outcome}, JsonList{c.old_rules}, Json{c.new_outcome},
                   JsonList{c.new_rules});
    const char* sep = "";
    if (!c.split_field.empty()) {
      fmt::format_to(to, "{}: {}", Json{c.split_field}, JsonList{c.split_values});
      sep = ", ";
    }
    for (const auto& [field, seen] : c.values) {
      fmt::format_to(to, "{}{}: {}", sep, Json{field}, JsonList{seen});
      sep = ", ";
    }
    out += "},\n     \"complete\": {";
    sep = "";
    for (const auto& [field, complete] : c.values_complete) {
      fmt::format_to(to, "{}{}: {}", sep, Json{field}, complete);
      sep = ", ";
    }
    fmt::format_to(to, "}},\n     \"described_for\": {},\n     \"first_date\": {}, \"last_date\": {}",
                   Json{c.split_values.size() > 1 && !c.split_field.empty() ? c.split_values[0] : ""},
                   Json{c.first_date}, Json{c.last_date});
    out += ",\n     \"ranges\": [";
    for (size_t k = 0; k < c.ranges.size(); ++k) {
      const auto& range = c.ranges[k];
      fmt::format_to(
          to, "{}{{\"field\": {}, \"min\": {}, \"max\": {}, \"empty_ledger\": {}, \"not_described\": {}}}",
          k ? ", " : "", Json{range.field}, Json{range.min},
          range.unbounded ? std::string("null") : io::JsonEscape(range.max), range.empty_ledger,
          Json{range.not_described});
    }
    fmt::format_to(
        to,
        "],\n     \"old_policy\": {}, \"new_policy\": {},\n     \"old_uses\": {}, \"new_uses\": {},\n"
        "     \"witness\": {},\n     \"consumed_before\": [",
        Json{c.old_policy}, Json{c.new_policy}, JsonList{c.old_uses}, JsonList{c.new_uses},
        c.witness.ToJson());
    sep = "";
    for (const auto& cb : c.witness.consumed) {
      fmt::format_to(to, "{}{{\"old_quota\": {}, \"new_quota\": {}, \"amount\": {}}}", sep,
                     Json{cb.old_quota}, Json{cb.new_quota}, Json{cb.amount.ToString()});
      sep = ", ";
    }
    out += "]}";
  }
  out += r.behaviour.classes.empty() ? "],\n" : "\n  ],\n";
  std::vector<std::string> engines = {"interpreter"};
  if (!r.behaviour.second_engine.empty()) engines.push_back(r.behaviour.second_engine);
  fmt::format_to(to,
                 "  \"input_changes\": {},\n  \"not_covered\": {},\n  \"assumptions\": {},\n"
                 "  \"replayed_by\": {},\n  \"queries\": {}\n}}\n",
                 JsonList{r.behaviour.input_changes}, JsonList{r.behaviour.not_covered},
                 JsonList{r.behaviour.assumptions}, JsonList{engines}, r.behaviour.queries);
  return out;
}

std::string RenderMarkdown(const DiffReport& r) {
  std::string out = "### edict diff `" + r.old_label + "` → `" + r.new_label + "`\n\n";
  out += "**" + Verdict(r) + "**\n\n";
  out += "#### Structural changes (" + std::to_string(r.changes.size()) + ")\n\n";
  if (r.changes.empty()) out += "None.\n";
  for (const Change& c : r.changes)
    out += "- `" + std::string(Sign(c.kind)) + "` " + Md(ChangeLine(c)) + "\n";
  out += "\n#### Behavioural differences (" + std::to_string(r.behaviour.classes.size()) + ")\n\n";
  if (r.behaviour.classes.empty()) out += "None found.\n";
  int n = 0;
  for (const BehaviourClass& c : r.behaviour.classes) {
    out += std::to_string(++n) + ". **" + Md(Side(c.old_outcome, c.old_rules)) + "** → **" +
           Md(Side(c.new_outcome, c.new_rules)) + "**\n";
    if (!c.split_field.empty())
      out += "   - " + c.split_field + ": " +
             Md(ValuesOf(c.split_values, true, c.domains.at(c.split_field))) + "\n";
    for (const auto& [field, seen] : c.values)
      out += "   - " + Md(field + ForFirst(c)) + ": " +
             Md(ValuesOf(seen, c.values_complete.at(field), c.domains.at(field))) + "\n";
    for (const auto& range : RangeTexts(c)) out += "   - " + Md(range) + "\n";
    if (!c.first_date.empty()) out += "   - " + Md(DatesText(c)) + "\n";
    if (!InForceText(c).empty()) out += "   - " + Md(InForceText(c, " → ")) + "\n";
    if (!c.old_uses.empty() || !c.new_uses.empty())
      out += "   - the witness adds to the quotas: " + Md(UsesText(c.old_uses)) + " → " +
             Md(UsesText(c.new_uses)) + "\n";
    out += "   - witness: `" + c.witness.ToJson() + "`";
    if (!c.witness.consumed.empty())
      out += ", with this already consumed before it (same in both versions): " + Md(ConsumedText(c.witness));
    out += "\n";
  }
  if (!r.behaviour.input_changes.empty()) {
    out += "\n#### Inputs only one version accepts (" + std::to_string(r.behaviour.input_changes.size()) +
           ")\n\n";
    for (const auto& s : r.behaviour.input_changes) out += "- " + Md(s) + "\n";
  }
  if (!r.behaviour.not_covered.empty()) {
    out += "\n#### Not covered\n\n";
    for (const auto& s : r.behaviour.not_covered) out += "- " + Md(s) + "\n";
  }
  out += "\nSearched: " + Md(Join(r.behaviour.assumptions, "; ")) +
         ". Decisions are compared by outcome and quota use; every witness was replayed through the "
         "interpreter" +
         (r.behaviour.second_engine.empty() ? "" : " and the " + r.behaviour.second_engine) +
         " on both versions.\n";
  return out;
}

}  // namespace edict::diff
