#include "runtime/io/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "compiler/diag/human_text.h"
#include "runtime/date.h"
#include "runtime/interp/eval.h"
#include "runtime/interp/timeline.h"

namespace edict::io {

namespace {

std::string JsonNumber(const Rational& r) {
  // Whole numbers as JSON numbers; exact fractions as strings so nothing is rounded.
  return r.IsInteger() ? r.ToString() : JsonEscape(r.ToString());
}

}  // namespace

std::string CsvCell(std::string_view s) {
  std::string out;
  AppendCsvCell(out, s);
  return out;
}

void AppendCsvCell(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"')
      out += "\"\"";
    else
      out.push_back(c);
  }
  out.push_back('"');
}

std::string ShortOutcome(const interp::Decision& d) {
  const ir::Program& p = *d.program;
  std::string out = interp::DecisionName(d.kind);
  if (d.kind == ir::OutcomeIR::kLicenseException && d.symbol >= 0 && p.symbol_enum >= 0)
    out += " " + p.enums[p.symbol_enum].members[d.symbol] + (d.notify ? " (notify)" : "");
  if (d.kind == ir::OutcomeIR::kLicenseRequired && d.review >= 0 && p.review_enum >= 0)
    out += " (" + p.enums[p.review_enum].members[d.review] + ")";
  return out;
}

std::string RuleIds(const interp::Decision& d) {
  std::string out;
  for (int r : d.rules) out += (out.empty() ? "" : " ") + d.program->rules[r].id;
  return out;
}

std::string DecisionJson(const interp::Decision& d, std::string_view id, bool explain, bool timeline) {
  std::string out;
  out.reserve(256);
  AppendDecisionJson(out, interp::DecisionView::Of(d), id, explain, timeline);
  return out;
}

void AppendDecisionJson(std::string& text, const interp::DecisionView& d, std::string_view id, bool explain,
                        bool timeline) {
  const ir::Program& p = *d.program;
  // Rendered into fmt's own buffer and appended once: fmt::format_to on a std::string's back inserter resizes
  // the string for every piece (fmt v9), which was an eighth of a batched `edict serve` request's CPU.
  fmt::memory_buffer out;
  auto to = fmt::appender(out);
  auto put = [&](std::string_view s) { out.append(s); };
  auto member_or_null = [&](bool has, int enum_index, int member) {
    if (has && member >= 0 && enum_index >= 0)
      AppendJsonString(out, p.enums[enum_index].members[member]);
    else
      put("null");
  };
  fmt::format_to(to, "{{\"id\":{},\"decision\":\"{}\",\"exception\":", Json{id},
                 interp::DecisionName(d.kind));
  member_or_null(d.kind == ir::OutcomeIR::kLicenseException, p.symbol_enum, d.symbol);
  put(",\"review_policy\":");
  member_or_null(d.kind == ir::OutcomeIR::kLicenseRequired, p.review_enum, d.review);
  fmt::format_to(to, ",\"notify\":{},\"rules\":[", d.notify);
  for (size_t i = 0; i < d.rules.size(); ++i) {
    if (i) put(",");
    AppendJsonString(out, p.rules[d.rules[i]].id);
  }
  put("],\"citations\":[");
  for (size_t i = 0; i < d.rules.size(); ++i) {
    if (i) put(",");
    AppendJsonString(out, p.rules[d.rules[i]].cite);
  }
  put("]");
  if (timeline) fmt::format_to(to, ",\"policy\":{}", Json{p.name});
  if (d.pending)
    // In force on the date but not yet binding: docs/language.md, "Effective and compliance dates".
    fmt::format_to(to, ",\"pending\":{{\"policy\":{},\"in_force_from\":\"{}\",\"compliance_from\":\"{}\"}}",
                   Json{d.pending->name}, FormatDate(d.pending->from), FormatDate(d.pending->compliance));
  if (!p.rule_compliance_edges.empty() && d.in_force) {
    // Rules in force but not yet binding (their own compliance dates): no engine applied them.
    std::vector<int> pending = interp::PendingRules(p, d.date);
    if (!pending.empty()) {
      put(",\"pending_rules\":[");
      for (size_t i = 0; i < pending.size(); ++i) {
        const ir::Rule& r = p.rules[pending[i]];
        fmt::format_to(to, "{}{{\"rule\":{},\"in_force_from\":{},\"compliance_from\":\"{}\"}}", i ? "," : "",
                       Json{r.id},
                       r.in_force_from == INT_MIN ? "null" : "\"" + FormatDate(r.in_force_from) + "\"",
                       FormatDate(r.from));
      }
      put("]");
    }
  }
  if (explain) {
    put(",\"quotas\":[");
    for (size_t i = 0; i < d.quotas.size(); ++i) {
      const auto& q = d.quotas[i];
      auto remaining = Sub(q.limit, q.after);
      fmt::format_to(to,
                     "{}{{\"quota\":{},\"key\":{},\"limit\":{},\"consumed_before\":{},\"this_shipment\":{},"
                     "\"remaining\":{}}}",
                     i ? "," : "", Json{p.quotas[q.quota].id}, Json{q.key_text}, JsonNumber(q.limit),
                     JsonNumber(q.before), JsonNumber(q.amount), remaining ? JsonNumber(*remaining) : "null");
    }
    put("]");
    if (!d.in_force) fmt::format_to(to, ",\"note\":\"the policy is not in force on {}\"", FormatDate(d.date));
  }
  put("}");
  text.append(out.data(), out.size());
}

