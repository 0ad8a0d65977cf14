// Calendar dates as days since 1970-01-01 (proleptic Gregorian), exact and allocation-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace edict {

int DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int days, int* y, unsigned* m, unsigned* d);
// A valid YYYY-MM-DD (years 1900-2199, real month lengths), or nullopt.
std::optional<int> ParseDate(std::string_view text);
std::string FormatDate(int days);
int YearOf(int days);

}  // namespace edict
