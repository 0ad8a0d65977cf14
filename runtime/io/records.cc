#include "runtime/io/records.h"

namespace edict::io {

namespace {

bool Blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

RecordBlocks::RecordBlocks(ReadFn read, bool csv, size_t block_size)
    : read_(std::move(read)), csv_(csv), block_size_(block_size) {}

bool RecordBlocks::Next(std::vector<InputRecord>* records) {
  records->clear();
  while (records->empty()) {
    if (eof_ || failed_) return false;
    block_.swap(carry_);
    carry_.clear();
    size_t have = block_.size();
    block_.resize(have + block_size_);
    long got = read_(block_.data() + have, block_size_);
    if (got < 0) {
      failed_ = true;
      return false;
    }
    block_.resize(have + static_cast<size_t>(got));
    eof_ = got == 0;
    if (first_) {
      if (block_.size() < 3 && !eof_) {  // too little yet to tell a byte-order mark
        carry_.swap(block_);
        continue;
      }
      first_ = false;
      if (block_.compare(0, 3, "\xEF\xBB\xBF") == 0) block_.erase(0, 3);
    }
    // Records that end in this block are taken; the rest waits for the next block (or, at the end of the
    // input, is the last record: a line without a final line break, or a quoted cell never closed).
    std::string_view all(block_);
    size_t start = 0, pos = 0;
    int line = line_no_, start_line = line_no_ + 1;
    CsvRecordEnd end;  // a record always starts outside quotes
    for (;;) {
      size_t nl = all.find('\n', pos);
      if (nl == std::string_view::npos) break;
      ++line;
      if (!csv_ || end.Line(all.substr(pos, nl - pos))) {
        std::string_view text = all.substr(start, nl - start);
        if (!Blank(text)) records->push_back({text, start_line});
        start = nl + 1;
        start_line = line + 1;
      }
      pos = nl + 1;
    }
    if (eof_) {
      std::string_view text = all.substr(start);
      if (!text.empty() && text.back() == '\n') text.remove_suffix(1);  // a quoted cell never closed
      if (!Blank(text)) records->push_back({text, start_line});
      line_no_ = line + (pos < all.size() ? 1 : 0);
    } else {
      carry_.assign(all.substr(start));
      line_no_ = start_line - 1;
    }
  }
  return true;
}

}  // namespace edict::io
