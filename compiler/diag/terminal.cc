#include "compiler/diag/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace edict::term {

bool IsTerminal(int fd) {
  return isatty(fd) == 1;
}

bool UseColor(std::string_view setting, int fd) {
  if (setting == "always") return true;
  if (setting == "never") return false;
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return IsTerminal(fd);
}

int Columns(int fd) {
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n < 10000) return static_cast<int>(n);
  }
  winsize ws{};
  if (IsTerminal(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string Paint(bool color, const char* sgr, std::string_view text) {
  if (!color) return std::string(text);
  std::string out(sgr);
  out += text;
  return out + kReset;
}

}  // namespace edict::term
