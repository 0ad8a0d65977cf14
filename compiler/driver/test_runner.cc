#include "compiler/driver/test_runner.h"

#include <algorithm>

#include "runtime/interp/eval.h"

namespace edict::driver {

std::string CoverageKey(const ir::Program& program, int rule) {
  return program.name + ":" + program.rules[rule].id;
}

std::vector<std::pair<std::string, std::string>> CoverableRules(const ir::Program& program) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const ir::Program& p) {
    for (size_t i = 0; i < p.rules.size(); ++i) {
      if (p.rules[i].withdrawn) continue;
      // Withdrawn before it began, or in force only while its policy is not: no shipment can make it apply.
      if (std::max(p.rules[i].from, p.from) > std::min(p.rules[i].until, p.until)) continue;
      out.emplace_back(CoverageKey(p, static_cast<int>(i)), p.name + ": " + p.rules[i].id);
    }
  };
  if (program.timeline.empty()) add(program);
  for (const auto& e : program.timeline) add(*e.program);
  return out;
}

interp::Record RecordFromStep(const ir::Program& program, const ir::TestStep& step) {
  interp::Record rec;
  rec.values.assign(program.fields.size(), Value{});
  for (const auto& [field, value] : step.fields) {
    Value v = value;
    if (v.kind == ValueKind::kText) v.text = rec.Keep(v.text);
    rec.values[field] = v;
  }
  if (program.id_field >= 0 && rec.values[program.id_field].absent())
    rec.values[program.id_field] = Value::Text("test");
  rec.line = step.span.line;
  return rec;
}

namespace {

std::string Describe(const interp::Decision& d) {
  if (d.error) return "error: " + d.error_message;
  const ir::Program& p = *d.program;
  std::string out = interp::OutcomeText(p, d.kind, d.symbol, d.notify, d.review);
  if (!d.rules.empty()) {
    out += " by ";
    for (size_t i = 0; i < d.rules.size(); ++i) out += (i ? ", " : "") + p.rules[d.rules[i]].id;
  }
  if (!d.in_force) out += " (policy not in force)";
  return out;
}

// The members of set `a` that `b` lacks, by name.
std::string MembersMissing(const ir::Program& p, const BitSet& a, const BitSet& b, const TypeRef& elem) {
  std::string out;
  int shown = 0, total = 0;
  for (int i = 0; i < static_cast<int>(a.words.size() * 64); ++i) {
    if (!a.Test(i) || b.Test(i)) continue;
    if (++total > 12) continue;  // a long list helps nobody; the count is given
    out += (shown++ ? ", " : "") + interp::FormatValue(p, Value::Enum(i), elem);
  }
  if (total > shown) out += " and " + std::to_string(total - shown) + " more";
  return out;
}

// Why an assertion failed: its text, and for a comparison both sides (for sets, the members each side lacks).
std::string AssertionFailure(const ir::Program& p, const ir::TestStep& step) {
  std::string out = "line " + std::to_string(step.span.line) + ": assertion failed: " + step.assertion_text;
  if (!step.left || !step.right || step.left->op != ir::Op::kConst || step.right->op != ir::Op::kConst)
    return out;
  const Value& l = step.left->constant;
  const Value& r = step.right->constant;
  if (l.kind == ValueKind::kSet && r.kind == ValueKind::kSet && step.operand_type &&
      step.operand_type->elem) {
    std::string only_left = MembersMissing(p, *l.set, *r.set, step.operand_type->elem);
    std::string only_right = MembersMissing(p, *r.set, *l.set, step.operand_type->elem);
    if (!only_left.empty()) out += "; only on the left: " + only_left;
    if (!only_right.empty()) out += "; only on the right: " + only_right;
    return out;
  }
  return out + " (left: " + interp::FormatValue(p, l, step.operand_type) +
         ", right: " + interp::FormatValue(p, r, step.operand_type) + ")";
}

}  // namespace

