#include "runtime/io/records.h"

#include <algorithm>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace edict::io {

namespace {

bool Blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

size_t CountNewlines(const char* p, size_t n) {
  size_t count = 0;
  const char* end = p + n;
#ifdef __SSE2__
  // Per byte lane, minus the line breaks of up to 255 blocks of 16 bytes, then summed (SSE2 has no popcount).
  const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  while (end - p >= 16) {
    __m128i lanes = zero;
    for (int k = 0; k < 255 && end - p >= 16; ++k, p += 16)
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), nl));
    __m128i sums = _mm_sad_epu8(lanes, zero);
    count += static_cast<size_t>(_mm_cvtsi128_si32(sums)) + static_cast<size_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; p < end; ++p) count += *p == '\n';
  return count;
}

const char* LastNewline(const char* p, size_t n) {
  return static_cast<const char*>(memrchr(p, '\n', n));
}

}  // namespace

RecordBlocks::RecordBlocks(ReadFn read, bool csv, size_t block_size)
    : read_(std::move(read)), csv_(csv), block_size_(std::max<size_t>(block_size, 1)) {}

bool RecordBlocks::NextPiece(InputPiece* piece) {
  if (eof_ || failed_) return false;
  // The carry first, then blocks read until the piece holds the end of a record (or the input ends).
  if (piece->capacity < carry_size_ + block_size_) {
    piece->capacity = carry_size_ + block_size_;
    piece->buffer.reset(new char[piece->capacity]);
  }
  char* buf = piece->buffer.get();
  if (carry_size_) std::memcpy(buf, carry_.get(), carry_size_);
  size_t size = carry_size_, begin = 0;
  carry_size_ = 0;
  size_t scanned = 0;   // where the lines not yet looked at for a record end start
  size_t end = 0;       // just past the last record's line break found so far (0: none)
  CsvRecordEnd quotes;  // a piece always starts outside quotes
  for (;;) {
    if (size == piece->capacity) {  // no record ends in a whole buffer: a longer one
      size_t grown = piece->capacity * 2;
      std::unique_ptr<char[]> bigger(new char[grown]);
      std::memcpy(bigger.get(), buf, size);
      piece->buffer = std::move(bigger);
      piece->capacity = grown;
      buf = piece->buffer.get();
    }
    long got = read_(buf + size, piece->capacity - size);
    if (got < 0) {
      failed_ = true;
      return false;
    }
    size += static_cast<size_t>(got);
    eof_ = got == 0;
    if (first_) {
      if (size < 3 && !eof_) continue;  // too little yet to tell a byte-order mark
      first_ = false;
      if (size >= 3 && std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) begin = scanned = 3;
    }
    if (!csv_ || (!quotes.open() && !std::memchr(buf + scanned, '"', size - scanned))) {
      // Every line break ends a record (JSON Lines; CSV lines without quotes after a record's end).
      if (const char* nl = LastNewline(buf + scanned, size - scanned)) scanned = end = nl - buf + 1;
      if (!csv_) scanned = size;
    } else {
      for (const char* nl;
           (nl = static_cast<const char*>(std::memchr(buf + scanned, '\n', size - scanned)));) {
        size_t at = nl - buf;
        if (quotes.Line(std::string_view(buf + scanned, at - scanned))) end = at + 1;
        scanned = at + 1;
      }
    }
    if (end || eof_) break;
  }
  piece->begin = begin;
  piece->first_line = line_no_ + 1;
  if (eof_) {
    piece->end = size;
    piece->last = true;
    line_no_ += static_cast<int>(CountNewlines(buf + begin, size - begin));
    if (size > begin && buf[size - 1] != '\n') ++line_no_;
    return size > begin;
  }
  piece->end = end;
  piece->last = false;
  line_no_ += static_cast<int>(CountNewlines(buf + begin, end - begin));
  carry_size_ = size - end;
  if (carry_size_ > carry_capacity_) {
    carry_capacity_ = std::max(carry_size_, 2 * carry_capacity_);
    carry_.reset(new char[carry_capacity_]);
  }
  if (carry_size_) std::memcpy(carry_.get(), buf + end, carry_size_);
  return true;
}

void RecordBlocks::Cut(const InputPiece& piece, bool csv, std::vector<InputRecord>* records) {
  records->clear();
  std::string_view all = piece.text();
  size_t start = 0, pos = 0;
  int line = piece.first_line - 1, start_line = piece.first_line;
  CsvRecordEnd end;  // a record always starts outside quotes
  for (;;) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) break;
    ++line;
    if (!csv || end.Line(all.substr(pos, nl - pos))) {
      std::string_view text = all.substr(start, nl - start);
      if (!Blank(text)) records->push_back({text, start_line});
      start = nl + 1;
      start_line = line + 1;
    }
    pos = nl + 1;
  }
  // Only the input's last piece has more: its last line without a line break, or a quoted cell never closed.
  if (start < all.size()) {
    std::string_view text = all.substr(start);
    if (text.back() == '\n') text.remove_suffix(1);
    if (!Blank(text)) records->push_back({text, start_line});
  }
}

bool RecordBlocks::Next(std::vector<InputRecord>* records) {
  records->clear();
  while (records->empty()) {
    if (!NextPiece(&piece_)) return false;
    Cut(piece_, csv_, records);
  }
  return true;
}

}  // namespace edict::io
