#include "compiler/ir/ir.h"

#include <algorithm>

namespace edict::ir {

int Program::FieldIndex(const std::string& name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

int Program::RuleIndex(const std::string& id) const {
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].id == id) return static_cast<int>(i);
  return -1;
}

int Program::Severity(const OutcomeIR& o) const {
  int reviews = review_enum >= 0 ? static_cast<int>(enums[review_enum].members.size()) : 3;
  switch (o.kind) {
    case OutcomeIR::kNoLicenseRequired:
      return 0;
    case OutcomeIR::kLicenseException:
      return 1;
    case OutcomeIR::kLicenseRequired:
      return 2 + std::max(0, o.review);
    case OutcomeIR::kProhibited:
      return 2 + reviews;
  }
  return 0;
}

}  // namespace edict::ir
