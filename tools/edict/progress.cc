#include "tools/edict/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "compiler/diag/human_text.h"
#include "compiler/diag/terminal.h"

namespace edict::cli {

Progress::Progress(const char* command, bool enabled)
    : command_(command), enabled_(enabled && term::IsTerminal(2)), start_(std::chrono::steady_clock::now()) {}

bool Progress::Due() {
  if (!enabled_) return false;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return false;
  last_ = now;
  return true;
}

void Progress::Draw(const std::string& line) {
  std::fprintf(stderr, "\r%s%s", line.c_str(), term::kEraseLine);
  std::fflush(stderr);
  drawn_ = true;
}

namespace {

std::string Duration(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

std::string Progress::RowsLine(const char* command, long rows, uint64_t bytes_done, uint64_t total_bytes,
                               double seconds, int columns) {
  std::string counts = text::Thousands(rows) + " rows";
  if (seconds > 0) counts += "  " + text::Thousands(static_cast<long long>(rows / seconds)) + " rows/s";
  std::string head = fmt::format("edict {}: ", command);
  if (total_bytes == 0 || bytes_done > total_bytes)
    return head + counts;  // a pipe: no size, so no share or time left
  double done = static_cast<double>(bytes_done) / static_cast<double>(total_bytes);
  std::string share = fmt::format("{}%", static_cast<int>(done * 100));
  std::string tail = "  " + counts;
  if (done > 0 && seconds > 0) tail += "  ETA " + Duration(seconds * (1 - done) / done);
  // The bar takes what the line leaves of the terminal's width (less one column, so the cursor never wraps).
  int room = columns - 1 - static_cast<int>(text::DisplayWidth(head) + 5 + text::DisplayWidth(tail)) - 2;
  if (room < 10) return head + share + tail;
  int width = std::min(room, 40);
  int filled = static_cast<int>(done * width);
  std::string bar = "[" + std::string(filled, '=') + (filled < width ? ">" : "") +
                    std::string(std::max(0, width - filled - 1), ' ') + "]";
  return head + bar + " " + text::PadLeft(share, 4) + tail;
}

void Progress::Rows(long rows, uint64_t bytes_done, uint64_t total_bytes) {
  if (!Due()) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  Draw(RowsLine(command_, rows, bytes_done, total_bytes, seconds, term::Columns(2)));
}

void Progress::Stage(int stage, int stages, const std::string& what) {
  if (!Due()) return;
  std::string line = fmt::format("edict {}: [{}/{}] {}", command_, stage, stages, what);
  int columns = term::Columns(2) - 1;
  // Cut to the terminal's width (at a character boundary) so the line is redrawn in place.
  while (static_cast<int>(text::DisplayWidth(line)) > columns && !line.empty()) {
    while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80) line.pop_back();
    if (!line.empty()) line.pop_back();  // the character's first byte
  }
  Draw(line);
}

void Progress::Done() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(stderr, "\r%s", term::kEraseLine);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace edict::cli
