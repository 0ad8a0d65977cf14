// The whole pass pipeline in one place: load -> parse -> check -> lower (-> timeline linking). Every command,
// the tests and the benchmarks compile policies through here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/ir/ir.h"

namespace edict::sema {
class ParseCache;
}

namespace edict::driver {

struct CompileOptions {
  std::string stdlib_dir;  // --stdlib; empty: the default search path
  bool stop_after_check = false;
  // Precompute sub-expressions of one enum field per member (ir::Tabulate). Off only to check that it
  // changes no decision.
  bool tabulate = true;
  // Parses shared across compilations (sema::ParseCache; the fuzz harnesses). Null: parse each time.
  std::shared_ptr<sema::ParseCache> parse_cache = nullptr;
};

struct Compilation {
  std::shared_ptr<const ir::Program> program;  // null when there were errors
  DiagnosticList diags;
  std::vector<std::shared_ptr<const void>> sources;  // diagnostics point into these, so they live as long
  bool ok() const { return program != nullptr && !diags.HasErrors(); }
};

// Compiles `path`; when `text` is given it is used instead of the file's contents (the REPL, tests).
Compilation CompileFile(const std::string& path, const CompileOptions& options,
                        const std::string* text = nullptr);

}  // namespace edict::driver
