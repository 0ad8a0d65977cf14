// The contract between compiled code and the C++ around it (no LLVM types).
//
// One function per policy, generated from the decision IR of the policy (and of every policy of a timeline):
//
//   int64_t edict_decide(const uint8_t* records, int64_t n, Result* out, Context* ctx)
//
// `records` are n packed shipments (runtime/batch/packed.h, the layout of the root program's schema). For
// each it computes defaults and derived fields, dispatches on the date (a timeline), checks the rules in
// force, evaluates conditions, exceptions and `notify` exactly where the interpreter would, chooses the
// outcome by severity, finds the determining rules, and consumes quotas, writing out[i]. It returns the
// number of records processed: n, or fewer when a record met an error (status kError), so that the host can
// decide that one with the interpreter (whose message and span are the reference) before the next one sees
// the ledger.
//
// Quotas: the host's QuotaState (quotas.h) interns each (quota, key values, period) into a dense slot with a
// running total. For a quota keyed by one text or enum with a whole limit, compiled code finds the slot by
// the key's id in the direct table kept for the batch's text table (QuotaFast below) and checks and updates
// a whole total itself; otherwise, and whenever the table has no entry yet, it passes the key values (and,
// for a quota per calendar year, the date) to edict_q_fits and edict_q_consume. `fits` yields the key's tuple
// and slot, which the record's use of that quota reuses, so a key is looked up once per record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"
#include "runtime/rational.h"

namespace edict::jit {

class QuotaState;

constexpr int kRuleWords = 4;  // determining rules: up to 256 rules per program

struct Result {
  enum Status : uint8_t { kDecided = 0, kNotInForce = 1, kError = 2 };
  uint8_t status = kDecided;
  uint8_t kind = 0;  // ir::OutcomeKind
  uint8_t notify = 0;
  uint8_t pad = 0;
  int16_t symbol = -1, review = -1;
  int16_t program = 0;  // pre-order index of the program that decided (0: the root)
  int16_t pad2 = 0;
  int32_t date = 0;
  int32_t error_site = -1;  // kError: index in Plan::sites, or -1 (a helper's error, or a conflict)
  // Bit k of the mask: the rule at position k of the program's depth-first order (Plan::rule_order), which is
  // the order the interpreter lists determining rules in.
  uint64_t rules[kRuleWords] = {};
};
static_assert(sizeof(Result) == 56);

// Quota totals as compiled code reads and updates them itself (gen_quota.cc), for a quota keyed by one text
// or enum whose limit is whole; QuotaState keeps them current and takes every other case (the helpers). Per
// key id of such a quota: the tuple and slot found for it, kept while its direct set (quotas.h) holds.
struct QuotaRecent {
  uint32_t epoch = 0;  // its direct set's epoch when found (QuotaFast::epoch); another: stale
  // The days of its period: a quota per calendar year, the year's; else every day. Two entries per key id
  // (kPeriodsPerKey), for a batch whose dates cross New Year; a third year replaces the second.
  int32_t first = 1, last = 0;
  int32_t pad = 0;
  int64_t memo = 0;  // the key's tuple and slot as `fits` remembers them for a record, but for the fits bit
};
static_assert(sizeof(QuotaRecent) == 24);
// What `fits` remembers for a record (gen_quota.cc): (slot + 1) << 32 | (tuple + 1) << 1 | fits.
inline int64_t QuotaMemo(int32_t slot, int32_t tuple) {
  return (static_cast<int64_t>(slot) + 1) << 32 | (static_cast<int64_t>(tuple) + 1) << 1;
}
inline int32_t QuotaMemoTuple(int64_t memo) {
  return static_cast<int32_t>((memo >> 1) & 0x7fffffff) - 1;
}
inline constexpr size_t kPeriodsPerKey = 2;
struct QuotaDirect {
  QuotaRecent* data = nullptr;  // kPeriodsPerKey entries per key id (text index, enum member)
  uint64_t size = 0;            // key ids; 0: the quota has no direct table
};
// A use of the record being decided, undone if the interpreter decides the record instead.
struct QuotaUndo {
  int64_t record = 0;
  int64_t slot = 0;
  Rational before;
};
struct QuotaFast {
  uint32_t epoch = 0;
  int32_t consume_inline = 0;     // compiled code may record uses itself (no figures are kept)
  QuotaDirect* direct = nullptr;  // per Plan::quotas entry
  Rational* totals = nullptr;     // per slot: the running total
  uint32_t* added = nullptr;      // per slot: amounts added in this batch and not undone (0: not yet)
  QuotaUndo* undo = nullptr;      // the record's uses, oldest first (entries of an earlier record are stale)
  uint64_t undo_count = 0, undo_cap = 0;
  int32_t* touched = nullptr;  // the slots added to in this batch, in the order first added to (for Flush)
  uint64_t touched_count = 0, touched_cap = 0;
};

// Passed to compiled code and helpers; compiled code reads the members up to `fast` (by offsetof).
struct Context {
  int32_t has_as_of = 0;  // offset 0
  int32_t as_of = 0;      // offset 4
  int64_t base = 0;       // offset 8: index of out[0] in the whole batch (for the use log)
  int32_t consume = 1;    // offset 16: 0 for a what-if that leaves totals unchanged
  int32_t pad = 0;
  QuotaState* quotas = nullptr;
  QuotaFast* fast = nullptr;  // the quotas' totals (null for a policy without quotas)
};

struct ErrorSite {
  std::string message;
  Span span;
};

// Everything the code generator decided that the C++ side needs.
struct ProgramPlan {
  const ir::Program* program = nullptr;
  std::vector<int> rule_order;  // depth-first position -> rule index
  std::vector<int> quota_ids;   // per quota of the program: its index in Plan::quotas
};
struct QuotaRef {
  const ir::Program* program = nullptr;
  int quota = -1;
};
struct Plan {
  // Unique per compiled policy (CompiledPolicy::Compile): what QuotaState keeps from batch to batch is
  // keyed on it, so a plan made at a freed plan's address is not mistaken for it.
  uint64_t serial = 0;
  std::vector<ProgramPlan> programs;  // pre-order: the root, then a timeline's programs
  std::vector<ErrorSite> sites;
  std::vector<std::string> texts;  // text constants, at TextTable indices 1, 2, ...
  std::vector<QuotaRef> quotas;
  bool supported = true;  // false with `unsupported` set: the program cannot be compiled
  std::string unsupported;
};

using DecideFn = int64_t (*)(const uint8_t* records, int64_t n, Result* out, Context* ctx);

// The C ABI helpers compiled code calls (helpers.cc); the engine binds them by these names.
struct HelperSymbol {
  const char* name;
  void* address;
};
std::vector<HelperSymbol> HelperSymbols();

}  // namespace edict::jit
