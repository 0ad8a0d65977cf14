// Reading the numbers of input lines without ParseRational's 128-bit checked arithmetic per digit.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/rational.h"

namespace edict::io {

namespace number_detail {

// base^0 .. base^38.
struct Powers {
  i128 v[39];
  constexpr explicit Powers(int base) : v() {
    v[0] = 1;
    for (int i = 1; i < 39; ++i) v[i] = v[i - 1] * base;
  }
};
inline constexpr Powers kTwo(2), kFive(5), kTen(10);

}  // namespace number_detail

// A number as JSON writes it, and as most CSV cells hold it: -?D+(.D+)?([eE][+-]?D+)? with at most 18 digits
// D, whose numerator and denominator as ParseRational forms them (all the digits over 10^fraction digits,
// times or over 10^exponent) stay at or below 10^38. Sets its exact value, reduced: the Rational
// ParseRational gives for the same text. False for any other text (which ParseRational then reads).
inline bool ParseSimpleNumber(std::string_view t, Rational* out) {
  using number_detail::kFive;
  using number_detail::kTen;
  using number_detail::kTwo;
  const char* p = t.data();
  const char* end = p + t.size();
  auto digit = [&] { return p < end && static_cast<unsigned>(*p - '0') < 10; };
  bool neg = p < end && *p == '-';
  if (neg) ++p;
  if (!digit()) return false;
  uint64_t m = 0;
  int digits = 0, fraction = 0;
  for (; digit() && digits < 19; ++p, ++digits) m = m * 10 + static_cast<unsigned>(*p - '0');
  if (p < end && *p == '.') {
    ++p;
    if (!digit()) return false;
    for (; digit() && digits < 19; ++p, ++digits, ++fraction) m = m * 10 + static_cast<unsigned>(*p - '0');
  }
  if (digits > 18 || digit()) return false;
  int exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool negative = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit()) return false;
    for (; digit() && exponent <= 38; ++p) exponent = exponent * 10 + (*p - '0');
    if (negative) exponent = -exponent;
  }
  if (p != end) return false;
  if (digits + (exponent > 0 ? exponent : 0) > 38 || fraction + (exponent < 0 ? -exponent : 0) > 38)
    return false;
  int scale = exponent - fraction;  // the value is m * 10^scale
  i128 num = 0, den = 1;
  if (m == 0) {
    // 0/1
  } else if (scale >= 0) {
    num = static_cast<i128>(m) * kTen.v[scale];
  } else {
    // m / 10^k, reduced: 10^k = 2^k 5^k, so the common factors are m's twos and fives.
    int k = -scale, twos = __builtin_ctzll(m), fives = 0;
    if (twos > k) twos = k;
    m >>= twos;
    while (fives < k && m % 5 == 0) m /= 5, ++fives;
    num = static_cast<i128>(m);
    den = kTwo.v[k - twos] * kFive.v[k - fives];
  }
  *out = Rational{neg ? -num : num, den};
  return true;
}

}  // namespace edict::io