std::string ErrorJson(std::string_view id, int line, std::string_view message) {
  return fmt::format("{{\"id\":{},\"line\":{},\"error\":{}}}", id.empty() ? "null" : JsonEscape(id), line,
                     Json{message});
}

std::string CsvHeader() {
  return "id,decision,exception,review_policy,notify,rules,citations,policy,error,"
         "policy_id,policy_version,policy_hash,edict_version,ledger_position,recorded";
}

Provenance Provenance::Of(const ir::Program& program, std::string edict_version) {
  return {program.name, program.version, program.content_hash, std::move(edict_version)};
}

std::string Provenance::Json() const {
  return fmt::format(",\"policy_id\":{},\"policy_version\":{},\"policy_hash\":{},\"edict_version\":{}",
                     io::Json{policy_id}, policy_version.empty() ? "null" : JsonEscape(policy_version),
                     io::Json{policy_hash}, io::Json{edict_version});
}

std::string Provenance::Csv() const {
  return CsvCell(policy_id) + "," + CsvCell(policy_version) + "," + CsvCell(policy_hash) + "," +
         CsvCell(edict_version);
}

std::string Provenance::Text() const {
  return policy_id + (policy_version.empty() ? "" : " " + policy_version) + " (policy hash " + policy_hash +
         "), edict " + edict_version;
}

void AppendJsonMembers(std::string& out, std::string_view members) {
  if (out.empty() || out.back() != '}') return;
  out.pop_back();
  out.append(members);
  out.push_back('}');
}

void AppendProvenanceJson(std::string& out, std::string_view provenance, int64_t position, bool recorded) {
  if (out.empty() || out.back() != '}') return;
  out.pop_back();
  out.append(provenance);
  if (position >= 0) {
    out += ",\"ledger_position\":";
    out += position > 0 ? std::to_string(position) : "null";
  }
  if (recorded) out += ",\"recorded\":true";
  out.push_back('}');
}

void AppendProvenanceCsv(std::string& out, std::string_view provenance, int64_t position, bool recorded) {
  out.push_back(',');
  out.append(provenance);
  out.push_back(',');
  if (position > 0) out += std::to_string(position);
  out += recorded ? ",true" : ",";
}

std::string DecisionCsv(const interp::Decision& d, std::string_view id, bool timeline) {
  std::string out;
  AppendDecisionCsv(out, interp::DecisionView::Of(d), id, timeline);
  return out;
}

void AppendDecisionCsv(std::string& out, const interp::DecisionView& d, std::string_view id, bool timeline) {
  const ir::Program& p = *d.program;
  std::string exc = d.kind == ir::OutcomeIR::kLicenseException && d.symbol >= 0 && p.symbol_enum >= 0
                        ? p.enums[p.symbol_enum].members[d.symbol]
                        : "";
  std::string rev = d.kind == ir::OutcomeIR::kLicenseRequired && d.review >= 0 && p.review_enum >= 0
                        ? p.enums[p.review_enum].members[d.review]
                        : "";
  std::string cites, ids;
  for (int r : d.rules) {
    if (!ids.empty()) cites += kCitationSeparator;
    cites += p.rules[r].cite;
    ids += (ids.empty() ? "" : " ") + p.rules[r].id;
  }
  out += CsvCell(id) + "," + interp::DecisionName(d.kind) + "," + exc + "," + rev + "," +
         (d.notify ? "true" : "false") + "," + CsvCell(ids) + "," + CsvCell(cites) + "," +
         (timeline ? CsvCell(p.name) : std::string()) + ",";
}

