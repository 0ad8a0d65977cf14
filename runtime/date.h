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
// What is wrong with a text ParseDate rejects, to follow the text in a message: "is outside the dates edict
// handles (1900-01-01 to 2199-12-31)" for a well-formed date in another year, else "is not a date
// (YYYY-MM-DD)". "" for a date.
std::string DateError(std::string_view text);
// True when `text` is YYYY-MM-DD in form but its year is outside 1900-2199.
bool DateOutOfRange(std::string_view text);
std::string FormatDate(int days);
int YearOf(int days);

}  // namespace edict
