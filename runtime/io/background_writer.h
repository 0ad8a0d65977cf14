// Large sequential output (edict eval's decisions: gigabytes for ten million lines) written on a thread of
// its own, so that the workers go on formatting while the previous megabytes are written.
//
// To a file the command opened itself it writes with O_DIRECT where the file system allows it: the data goes
// from this process's buffers to the disk without a copy into the page cache. On the virtual machines edict
// is measured on, filling new page-cache pages costs more CPU than deciding the shipments (about 1.5 s per GB
// of output); direct writes cost a tenth of that, and the disk works while the cores decide. A direct write
// needs aligned offsets and lengths: the writer starts at the block holding the file's current position
// (reading back what is already there), writes whole blocks, pads the last one and truncates the padding
// away. Elsewhere (standard output, a pipe, a file system without O_DIRECT) it writes as write(2) does.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

namespace edict::io {

class BackgroundWriter {
 public:
  // Takes over `file` (flushed first) from its current position; `direct`: try O_DIRECT (only for a file the
  // caller opened, since the flag belongs to the open file, which a shell may share).
  BackgroundWriter(FILE* file, bool direct);
  ~BackgroundWriter();  // waits for the thread; call Finish to see failures
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Appends `data`; false once a write has failed (nothing more is written).
  bool Append(std::string_view data);
  // Writes what is left, waits for the thread, truncates a direct write's padding and leaves `file` at the
  // end of what was written. False when a write (or the truncation) failed: error() is its errno.
  bool Finish();
  int error() const { return error_; }
  bool direct() const { return direct_; }

 private:
  static constexpr size_t kAlign = 4096;
  static constexpr size_t kBuffer = 4 << 20;  // bytes per buffer, a multiple of kAlign

  struct Buffer {
    char* data = nullptr;
    size_t size = 0;
  };
  void Work();
  // Hands the current buffer (its first `bytes`) to the thread and takes the other one once it is free.
  void Submit(size_t bytes);
  bool WriteAll(const char* p, size_t n);

  FILE* file_;
  int fd_ = -1;
  int flags_ = 0;        // the file's flags before O_DIRECT
  bool direct_ = false;  // writing whole blocks (the last one padded)
  std::atomic<bool> direct_active_{false};
  bool took_over_ = false;  // the file was switched to O_DIRECT: Finish truncates and restores it  // the
                            // flag is set (the thread clears it when a write refuses it)
  Buffer buffers_[2];
  int current_ = 0;
  long long end_ = 0;  // the file offset just past the data appended so far
  // The thread's job: a buffer and how many bytes of it to write.
  std::mutex mu_;
  std::condition_variable changed_;
  const char* job_ = nullptr;
  size_t job_size_ = 0;
  bool stop_ = false, finished_ = false;
  int error_ = 0;  // written by the thread under mu_, or by Finish after joining
  std::thread thread_;
};

}  // namespace edict::io