std::string ErrorCsv(std::string_view id, int line, std::string_view message) {
  return CsvCell(id) + ",error,,,,,,," +
         CsvCell("line " + std::to_string(line) + ": " + std::string(message));
}

namespace {

// A table is read on a terminal: control characters of the input (a NUL, an escape, a newline in an id) are
// shown as \xNN, so a row is one line and nothing is cut or acted on.
std::string TableCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* const kHex = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "1200 units" -> "1,200": the column's heading says what is counted.
std::string Quantity(std::string text) {
  if (text.size() > 6 && text.compare(text.size() - 6, 6, " units") == 0) text.resize(text.size() - 6);
  return text::GroupNumber(text);
}

}  // namespace

void TableWriter::Add(const interp::Decision& d, std::string_view id, const interp::Record& rec,
                      const ir::Program& top) {
  auto field = [&](const char* name) -> std::string {
    int i = top.FieldIndex(name);
    if (i < 0 || rec.values.size() <= static_cast<size_t>(i)) return "";
    return interp::FormatValue(top, rec.values[i], top.fields[i].type);
  };
  std::string item = field("item"), qty = Quantity(field("quantity"));
  timeline_ = timeline_ || !top.timeline.empty() || d.pending;
  std::string policy =
      d.program && d.program != &top ? d.program->name : (d.in_force ? "" : "(none in force)");
  if (d.pending)
    policy += (policy.empty() ? "" : " ") + std::string("(") + d.pending->name + ": compliance from " +
              FormatDate(d.pending->compliance) + ")";
  if (d.program && d.in_force && !d.error)
    for (int i : interp::PendingRules(*d.program, d.date)) {
      timeline_ = true;
      policy += (policy.empty() ? "" : " ") + std::string("(rule ") + d.program->rules[i].id +
                ": compliance from " + FormatDate(d.program->rules[i].from) + ")";
    }
  rows_.push_back({TableCell(id), field("date"), field("destination"), TableCell(item), qty,
                   d.error ? "error: " + TableCell(d.error_message) : ShortOutcome(d),
                   d.error ? "" : RuleIds(d), policy});
}

void TableWriter::AddRecorded(std::string_view id, const interp::Record& rec, const ir::Program& top,
                              std::string outcome, std::string rules, std::string policy) {
  auto field = [&](const char* name) -> std::string {
    int i = top.FieldIndex(name);
    if (i < 0 || rec.values.size() <= static_cast<size_t>(i) || rec.values[i].absent()) return "";
    return interp::FormatValue(top, rec.values[i], top.fields[i].type);
  };
  std::string item = field("item"), qty = Quantity(field("quantity"));
  timeline_ = timeline_ || !top.timeline.empty();
  rows_.push_back({TableCell(id), field("date"), field("destination"), TableCell(item), qty,
                   TableCell(outcome) + " (recorded)", TableCell(rules), TableCell(policy)});
}

void TableWriter::AddError(std::string_view id, int line, std::string_view message) {
  rows_.push_back({TableCell(id), "", "", "", "",
                   "invalid (line " + std::to_string(line) + "): " + TableCell(message), "", ""});
}

std::string TableWriter::Render() const {
  std::vector<std::string> head = {"id", "date", "dest", "item", "qty", "decision", "rules", "policy"};
  const size_t kQty = 4;  // numbers are right-aligned
  size_t columns = timeline_ ? head.size() : head.size() - 1;
  head.resize(columns);
  // Widths are terminal columns, not bytes: an id in Chinese takes two a character, an accent none.
  std::vector<size_t> width(head.size());
  for (size_t c = 0; c < head.size(); ++c) width[c] = text::DisplayWidth(head[c]);
  for (const auto& r : rows_)
    for (size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], text::DisplayWidth(r[c]));
  auto line = [&](const std::vector<std::string>& r) {
    std::string out;
    for (size_t c = 0; c < columns; ++c) {
      out += c == kQty ? text::PadLeft(r[c], width[c]) : text::PadRight(r[c], width[c]);
      if (c + 1 < columns) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(head);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  out += line(rule);
  for (const auto& r : rows_) out += line(r);
  return out;
}

}  // namespace edict::io
