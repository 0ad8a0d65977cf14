// A scanner for the usual shape of a shipment line: one flat JSON object whose keys and string values hold
// printable ASCII without escapes, with numbers, true, false and null. It reads such a line in one pass with
// no copy (simdjson's on-demand parser needs the line copied into a padded buffer and indexed first, which
// is most of the cost of a 150-byte line). Anything else (an escape, a non-ASCII byte, a nested value, a
// number outside JSON's grammar, text after the object) makes it decline, and the caller reads the line with
// simdjson, which also gives the reference message for an invalid one.
#pragma once

#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace edict::io {

enum class FlatKind { kString, kNumber, kTrue, kFalse, kNull };

namespace flat_json_detail {

inline bool Blank(char c) {
  // Most bytes are printable: one comparison tells them apart from the four blanks.
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}
inline bool Digit(char c) {
  return c >= '0' && c <= '9';
}

// A string's body from just after its opening quote; p is left just after the closing quote.
inline bool Body(const char*& p, const char* end, std::string_view* out) {
  const char* start = p;
#ifdef __SSE2__
  // 16 bytes at a time to the first byte that ends the plain run: a quote, a backslash, a control byte or a
  // non-ASCII one (both below 0x20 as signed bytes). The scalar loop below classifies it.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                _mm_cmplt_epi8(v, space));
    int mask = _mm_movemask_epi8(stop);
    if (mask) {
      p += __builtin_ctz(static_cast<unsigned>(mask));
      break;
    }
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') {
      *out = std::string_view(start, static_cast<size_t>(p - start));
      ++p;
      return true;
    }
    if (c == '\\' || c < 0x20 || c >= 0x80) return false;
  }
  return false;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
inline bool Number(const char*& p, const char* end, std::string_view* out) {
  const char* start = p;
  if (p < end && *p == '-') ++p;
  if (p >= end || !Digit(*p)) return false;
  if (*p == '0') {
    ++p;
  } else {
    while (p < end && Digit(*p)) ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !Digit(*p)) return false;
    while (p < end && Digit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !Digit(*p)) return false;
    while (p < end && Digit(*p)) ++p;
  }
  *out = std::string_view(start, static_cast<size_t>(p - start));
  return true;
}

inline bool Literal(const char*& p, const char* end, std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word) return false;
  p += word.size();
  return true;
}

}  // namespace flat_json_detail

// Calls member(key, kind, text) for each member in order (text: a string's body or a number's token) and
// returns true when the whole line was such an object and every call returned true; false to decline.
template <typename Member>
bool ScanFlatJson(std::string_view line, Member&& member) {
  using namespace flat_json_detail;
  const char* p = line.data();
  const char* end = p + line.size();
  auto skip = [&] {
    while (p < end && Blank(*p)) ++p;
  };
  skip();
  if (p >= end || *p++ != '{') return false;
  skip();
  if (p < end && *p == '}') {
    ++p;
  } else {
    for (;;) {
      std::string_view key, text;
      if (p >= end || *p++ != '"' || !Body(p, end, &key)) return false;
      skip();
      if (p >= end || *p++ != ':') return false;
      skip();
      if (p >= end) return false;
      FlatKind kind;
      char c = *p;
      if (c == '"') {
        ++p;
        if (!Body(p, end, &text)) return false;
        kind = FlatKind::kString;
      } else if (c == '-' || Digit(c)) {
        if (!Number(p, end, &text)) return false;
        kind = FlatKind::kNumber;
      } else if (Literal(p, end, "true")) {
        kind = FlatKind::kTrue;
      } else if (Literal(p, end, "false")) {
        kind = FlatKind::kFalse;
      } else if (Literal(p, end, "null")) {
        kind = FlatKind::kNull;
      } else {
        return false;
      }
      // A value ends at a blank, a comma or the closing brace ("12x" or "truex" is not JSON).
      if (p < end && !Blank(*p) && *p != ',' && *p != '}') return false;
      if (!member(key, kind, text)) return false;
      skip();
      if (p >= end) return false;
      if (*p == '}') {
        ++p;
        break;
      }
      if (*p++ != ',') return false;
      skip();
    }
  }
  skip();
  return p == end;
}

}  // namespace edict::io
