#include "tools/repl/input.h"

#include <set>

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

// Open braces and parentheses minus closed ones, outside texts and comments. In JSON, `\"` does not end a
// text.
int Depth(std::string_view s, bool json = false) {
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
      else if (json && c == '\\')
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

}  // namespace

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

std::string FirstWord(std::string_view input) {
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    std::string_view line =
        input.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? input.size() : end + 1;
    if (IsDoc(line) || IsDocOrComment(line) || Trim(line).empty()) continue;
    std::string t = Trim(line);
    size_t w = 0;
    while (w < t.size() && (isalnum(static_cast<unsigned char>(t[w])) || t[w] == '_' || t[w] == '-')) ++w;
    return t.substr(0, w);
  }
  return "";
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
  if (Depth(buffer, kind == InputKind::kJsonQuery) > 0) return true;
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
  return !ended;
}

}  // namespace edict::repl
