// Progress on standard error for long runs, drawn only when standard error is a terminal and --quiet was not
// given: for `eval` and `impact` the rows decided, rows per second and, when the input's size is known (a
// file), a bar, the share done and the time left; for `diff` the stage and the item within it. One line,
// redrawn in place at most ten times a second (the first update is always drawn) and erased when done, so the
// summary that follows starts on a clean line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace edict::cli {

class Progress {
 public:
  // `command` labels the line ("eval"); `enabled` false makes every call a no-op.
  Progress(const char* command, bool enabled);
  ~Progress() { Done(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  // `total_bytes`: the input's size, 0 when unknown (standard input, a pipe).
  void Rows(long rows, uint64_t bytes_done, uint64_t total_bytes);
  // "[2/4] behaviour: destination 45 of 250 (IN), 12 classes"
  void Stage(int stage, int stages, const std::string& what);
  // Erases the line (once).
  void Done();

  // The line Rows() draws, for a terminal `columns` wide (tested on its own).
  static std::string RowsLine(const char* command, long rows, uint64_t bytes_done, uint64_t total_bytes,
                              double seconds, int columns);

 private:
  bool Due();
  void Draw(const std::string& line);

  const char* command_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace edict::cli
