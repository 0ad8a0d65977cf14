// `edict lsp`: the language server, over stdio (tools/lsp/server.h).
#include <cstdio>

#include "tools/edict/commands.h"
#include "tools/lsp/server.h"

namespace edict::cli {

namespace {

void AddLsp(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd =
      app.add_subcommand("lsp", "Run the Language Server Protocol server over stdin/stdout (for editors)");
  cmd->callback([&] {
    lsp::ServerOptions options;
    options.stdlib_dir = common.stdlib_dir;
    exit_code = lsp::Serve(stdin, stdout, options);
  });
}

Registrar registrar(90, AddLsp);

}  // namespace

}  // namespace edict::cli
