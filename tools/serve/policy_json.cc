// GET /v1/policy: what the server decides with, for people and for clients that pin a policy version.
#include <nlohmann/json.hpp>

#include "runtime/date.h"
#include "runtime/interp/decide.h"
#include "tools/serve/snapshot.h"

namespace edict::serve {

namespace {

using nlohmann::json;

json Date(int days, int unbounded) {
  return days == unbounded ? json(nullptr) : json(FormatDate(days));
}

// Whole numbers as JSON numbers, anything else as exact text (as `edict eval` writes amounts).
json Amount(const Rational& r) {
  return r.IsInteger() && r.FitsInt64() ? json(r.ToInt64()) : json(r.ToString());
}

json Rules(const ir::Program& p) {
  json rules = json::array();
  for (const ir::Rule& r : p.rules) {
    json j;
    j["id"] = r.id;
    j["policy"] = r.policy;
    j["kind"] = r.exception ? "exception" : "rule";
    j["overrides"] = r.exception && r.target >= 0 ? json(p.rules[r.target].id) : json(nullptr);
    j["cite"] = r.cite;
    j["doc"] = r.doc;
    j["outcome"] = interp::OutcomeText(p, r.outcome.kind, r.outcome.symbol, r.outcome.notify != nullptr,
                                       r.outcome.review);
    j["in_force_from"] = Date(r.from, INT_MIN);
    j["in_force_until"] = Date(r.until, INT_MAX);
    json consumes = json::array();
    for (int q : r.consumes) consumes.push_back(p.quotas[q].id);
    j["consumes"] = consumes;
    if (r.withdrawn) j["withdrawn"] = true;
    rules.push_back(std::move(j));
  }
  return rules;
}

json Quotas(const ir::Program& p) {
  json quotas = json::array();
  for (const ir::Quota& q : p.quotas) {
    json j;
    j["id"] = q.id;
    j["cite"] = q.cite;
    j["doc"] = q.doc;
    j["limit"] = Amount(q.limit);
    j["unit"] = q.unit;
    j["per"] = q.key_texts;
    if (q.calendar_year)
      j["period"] = "calendar year";
    else if (q.window)
      j["period"] = FormatDate(q.window_from) + ".." + FormatDate(q.window_to);
    else
      j["period"] = "all time";
    quotas.push_back(std::move(j));
  }
  return quotas;
}

json Header(const ir::Program& p) {
  json j;
  j["id"] = p.name;
  j["title"] = p.title;
  j["version"] = p.version;
  j["source"] = p.source;
  j["hash"] = p.content_hash;
  j["in_force_from"] = Date(p.from, INT_MIN);
  j["in_force_until"] = Date(p.until, INT_MAX);
  j["compliance_from"] = p.has_compliance ? json(FormatDate(p.compliance)) : json(nullptr);
  return j;
}

}  // namespace

std::string PolicyJson(const ir::Program& program, const std::string& engine,
                       const std::string& edict_version) {
  json j = Header(program);
  j["engine"] = engine;
  j["edict_version"] = edict_version;
  j["rules"] = Rules(program);
  j["quotas"] = Quotas(program);
  if (!program.timeline.empty()) {
    json timeline = json::array();
    for (const ir::TimelineEntry& e : program.timeline) {
      json t = Header(*e.program);
      t["from"] = FormatDate(e.from);
      t["rules"] = Rules(*e.program);
      t["quotas"] = Quotas(*e.program);
      timeline.push_back(std::move(t));
    }
    j["timeline"] = std::move(timeline);
  }
  // Invalid UTF-8 in a doc comment or citation is replaced rather than failing the whole answer.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace edict::serve
