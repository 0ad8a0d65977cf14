#include "runtime/rational.h"

#include <cmath>

namespace edict {
namespace {

i128 Abs(i128 v) {
  return v < 0 ? -v : v;
}

i128 Gcd(i128 a, i128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

constexpr i128 kMax = kRationalMax;
constexpr i128 kMin = -kMax;  // keep the range symmetric so negation never overflows

std::optional<Rational> Make(i128 num, i128 den) {
  if (den == 0) return std::nullopt;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  if (den == 1) return Rational{num, 1};
  i128 g = Gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (num == 0) den = 1;
  return Rational{num, den};
}

bool MulOk(i128 a, i128 b, i128* out) {
  if (__builtin_mul_overflow(a, b, out)) return false;
  return *out >= kMin && *out <= kMax;
}

bool AddOk(i128 a, i128 b, i128* out) {
  if (__builtin_add_overflow(a, b, out)) return false;
  return *out >= kMin && *out <= kMax;
}

}  // namespace

bool Rational::FitsInt64() const {
  return den == 1 && num >= INT64_MIN && num <= INT64_MAX;
}

double Rational::ToDouble() const {
  return static_cast<double>(num) / static_cast<double>(den);
}

std::string I128ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

std::string Rational::ToString() const {
  if (den == 1) return I128ToString(num);
  // A finite decimal when den has only the prime factors 2 and 5.
  i128 d = den;
  int twos = 0, fives = 0;
  while (d % 2 == 0) d /= 2, ++twos;
  while (d % 5 == 0) d /= 5, ++fives;
  if (d != 1) return I128ToString(num) + "/" + I128ToString(den);
  int digits = twos > fives ? twos : fives;
  i128 scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  i128 scaled;
  if (!MulOk(num, scale / den, &scaled)) return I128ToString(num) + "/" + I128ToString(den);
  bool neg = scaled < 0;
  std::string s = I128ToString(neg ? -scaled : scaled);
  while (static_cast<int>(s.size()) <= digits) s.insert(s.begin(), '0');
  s.insert(s.end() - digits, '.');
  return neg ? "-" + s : s;
}

std::optional<Rational> AddFractions(const Rational& a, const Rational& b) {
  i128 x, y, n, d;
  if (!MulOk(a.num, b.den, &x) || !MulOk(b.num, a.den, &y) || !AddOk(x, y, &n) || !MulOk(a.den, b.den, &d))
    return std::nullopt;
  return Make(n, d);
}

std::optional<Rational> Mul(const Rational& a, const Rational& b) {
  if (a.den == 1 && b.den == 1) {  // integers (quantities times catalog figures): no reduction to do
    i128 r;
    if (!MulOk(a.num, b.num, &r)) return std::nullopt;
    return Rational{r, 1};
  }
  // Cross-reduce first so that exact results stay in range as long as possible.
  i128 g1 = Gcd(a.num, b.den), g2 = Gcd(b.num, a.den);
  if (g1 == 0) g1 = 1;
  if (g2 == 0) g2 = 1;
  i128 n, d;
  if (!MulOk(a.num / g1, b.num / g2, &n) || !MulOk(a.den / g2, b.den / g1, &d)) return std::nullopt;
  return Make(n, d);
}

std::optional<Rational> Div(const Rational& a, const Rational& b) {
  if (b.num == 0) return std::nullopt;
  return Mul(a, *Make(b.den, b.num));
}

int Compare(const Rational& a, const Rational& b) {
  if (a.den == b.den) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  // Compare integer parts, then the fractional remainders recursively (continued-fraction style), which needs
  // no wider integers than the operands.
  auto floor_div = [](i128 n, i128 d, i128* q, i128* r) {
    *q = n / d;
    *r = n % d;
    if (*r < 0) {
      *q -= 1;
      *r += d;
    }
  };
  i128 qa, ra, qb, rb;
  floor_div(a.num, a.den, &qa, &ra);
  floor_div(b.num, b.den, &qb, &rb);
  if (qa != qb) return qa < qb ? -1 : 1;
  if (ra == 0 || rb == 0) return ra == rb ? 0 : (ra == 0 ? -1 : 1);
  // ra/a.den vs rb/b.den  <=>  b.den/rb vs a.den/ra (reciprocals reverse the order).
  return Compare(Rational{b.den, rb}, Rational{a.den, ra});
}

std::optional<Rational> ParseRational(std::string_view text) {
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  i128 num = 0, den = 1;
  bool any = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_' || c == ',') continue;
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (!MulOk(num, 10, &num) || !AddOk(num, c - '0', &num)) return std::nullopt;
    if (dot && !MulOk(den, 10, &den)) return std::nullopt;
  }
  if (!any) return std::nullopt;
  if (i < text.size()) {  // exponent
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) eneg = text[i++] == '-';
    int exp = 0;
    bool edigit = false;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      edigit = true;
      exp = exp * 10 + (text[i] - '0');
      if (exp > 40) return std::nullopt;
    }
    if (!edigit) return std::nullopt;
    for (int k = 0; k < exp; ++k) {
      if (!MulOk(eneg ? den : num, 10, eneg ? &den : &num)) return std::nullopt;
    }
  }
  return Make(neg ? -num : num, den);
}

}  // namespace edict
