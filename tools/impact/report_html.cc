// The HTML report: one self-contained page (inline style, map and script; nothing fetched) with a world map
// of the destinations coloured by how many decisions move, and the tables of the other reports. The script
// only checks that each destination with data was drawn (tests/impact opens the page in Chromium); the page
// reads the same without it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "tools/impact/report.h"
#include "tools/impact/worldmap.h"

namespace edict::impact {

namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Light to dark red by the logarithm of the moved decisions: a country with 10 moves stays visible next to
// one with a million.
std::string Colour(long moved, long most) {
  if (moved <= 0) return "#cfdce6";
  double t = most > 1 ? std::log1p(static_cast<double>(moved)) / std::log1p(static_cast<double>(most)) : 1.0;
  const double lo[3] = {0xfd, 0xd4, 0x9e}, hi[3] = {0xb3, 0x00, 0x00};
  char buf[8];
  int c[3];
  for (int i = 0; i < 3; ++i) c[i] = static_cast<int>(std::lround(lo[i] + (hi[i] - lo[i]) * t));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

const char* kStyle = R"(
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 2em; }
code { font-size: .95em; } .lead { font-size: 1.1em; } .muted { color: #667; }
table { border-collapse: collapse; margin: .5em 0; } th, td { padding: .25em .6em; border-bottom: 1px solid #e3e6ea; }
th { text-align: left; background: #f5f7f9; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.moved { background: #fde8e0; } td.same { background: #eef3f6; }
.wide { overflow-x: auto; }
#world { width: 100%; height: auto; background: #fff; }
#world .sphere { fill: #eef4f8; } #world path.country { stroke: #fff; stroke-width: .4; }
#world path.nodata { fill: #e4e7ea; } #world .country:hover, #world .marker:hover { stroke: #222; stroke-width: 1; }
#world .marker { stroke: #fff; stroke-width: .6; }
.legend { display: flex; align-items: center; gap: .6em; font-size: .9em; color: #445; }
.ramp { width: 220px; height: 12px; background: linear-gradient(to right, #fdd49e, #b30000); }
.swatch { display: inline-block; width: 14px; height: 12px; vertical-align: middle; }
.bar { display: inline-block; height: .7em; background: #c0392b; vertical-align: middle; }
)";

const char* kCheck = R"(
(function () {
  var drawn = 0, expected = 0;
  document.querySelectorAll('#world [data-moved]').forEach(function (e) {
    expected++;
    var b = e.getBBox();
    if (b.width > 0 && b.height > 0) { e.setAttribute('data-drawn', '1'); drawn++; }
  });
  document.body.setAttribute('data-countries-expected', expected);
  document.body.setAttribute('data-countries-drawn', drawn);
})();
)";

std::string Th(const std::string& s, bool n = false) {
  return std::string(n ? "<th class=\"n\">" : "<th>") + Esc(s) + "</th>";
}
std::string Td(const std::string& s, bool n = false, const char* cls = nullptr) {
  std::string c = n ? "n" : "";
  if (cls) c += std::string(c.empty() ? "" : " ") + cls;
  return (c.empty() ? "<td>" : "<td class=\"" + c + "\">") + Esc(s) + "</td>";
}

std::string GroupTable(const char* what, const std::vector<std::pair<std::string, GroupCounts>>& groups,
                       const std::map<std::string, std::string>* names) {
  long most = 1;
  for (const auto& [k, g] : groups) most = std::max(most, g.moved);
  std::string out = "<table><tr>" + Th(what) + (names ? Th("name") : "") + Th("moved", true) +
                    Th("shipments", true) + Th("share", true) + Th("stricter", true) + Th("looser", true) +
                    "<th></th></tr>\n";
  for (const auto& [k, g] : groups) {
    std::string name;
    if (names)
      if (auto at = names->find(k); at != names->end()) name = at->second;
    char bar[64];
    std::snprintf(bar, sizeof bar, "<span class=\"bar\" style=\"width:%ldpx\"></span>", g.moved * 120 / most);
    out += "<tr>" + Td(k) + (names ? Td(name) : "") + Td(Thousands(g.moved), true) +
           Td(Thousands(g.total), true) + Td(Percent(g.moved, g.total), true) +
           Td(Thousands(g.tighter), true) + Td(Thousands(g.looser), true) + "<td>" + (g.moved ? bar : "") +
           "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string Map(const Tally::Summary& s) {
  const WorldMap& map = TheWorldMap();
  std::map<std::string, GroupCounts> data(s.countries.begin(), s.countries.end());
  long most = 0;
  for (const auto& [k, g] : s.countries) most = std::max(most, g.moved);
  std::string out = "<svg id=\"world\" viewBox=\"" + map.view_box +
                    "\" role=\"img\" aria-label=\"World map: moved decisions by destination\">\n"
                    "<defs><clipPath id=\"sphere\"><path d=\"" +
                    map.sphere +
                    "\"/></clipPath></defs>\n"
                    "<path class=\"sphere\" d=\"" +
                    map.sphere + "\"/>\n<g clip-path=\"url(#sphere)\">\n";
  std::string markers;
  std::set<std::string> drawn;
  for (const CountryShape& c : map.countries) {
    auto at = data.find(c.code);
    if (at == data.end()) {
      out += "<path class=\"country nodata\" data-code=\"" + c.code + "\" d=\"" + c.path + "\"><title>" +
             Esc(c.name) + ": no shipments</title></path>\n";
      continue;
    }
    drawn.insert(c.code);
    const GroupCounts& g = at->second;
    std::string fill = Colour(g.moved, most);
    std::string title = Esc(c.name) + " (" + c.code + "): " + Thousands(g.moved) + " of " +
                        Thousands(g.total) + " decisions move (" + Thousands(g.tighter) + " stricter, " +
                        Thousands(g.looser) + " looser)";
    out += "<path class=\"country\" data-code=\"" + c.code + "\" data-moved=\"" + std::to_string(g.moved) +
           "\" data-shipments=\"" + std::to_string(g.total) + "\" fill=\"" + fill + "\" d=\"" + c.path +
           "\"><title>" + title + "</title></path>\n";
    if (c.small) {
      char circle[160];
      std::snprintf(
          circle, sizeof circle,
          "<circle class=\"marker\" data-code=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">",
          c.code.c_str(), c.x, c.y, fill.c_str());
      markers += circle + std::string("<title>") + title + "</title></circle>\n";
    }
  }
  out += "</g>\n" + markers + "</svg>\n";
  out += "<div class=\"legend\"><span>1</span><span class=\"ramp\"></span><span>" +
         Thousands(std::max(most, 1L)) +
         " moved decisions</span><span class=\"swatch\" style=\"background:#cfdce6\"></span><span>shipments, "
         "none "
         "moved</span><span class=\"swatch\" style=\"background:#e4e7ea\"></span><span>no "
         "shipments</span></div>\n";
  std::string missing;
  for (const auto& [k, g] : s.countries)
    if (!drawn.count(k)) missing += (missing.empty() ? "" : ", ") + k;
  if (!missing.empty())
    out += "<p class=\"muted\">Not on the map (no Natural Earth shape): " + Esc(missing) + ".</p>\n";
  return out;
}

}  // namespace

std::string HtmlReport(const ReportInfo& info, const Tally::Summary& s) {
  std::string out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                    Esc("edict impact: " + info.new_name + " against " + info.old_name) +
                    "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>What <code>" + Esc(info.new_path) + "</code> changes against <code>" + Esc(info.old_path) +
         "</code></h1>\n";
  out += "<p class=\"lead\">On <code>" + Esc(info.input) + "</code>: " + Esc(Headline(s)) + ".";
  if (s.invalid_old || s.invalid_new)
    out += " Rows that could not be read: " + Thousands(s.invalid_old) + " under the old policy, " +
           Thousands(s.invalid_new) + " under the new.";
  out += "</p>\n<h2>Moved decisions by destination</h2>\n" + Map(s);
  // The matrix.
  out +=
      "<h2>Outcomes: old policy (rows) against new policy (columns)</h2>\n<div "
      "class=\"wide\"><table><tr><th>old \\ new</th>";
  for (const auto& o : s.outcomes) out += Th(o, true);
  out += "</tr>\n";
  for (const auto& from : s.outcomes) {
    if (!s.before.count(from)) continue;
    out += "<tr><th>" + Esc(from) + "</th>";
    for (const auto& to : s.outcomes) {
      auto at = s.matrix.find({from, to});
      long n = at == s.matrix.end() ? 0 : at->second;
      out += Td(n ? Thousands(n) : "", true, n ? (from == to ? "same" : "moved") : nullptr);
    }
    out += "</tr>\n";
  }
  out += "</table></div>\n";
  out += "<h2>By destination</h2>\n" + GroupTable("destination", ByMoved(s.countries), &s.country_names);
  out += "<h2>By item</h2>\n" + GroupTable("item", ByMoved(s.items), nullptr);
  out += "<h2>By month</h2>\n" + GroupTable("month", s.months, nullptr);
  auto rules = [&](const std::string& title, const std::vector<Tally::RuleCount>& list) {
    out += "<h2>" + Esc(title) + "</h2>\n";
    if (list.empty()) {
      out += "<p class=\"muted\">None.</p>\n";
      return;
    }
    out += "<table><tr>" + Th("rule") + Th("policy") + Th("moved", true) + Th("citation") + "</tr>\n";
    for (const auto& r : list)
      out += "<tr>" + Td(r.rule) + Td(r.policy) + Td(Thousands(r.moved), true) + Td(r.cite) + "</tr>\n";
    out += "</table>\n";
  };
  rules("Rules behind the moved decisions, old policy (" + info.old_name + ")", s.old_rules);
  rules("Rules behind the moved decisions, new policy (" + info.new_name + ")", s.new_rules);
  auto invalid = [&](const std::string& title, long n, const std::vector<std::pair<int, std::string>>& rows) {
    if (!n) return;
    out += "<h2>" + Esc(title) + "</h2>\n<table><tr>" + Th("line", true) + Th("reason") + "</tr>\n";
    for (const auto& [line, reason] : rows)
      out += "<tr>" + Td(std::to_string(line), true) + Td(reason) + "</tr>\n";
    out += "</table>\n";
  };
  invalid("Rows the old policy could not read (" + Thousands(s.invalid_old) + ", the first shown)",
          s.invalid_old, s.invalid_old_rows);
  invalid("Rows the new policy could not read (" + Thousands(s.invalid_new) + ", the first shown)",
          s.invalid_new, s.invalid_new_rows);
  out +=
      "<p class=\"muted\">Made by <code>edict impact</code>. Country shapes: Natural Earth (public domain), "
      "through world-atlas; borders are Natural Earth's and say nothing about sovereignty.</p>\n";
  out += std::string("<script>") + kCheck + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace edict::impact
