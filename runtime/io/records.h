// Shipment input cut into records, a large block at a time: JSON Lines (a record per line) or CSV (a record
// per line, or several lines when a quoted cell holds a line break; runtime/io/csv.h). Blank lines are
// skipped and a UTF-8 byte-order mark at the start is dropped. Every reader of shipment files (`edict eval`
// with either engine, `edict impact`) goes through here, so they number records alike.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/csv.h"

namespace edict::io {

struct InputRecord {
  std::string_view text;  // without the final line break (inner ones kept)
  int line = 0;           // the number of its first line
};

class RecordBlocks {
 public:
  // Fills up to `size` bytes at `buffer`: how many, 0 at the end of the input, -1 on a read error.
  using ReadFn = std::function<long(char* buffer, size_t size)>;
  RecordBlocks(ReadFn read, bool csv, size_t block_size = 8 << 20);

  // The next complete records, at least one (views valid until the next call); false at the end of the
  // input or on a read error (then failed()).
  bool Next(std::vector<InputRecord>* records);
  bool failed() const { return failed_; }
  // Lines read so far (for messages about a read error).
  int lines() const { return line_no_; }

 private:
  ReadFn read_;
  bool csv_;
  size_t block_size_;
  // The block: buffer_[0, size_) holds what was read and not yet handed out; the records of the last call
  // are views of it. Not a std::string: growing one zero-fills the 8 MB about to be read into.
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0, size_ = 0, taken_ = 0;  // taken_: bytes given out as records by the last call
  int line_no_ = 0;                             // lines before buffer_ + taken_
  bool first_ = true, eof_ = false, failed_ = false;
};

}  // namespace edict::io
