#include "compiler/format/layout_lexer.h"

#include <cctype>

namespace edict::format {

namespace {

bool Digit(char c) {
  return c >= '0' && c <= '9';
}
bool WordStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool WordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Each function returns the length of its token rule's longest match at `i` (0: no match).
size_t MatchDate(std::string_view s, size_t i) {
  static const char* kShape = "dddd-dd-dd";
  for (size_t k = 0; k < 10; ++k) {
    if (i + k >= s.size()) return 0;
    if (kShape[k] == 'd' ? !Digit(s[i + k]) : s[i + k] != '-') return 0;
  }
  return 10;
}

size_t MatchEccn(std::string_view s, size_t i) {
  if (i + 5 > s.size() || !Digit(s[i]) || s[i + 1] < 'A' || s[i + 1] > 'E') return 0;
  for (size_t k = 2; k < 5; ++k)
    if (!Digit(s[i + k])) return 0;
  size_t j = i + 5;
  for (;;) {
    size_t k = j;
    if (k >= s.size() || s[k] != '.') break;
    ++k;
    size_t start = k;
    while (k < s.size() && ((s[k] >= 'a' && s[k] <= 'z') || Digit(s[k]))) ++k;
    if (k == start) break;
    j = k;
  }
  return j - i;
}

size_t MatchNumber(std::string_view s, size_t i) {
  if (i >= s.size() || !Digit(s[i])) return 0;
  size_t j = i + 1;
  while (j < s.size() && (Digit(s[j]) || s[j] == '_')) ++j;
  if (j + 1 < s.size() && s[j] == '.' && Digit(s[j + 1])) {
    j += 1;
    while (j < s.size() && Digit(s[j])) ++j;
  }
  if (j + 1 < s.size() && (s[j] == 'e' || s[j] == 'E') && Digit(s[j + 1])) {
    j += 1;
    while (j < s.size() && Digit(s[j])) ++j;
  }
  return j - i;
}

size_t MatchWord(std::string_view s, size_t i) {
  if (i >= s.size() || !WordStart(s[i])) return 0;
  size_t j = i + 1;
  while (j < s.size() && WordChar(s[j])) ++j;
  while (j + 1 < s.size() && s[j] == '-' && WordChar(s[j + 1])) {
    j += 1;
    while (j < s.size() && WordChar(s[j])) ++j;
  }
  return j - i;
}

size_t MatchString(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '"') return 0;
  size_t j = i + 1;
  while (j < s.size()) {
    char c = s[j];
    if (c == '"') return j + 1 - i;
    if (c == '\r' || c == '\n') return 0;
    if (c == '\\') {
      if (j + 1 >= s.size()) return 0;
      j += 2;
      continue;
    }
    ++j;
  }
  return 0;
}

size_t LineEnd(std::string_view s, size_t i) {
  while (i < s.size() && s[i] != '\r' && s[i] != '\n') ++i;
  return i;
}

std::string TrimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) --n;
  return std::string(s.substr(0, n));
}

}  // namespace

std::vector<LayoutToken> LexForLayout(std::string_view s) {
  std::vector<LayoutToken> out;
  size_t i = 0;
  int line = 1;
  size_t line_start = 0;
  int newlines = 0;
  bool spaced = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      spaced = true;
      if (c == '\n') {
        ++newlines;
        ++line;
        line_start = i + 1;
      }
      ++i;
      continue;
    }
    LayoutToken t;
    t.newlines = newlines;
    t.spaced = spaced;
    t.line = line;
    t.col = static_cast<int>(i - line_start);
    size_t len = 0;
    if (s.substr(i, 3) == "///") {
      len = LineEnd(s, i) - i;
      t.kind = TokKind::kDoc;
    } else if (c == '#') {
      len = LineEnd(s, i) - i;
      t.kind = TokKind::kComment;
    } else if (Digit(c)) {
      // Longest match; on a tie the rule written first in the grammar wins: DATE, ECCN, NUMBER.
      size_t d = MatchDate(s, i), e = MatchEccn(s, i), n = MatchNumber(s, i);
      len = d, t.kind = TokKind::kDate;
      if (e > len) len = e, t.kind = TokKind::kEccn;
      if (n > len) len = n, t.kind = TokKind::kNumber;
    } else if (WordStart(c)) {
      len = MatchWord(s, i);
      t.kind = TokKind::kWord;
    } else if (c == '"' && (len = MatchString(s, i)) > 0) {
      t.kind = TokKind::kString;
    } else {
      std::string_view two = s.substr(i, 2);
      if (two == "->" || two == "<=" || two == ">=" || two == "!=") {
        len = 2;
      } else {
        len = 1;
      }
      static const std::string_view kPunct = ":,{}()=?/.*+-<>";
      t.kind = len == 2 || kPunct.find(c) != std::string_view::npos ? TokKind::kPunct : TokKind::kOther;
      if (t.kind == TokKind::kOther) {
        // One code point, so that a multi-byte character is never split.
        unsigned char u = static_cast<unsigned char>(c);
        len = u < 0x80 ? 1 : (u >> 5) == 0x6 ? 2 : (u >> 4) == 0xE ? 3 : (u >> 3) == 0x1E ? 4 : 1;
        if (i + len > s.size()) len = s.size() - i;
      }
    }
    t.text = t.kind == TokKind::kDoc || t.kind == TokKind::kComment ? TrimRight(s.substr(i, len))
                                                                    : std::string(s.substr(i, len));
    out.push_back(std::move(t));
    i += len;
    newlines = 0;
    spaced = false;
  }
  return out;
}

bool SameTokens(const std::vector<LayoutToken>& a, const std::vector<LayoutToken>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (a[k].kind != b[k].kind || a[k].text != b[k].text) return false;
  return true;
}

}  // namespace edict::format
