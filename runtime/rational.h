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

// Each returns nullopt on overflow (or division by zero for Div).
std::optional<Rational> Add(const Rational& a, const Rational& b);
std::optional<Rational> Sub(const Rational& a, const Rational& b);
std::optional<Rational> Mul(const Rational& a, const Rational& b);
std::optional<Rational> Div(const Rational& a, const Rational& b);
// -1, 0, 1; exact (cross-multiplication in 256 bits is avoided by comparing quotients first).
int Compare(const Rational& a, const Rational& b);

// Parses "1699", "26_900_000", "5.92", "1e26", "-3", "2.5E3". nullopt when malformed or out of range.
std::optional<Rational> ParseRational(std::string_view text);

std::string I128ToString(i128 v);

}  // namespace edict
