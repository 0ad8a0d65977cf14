// `edict completions bash|zsh` and `edict man`: the shell completions and the man page, generated from the
// command-line definitions themselves (cli_model.h), so they cannot drift from --help. Hidden from --help;
// the build runs them (cmake/cli_docs.cmake) and `cmake --install` installs what they print.
#include "compiler/driver/files.h"
#include "tools/edict/cli_model.h"
#include "tools/edict/commands.h"

namespace edict::cli {

namespace {

void AddCompletions(CLI::App& app, Common&, int&) {
  auto* completions = app.add_subcommand("completions", "Print the shell completion script for bash or zsh");
  completions->group("");
  static std::string shell;
  completions->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completions->callback([&app] {
    CliModel model = ReadCli(app);
    driver::Output::Stdout().Write(shell == "zsh" ? ZshCompletion(model) : BashCompletion(model));
  });
  auto* man = app.add_subcommand("man", "Print the man page (roff)");
  man->group("");
  man->callback([&app] { driver::Output::Stdout().Write(ManPage(ReadCli(app), EDICT_VERSION)); });
}

Registrar registrar(95, AddCompletions);

}  // namespace

}  // namespace edict::cli
