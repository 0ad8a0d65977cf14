// The shipment file of `edict eval` and `edict impact`: opened (a file or standard input), cut into records
// (runtime/io/records.h), and for CSV its header read and split.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/driver/files.h"
#include "runtime/io/reader.h"
#include "runtime/io/records.h"

namespace edict::cli {

class ShipmentInput {
 public:
  // Opens `path` ("-": standard input) and reads its first records; CSV when `input_format` says so, or is
  // "auto" and the name ends in .csv. False with `error` set ("cannot read 'x': Is a directory", a header
  // whose quoting is malformed: "x.csv:1: bad CSV header: ...").
  // `block_size`: the bytes read at a time (a piece of NextPiece).
  bool Open(const std::string& path, const std::string& input_format, std::string* error,
            size_t block_size = 8 << 20);

  bool csv() const { return csv_; }
  const std::string& name() const { return name_; }
  // CSV: the header's cells (empty when the input is empty) and its line.
  const std::vector<std::string>& header() const { return header_; }
  std::vector<std::string_view> header_views() const { return {header_.begin(), header_.end()}; }
  int header_line() const { return header_line_; }

  // Sets the CSV header on a parser; `ignored` (when given) receives the columns it leaves out. False with
  // `error` set ("x.csv:1: bad CSV header: unknown column 'invoice'").
  bool SetHeader(io::RecordParser& parser, bool strict, std::string* error,
                 std::vector<std::string>* ignored = nullptr) const;
  // The one note on stderr about the columns the policy leaves out (none when there are none).
  void NoteIgnored(const char* command, const std::vector<std::string>& ignored) const;

  // The next records (views valid until the next call); false at the end of the input or on a read error.
  bool Next(std::vector<io::InputRecord>* records);
  // Or (not mixed with Next) the next piece of whole records after the header, for io::RecordBlocks::Cut;
  // false at the end of the input or on a read error.
  bool NextPiece(io::InputPiece* piece);
  // After Next returned false: true on a read error, with `error` set.
  bool Failed(std::string* error) const;
  // Bytes read so far and the input's size (0 when unknown: standard input from a pipe), for progress.
  uint64_t bytes_read() const { return file_.bytes(); }
  uint64_t size() const { return file_.size(); }

 private:
  driver::InputLines file_;
  std::unique_ptr<io::RecordBlocks> blocks_;
  bool csv_ = false;
  std::string name_;
  std::vector<std::string> header_;
  int header_line_ = 0;
  io::InputPiece first_;                  // the first piece, less the header
  std::vector<io::InputRecord> pending_;  // its records
  bool has_pending_ = false;
};

}  // namespace edict::cli
