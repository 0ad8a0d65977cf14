// What every command's output to a terminal shares, in one place: whether to colour (--color, NO_COLOR, a
// terminal), the colour codes, and the width to lay out for.
#pragma once

#include <string>
#include <string_view>

namespace edict::term {

// --color auto|always|never: `always` and `never` win; `auto` colours a terminal unless NO_COLOR is set and
// not empty (no-color.org).
bool UseColor(std::string_view setting, int fd);
bool IsTerminal(int fd);

// The width to lay out for: $COLUMNS when it is a number, else the width of the terminal on `fd`, else 80.
int Columns(int fd);

// Select Graphic Rendition codes (ECMA-48).
inline constexpr const char* kReset = "\033[0m";
inline constexpr const char* kBold = "\033[1m";
inline constexpr const char* kDim = "\033[2m";
inline constexpr const char* kRed = "\033[31m";
inline constexpr const char* kGreen = "\033[32m";
inline constexpr const char* kYellow = "\033[33m";
inline constexpr const char* kBoldRed = "\033[1;31m";
inline constexpr const char* kBoldGreen = "\033[1;32m";
inline constexpr const char* kBoldYellow = "\033[1;33m";
// Erases from the cursor to the end of the line (EL).
inline constexpr const char* kEraseLine = "\033[K";

// `text` between `sgr` and kReset, or `text` alone when colour is off.
std::string Paint(bool color, const char* sgr, std::string_view text);

}  // namespace edict::term
