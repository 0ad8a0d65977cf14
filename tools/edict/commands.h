// The `edict` command-line tool: one file per subcommand, registered with CLI11 in main.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::cli {

struct Common {
  std::string stdlib_dir;
  std::string color = "auto";  // auto | always | never
  bool UseColor(int fd) const;
};

// Each cmd_*.cc registers its subcommand with a static Registrar, so a new command is a new file:
//   static Registrar reg(40, [](CLI::App& app, Common& common, int& exit_code) { ... });
// `order` fixes the order of `edict --help`.
using AddCommand = std::function<void(CLI::App& app, Common& common, int& exit_code)>;
struct Registrar {
  Registrar(int order, AddCommand add);
};
void AddRegisteredCommands(CLI::App& app, Common& common, int& exit_code);

// argv, with a `--` put after `--git-driver` when git's seven (or nine) external-diff arguments follow it.
std::vector<char*> GitDriverArguments(int argc, char** argv);

// Compiles a policy for a command, printing diagnostics (warnings too) to stderr. Null on errors.
std::shared_ptr<const ir::Program> CompileForCommand(const std::string& path, const Common& common);

}  // namespace edict::cli
