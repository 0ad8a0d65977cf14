// `edict repl [POLICY...]`: try shipments against policies interactively (tools/repl/).
#include "tools/edict/commands.h"
#include "tools/repl/repl.h"

namespace edict::cli {

namespace {

void AddRepl(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("repl", "Try shipments against policies interactively");
  static repl::ReplOptions options;
  cmd->add_option("policies", options.policies, "Policy files to load; the first is current")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--echo", options.echo,
                "When reading a script from stdin, print each input line with its prompt");
  cmd->callback([&] {
    options.stdlib_dir = common.stdlib_dir;
    options.color = common.UseColor(1);
    exit_code = repl::RunRepl(options);
  });
}

Registrar registrar(60, AddRepl);

}  // namespace

}  // namespace edict::cli
