// Run-time values shared by the interpreter, the input reader and the decision writer. Small, copyable, no
// heap: texts are views into a record's storage or the program's constants, sets point at bitsets the program
// owns.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/rational.h"

namespace edict {

// A set of enum members (countries, catalog ids, ...), as bits indexed by member.
struct BitSet {
  std::vector<uint64_t> words;
  bool Test(int i) const {
    size_t w = static_cast<size_t>(i) >> 6;
    return w < words.size() && ((words[w] >> (i & 63)) & 1);
  }
  void Set(int i) {
    size_t w = static_cast<size_t>(i) >> 6;
    if (words.size() <= w) words.resize(w + 1, 0);
    words[w] |= uint64_t{1} << (i & 63);
  }
  int Count() const {
    int n = 0;
    for (uint64_t w : words) n += __builtin_popcountll(w);
    return n;
  }
};

enum class ValueKind : uint8_t { kAbsent, kBool, kNumber, kText, kDate, kEnum, kSet };

struct Value {
  ValueKind kind = ValueKind::kAbsent;
  bool b = false;
  int32_t i = 0;  // date (days since 1970-01-01) or enum member index
  Rational num;
  std::string_view text;
  const BitSet* set = nullptr;

  static Value Bool(bool v) {
    Value x;
    x.kind = ValueKind::kBool;
    x.b = v;
    return x;
  }
  static Value Number(Rational r) {
    Value x;
    x.kind = ValueKind::kNumber;
    x.num = r;
    return x;
  }
  static Value Text(std::string_view t) {
    Value x;
    x.kind = ValueKind::kText;
    x.text = t;
    return x;
  }
  static Value Date(int days) {
    Value x;
    x.kind = ValueKind::kDate;
    x.i = days;
    return x;
  }
  static Value Enum(int member) {
    Value x;
    x.kind = ValueKind::kEnum;
    x.i = member;
    return x;
  }
  static Value SetOf(const BitSet* s) {
    Value x;
    x.kind = ValueKind::kSet;
    x.set = s;
    return x;
  }
  bool absent() const { return kind == ValueKind::kAbsent; }
};

bool ValuesEqual(const Value& a, const Value& b);

}  // namespace edict
