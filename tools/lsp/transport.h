// LSP base protocol: JSON-RPC messages framed by `Content-Length` headers over a pair of streams.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace edict::lsp {

using Json = nlohmann::json;

// Reads one message; nullopt at end of input or on a frame that cannot be read. A body that is not JSON
// yields a JSON-RPC parse error object ({"parse_error": true}) so the server can answer it.
std::optional<Json> ReadMessage(std::FILE* in);

// Writes one message and flushes. False if the stream failed.
bool WriteMessage(std::FILE* out, const Json& message);

}  // namespace edict::lsp
