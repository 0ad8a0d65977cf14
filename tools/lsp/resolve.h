// Where each name of a checked program points, as the checker resolved it: the index behind go-to-definition
// and find-references. Matching by text would confuse things that share a name (a field and a constant, the
// same rule name in two policies of a timeline, a word in a comment); the checker's annotations do not.
#pragma once

#include <compare>
#include <vector>

#include "compiler/sema/load.h"

namespace edict::lsp {

struct Target {
  const void* decl = nullptr;  // the declaration; for members, fields and rows their enum, record or table
  int index = -1;              // member, field or row index; -1 for the declaration itself
  bool valid() const { return decl != nullptr; }
  auto operator<=>(const Target&) const = default;
};

// One use of a name: the span covers the name only (`datacenter` in `item.datacenter`).
struct Use {
  Span span;
  Target target;
};

// Every resolved use in every module of `loaded`, which the checker must already have annotated. Rule and
// quota names (`exception X to R`, `replaces R`, `consumes Q`, `withdraw R`, `by R`) are looked up in the
// module that names them, then in the modules it imports, as the checker does.
std::vector<Use> IndexUses(const sema::LoadedProgram& loaded);

// Whether `span` contains the 1-based line and 0-based code-point column.
bool Contains(const Span& span, int line, int col);

}  // namespace edict::lsp
