// Exact numbers: every edict number (int, decimal, quantity) is a rational with 128-bit numerator and
// denominator. 1e26 operations (ECCN 4E091) and 5.92 tpp/mm2 are both exact; arithmetic that would overflow
// reports instead of wrapping, so there is never undefined behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edict {

using i128 = __int128;

struct Rational {
  i128 num = 0;
  i128 den = 1;  // always > 0, gcd(num, den) == 1

  static Rational Int(int64_t v) { return Rational{v, 1}; }
  bool IsInteger() const { return den == 1; }
  bool FitsInt64() const;
  int64_t ToInt64() const { return static_cast<int64_t>(num); }
  double ToDouble() const;
  std::string ToString() const;  // exact: "26900000", "5.92", "3/7" when not a finite decimal
  bool operator==(const Rational& o) const { return num == o.num && den == o.den; }
};

// Each returns nullopt on overflow (or division by zero for Div). The range is symmetric: -2^127 is out,
// so negation never overflows.
inline constexpr i128 kRationalMax = ~(static_cast<unsigned __int128>(1) << 127);
std::optional<Rational> AddFractions(const Rational& a, const Rational& b);  // Add's general case
// Whole numbers (quantities, TPP, quota totals: nearly every sum) without a call.
inline std::optional<Rational> Add(const Rational& a, const Rational& b) {
  if (a.den == 1 && b.den == 1) {
    i128 r;
    if (__builtin_add_overflow(a.num, b.num, &r) || r < -kRationalMax) return std::nullopt;
    return Rational{r, 1};
  }
  return AddFractions(a, b);
}
inline std::optional<Rational> Sub(const Rational& a, const Rational& b) {
  return Add(a, Rational{-b.num, b.den});
}
std::optional<Rational> Mul(const Rational& a, const Rational& b);
std::optional<Rational> Div(const Rational& a, const Rational& b);
// -1, 0, 1; exact (cross-multiplication in 256 bits is avoided by comparing quotients first).
int Compare(const Rational& a, const Rational& b);

// Parses "1699", "26_900_000", "5.92", "1e26", "-3", "2.5E3". nullopt when malformed or out of range.
std::optional<Rational> ParseRational(std::string_view text);

std::string I128ToString(i128 v);

}  // namespace edict
