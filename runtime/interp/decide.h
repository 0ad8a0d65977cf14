// The reference semantics of a decision: which rules apply, which exceptions override them, the most severe
// outcome, and the quotas it consumes (docs/language.md, "How the final outcome is chosen").
#pragma once

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/ledger/ledger.h"

namespace edict::interp {

// One shipment's field values, indexed like the program's schema fields; texts live in `strings`.
struct Record {
  std::vector<Value> values;
  std::deque<std::string> strings;
  int line = 0;  // input line, for messages
  std::string_view Keep(std::string_view s) { return strings.emplace_back(s); }

  Record() = default;
  Record(Record&&) = default;
  Record& operator=(Record&&) = default;
  // A copy owns its texts: views into the source's storage would dangle once the source is reused or
  // destroyed.
  Record(const Record& other) { *this = other; }
  Record& operator=(const Record& other) {
    if (this == &other) return *this;
    values = other.values;
    strings.clear();
    line = other.line;
    for (Value& v : values)
      if (v.kind == ValueKind::kText) v.text = Keep(v.text);
    return *this;
  }
};

struct QuotaUse {
  int quota = -1;
  std::string key_text;
  std::string key;  // the ledger key (QuotaKey); "" outside the quota's window, where nothing is consumed
  Rational limit, before, amount, after;
};

struct Decision {
  const ir::Program* program = nullptr;  // the program that decided (a timeline delegates by date)
  bool error = false;
  std::string error_message;
  Span error_span;
  ir::OutcomeIR::Kind kind = ir::OutcomeIR::kNoLicenseRequired;
  int symbol = -1;
  bool notify = false;
  int review = -1;
  std::vector<int> rules;  // the determining rules
  std::vector<QuotaUse> quotas;
  bool in_force = true;
  int date = 0;
  // A policy in force on `date` whose compliance date is later (interp/timeline.h): the one a timeline passed
  // over for the policy it amends, or the policy alone deciding by its own rules. Null: none.
  const ir::Program* pending = nullptr;
};

// What a decision says, without owning it: the view writers read, whichever engine decided (an
// interp::Decision, or a JIT result whose rules were unpacked into a caller's buffer).
struct DecisionView {
  const ir::Program* program = nullptr;
  bool error = false;
  ir::OutcomeIR::Kind kind = ir::OutcomeIR::kNoLicenseRequired;
  int symbol = -1, review = -1;
  bool notify = false, in_force = true;
  int date = 0;
  std::span<const int> rules;
  std::span<const QuotaUse> quotas;
  const ir::Program* pending = nullptr;
  static DecisionView Of(const Decision& d) {
    return {d.program,  d.error, d.kind,  d.symbol, d.review, d.notify,
            d.in_force, d.date,  d.rules, d.quotas, d.pending};
  }
};

// What `edict explain` and `:why` show: every rule considered, its condition's parts and their values.
struct RuleTrace {
  int rule = -1;
  int depth = 0;  // 0 for rules, 1+ for exceptions
  bool in_force = false;
  bool applies = false;
  std::vector<std::pair<std::string, std::string>> conditions;  // (source text, value)
  std::string outcome;                                          // the rule's own outcome
  std::string resolved;                                         // what it resolved to after its exceptions
};
struct Trace {
  std::vector<RuleTrace> rules;
  std::vector<std::pair<std::string, std::string>> fields;  // computed shipment fields (name, value)
};

struct DecideOptions {
  bool has_as_of = false;
  int as_of = 0;
  bool consume = true;  // false: a what-if that leaves the ledger untouched
};

// Decides one shipment. `record` holds the input fields of `program`'s schema (absent where not given);
// defaults and derived fields are filled in. Never throws: evaluation errors become `error` decisions.
Decision Decide(const ir::Program& program, Record& record, Ledger& ledger, const DecideOptions& options,
                Trace* trace = nullptr);

std::string OutcomeText(const ir::Program& p, ir::OutcomeIR::Kind kind, int symbol, bool notify, int review);
std::string DecisionName(ir::OutcomeIR::Kind kind);

}  // namespace edict::interp
