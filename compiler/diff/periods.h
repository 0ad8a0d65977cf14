// A timeline decides each shipment with the policy in force on its date. Two versions where either is a
// timeline are compared period by period: on each stretch of dates where neither version changes policy, the
// two policies in force there, with the shipment's date held inside the stretch.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::diff {

struct Period {
  int from = 0, to = 0;                      // shipment dates, inclusive
  const ir::Program* old_program = nullptr;  // the policy each version applies (a stand-in with no rules when
  const ir::Program* new_program = nullptr;  // a timeline has none in force: everything no_license_required)
  std::string old_name, new_name;            // the policy's name when its version is a timeline, else ""
  // The quotas whose use a shipment in this period must leave alike, as (old index, new index) into the two
  // policies in force; -1 when that policy lacks the ledger entry (its use is then 0). A period's search
  // assumes that a shared ledger entry had consumed as much before a shipment in both versions, which holds
  // after any history only if every shipment, of any period, adds as much to it in both: so an entry that
  // the policies in force share in one period (PairQuotas) is compared in every period, against nothing
  // where one version's policy does not use it.
  std::vector<std::pair<int, int>> uses;
};

class Periods {
 public:
  // The periods covering `date_from`..`date_to`; a single one when neither version is a timeline.
  Periods(const ir::Program& old_program, const ir::Program& new_program, int date_from, int date_to);
  Periods(const Periods&) = delete;
  Periods& operator=(const Periods&) = delete;

  const std::vector<Period>& list() const { return periods_; }

  // Where no single pairing of ledger entries holds for all periods (an entry paired with two different
  // ones, or with keys or a period that differ in another period), so the periods' searches do not add up
  // to a proof over histories. Says which, or nothing.
  std::vector<std::string> LedgerMismatches() const { return mismatches_; }

 private:
  void PairLedgers();
  const ir::Program* NoPolicy(const ir::Program& timeline);

  std::vector<Period> periods_;
  std::vector<std::unique_ptr<ir::Program>> stand_ins_;
  std::vector<std::string> mismatches_;
};

}  // namespace edict::diff