TestReport RunTests(const ir::Program& program, const std::function<bool(const std::string&)>& select) {
  TestReport report;
  for (const auto& test : program.tests) {
    if (select && !select(test.name)) continue;
    TestResult result;
    result.name = test.name;
    result.span = test.span;
    MemoryLedger ledger;
    interp::DecideOptions options;
    interp::Decision last;
    bool have = false;
    for (const auto& step : test.steps) {
      if (!result.passed) break;
      switch (step.kind) {
        case ir::TestStep::kAsOf:
          options.has_as_of = true;
          options.as_of = step.as_of;
          break;
        case ir::TestStep::kGiven:
        case ir::TestStep::kShip: {
          interp::Record rec = RecordFromStep(program, step);
          interp::Trace trace;
          last = interp::Decide(program, rec, ledger, options, &trace);
          have = true;
          if (!last.error)
            for (const auto& t : trace.rules)
              if (t.applies) report.fired.insert(CoverageKey(*last.program, t.rule));
          if (step.kind == ir::TestStep::kGiven && last.error) {
            result.passed = false;
            result.message = "line " + std::to_string(step.span.line) +
                             ": the given shipment failed: " + last.error_message;
          }
          break;
        }
        case ir::TestStep::kAssert:
          if (step.assertion && step.assertion->op == ir::Op::kConst && step.assertion->constant.b) break;
          result.passed = false;
          result.message = AssertionFailure(program, step);
          break;
        case ir::TestStep::kExpect: {
          if (!have) break;
          const ir::Program& dp = *last.program;
          std::string want;
          bool ok;
          if (step.expect_error) {
            want = "an error" + (step.error_text.empty() ? "" : " mentioning \"" + step.error_text + "\"");
            ok = last.error && last.error_message.find(step.error_text) != std::string::npos;
          } else {
            const auto& o = step.outcome;
            bool notify = o.notify && o.notify->op == ir::Op::kConst && o.notify->constant.b;
            // Enum indices of the expectation are the test program's; compare by name across a timeline.
            auto sym = [&](const ir::Program& p, int s) {
              return s >= 0 && p.symbol_enum >= 0 ? p.enums[p.symbol_enum].members[s] : std::string();
            };
            auto rev = [&](const ir::Program& p, int r) {
              return r >= 0 && p.review_enum >= 0 ? p.enums[p.review_enum].members[r] : std::string();
            };
            want = interp::OutcomeText(program, o.kind, o.symbol, notify, o.review);
            ok = !last.error && last.kind == o.kind;
            if (ok && o.kind == ir::OutcomeIR::kLicenseException) {
              ok = sym(dp, last.symbol) == sym(program, o.symbol);
              if (o.notify) ok = ok && last.notify == notify;
            }
            if (ok && o.kind == ir::OutcomeIR::kLicenseRequired)
              ok = rev(dp, last.review) == rev(program, o.review);
            if (step.has_by) {
              std::vector<std::string> got, expected = step.by;
              for (int r : last.rules) got.push_back(dp.rules[r].id);
              std::sort(got.begin(), got.end());
              std::sort(expected.begin(), expected.end());
              if (got != expected) ok = false;
              want += " by ";
              for (size_t i = 0; i < step.by.size(); ++i) want += (i ? ", " : "") + step.by[i];
            }
            if (!step.under.empty()) {
              ok = ok && !last.error && dp.name == step.under;
              want += " under " + step.under;
            }
            if (!step.pending.empty()) {
              // `pending none`: no policy in force is waiting for its compliance date.
              bool none = step.pending == "none";
              ok = ok && !last.error &&
                   (none ? last.pending == nullptr : last.pending && last.pending->name == step.pending);
              want += " pending " + step.pending;
            }
          }
          if (!ok) {
            result.passed = false;
            std::string got = Describe(last);
            if (!step.expect_error && (!step.under.empty() || !step.pending.empty()))
              got += " under " + dp.name + " pending " + (last.pending ? last.pending->name : "none");
            result.message = "line " + std::to_string(step.span.line) + ": expected " + want + ", got " + got;
          }
          break;
        }
      }
    }
    (result.passed ? report.passed : report.failed)++;
    report.results.push_back(std::move(result));
  }
  return report;
}

}  // namespace edict::driver
