// `edict lsp`: a Language Server Protocol server over stdio. Diagnostics as `edict check` gives them (on open
// and on every change), hover, go-to-definition and references across imports and the stdlib, completion,
// document symbols, formatting through `edict fmt`, and a code lens / command that runs a file's tests.
#pragma once

#include <cstdio>
#include <string>

namespace edict::lsp {

struct ServerOptions {
  std::string stdlib_dir;  // --stdlib
};

// Serves until `exit` or end of input. Returns the process exit status (0 after shutdown, 1 otherwise, as the
// protocol asks).
int Serve(std::FILE* in, std::FILE* out, const ServerOptions& options);

}  // namespace edict::lsp
