// Loading: a root file and, transitively, the stdlib modules and policies it imports, in dependency order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"

namespace edict::sema {

class ParseCache;

struct LoadOptions {
  std::vector<std::string> stdlib_dirs;  // searched in order for `import a.b` -> a/b.edict
  // When set, files (the stdlib first) are parsed once and shared by every load given this cache
  // (parse_cache.h).
  std::shared_ptr<ParseCache> parse_cache = nullptr;
};

struct LoadedProgram {
  std::vector<std::unique_ptr<ast::Module>> modules;  // every module once, dependencies before dependants
  ast::Module* root = nullptr;
  std::map<const SourceFile*, std::string>
      paths;                                // where each file was read (stdlib files display as stdlib/...)
  std::shared_ptr<ParseCache> parse_cache;  // owns sources when LoadOptions::parse_cache was used
};

// Loads `path` (or `text` when given, reported under `path`). Errors: E0101 file not found, E0102 import
// cycle, E0103 module header mismatch, plus the parser's. Returns false when any error was reported.
bool LoadProgram(const std::string& path, const std::string* text, SourceManager& sources,
                 const LoadOptions& options, DiagnosticList& diags, LoadedProgram* out);

// The stdlib search path: --stdlib, $EDICT_STDLIB, next to the installed binary, then the source tree.
std::vector<std::string> DefaultStdlibDirs(const std::string& override_dir);

// The directories the user named (--stdlib, then $EDICT_STDLIB) are stdlib directories: each exists, is a
// directory and holds .edict modules (at its top or one folder down, as stdlib/ear/). False with `error`
// saying which and why: a mistyped path is an error, never a silent fall back to the installed stdlib.
bool CheckStdlibDirs(const std::string& override_dir, std::string* error);

bool ReadFile(const std::string& path, std::string* out);

}  // namespace edict::sema
