#include "runtime/value.h"

#include <algorithm>

namespace edict {

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kAbsent:
      return true;
    case ValueKind::kBool:
      return a.b == b.b;
    case ValueKind::kNumber:
      return a.num == b.num;
    case ValueKind::kText:
      return a.text == b.text;
    case ValueKind::kDate:
    case ValueKind::kEnum:
      return a.i == b.i;
    case ValueKind::kSet: {
      size_t n = std::max(a.set->words.size(), b.set->words.size());
      for (size_t i = 0; i < n; ++i) {
        uint64_t x = i < a.set->words.size() ? a.set->words[i] : 0;
        uint64_t y = i < b.set->words.size() ? b.set->words[i] : 0;
        if (x != y) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace edict
