#include "runtime/ledger/amount.h"

namespace edict::ledger {

std::string AmountText(const Rational& r) {
  return r.ToString();
}

std::optional<Rational> ParseAmount(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return ParseRational(text);
  auto num = ParseRational(text.substr(0, slash));
  auto den = ParseRational(text.substr(slash + 1));
  if (!num || !den || !num->IsInteger() || !den->IsInteger() || den->num <= 0) return std::nullopt;
  return Div(*num, *den);
}

}  // namespace edict::ledger
