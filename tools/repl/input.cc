#include "tools/repl/input.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

namespace edict::repl {

namespace {

bool IsDocOrComment(std::string_view line) {
  size_t a = line.find_first_not_of(" \t");
  return a != std::string_view::npos && line[a] == '#';
}

bool IsDoc(std::string_view line) {
  size_t a = line.find_first_not_of(" \t");
  return a != std::string_view::npos && line.substr(a, 3) == "///";
}

// Open braces and parentheses minus closed ones, outside texts and comments. `\"` does not end a text (in
// JSON, and in policy texts and queries alike).
int Depth(std::string_view s) {
  int depth = 0;
  bool in_text = false, in_comment = false, escaped = false;
  for (char c : s) {
    if (in_comment) {
      if (c == '\n') in_comment = false;
      continue;
    }
    if (in_text) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"' || c == '\n')
        in_text = false;
      continue;
    }
    if (c == '"')
      in_text = true;
    else if (c == '#')
      in_comment = true;
    else if (c == '{' || c == '(')
      ++depth;
    else if (c == '}' || c == ')')
      --depth;
  }
  return depth;
}

// A JSON object: `{` then `}`, or a text followed by `:`. `{IN, FR}` (a set) is an expression. A lone `{` may
// still become either; it waits for the next line as an object would.
bool LooksLikeJsonObject(std::string_view t) {
  size_t a = t.find_first_not_of(" \t\r\n", 1);
  if (a == std::string_view::npos) return true;
  if (t[a] == '}') return true;
  if (t[a] != '"') return false;
  size_t i = a + 1;
  while (i < t.size() && t[i] != '"' && t[i] != '\n') i += t[i] == '\\' ? 2 : 1;
  size_t colon = i < t.size() ? t.find_first_not_of(" \t\r\n", i + 1) : std::string_view::npos;
  return colon == std::string_view::npos || t[colon] == ':';
}

const std::set<std::string, std::less<>>& DeclarationWords() {
  static const std::set<std::string, std::less<>> words = {
      "unit",  "const", "enum",      "set",      "record", "table",  "function", "schema",
      "quota", "rule",  "exception", "withdraw", "test",   "import", "timeline"};
  return words;
}

// Declarations whose clauses follow on indented lines: they end with an empty line.
bool EndsWithEmptyLine(std::string_view word) {
  return word == "rule" || word == "exception" || word == "quota" || word == "function";
}

// The words of `line` outside texts and before a `#` comment; punctuation is split off as words of its own.
std::vector<std::string> CodeWords(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      flush();
      size_t j = i + 1;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      words.push_back("\"\"");
      i = j;
    } else if (c == '#') {
      break;
    } else if (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') {
      cur.push_back(c);
    } else {
      flush();
      if (c != ' ' && c != '\t' && c != '\r') words.push_back(std::string(1, c));
    }
  }
  flush();
  return words;
}

// A function, rule or exception typed whole on its first line is complete there; typed over several lines it
// ends with an empty line as before. Whole: a function has its body after `=`; a rule or an exception has a
// `then` clause; and the line does not end where the grammar needs more (an operator, `then`, `when`, ...).
bool CompleteOnOneLine(std::string_view buffer, const std::string& word) {
  std::string_view b = buffer;
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b.remove_suffix(1);
  // The declaration's own lines: doc comments and comments above it do not count.
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= b.size();) {
    size_t end = b.find('\n', pos);
    if (end == std::string_view::npos) end = b.size();
    std::string_view line = b.substr(pos, end - pos);
    if (!IsDoc(line) && !IsDocOrComment(line) && !Trim(line).empty()) lines.push_back(line);
    pos = end + 1;
  }
  if (lines.size() != 1 || word == "quota") return false;
  std::vector<std::string> words = CodeWords(lines[0]);
  if (words.empty()) return false;
  static const std::set<std::string, std::less<>> needs_more = {
      "=",    "+",    "-",      "*",        "/",     "<",    ">",     "!",  ",",    "(",
      "{",    ":",    "and",    "or",       "not",   "in",   "is",    "if", "then", "else",
      "when", "cite", "reason", "consumes", "force", "from", "until", "of", "fits", "->"};
  if (needs_more.count(words.back())) return false;
  if (word == "function") {
    auto arrow = std::find(words.begin(), words.end(), ">");
    return arrow != words.end() && std::find(arrow, words.end(), "=") + 1 < words.end();
  }
  return std::find(words.begin(), words.end(), "then") != words.end();
}

}  // namespace

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

