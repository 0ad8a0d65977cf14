// The body of POST /v1/decide and /v1/explain, read into its parts without deciding anything:
//
//   {"shipment": {...}}  or  {"shipments": [{...}, ...]}       (explain: "shipment" only)
//   optional: "record": true|false, "explain": true|false, "as_of": "YYYY-MM-DD"
//
// The envelope is walked with simdjson's On Demand API, and each shipment is handed on as its own JSON text
// (the reader of `edict eval` then reads it, runtime/io/reader.h). Only a body that fails is read a second
// time, by nlohmann-json's SAX parser, to say where: the byte, line and column, and the member path
// (`shipments[2].quantity`).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edict::serve {

enum class RequestKind { kDecide, kExplain };

struct ShipmentsRequest {
  std::vector<std::string_view> shipments;  // each shipment's JSON text; valid until the next Read
  bool many = false;                        // "shipments" was given (the reply is {"decisions": [...]})
  bool record = false, explain = false;
  bool has_as_of = false;
  int as_of = 0;
};

// Why a body was refused: 400 (not JSON, or a member of the wrong JSON type) or 422 (well-formed, but naming
// something unknown or contradictory). `field` is the member path, when there is one.
struct RequestError {
  int status = 400;
  std::string message, field, hint;
  long offset = -1;  // of a JSON syntax error, in bytes from the start of the body
};

class RequestReader {
 public:
  RequestReader();
  ~RequestReader();
  bool Read(std::string_view body, RequestKind kind, ShipmentsRequest* out, RequestError* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// When `body` is not valid JSON: true, with `error` saying why and where (status 400). False when it is.
bool DescribeSyntaxError(std::string_view body, RequestError* error);

// "did you mean `record`?" for the closest of `candidates` to `given` (by edit distance), or "".
std::string DidYouMean(std::string_view given, const std::vector<std::string>& candidates);

}  // namespace edict::serve
