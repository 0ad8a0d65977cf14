#include "tools/lsp/transport.h"

#include <string>

namespace edict::lsp {

namespace {

// One header line without its CRLF; false at end of input.
bool ReadHeaderLine(std::FILE* in, std::string* line) {
  line->clear();
  for (;;) {
    int c = std::fgetc(in);
    if (c == EOF) return false;
    if (c == '\n') break;
    line->push_back(static_cast<char>(c));
    if (line->size() > 4096) return false;
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

}  // namespace

std::optional<Json> ReadMessage(std::FILE* in) {
  long long length = -1;
  std::string line;
  for (;;) {
    if (!ReadHeaderLine(in, &line)) return std::nullopt;
    if (line.empty()) {
      if (length >= 0) break;
      continue;  // stray blank line before a header
    }
    static const std::string kLength = "content-length:";
    std::string lower = line.substr(0, kLength.size());
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == kLength) {
      try {
        length = std::stoll(line.substr(kLength.size()));
      } catch (...) {
        return std::nullopt;
      }
    }
  }
  if (length < 0 || length > (1LL << 30)) return std::nullopt;
  std::string body(static_cast<size_t>(length), '\0');
  if (length > 0 && std::fread(body.data(), 1, body.size(), in) != body.size()) return std::nullopt;
  Json message = Json::parse(body, nullptr, false);
  if (message.is_discarded()) return Json{{"parse_error", true}};
  return message;
}

bool WriteMessage(std::FILE* out, const Json& message) {
  std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::fprintf(out, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out);
  return std::fflush(out) == 0 && !std::ferror(out);
}

}  // namespace edict::lsp