namespace {

// The words of the first line that is not a doc comment, a comment or empty (at most `count`).
std::vector<std::string> FirstWords(std::string_view input, size_t count) {
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    std::string_view line =
        input.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? input.size() : end + 1;
    if (IsDoc(line) || IsDocOrComment(line) || Trim(line).empty()) continue;
    std::string t = Trim(line);
    std::vector<std::string> words;
    size_t w = 0;
    while (words.size() < count) {
      while (w < t.size() && (t[w] == ' ' || t[w] == '\t')) ++w;
      size_t start = w;
      while (w < t.size() && (isalnum(static_cast<unsigned char>(t[w])) || t[w] == '_' || t[w] == '-')) ++w;
      words.push_back(t.substr(start, w - start));
      if (w == start) break;
    }
    return words;
  }
  return {};
}

}  // namespace

std::string FirstWord(std::string_view input) {
  auto words = FirstWords(input, 1);
  return words.empty() ? "" : words[0];
}

std::string DeclaredName(std::string_view input) {
  auto words = FirstWords(input, 2);
  if (words.empty()) return "";
  if (words[0] == "test") {
    // A test is named by its text: `test "LPP at the limit" {`.
    size_t open = input.find('"', input.find("test"));
    if (open == std::string_view::npos) return "";
    for (size_t i = open + 1; i < input.size() && input[i] != '\n'; ++i) {
      if (input[i] == '\\')
        ++i;
      else if (input[i] == '"')
        return std::string(input.substr(open, i - open + 1));
    }
    return "";
  }
  // Imports and withdrawals declare nothing of their own (`import ear.groups` is not a declaration of "ear").
  if (words.size() < 2 || words[0] == "import" || words[0] == "withdraw") return "";
  return words[1];
}

bool StartsCommand(std::string_view line) {
  size_t a = line.find_first_not_of(" \t");
  // `: int` (a type annotation on a line of its own) is not a command: a command's name follows the colon.
  return a != std::string_view::npos && line[a] == ':' && a + 1 < line.size() &&
         (isalpha(static_cast<unsigned char>(line[a + 1])) || line[a + 1] == '?');
}

InputKind Classify(std::string_view input) {
  std::string t = Trim(input);
  if (t.empty()) return InputKind::kEmpty;
  if (t[0] == ':') return InputKind::kCommand;
  if (t[0] == '{' && LooksLikeJsonObject(t)) return InputKind::kJsonQuery;
  if (t.rfind("///", 0) == 0) return InputKind::kDeclaration;
  if (t[0] == '#') {
    // Comment lines alone are nothing; comments above a declaration belong to it.
    std::string word = FirstWord(input);
    return word.empty() ? InputKind::kEmpty : Classify(input.substr(input.find(word)));
  }
  std::string word = FirstWord(t);
  if (word == "ship") return InputKind::kShipQuery;
  if (DeclarationWords().count(word)) return InputKind::kDeclaration;
  return InputKind::kExpression;
}

bool NeedsMore(std::string_view buffer) {
  InputKind kind = Classify(buffer);
  if (kind == InputKind::kEmpty) {
    // Only doc comments so far: the declaration follows.
    return Trim(buffer).rfind("///", 0) == 0;
  }
  if (kind == InputKind::kCommand) return false;  // one line each
  // A JSON object, an expression or a query may go on while braces or parentheses are open.
  if (Depth(buffer) > 0) return true;
  if (kind != InputKind::kDeclaration) return false;
  // Complete once the last line typed is empty.
  std::string_view b = buffer;
  if (!b.empty() && b.back() == '\n') b.remove_suffix(1);
  size_t last = b.rfind('\n');
  std::string_view line = last == std::string_view::npos ? b : b.substr(last + 1);
  bool ended = last != std::string_view::npos && Trim(line).empty();
  std::string word = FirstWord(buffer);
  // Doc comments only: the declaration they document follows, unless an empty line ends the input (the
  // session then says that nothing followed them).
  if (word.empty()) return !ended;
  if (!EndsWithEmptyLine(word)) return false;
  if (CompleteOnOneLine(buffer, word)) return false;
  return !ended;
}

std::string TypedPath(std::string_view typed) {
  std::string path = Trim(typed);
  if (path.size() >= 2 && (path.front() == '"' || path.front() == '\'') && path.back() == path.front())
    path = path.substr(1, path.size() - 2);
  const char* home = std::getenv("HOME");
  if (home && *home && (path == "~" || path.rfind("~/", 0) == 0)) path = home + path.substr(1);
  return path;
}

std::vector<std::string> HistoryEntries(const std::vector<std::string>& lines) {
  std::vector<std::string> kept;
  for (const auto& line : lines)
    if (!Trim(line).empty()) kept.push_back(line);
  if (kept.size() < 2) return kept;
  for (const auto& line : kept) {
    if (line.find('#') != std::string::npos || line.find("///") != std::string::npos) return kept;
    // A text that goes on to the next line would change if its line break became a space.
    int quotes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\')
        ++i;
      else if (line[i] == '"')
        ++quotes;
    }
    if (quotes % 2) return kept;
  }
  std::string joined;
  for (const auto& line : kept) joined += (joined.empty() ? "" : " ") + Trim(line);
  return {joined};
}

}  // namespace edict::repl
