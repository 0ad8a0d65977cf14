#include "tools/repl/json_query.h"

#include <simdjson.h>

#include "runtime/date.h"

namespace edict::repl {

namespace {

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The position just after the JSON string starting at `at` (a '"'), escapes skipped.
size_t StringEnd(std::string_view s, size_t at) {
  for (size_t i = at + 1; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return s.size();
}

// Where the key "name" is, outside other strings; npos when it is not a key of the text.
size_t FindKey(std::string_view s, std::string_view name) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    size_t end = StringEnd(s, i);
    size_t after = s.find_first_not_of(" \t\r\n", end);
    if (s.substr(i + 1, end - i - 2) == name && after != std::string_view::npos && s[after] == ':') return i;
    i = end - 1;
  }
  return std::string_view::npos;
}

// The value after the key at `key`: a string, or the token up to the next ',' or '}'.
ByteRange ValueAfter(std::string_view s, size_t key) {
  size_t colon = s.find(':', StringEnd(s, key));
  size_t begin = s.find_first_not_of(" \t\r\n", colon + 1);
  if (begin == std::string_view::npos) return {key, StringEnd(s, key)};
  if (s[begin] == '"') return {begin, StringEnd(s, begin)};
  size_t end = s.find_first_of(",}\r\n", begin);
  if (end == std::string_view::npos) end = s.size();
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  return {begin, std::max(end, begin + 1)};
}

// The first 'quoted' name in a message.
std::string NamedIn(const std::string& error) {
  size_t a = error.find('\'');
  size_t b = a == std::string::npos ? a : error.find('\'', a + 1);
  return b == std::string::npos ? "" : error.substr(a + 1, b - a - 1);
}

}  // namespace

std::string WithDefaults(std::string_view text, const QueryDefaults& defaults) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string padded(text);
  if (parser.parse(padded).get(object)) return std::string(text);
  bool has_id = false, has_date = false;
  size_t keys = 0;
  for (auto field : object) {
    ++keys;
    has_id |= field.key == "id";
    has_date |= field.key == "date";
  }
  std::string added;
  if (!has_id) added += "\"id\":" + Quoted(defaults.id);
  if (!has_date && defaults.has_date)
    added += (added.empty() ? "" : ",") + std::string("\"date\":") + Quoted(FormatDate(defaults.date));
  if (added.empty()) return std::string(text);
  size_t brace = text.find('{') + 1;
  return std::string(text.substr(0, brace)) + added + (keys ? "," : "") + std::string(text.substr(brace));
}

ByteRange ErrorRange(std::string_view text, const std::string& error) {
  std::string name = NamedIn(error);
  if (!name.empty() && error.rfind("missing", 0) == 0) {
    size_t close = text.rfind('}');
    if (close != std::string_view::npos) return {close, close + 1};
  }
  if (size_t key = name.empty() ? std::string_view::npos : FindKey(text, name);
      key != std::string_view::npos) {
    if (error.rfind("unknown field", 0) == 0 || error.find("given twice") != std::string::npos ||
        error.find("computed by the policy") != std::string::npos)
      return {key, StringEnd(text, key)};
    return ValueAfter(text, key);
  }
  size_t eol = text.find('\n');
  return {0, std::max<size_t>(1, eol == std::string_view::npos ? text.size() : eol)};
}

}  // namespace edict::repl
