// `edict repl [POLICY...]`: try shipments against policies interactively (tools/repl/).
#include <unistd.h>

#include "compiler/diag/terminal.h"
#include "tools/edict/commands.h"
#include "tools/repl/repl.h"

namespace edict::cli {

namespace {

void AddRepl(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("repl", "Try shipments against policies interactively");
  static repl::ReplOptions options;
  cmd->add_option("policies", options.policies, "Policy files to load; the first is current")
      ->check(CLI::ExistingFile);
  // Also accepted after `repl` (`edict repl --color=never`), where users look for it; same setting.
  cmd->add_option(
         "--color", common.color,
         "Colour output: auto (a terminal without NO_COLOR), always or never; also accepted before `repl`")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--ledger", options.ledger,
                  "Try queries against this persistent ledger (a SQLite file or postgresql:// URL); what-if "
                  "until :commit records them");
  cmd->add_flag("--echo", options.echo,
                "When reading a script from stdin, print each input line with its prompt");
  cmd->callback([&] {
    options.stdlib_dir = common.stdlib_dir;
    options.edict_version = EDICT_VERSION;
    // Scripted sessions (stdin not a terminal) print plain output unless colour is asked for.
    options.color = common.color == "always" || (common.UseColor(1) && term::IsTerminal(0));
    exit_code = repl::RunRepl(options);
  });
}

Registrar registrar(60, AddRepl);

}  // namespace

}  // namespace edict::cli
