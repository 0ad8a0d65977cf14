// The `edict` command-line tool: one file per subcommand, registered with CLI11 in main.cc.
#pragma once

#include <CLI/CLI.hpp>
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

void AddCheck(CLI::App& app, Common& common, int& exit_code);
void AddEval(CLI::App& app, Common& common, int& exit_code);
void AddTest(CLI::App& app, Common& common, int& exit_code);
void AddExplain(CLI::App& app, Common& common, int& exit_code);

// Compiles a policy for a command, printing diagnostics (warnings too) to stderr. Null on errors.
std::shared_ptr<const ir::Program> CompileForCommand(const std::string& path, const Common& common);


}  // namespace edict::cli
