#include "runtime/io/writer.h"

#include <algorithm>

#include "runtime/date.h"
#include "runtime/interp/eval.h"
#include "runtime/interp/timeline.h"

namespace edict::io {

namespace {

// Appends `s` as a JSON string; plain text (the usual case) is copied in one go.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  bool plain = true;
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) plain = false;
  if (plain) {
    out.append(s);
    out.push_back('"');
    return;
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (u < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

namespace {

std::string JsonNumber(const Rational& r) {
  // Whole numbers as JSON numbers; exact fractions as strings so nothing is rounded.
  return r.IsInteger() ? r.ToString() : JsonEscape(r.ToString());
}

}  // namespace

std::string CsvCell(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += "\"\"";
    else
      out.push_back(c);
  }
  return out + "\"";
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

void AppendDecisionJson(std::string& out, const interp::DecisionView& d, std::string_view id, bool explain,
                        bool timeline) {
  const ir::Program& p = *d.program;
  out += "{\"id\":";
  AppendJsonString(out, id);
  out += ",\"decision\":\"";
  out += interp::DecisionName(d.kind);
  out += "\",\"exception\":";
  if (d.kind == ir::OutcomeIR::kLicenseException && d.symbol >= 0 && p.symbol_enum >= 0)
    AppendJsonString(out, p.enums[p.symbol_enum].members[d.symbol]);
  else
    out += "null";
  out += ",\"review_policy\":";
  if (d.kind == ir::OutcomeIR::kLicenseRequired && d.review >= 0 && p.review_enum >= 0)
    AppendJsonString(out, p.enums[p.review_enum].members[d.review]);
  else
    out += "null";
  out += d.notify ? ",\"notify\":true,\"rules\":[" : ",\"notify\":false,\"rules\":[";
  for (size_t i = 0; i < d.rules.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, p.rules[d.rules[i]].id);
  }
  out += "],\"citations\":[";
  for (size_t i = 0; i < d.rules.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, p.rules[d.rules[i]].cite);
  }
  out += "]";
  if (timeline) {
    out += ",\"policy\":";
    AppendJsonString(out, p.name);
  }
  if (d.pending) {
    // In force on the date but not yet binding: docs/language.md, "Effective and compliance dates".
    out += ",\"pending\":{\"policy\":";
    AppendJsonString(out, d.pending->name);
    out += ",\"in_force_from\":\"" + FormatDate(d.pending->from) + "\",\"compliance_from\":\"" +
           FormatDate(d.pending->compliance) + "\"}";
  }
  if (!p.rule_compliance_edges.empty() && d.in_force) {
    // Rules in force but not yet binding (their own compliance dates): no engine applied them.
    std::vector<int> pending = interp::PendingRules(p, d.date);
    if (!pending.empty()) {
      out += ",\"pending_rules\":[";
      for (size_t i = 0; i < pending.size(); ++i) {
        const ir::Rule& r = p.rules[pending[i]];
        out += i ? ",{\"rule\":" : "{\"rule\":";
        AppendJsonString(out, r.id);
        out += r.in_force_from == INT_MIN ? std::string(",\"in_force_from\":null")
                                          : ",\"in_force_from\":\"" + FormatDate(r.in_force_from) + "\"";
        out += ",\"compliance_from\":\"" + FormatDate(r.from) + "\"}";
      }
      out += "]";
    }
  }
  if (explain) {
    out += ",\"quotas\":[";
    for (size_t i = 0; i < d.quotas.size(); ++i) {
      const auto& q = d.quotas[i];
      auto remaining = Sub(q.limit, q.after);
      out += (i ? "," : "") + std::string("{\"quota\":") + JsonEscape(p.quotas[q.quota].id) +
             ",\"key\":" + JsonEscape(q.key_text) + ",\"limit\":" + JsonNumber(q.limit) +
             ",\"consumed_before\":" + JsonNumber(q.before) + ",\"this_shipment\":" + JsonNumber(q.amount) +
             ",\"remaining\":" + (remaining ? JsonNumber(*remaining) : "null") + "}";
    }
    out += "]";
    if (!d.in_force) out += ",\"note\":\"the policy is not in force on " + FormatDate(d.date) + "\"";
  }
  out.push_back('}');
}

std::string ErrorJson(std::string_view id, int line, std::string_view message) {
  return "{\"id\":" + (id.empty() ? std::string("null") : JsonEscape(id)) +
         ",\"line\":" + std::to_string(line) + ",\"error\":" + JsonEscape(message) + "}";
}

std::string CsvHeader() {
  return "id,decision,exception,review_policy,notify,rules,citations,error,"
         "policy_id,policy_version,policy_hash,edict_version,ledger_position,recorded";
}

Provenance Provenance::Of(const ir::Program& program, std::string edict_version) {
  return {program.name, program.version, program.content_hash, std::move(edict_version)};
}

std::string Provenance::Json() const {
  return ",\"policy_id\":" + JsonEscape(policy_id) +
         ",\"policy_version\":" + (policy_version.empty() ? "null" : JsonEscape(policy_version)) +
         ",\"policy_hash\":" + JsonEscape(policy_hash) + ",\"edict_version\":" + JsonEscape(edict_version);
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

std::string DecisionCsv(const interp::Decision& d, std::string_view id) {
  std::string out;
  AppendDecisionCsv(out, interp::DecisionView::Of(d), id);
  return out;
}

void AppendDecisionCsv(std::string& out, const interp::DecisionView& d, std::string_view id) {
  const ir::Program& p = *d.program;
  std::string exc = d.kind == ir::OutcomeIR::kLicenseException && d.symbol >= 0 && p.symbol_enum >= 0
                        ? p.enums[p.symbol_enum].members[d.symbol]
                        : "";
  std::string rev = d.kind == ir::OutcomeIR::kLicenseRequired && d.review >= 0 && p.review_enum >= 0
                        ? p.enums[p.review_enum].members[d.review]
                        : "";
  std::string cites, ids;
  for (int r : d.rules) {
    cites += (cites.empty() ? "" : "; ") + p.rules[r].cite;
    ids += (ids.empty() ? "" : " ") + p.rules[r].id;
  }
  out += CsvCell(id) + "," + interp::DecisionName(d.kind) + "," + exc + "," + rev + "," +
         (d.notify ? "true" : "false") + "," + CsvCell(ids) + "," + CsvCell(cites) + ",";
}

std::string ErrorCsv(std::string_view id, int line, std::string_view message) {
  return CsvCell(id) + ",error,,,,,," + CsvCell("line " + std::to_string(line) + ": " + std::string(message));
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

}  // namespace

void TableWriter::Add(const interp::Decision& d, std::string_view id, const interp::Record& rec,
                      const ir::Program& top) {
  auto field = [&](const char* name) -> std::string {
    int i = top.FieldIndex(name);
    if (i < 0 || rec.values.size() <= static_cast<size_t>(i)) return "";
    return interp::FormatValue(top, rec.values[i], top.fields[i].type);
  };
  std::string item = field("item"), qty = field("quantity");
  if (qty.size() > 6 && qty.compare(qty.size() - 6, 6, " units") == 0) qty.resize(qty.size() - 6);
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
  std::string item = field("item"), qty = field("quantity");
  if (qty.size() > 6 && qty.compare(qty.size() - 6, 6, " units") == 0) qty.resize(qty.size() - 6);
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
  size_t columns = timeline_ ? head.size() : head.size() - 1;
  head.resize(columns);
  std::vector<size_t> width(head.size());
  for (size_t c = 0; c < head.size(); ++c) width[c] = head[c].size();
  for (const auto& r : rows_)
    for (size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], r[c].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string out;
    for (size_t c = 0; c < columns; ++c) {
      out += r[c];
      if (c + 1 < columns) out += std::string(width[c] - r[c].size() + 2, ' ');
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
