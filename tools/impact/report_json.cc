// The JSON report: every count (every destination, item and month with data), for programs.
#include <nlohmann/json.hpp>

#include "tools/impact/report.h"

namespace edict::impact {

std::string JsonReport(const ReportInfo& info, const Tally::Summary& s) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["old"] = {{"path", info.old_path}, {"policy", info.old_name}};
  j["new"] = {{"path", info.new_path}, {"policy", info.new_name}};
  j["input"] = info.input;
  j["shipments"] = s.total;
  j["moved"] = s.moved;
  j["stricter"] = s.tighter;
  j["looser"] = s.looser;
  j["as_severe"] = s.sideways;
  j["invalid"] = {{"old", s.invalid_old}, {"new", s.invalid_new}};
  j["outcomes"] = s.outcomes;
  Json matrix = Json::array();
  for (const auto& from : s.outcomes)
    for (const auto& to : s.outcomes)
      if (auto at = s.matrix.find({from, to}); at != s.matrix.end())
        matrix.push_back({{"from", from}, {"to", to}, {"shipments", at->second}});
  j["matrix"] = matrix;
  auto groups = [&](const std::vector<std::pair<std::string, GroupCounts>>& list, const char* key,
                    bool names) {
    Json out = Json::array();
    for (const auto& [k, g] : list) {
      Json e;
      e[key] = k;
      if (names) {
        auto at = s.country_names.find(k);
        if (at != s.country_names.end()) e["name"] = at->second;
      }
      e["shipments"] = g.total;
      e["moved"] = g.moved;
      e["stricter"] = g.tighter;
      e["looser"] = g.looser;
      out.push_back(e);
    }
    return out;
  };
  j["destinations"] = groups(ByMoved(s.countries), "destination", true);
  j["items"] = groups(ByMoved(s.items), "item", false);
  j["months"] = groups(s.months, "month", false);
  auto rules = [](const std::vector<Tally::RuleCount>& list) {
    Json out = Json::array();
    for (const auto& r : list)
      out.push_back({{"rule", r.rule}, {"policy", r.policy}, {"cite", r.cite}, {"moved", r.moved}});
    return out;
  };
  j["rules"] = {{"old", rules(s.old_rules)}, {"new", rules(s.new_rules)}};
  auto invalid = [](const std::vector<std::pair<int, std::string>>& rows) {
    Json out = Json::array();
    for (const auto& [line, reason] : rows) out.push_back({{"line", line}, {"error", reason}});
    return out;
  };
  j["invalid_rows"] = {{"old", invalid(s.invalid_old_rows)}, {"new", invalid(s.invalid_new_rows)}};
  // Input bytes that are not UTF-8 (an id, a reason quoting one) are replaced rather than refused.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace edict::impact
