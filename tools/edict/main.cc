#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "compiler/sema/load.h"
#include "tools/edict/commands.h"

namespace edict::cli {

bool Common::UseColor(int fd) const {
  if (color == "always") return true;
  if (color == "never") return false;
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return isatty(fd);
}

namespace {
std::vector<std::pair<int, AddCommand>>& Registry() {
  static std::vector<std::pair<int, AddCommand>> registry;
  return registry;
}
}  // namespace

Registrar::Registrar(int order, AddCommand add) {
  Registry().emplace_back(order, std::move(add));
}

void AddRegisteredCommands(CLI::App& app, Common& common, int& exit_code) {
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, add] : registry) add(app, common, exit_code);
}

}  // namespace edict::cli

int main(int argc, char** argv) {
  CLI::App app{"edict: export-control regulations as code"};
  app.require_subcommand(1);
  edict::cli::Common common;
  app.add_option("--stdlib", common.stdlib_dir,
                 "Directory of the standard library (default: next to the binary)");
  app.add_option("--color", common.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  int exit_code = 0;
  edict::cli::AddRegisteredCommands(app, common, exit_code);
  app.add_subcommand("version", "Print the edict version and where the stdlib is found")->callback([&common] {
    std::printf("edict %s\n", EDICT_VERSION);
    for (const auto& dir : edict::sema::DefaultStdlibDirs(common.stdlib_dir))
      if (std::filesystem::exists(std::filesystem::path(dir) / "ear" / "shipment.edict")) {
        std::printf("stdlib: %s\n", dir.c_str());
        break;
      }
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
