// Behavioural diff: the classes of shipments on which two policies decide differently, found with Z3, each
// with one concrete witness replayed through the reference interpreter on both versions.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/interp/decide.h"
#include "runtime/rational.h"

namespace edict::diff {

// One field value of a witness shipment.
struct WitnessValue {
  TypeKind kind = TypeKind::kError;
  bool b = false;
  Rational num;
  int date = 0;
  std::string text;  // texts, and enum members by name
};

// A quota's ledger entry before the witness shipment (the same entry in both versions when they pair).
struct ConsumedBefore {
  std::string old_quota, new_quota;  // the quota's id in each version ("" when that version has none)
  Rational amount;
};

struct Witness {
  std::vector<std::pair<std::string, WitnessValue>> fields;  // in schema order; omitted fields are absent
  std::vector<ConsumedBefore> consumed;                      // only entries that are not zero
  std::string ToJson() const;                                // the shipment as `edict eval` reads it
};

struct BehaviourClass {
  std::string old_outcome, new_outcome;           // outcome texts ("error" on a conflict)
  std::vector<std::string> old_rules, new_rules;  // determining rule ids
  std::vector<std::string> split_values;          // the table keys (e.g. chips) where the class occurs
  std::string split_field;                        // "item"
  std::map<std::string, std::vector<std::string>> values;  // other enum fields: values seen (may be partial)
  std::map<std::string, bool> values_complete;
  // The earliest and latest shipment dates of the class (for the first split value, when the diff splits);
  // the class need not hold on every day between. Empty when not computed.
  std::string first_date, last_date;
  // The smallest and largest value of each number the policies read (quantity, tpp...) over the class's
  // shipments, for the same split value as the dates; only numbers the class constrains. The class need not
  // hold for every value between.
  struct Range {
    std::string field;
    std::string min, max;    // exact (a decimal, or a fraction)
    bool unbounded = false;  // no largest value short of the input's bounds: "min or more"
    // Over the shipments from an empty ledger; false: the class needs earlier usage.
    bool empty_ledger = true;
    std::string not_described;  // why min and max are missing ("budget spent"), or ""
  };
  std::vector<Range> ranges;
  std::map<std::string, std::vector<std::string>> domains;  // all members of each described field's enum
  // What the witness adds to the quotas of each version ("aid_allocation 15832000"), when the two differ: a
  // class may keep the outcome and change only what later shipments will find in the ledger.
  std::vector<std::string> old_uses, new_uses;
  // When a version is a timeline: the policy it applies on the class's dates ("" for a plain policy).
  std::string old_policy, new_policy;
  Witness witness;
};

// A second engine (the JIT) deciding one version's witness as interp::Decide does; witnesses are replayed
// through it too when it is given.
using Decider = std::function<interp::Decision(interp::Record&, Ledger&, const interp::DecideOptions&)>;

// Where a diff has got, for a progress display: stage 1 compiling, 2 structural, 3 the engines that replay
// witnesses, 4 the behavioural search; `what` says the stage and, in the search, the period and item.
struct DiffProgress {
  int stage = 0, stages = 4;
  std::string what;  // "behaviour: destination 45 of 250 (IN), 12 classes, 3,400 queries"
};

struct BehaviourOptions {
  int max_classes = 200;  // stop (and say so) beyond this many classes; below 1 nothing is searched or proved
  unsigned query_timeout_ms = 0;  // per solver query; 0: none (tests never use a wall clock)
  int describe_budget = 4000;     // solver queries spent enumerating countries etc. for the descriptions
  // Makes the second engine for a version (null, or returning null: the interpreter only).
  std::function<Decider(std::shared_ptr<const ir::Program>)> second_engine;
  std::string second_engine_name = "JIT";
  // Called as the diff moves on (on the calling thread, a few times per searched item); may be empty.
  std::function<void(const DiffProgress&)> progress;
};

struct BehaviourResult {
  bool proved = false;  // the solver showed there are no differences beyond `classes`
  std::vector<BehaviourClass> classes;
  std::vector<std::string> not_covered;  // why `proved` is false
  // Inputs one version accepts and the other rejects (an enum member only one knows: a new catalog id).
  std::vector<std::string> input_changes;
  std::vector<std::string> assumptions;  // bounds of the search
  int queries = 0;
  int unconfirmed = 0;            // solver witnesses the interpreter did not confirm (never reported)
  int second_engine_replays = 0;  // witnesses the second engine decided as the interpreter did
  std::string second_engine;      // its name, when witnesses were replayed through it
};

// `old_decider` / `new_decider` replay witnesses through a second engine when set. Either program may be a
// timeline: the two are then compared period by period (periods.h), and witnesses replayed through the
// timelines themselves.
BehaviourResult DiffBehaviour(const ir::Program& old_program, const ir::Program& new_program,
                              const BehaviourOptions& options, const Decider& old_decider = nullptr,
                              const Decider& new_decider = nullptr);

}  // namespace edict::diff
