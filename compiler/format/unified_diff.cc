#include "compiler/format/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace edict::format {

namespace {

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

enum class Op { kKeep, kDelete, kInsert };

// The edit script from a longest-common-subsequence table over the lines between the common prefix and
// suffix.
std::vector<std::pair<Op, std::string_view>> Edits(const std::vector<std::string_view>& a,
                                                   const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<std::pair<Op, std::string_view>> out;
  for (size_t k = 0; k < pre; ++k) out.emplace_back(Op::kKeep, a[k]);
  if (n * m <= 16'000'000) {
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[pre + i] == b[pre + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.emplace_back(Op::kKeep, a[pre + i]);
        ++i, ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.emplace_back(Op::kDelete, a[pre + i++]);
      } else {
        out.emplace_back(Op::kInsert, b[pre + j++]);
      }
    }
  } else {  // too large to compare line by line: one replacement
    for (size_t k = 0; k < n; ++k) out.emplace_back(Op::kDelete, a[pre + k]);
    for (size_t k = 0; k < m; ++k) out.emplace_back(Op::kInsert, b[pre + k]);
  }
  for (size_t k = a.size() - suf; k < a.size(); ++k) out.emplace_back(Op::kKeep, a[k]);
  return out;
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after, const std::string& label,
                        int context) {
  if (before == after) return "";
  auto edits = Edits(SplitLines(before), SplitLines(after));
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", label, label);
  size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].first == Op::kKeep) ++k;
    if (k == edits.size()) break;
    // A hunk: from `context` lines before this change to `context` lines after the last change that is
    // within 2 * context lines of the previous one.
    size_t begin = k >= static_cast<size_t>(context) ? k - context : 0;
    size_t end = k;
    for (size_t j = k; j < edits.size(); ++j) {
      if (edits[j].first != Op::kKeep) end = j + 1;
      if (j >= end + 2 * context) break;
    }
    end = std::min(edits.size(), end + context);
    int a_line = 1, b_line = 1;
    for (size_t j = 0; j < begin; ++j) {
      a_line += edits[j].first != Op::kInsert;
      b_line += edits[j].first != Op::kDelete;
    }
    int a_count = 0, b_count = 0;
    std::string body;
    for (size_t j = begin; j < end; ++j) {
      a_count += edits[j].first != Op::kInsert;
      b_count += edits[j].first != Op::kDelete;
      char mark = edits[j].first == Op::kKeep ? ' ' : edits[j].first == Op::kDelete ? '-' : '+';
      body += mark;
      body += edits[j].second;
      body += '\n';
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_count ? a_line : a_line - 1, a_count,
                       b_count ? b_line : b_line - 1, b_count);
    out += body;
    k = end;
  }
  return out;
}

}  // namespace edict::format
