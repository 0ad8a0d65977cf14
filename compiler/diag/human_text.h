// Numbers and widths as people read them on a screen: thousands separators, and the width text takes in a
// terminal's columns (UTF-8: a wide CJK character takes two, a combining accent none), for tables that line
// up.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edict::text {

// 1234567 -> "1,234,567"; -42000 -> "-42,000".
std::string Thousands(long long n);
// A number as Rational::ToString writes it, optionally followed by a space and a unit, with separators in its
// whole part: "26898568 tpp" -> "26,898,568 tpp", "1432" -> "1,432", "-1234.5678" -> "-1,234.5678",
// "12345/7" -> "12,345/7". Text that is not such a number (a date, an ECCN, a name) is returned as it is.
std::string GroupNumber(std::string_view text);

// Terminal columns of UTF-8 text (wcwidth rules for the Unicode ranges met in policies and shipment data;
// bytes that are not valid UTF-8 count one each).
size_t DisplayWidth(std::string_view utf8);
// The length in bytes of the longest start of `utf8` that fits in `width` columns, at a character boundary.
size_t PrefixForWidth(std::string_view utf8, size_t width);
// `text` followed by spaces up to `width` columns (nothing when it is wider).
std::string PadRight(std::string_view text, size_t width);
std::string PadLeft(std::string_view text, size_t width);

}  // namespace edict::text
