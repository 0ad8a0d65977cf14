// The reports of `edict impact`: text for a terminal, Markdown, JSON (every count, for programs), and a
// self-contained HTML page with a world map coloured by the moved decisions per destination.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tools/impact/tally.h"

namespace edict::impact {

struct ReportInfo {
  std::string old_path, new_path, input;  // as given on the command line
  std::string old_name, new_name;         // the policies' names
  size_t top = 20;                        // destinations and items listed in text and Markdown
};

std::string TextReport(const ReportInfo& info, const Tally::Summary& s);
std::string MarkdownReport(const ReportInfo& info, const Tally::Summary& s);
std::string JsonReport(const ReportInfo& info, const Tally::Summary& s);
std::string HtmlReport(const ReportInfo& info, const Tally::Summary& s);

// Shared by the reports.
std::string Thousands(long n);               // 1234567 -> "1,234,567"
std::string Percent(long part, long whole);  // "12.3 %", "0.01 %", "-" for an empty whole
// "29 of 65 decisions move (44.6 %): 2 stricter, 10 looser, ..."
std::string Headline(const Tally::Summary& s);
// Groups by moved rows (most first), then shipments, then name; months stay in order.
std::vector<std::pair<std::string, GroupCounts>> ByMoved(
    std::vector<std::pair<std::string, GroupCounts>> groups);

}  // namespace edict::impact
