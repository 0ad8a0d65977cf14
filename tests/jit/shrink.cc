#include "tests/jit/shrink.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace edict::jit_test {
namespace {

// Every candidate below is strictly simpler than the current value in a well-founded order (absent < present;
// per kind: false < true, "" < other texts, member 0 < others, for numbers (whole?, distance to the target),
// for dates (simple date < boundary dates < others, then distance to the simple date)). So shrinking reaches
// a fixed point even without the attempt cap; the cap only bounds the cost.

void AddNumberCandidates(const Rational& x, bool count, std::vector<Value>* out) {
  const size_t first = out->size();
  auto add = [&](i128 whole) {
    Rational r{whole, 1};
    if (r == x) return;
    for (size_t k = first; k < out->size(); ++k)
      if ((*out)[k].num == r) return;
    out->push_back(Value::Number(r));
  };
  const i128 target = count ? 1 : 0;  // counts are whole numbers >= 1
  add(target);
  if (!count && (!x.IsInteger() || x.num > 1 || x.num < -1)) add(1);
  if (!x.IsInteger()) {
    // A decimal: the whole numbers either side, nearer to zero first.
    i128 whole = x.num / x.den;  // truncates towards zero
    add(whole);
    add(whole + (x.num < 0 ? -1 : 1));
    return;
  }
  i128 distance;
  if (__builtin_sub_overflow(x.num, target, &distance)) return;
  // Halfway to the target, then a quarter of the way, ..., then one step: the last kept one is the boundary.
  for (i128 step = distance / 2; step != 0; step /= 2) add(x.num - step);
}

void AddDateCandidates(int date, const ShrinkOptions& options, std::vector<Value>* out) {
  auto distance = [&](int d) { return std::llabs(static_cast<long long>(d) - options.simple_date); };
  auto is_boundary = [&](int d) {
    return std::find(options.boundary_dates.begin(), options.boundary_dates.end(), d) !=
           options.boundary_dates.end();
  };
  if (date == options.simple_date) return;
  out->push_back(Value::Date(options.simple_date));
  const bool boundary = is_boundary(date);
  std::vector<int> nearer;
  for (int b : options.boundary_dates)
    if (b != options.simple_date && (!boundary || distance(b) < distance(date))) nearer.push_back(b);
  std::sort(nearer.begin(), nearer.end(),
            [&](int a, int b) { return distance(a) != distance(b) ? distance(a) < distance(b) : a < b; });
  nearer.erase(std::unique(nearer.begin(), nearer.end()), nearer.end());
  for (int b : nearer) out->push_back(Value::Date(b));
  if (boundary) return;
  // An arbitrary date: halfway to the simple date, a quarter of the way, ..., one day.
  long long gap = static_cast<long long>(date) - options.simple_date;
  for (long long step = gap / 2; step != 0; step /= 2) {
    int d = static_cast<int>(date - step);
    if (!is_boundary(d)) out->push_back(Value::Date(d));
  }
}

// Values simpler than `v` for field `f`, simplest first.
std::vector<Value> SimplerValues(const ir::Field& f, const Value& v, const ShrinkOptions& options) {
  std::vector<Value> out;
  if (v.absent()) return out;
  if (f.kind == ir::Field::kOptional || f.value) out.push_back(Value{});  // left out
  switch (v.kind) {
    case ValueKind::kBool:
      if (v.b) out.push_back(Value::Bool(false));
      break;
    case ValueKind::kText:
      if (!v.text.empty()) out.push_back(Value::Text(""));
      break;
    case ValueKind::kEnum:
      if (v.i != 0) out.push_back(Value::Enum(0));
      break;
    case ValueKind::kNumber:
      AddNumberCandidates(v.num, f.count, &out);
      break;
    case ValueKind::kDate:
      AddDateCandidates(v.i, options, &out);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

ShrinkResult Shrink(const ir::Program& program, const interp::Record& failing, const FailsPredicate& fails,
                    const ShrinkOptions& options) {
  ShrinkResult result;
  result.record = failing;
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < program.fields.size() && i < result.record.values.size(); ++i) {
      const ir::Field& f = program.fields[i];
      if (f.kind == ir::Field::kDerived || static_cast<int>(i) == program.id_field) continue;
      // Take this field as far as it goes (halving needs many steps) before the next one.
      for (bool kept = true; kept;) {
        kept = false;
        for (const Value& candidate : SimplerValues(f, result.record.values[i], options)) {
          if (result.attempts >= options.max_attempts) {
            result.capped = true;
            return result;
          }
          ++result.attempts;
          interp::Record trial = result.record;
          trial.values[i] = candidate;
          if (!fails(trial)) continue;
          result.record = std::move(trial);
          ++result.steps;
          kept = changed = true;
          break;
        }
      }
    }
  }
  return result;
}

}  // namespace edict::jit_test
