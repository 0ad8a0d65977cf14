// The text and Markdown reports: the same sections, as aligned columns or as Markdown tables.
#include <algorithm>
#include <cstdio>

#include "compiler/diag/human_text.h"
#include "tools/impact/report.h"

namespace edict::impact {

std::string Thousands(long n) {
  return text::Thousands(n);
}

std::string Percent(long part, long whole) {
  if (whole <= 0) return "-";
  double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  char buf[32];
  std::snprintf(buf, sizeof buf, p > 0 && p < 0.1 ? "%.2f %%" : "%.1f %%", p);
  return buf;
}

std::vector<std::pair<std::string, GroupCounts>> ByMoved(
    std::vector<std::pair<std::string, GroupCounts>> groups) {
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    if (a.second.moved != b.second.moved) return a.second.moved > b.second.moved;
    if (a.second.total != b.second.total) return a.second.total > b.second.total;
    return a.first < b.first;
  });
  return groups;
}

std::string Headline(const Tally::Summary& s) {
  std::string out = Thousands(s.moved) + " of " + Thousands(s.total) + " decisions move (" +
                    Percent(s.moved, s.total) + "): " + Thousands(s.tighter) + " stricter, " +
                    Thousands(s.looser) + " looser";
  if (s.sideways) out += ", " + Thousands(s.sideways) + " to another outcome as severe";
  if (long other = s.moved - s.tighter - s.looser - s.sideways)
    out += ", " + Thousands(other) + " to or from no policy in force, an error or an unreadable row";
  return out;
}

namespace {

// Width on a terminal: a label in Chinese takes two columns a character, an accent none.
size_t Width(const std::string& s) {
  return text::DisplayWidth(s);
}

// A table: aligned columns (numbers right-aligned) for text, or a Markdown table.
class Table {
 public:
  Table(std::vector<std::string> head, std::vector<bool> right)
      : head_(std::move(head)), right_(std::move(right)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }

  std::string Text(const std::string& indent = "  ") const {
    std::vector<size_t> width(head_.size());
    for (size_t c = 0; c < head_.size(); ++c) {
      width[c] = Width(head_[c]);
      for (const auto& r : rows_) width[c] = std::max(width[c], Width(r[c]));
    }
    auto line = [&](const std::vector<std::string>& r) {
      std::string out = indent;
      for (size_t c = 0; c < r.size(); ++c) {
        std::string pad(width[c] - Width(r[c]), ' ');
        out += right_[c] ? pad + r[c] : r[c] + (c + 1 < r.size() ? pad : "");
        if (c + 1 < r.size()) out += "  ";
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\n";
    };
    std::string out = line(head_);
    for (const auto& r : rows_) out += line(r);
    return out;
  }

  std::string Markdown() const {
    auto cell = [](std::string s) {
      std::string out;
      for (char c : s) {
        if (c == '|')
          out += "\\|";
        else if (c == '\n')
          out += ' ';
        else
          out.push_back(c);
      }
      return out;
    };
    std::string out = "|";
    for (const auto& h : head_) out += " " + cell(h) + " |";
    out += "\n|";
    for (size_t c = 0; c < head_.size(); ++c) out += right_[c] ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& r : rows_) {
      out += "|";
      for (const auto& c : r) out += " " + cell(c) + " |";
      out += "\n";
    }
    return out;
  }

