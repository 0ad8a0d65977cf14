// An open document and what the server worked out from its current text: the compiler's diagnostics, the
// loaded program (the file, its imports, the stdlib) and its symbols.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/sema/check.h"
#include "compiler/sema/load.h"
#include "tools/lsp/symbols.h"

namespace edict::lsp {

struct Document {
  std::string uri, path, text;
  // Analysis of `text`.
  DiagnosticList diags;
  std::vector<std::shared_ptr<const void>> compile_sources;  // keeps `diags`' spans alive
  std::unique_ptr<SourceManager> sources;
  sema::LoadedProgram loaded;
  sema::CheckedProgram checked;  // the checker's annotations on `loaded`
  std::vector<Symbol> symbols;
  std::vector<Use> uses;  // every resolved name (for definitions and references)
};

// (Re)analyses `doc` after its text changed.
void Analyse(Document& doc, const std::string& stdlib_dir);

// The word (name, catalog id or ECCN) at a 0-based line and code-point column of `text`, or "". `after_dot`
// is set when the word follows a `.` (a field access).
std::string WordAt(const std::string& text, int line, int col, bool* after_dot = nullptr);

// The text of a 0-based line.
std::string LineOf(const std::string& text, int line);

}  // namespace edict::lsp
