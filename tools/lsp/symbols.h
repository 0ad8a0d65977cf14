// What the language server knows about names: every declaration, enum member, field and catalog row of a
// loaded program (the open file, its imports and the stdlib), with a Markdown description for hovers.
#pragma once

#include <string>
#include <vector>

#include "compiler/sema/load.h"
#include "tools/lsp/resolve.h"

namespace edict::lsp {

struct Symbol {
  std::string name;
  std::string kind;       // rule, exception, const, set, function, quota, unit, enum, enum member, record,
                          // schema, table, catalog row, field, test
  std::string container;  // the enum, record, schema or table it belongs to
  Span span;              // its name
  std::string path;       // the file it is declared in, as read
  bool in_root = false;   // declared in the open file
  std::string markdown;   // hover text
  Target target;          // what the checker resolves uses of this name to
};

std::vector<Symbol> IndexSymbols(const sema::LoadedProgram& loaded);

// The source text of a span (columns are code points).
std::string SpanText(const Span& span);

}  // namespace edict::lsp
