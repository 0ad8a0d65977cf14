// The command line as plain data, read from the CLI11 definitions: what the shell completions and the man
// page are generated from (`edict completions bash|zsh`, `edict man`; cli_bash.cc, cli_zsh.cc, cli_man.cc),
// so they list exactly the commands and options `--help` does.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace edict::cli {

struct CliOption {
  enum Value { kFlag, kFile, kDir, kChoice, kOther };
  std::vector<std::string> names;  // long names first ("--input", "-i"); a positional's own name
  std::string description;
  std::string value_name;            // FILE, DIR, TEXT, INT, DATE...; empty for a flag
  Value value = kFlag;               // what a shell completes for the value
  std::vector<std::string> choices;  // the values of a CLI::IsMember check
  std::string default_value;         // as --help shows it; empty when none
  bool positional = false;
  bool repeated = false;  // takes several values (`files...`)
  bool required = false;
};

struct CliCommand {
  std::string name, description;
  std::vector<CliOption> options;      // --help included
  std::vector<CliOption> positionals;  // in order
};

struct CliModel {
  std::string name, description;
  std::vector<CliOption> options;  // the global ones (--help, --version, --stdlib, --color)
  std::vector<CliCommand> commands;
};

// Every subcommand and option of `app` that --help shows (hidden ones, of the empty group, are left out).
CliModel ReadCli(const CLI::App& app);

std::string BashCompletion(const CliModel& model);
std::string ZshCompletion(const CliModel& model);
// A man(7) page: commands with their options and defaults, exit statuses, environment, files.
std::string ManPage(const CliModel& model, const std::string& version);

}  // namespace edict::cli
