#include "runtime/date.h"

#include <cstdio>

namespace edict {

// Howard Hinnant's civil-date algorithms (public domain), valid for the whole int range used here.
int DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe) + era * 400 + (*m <= 2);
}

std::optional<int> ParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  // Every input line has a date: the digits are read without a loop (a byte below '0' wraps to a large
  // value).
  auto digit = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(t[i])) - '0'; };
  unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3), m0 = digit(5), m1 = digit(6),
           d0 = digit(8), d1 = digit(9);
  if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9))
    return std::nullopt;
  int y = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
  unsigned m = m0 * 10 + m1, d = d0 * 10 + d1;
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  unsigned max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > max) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

bool DateOutOfRange(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return false;
  int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
  return y < 1900 || y > 2199;
}

std::string DateError(std::string_view text) {
  if (ParseDate(text)) return "";
  if (DateOutOfRange(text)) return "is outside the dates edict handles (1900-01-01 to 2199-12-31)";
  return "is not a date (YYYY-MM-DD)";
}

std::string FormatDate(int days) {
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[16];
  snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

int YearOf(int days) {
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return y;
}

}  // namespace edict
