// Reading and writing files for the commands, with every failure reported (issue 13): a write that fails
// (a full disk, a closed pipe) ends the command with the file's name and the OS reason, and so does a read
// that fails (a directory given as input, an I/O error) instead of looking like the end of the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace edict::driver {

// Output whose every write, flush and close is checked; the first failure is kept with its errno.
class Output {
 public:
  // Standard output, shared by every command of the `edict` binary; main() closes it and reports a failure.
  static Output& Stdout();

  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();  // closes a file still open, ignoring errors: call Close() to see them

  // Opens `path` for writing (truncating it). False with `error` set ("cannot write 'PATH': REASON").
  bool Open(const std::string& path, std::string* error);
  // Each returns ok(): false once any write has failed (later writes are not attempted).
  bool Write(std::string_view s);
  bool Print(const char* format, ...) __attribute__((format(printf, 2, 3)));
  bool Flush();
  bool ok() const { return errno_ == 0; }
  // Records a failure of a write made to file() directly (with fwrite): `err` is its errno.
  void MarkFailed(int err) { Fail(err); }
  // Flushes and closes; false with `error` set when a write, the flush or the close failed.
  bool Close(std::string* error);
  // "cannot write standard output: Broken pipe", "cannot write 'out.jsonl': No space left on device".
  std::string Error() const;
  FILE* file() const { return file_; }

 private:
  void Fail(int err);
  FILE* file_ = nullptr;
  std::string name_;
  int errno_ = 0;
};

// Lines of a file, or of standard input for "-". A read error is reported, not taken for the end of the file;
// a UTF-8 byte-order mark at the start is skipped.
class InputLines {
 public:
  InputLines() = default;
  InputLines(const InputLines&) = delete;
  InputLines& operator=(const InputLines&) = delete;
  ~InputLines();
  // False with `error` set ("cannot read 'PATH': Is a directory").
  bool Open(const std::string& path, std::string* error);
  // The next line without its '\n' (NUL bytes kept); false at the end of the input or on a read error.
  bool Next(std::string* line);
  // Up to `size` bytes (for readers that cut the input themselves; not mixed with Next): how many, 0 at the
  // end of the input, -1 on a read error (then Failed). Nothing is stripped.
  long Read(char* buffer, size_t size);
  // After Next() returned false (or Read -1): true when it was a read error, with `error` set.
  bool Failed(std::string* error) const;
  // Bytes read so far, and the input's size when it is a regular file (0: unknown, such as a pipe): how far a
  // run has got, for a progress bar.
  uint64_t bytes() const { return bytes_; }
  uint64_t size() const { return size_; }

 private:
  FILE* file_ = nullptr;
  bool owned_ = false, first_ = true;
  std::string name_;
  char* buffer_ = nullptr;
  size_t capacity_ = 0;
  int errno_ = 0;
  uint64_t bytes_ = 0, size_ = 0;
};

// True when both paths name the same existing file (the same device and inode).
bool SameFile(const std::string& a, const std::string& b);

// Strips a UTF-8 byte-order mark from the start of `text`; true when there was one.
bool StripBom(std::string* text);

}  // namespace edict::driver
