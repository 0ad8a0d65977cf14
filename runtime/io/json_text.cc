#include "runtime/io/json_text.h"

#include <algorithm>

namespace edict::io {

namespace {

bool NeedsEscape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

// Writes `s` escaped to `out`, an output iterator (a std::string's back inserter or fmt's).
template <typename Out>
Out WriteJsonString(Out out, std::string_view s) {
  *out++ = '"';
  // Plain text, the usual case, is copied in one go.
  if (std::none_of(s.begin(), s.end(), NeedsEscape)) {
    out = std::copy(s.begin(), s.end(), out);
    *out++ = '"';
    return out;
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *out++ = '\\';
      *out++ = c;
    } else if (c == '\n') {
      *out++ = '\\';
      *out++ = 'n';
    } else if (c == '\t') {
      *out++ = '\\';
      *out++ = 't';
    } else if (u < 0x20) {
      out = fmt::format_to(out, "\\u{:04x}", u);
    } else {
      *out++ = c;
    }
  }
  *out++ = '"';
  return out;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  if (std::none_of(s.begin(), s.end(), NeedsEscape)) {  // appended in one go
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  WriteJsonString(std::back_inserter(out), s);
}

void AppendJsonString(fmt::memory_buffer& out, std::string_view s) {
  if (std::none_of(s.begin(), s.end(), NeedsEscape)) {  // appended in one go
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  WriteJsonString(fmt::appender(out), s);
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(out, s);
  return out;
}

}  // namespace edict::io

fmt::format_context::iterator fmt::formatter<edict::io::Json>::format(const edict::io::Json& j,
                                                                      fmt::format_context& ctx) const {
  return edict::io::WriteJsonString(ctx.out(), j.text);
}

fmt::format_context::iterator fmt::formatter<edict::io::JsonList>::format(const edict::io::JsonList& list,
                                                                          fmt::format_context& ctx) const {
  auto out = ctx.out();
  *out++ = '[';
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i) out = std::copy(list.separator.begin(), list.separator.end(), out);
    out = edict::io::WriteJsonString(out, list.items[i]);
  }
  *out++ = ']';
  return out;
}
