// Quota amounts as the ledger database stores them: exact rationals, written as Rational::ToString does
// ("1699", "5.92", "3/7" for a fraction that is no finite decimal) and read back without loss.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/rational.h"

namespace edict::ledger {

std::string AmountText(const Rational& r);
// nullopt when the text is no amount (a damaged database): the caller reports it.
std::optional<Rational> ParseAmount(std::string_view text);

}  // namespace edict::ledger
