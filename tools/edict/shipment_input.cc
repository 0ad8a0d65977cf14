#include "tools/edict/shipment_input.h"

#include <cstdio>

#include "runtime/io/csv.h"

namespace edict::cli {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool ShipmentInput::Open(const std::string& path, const std::string& input_format, std::string* error,
                         size_t block_size) {
  name_ = path;
  csv_ = input_format == "csv" || (input_format == "auto" && EndsWith(path, ".csv"));
  if (!file_.Open(path, error)) return false;
  blocks_ = std::make_unique<io::RecordBlocks>([this](char* b, size_t n) { return file_.Read(b, n); }, csv_,
                                               block_size);
  // The first piece with a record (the header, for CSV).
  while ((has_pending_ = blocks_->NextPiece(&first_))) {
    io::RecordBlocks::Cut(first_, csv_, &pending_);
    if (!pending_.empty()) break;
  }
  if (!has_pending_ && Failed(error)) return false;
  if (csv_ && has_pending_) {
    const io::InputRecord& head = pending_.front();
    header_line_ = head.line;
    io::CsvCells cells;
    std::string why;
    if (!cells.Split(head.text, &why)) {
      *error = path + ":" + std::to_string(head.line) + ": bad CSV header: " + why;
      return false;
    }
    for (std::string_view c : cells.cells()) header_.emplace_back(c);
    pending_.erase(pending_.begin());
    // The piece starts with the first record after the header (blank lines before it are skipped anyway).
    if (pending_.empty()) {
      first_.begin = first_.end;
    } else {
      first_.begin = static_cast<size_t>(pending_.front().text.data() - first_.buffer.get());
      first_.first_line = pending_.front().line;
    }
  }
  return true;
}

bool ShipmentInput::SetHeader(io::RecordParser& parser, bool strict, std::string* error,
                              std::vector<std::string>* ignored) const {
  if (!csv_ || header_.empty()) return true;
  std::vector<std::string> left_out;
  std::string why;
  if (!parser.SetCsvHeader(header_views(), strict, &left_out, &why)) {
    *error = name_ + ":" + std::to_string(header_line_) + ": bad CSV header: " + why;
    return false;
  }
  if (ignored) ignored->swap(left_out);
  return true;
}

void ShipmentInput::NoteIgnored(const char* command, const std::vector<std::string>& ignored) const {
  if (ignored.empty()) return;
  std::string list;
  for (const std::string& c : ignored) list += (list.empty() ? "'" : ", '") + c + "'";
  std::fprintf(
      stderr,
      "edict %s: note: %s: ignoring %zu column%s the schema does not have: %s (--strict makes this an "
      "error)\n",
      command, name_.c_str(), ignored.size(), ignored.size() == 1 ? "" : "s", list.c_str());
}

bool ShipmentInput::Next(std::vector<io::InputRecord>* records) {
  if (has_pending_) {
    has_pending_ = false;
    records->swap(pending_);
    if (!records->empty()) return true;
  }
  return blocks_ && blocks_->Next(records);
}

bool ShipmentInput::NextPiece(io::InputPiece* piece) {
  if (has_pending_) {
    has_pending_ = false;
    std::swap(*piece, first_);
    return true;
  }
  return blocks_ && blocks_->NextPiece(piece);
}

bool ShipmentInput::Failed(std::string* error) const {
  if (!file_.Failed(error)) return false;
  *error += " (after " + std::to_string(blocks_ ? blocks_->lines() : 0) + " lines)";
  return true;
}

}  // namespace edict::cli
