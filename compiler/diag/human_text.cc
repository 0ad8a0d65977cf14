#include "compiler/diag/human_text.h"

#include <cctype>

namespace edict::text {

std::string Thousands(long long n) {
  unsigned long long v =
      n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
  std::string digits = std::to_string(v), out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

namespace {

// The digits of `run` with a comma before each group of three from the right.
void AppendGrouped(std::string_view run, std::string* out) {
  for (size_t k = 0; k < run.size(); ++k) {
    if (k && (run.size() - k) % 3 == 0) out->push_back(',');
    out->push_back(run[k]);
  }
}

size_t DigitsFrom(std::string_view s, size_t i) {
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

std::string GroupNumber(std::string_view text) {
  // The shape of a number as Rational::ToString writes it: -? digits (. digits | / digits)?, then the end or
  // a space (before a unit).
  size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  size_t int_end = DigitsFrom(text, sign);
  if (int_end == sign) return std::string(text);
  size_t end = int_end, den_begin = 0;
  if (end < text.size() && (text[end] == '.' || text[end] == '/')) {
    size_t after = DigitsFrom(text, end + 1);
    if (after == end + 1) return std::string(text);
    if (text[end] == '/') den_begin = end + 1;
    end = after;
  }
  if (end < text.size() && text[end] != ' ') return std::string(text);  // a date, an ECCN, an id
  std::string out(text.substr(0, sign));
  AppendGrouped(text.substr(sign, int_end - sign), &out);
  if (den_begin) {
    out.push_back('/');
    AppendGrouped(text.substr(den_begin, end - den_begin), &out);
  } else {
    out.append(text.substr(int_end, end - int_end));  // the decimals, as they are
  }
  out.append(text.substr(end));
  return out;
}

namespace {

// The next code point of `s` from `*i` (advanced); -1 for a byte that does not start valid UTF-8 (skipped
// alone).
long Decode(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int extra = 0;
  long cp = 0;
  if (c < 0x80) {
    ++*i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, cp = c & 0x07;
  } else {
    ++*i;
    return -1;
  }
  if (*i + extra >= s.size()) {
    ++*i;
    return -1;
  }
  for (int k = 1; k <= extra; ++k) {
    unsigned char d = static_cast<unsigned char>(s[*i + k]);
    if ((d & 0xC0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  *i += static_cast<size_t>(extra) + 1;
  return cp;
}

bool In(long cp, long lo, long hi) {
  return cp >= lo && cp <= hi;
}

int Width(long cp) {
  if (cp < 0) return 1;                                    // a stray byte, shown as one replacement
  if (cp < 0x20 || In(cp, 0x7F, 0x9F)) return 0;           // control characters
  if (In(cp, 0x0300, 0x036F) || In(cp, 0x0483, 0x0489) ||  // combining marks
      In(cp, 0x0591, 0x05BD) || In(cp, 0x0610, 0x061A) || In(cp, 0x064B, 0x065F) || In(cp, 0x0E31, 0x0E31) ||
      In(cp, 0x0E34, 0x0E3A) || In(cp, 0x0E47, 0x0E4E) || In(cp, 0x1AB0, 0x1AFF) || In(cp, 0x1DC0, 0x1DFF) ||
      In(cp, 0x20D0, 0x20FF) || In(cp, 0xFE00, 0xFE0F) || In(cp, 0xFE20, 0xFE2F) || In(cp, 0x200B, 0x200F) ||
      In(cp, 0x2028, 0x202E) || In(cp, 0x2060, 0x2064) || cp == 0xFEFF || In(cp, 0xE0100, 0xE01EF))
    return 0;
  if (In(cp, 0x1100, 0x115F) || In(cp, 0x231A, 0x231B) || In(cp, 0x2329, 0x232A) || In(cp, 0x23E9, 0x23EC) ||
      In(cp, 0x25FD, 0x25FE) || In(cp, 0x2614, 0x2615) || In(cp, 0x2E80, 0x303E) || In(cp, 0x3041, 0x33FF) ||
      In(cp, 0x3400, 0x4DBF) || In(cp, 0x4E00, 0x9FFF) || In(cp, 0xA000, 0xA4CF) || In(cp, 0xA960, 0xA97F) ||
      In(cp, 0xAC00, 0xD7A3) || In(cp, 0xF900, 0xFAFF) || In(cp, 0xFE10, 0xFE19) || In(cp, 0xFE30, 0xFE6F) ||
      In(cp, 0xFF00, 0xFF60) || In(cp, 0xFFE0, 0xFFE6) || In(cp, 0x1F300, 0x1F64F) ||
      In(cp, 0x1F680, 0x1F6FF) || In(cp, 0x1FA70, 0x1FAFF) || In(cp, 0x1F900, 0x1F9FF) ||
      In(cp, 0x20000, 0x3FFFD))
    return 2;  // East Asian wide and fullwidth, emoji
  return 1;
}

}  // namespace

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {  // ASCII, the common case
      width += c >= 0x20 && c != 0x7F ? 1 : 0;
      ++i;
      continue;
    }
    width += static_cast<size_t>(Width(Decode(utf8, &i)));
  }
  return width;
}

size_t PrefixForWidth(std::string_view utf8, size_t width) {
  size_t used = 0;
  for (size_t i = 0; i < utf8.size();) {
    size_t next = i;
    int w = Width(Decode(utf8, &next));
    if (used + static_cast<size_t>(w) > width) return i;
    used += static_cast<size_t>(w);
    i = next;
  }
  return utf8.size();
}

std::string PadRight(std::string_view text, size_t width) {
  size_t w = DisplayWidth(text);
  std::string out(text);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string PadLeft(std::string_view text, size_t width) {
  size_t w = DisplayWidth(text);
  std::string out = w < width ? std::string(width - w, ' ') : std::string();
  out += text;
  return out;
}

}  // namespace edict::text
