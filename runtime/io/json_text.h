// JSON text as every writer of edict produces it: one escaper, and fmt arguments that format as JSON, so that
// output is written with fmt::format_to instead of pieced together by hand.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace edict::io {

// Appends `s` as a JSON string: quotes and backslashes escaped, \n and \t by name, other control characters
// as \u00XX; bytes from 0x80 (UTF-8) are copied as they are.
void AppendJsonString(std::string& out, std::string_view s);
void AppendJsonString(fmt::memory_buffer& out, std::string_view s);
std::string JsonEscape(std::string_view s);

// fmt::format("{{\"id\":{}}}", io::Json(id)) writes {"id":"..."} with the id escaped.
struct Json {
  std::string_view text;
};
// A list of strings as a JSON array, its members separated by `separator` (", " in the diff's report, "," in
// decisions).
struct JsonList {
  const std::vector<std::string>& items;
  std::string_view separator = ", ";
};

}  // namespace edict::io

template <>
struct fmt::formatter<edict::io::Json> : fmt::formatter<std::string_view> {
  fmt::format_context::iterator format(const edict::io::Json& j, fmt::format_context& ctx) const;
};

template <>
struct fmt::formatter<edict::io::JsonList> : fmt::formatter<std::string_view> {
  fmt::format_context::iterator format(const edict::io::JsonList& list, fmt::format_context& ctx) const;
};
