// Shipment input cut into records, a large block at a time: JSON Lines (a record per line) or CSV (a record
// per line, or several lines when a quoted cell holds a line break; runtime/io/csv.h). Blank lines are
// skipped and a UTF-8 byte-order mark at the start is dropped. Every reader of shipment files (`edict eval`
// with either engine, `edict impact`) goes through here, so they number records alike.
//
// The input is read as pieces: buffers of whole records, each with the number of its first line, that own
// their bytes. Reading a piece is sequential (where it ends depends on the quotes before it); cutting a piece
// into its records (Cut) is not, so several workers can cut and parse pieces while the next one is read.
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

// Whole records of the input, in a buffer of their own: reused from one piece to the next.
struct InputPiece {
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
  size_t begin = 0, end = 0;  // the piece is buffer[begin, end): whole lines, or the input's last record
  int first_line = 1;         // the number of the piece's first line
  bool last = false;          // ends the input (its last line may lack a line break)

  std::string_view text() const { return {buffer.get() + begin, end - begin}; }
};

class RecordBlocks {
 public:
  // Fills up to `size` bytes at `buffer`: how many, 0 at the end of the input, -1 on a read error.
  using ReadFn = std::function<long(char* buffer, size_t size)>;
  RecordBlocks(ReadFn read, bool csv, size_t block_size = 8 << 20);

  // The next complete records, at least one (views valid until the next call); false at the end of the
  // input or on a read error (then failed()).
  bool Next(std::vector<InputRecord>* records);
  // The next piece: about `block_size` bytes of whole records (more when one record is longer), possibly
  // only blank lines; false at the end of the input or on a read error (then failed()). Not mixed with Next.
  bool NextPiece(InputPiece* piece);
  // The records of a piece (views of its buffer), numbered from its first line; blank lines left out.
  static void Cut(const InputPiece& piece, bool csv, std::vector<InputRecord>* records);

  bool failed() const { return failed_; }
  // Lines read so far (for messages about a read error).
  int lines() const { return line_no_; }

 private:
  ReadFn read_;
  bool csv_;
  size_t block_size_;
  // Bytes read after the last piece's end (a record cut by the block's end), given to the next piece. Not a
  // std::string: growing one zero-fills what is about to be overwritten.
  std::unique_ptr<char[]> carry_;
  size_t carry_capacity_ = 0, carry_size_ = 0;
  InputPiece piece_;  // Next's
  int line_no_ = 0;   // lines before the carry
  bool first_ = true, eof_ = false, failed_ = false;
};

}  // namespace edict::io
