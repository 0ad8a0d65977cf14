#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "tools/edict/commands.h"

namespace edict::cli {

bool Common::UseColor(int fd) const {
  if (color == "always") return true;
  if (color == "never") return false;
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return isatty(fd);
}

}  // namespace edict::cli

int main(int argc, char** argv) {
  CLI::App app{"edict: export-control regulations as code"};
  app.require_subcommand(1);
  edict::cli::Common common;
  app.add_option("--stdlib", common.stdlib_dir, "Directory of the standard library (default: next to the binary)");
  app.add_option("--color", common.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  int exit_code = 0;
  edict::cli::AddCheck(app, common, exit_code);
  edict::cli::AddEval(app, common, exit_code);
  edict::cli::AddTest(app, common, exit_code);
  edict::cli::AddExplain(app, common, exit_code);
  app.add_subcommand("version", "Print the edict version")->callback([] {
    std::printf("edict %s\n", EDICT_VERSION);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
