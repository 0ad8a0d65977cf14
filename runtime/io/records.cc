#include "runtime/io/records.h"

#include <algorithm>
#include <cstring>

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
    // What the last call left (a record cut by the block's end) moves to the front; then a block is read.
    if (taken_) {  // (never memmove from a null buffer: the first call has none)
      std::memmove(buffer_.get(), buffer_.get() + taken_, size_ - taken_);
      size_ -= taken_;
      taken_ = 0;
    }
    if (size_ + block_size_ > capacity_) {
      size_t grown = std::max(size_ + block_size_, capacity_ * 2);
      std::unique_ptr<char[]> bigger(new char[grown]);
      if (size_) std::memcpy(bigger.get(), buffer_.get(), size_);
      buffer_ = std::move(bigger);
      capacity_ = grown;
    }
    long got = read_(buffer_.get() + size_, block_size_);
    if (got < 0) {
      failed_ = true;
      return false;
    }
    size_ += static_cast<size_t>(got);
    eof_ = got == 0;
    if (first_) {
      if (size_ < 3 && !eof_) continue;  // too little yet to tell a byte-order mark
      first_ = false;
      if (size_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) taken_ = 3;
    }
    // Records that end in this block are taken; the rest waits for the next block (or, at the end of the
    // input, is the last record: a line without a final line break, or a quoted cell never closed).
    std::string_view all(buffer_.get(), size_);
    size_t start = taken_, pos = taken_;
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
      taken_ = size_;
    } else {
      taken_ = start;
      line_no_ = start_line - 1;
    }
  }
  return true;
}

}  // namespace edict::io