 private:
  std::vector<std::string> head_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

struct Section {
  std::string title;
  Table table;
  std::string note;  // after the table
};

// The sections both formats show, in order.
std::vector<Section> Sections(const ReportInfo& info, const Tally::Summary& s, bool numbered) {
  std::vector<Section> out;
  // The matrix: the outcomes any row had on either side, old down, new across. In text the columns are
  // numbered after the rows (full labels would make the table too wide for a terminal).
  {
    std::vector<std::string> head = {"old \\ new"};
    std::vector<bool> right = {false};
    for (size_t i = 0; i < s.outcomes.size(); ++i) {
      head.push_back(numbered ? "[" + std::to_string(i + 1) + "]" : s.outcomes[i]);
      right.push_back(true);
    }
    head.push_back("total");
    right.push_back(true);
    Section sec{"Outcomes: old policy (rows) against new policy (columns)", Table(head, right), ""};
    for (size_t i = 0; i < s.outcomes.size(); ++i) {
      const std::string& from = s.outcomes[i];
      std::vector<std::string> row = {numbered ? "[" + std::to_string(i + 1) + "] " + from : from};
      long total = 0;
      for (const auto& to : s.outcomes) {
        auto at = s.matrix.find({from, to});
        long n = at == s.matrix.end() ? 0 : at->second;
        total += n;
        row.push_back(n ? Thousands(n) : "-");
      }
      row.push_back(Thousands(total));
      sec.table.Row(row);
    }
    out.push_back(std::move(sec));
  }
  auto groups = [&](const std::string& title, const char* what,
                    const std::vector<std::pair<std::string, GroupCounts>>& all, bool by_moved, bool names) {
    std::vector<std::string> head = {what};
    std::vector<bool> right = {false};
    if (names) {
      head.push_back("name");
      right.push_back(false);
    }
    for (const char* h : {"moved", "shipments", "share", "stricter", "looser"}) {
      head.push_back(h);
      right.push_back(true);
    }
    Section sec{title, Table(head, right), ""};
    auto list = by_moved ? ByMoved(all) : all;
    size_t shown = 0, quiet = 0;
    for (const auto& [key, g] : list) {
      if (by_moved && (g.moved == 0 || shown == info.top)) {
        quiet += g.moved == 0;
        continue;
      }
      ++shown;
      std::vector<std::string> row = {key};
      if (names) {
        auto at = s.country_names.find(key);
        row.push_back(at == s.country_names.end() ? "" : at->second);
      }
      for (const std::string& c : {Thousands(g.moved), Thousands(g.total), Percent(g.moved, g.total),
                                   Thousands(g.tighter), Thousands(g.looser)})
        row.push_back(c);
      sec.table.Row(row);
    }
    size_t moving = list.size() - quiet;
    if (by_moved && moving > shown)
      sec.note = "and " + Thousands(static_cast<long>(moving - shown)) +
                 " more with moved decisions (all of them in --format json)";
    if (by_moved && quiet)
      sec.note += std::string(sec.note.empty() ? "" : "; ") + Thousands(static_cast<long>(quiet)) +
                  " more with none moved";
    if (!sec.table.empty() || !sec.note.empty()) out.push_back(std::move(sec));
  };
  groups("Moved decisions by destination", "destination", s.countries, true, true);
  groups("Moved decisions by item", "item", s.items, true, false);
  groups("Moved decisions by month", "month", s.months, false, false);
  auto rules = [&](const std::string& title, const std::vector<Tally::RuleCount>& list) {
    Section sec{title, Table({"rule", "policy", "moved", "citation"}, {false, false, true, false}), ""};
    for (const auto& r : list) sec.table.Row({r.rule, r.policy, Thousands(r.moved), r.cite});
    if (sec.table.empty()) sec.note = "none: the moved decisions had no determining rule on this side";
    if (s.moved) out.push_back(std::move(sec));
  };
  rules("Rules behind the moved decisions, old policy (" + info.old_name + ")", s.old_rules);
  rules("Rules behind the moved decisions, new policy (" + info.new_name + ")", s.new_rules);
  auto invalid = [&](const std::string& title, long n, const std::vector<std::pair<int, std::string>>& rows) {
    if (!n) return;
    Section sec{title, Table({"line", "reason"}, {true, false}), ""};
    for (const auto& [line, reason] : rows) sec.table.Row({std::to_string(line), reason});
    if (static_cast<size_t>(n) > rows.size())
      sec.note = "and " + Thousands(n - static_cast<long>(rows.size())) + " more";
    out.push_back(std::move(sec));
  };
  invalid("Rows the old policy could not read (" + Thousands(s.invalid_old) + ")", s.invalid_old,
          s.invalid_old_rows);
  invalid("Rows the new policy could not read (" + Thousands(s.invalid_new) + ")", s.invalid_new,
          s.invalid_new_rows);
  return out;
}

}  // namespace

std::string TextReport(const ReportInfo& info, const Tally::Summary& s) {
  std::string out = "Impact of " + info.new_path + " against " + info.old_path + " on " + info.input + "\n";
  out += "  " + Headline(s) + "\n";
  for (const Section& sec : Sections(info, s, true)) {
    out += "\n" + sec.title + "\n";
    if (!sec.table.empty()) out += sec.table.Text();
    if (!sec.note.empty()) out += "  " + sec.note + "\n";
  }
  return out;
}

std::string MarkdownReport(const ReportInfo& info, const Tally::Summary& s) {
  std::string out = "# Impact of `" + info.new_path + "` against `" + info.old_path + "`\n\n";
  out += "On `" + info.input + "`: " + Headline(s) + ".\n";
  for (const Section& sec : Sections(info, s, false)) {
    out += "\n## " + sec.title + "\n\n";
    if (!sec.table.empty()) out += sec.table.Markdown();
    if (!sec.note.empty()) out += (sec.table.empty() ? "" : "\n") + sec.note + ".\n";
  }
  return out;
}

}  // namespace edict::impact
