#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "compiler/diag/terminal.h"
#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/sema/load.h"
#include "tools/edict/commands.h"

namespace edict::cli {

bool Common::UseColor(int fd) const {
  return term::UseColor(color, fd);
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

namespace {

bool GitMode(const std::string& s) {  // "100644", or "." for the /dev/null side
  return s == "." || (s.size() == 6 && s.find_first_not_of("01234567") == std::string::npos);
}

bool GitHex(const std::string& s) {
  return s == "." || (!s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos);
}

}  // namespace

// git runs an external diff as `COMMAND PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE [NEW-PATH
// RENAME-NOTE]`, and a repository path may start with '-'. When the arguments after --git-driver are exactly
// that, a `--` is put before them, so that no file name is ever read as an option (`-rf.edict`,
// `--label=x.edict`).
std::vector<char*> GitDriverArguments(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--git-driver") continue;
    int rest = argc - i - 1;
    if ((rest == 7 || rest == 9) && GitHex(argv[i + 3]) && GitMode(argv[i + 4]) && GitHex(argv[i + 6]) &&
        GitMode(argv[i + 7])) {
      static char separator[] = "--";
      args.insert(args.begin() + i + 1, separator);
    }
    break;
  }
  return args;
}

}  // namespace edict::cli

int main(int argc, char** argv) {
  using namespace edict::driver;
  // Named `edict` whatever path it was started by, so that help and errors read the same for everyone.
  CLI::App app{"edict: export-control regulations as code", "edict"};
  app.require_subcommand(1);
  // Every option's default is shown in --help (options with no default show none).
  app.option_defaults()->always_capture_default();
  edict::cli::Common common;
  app.add_option("--stdlib", common.stdlib_dir,
                 "Directory of the standard library, searched before $EDICT_STDLIB and the installed one")
      ->type_name("DIR");
  app.add_option("--color", common.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.set_version_flag(
      "--version", [] { return std::string("edict ") + EDICT_VERSION; }, "Print the version and exit");
  // A --stdlib or $EDICT_STDLIB that is not a stdlib is an error before any command runs: falling back to
  // the installed stdlib would decide under modules the user did not ask for.
  app.parse_complete_callback([&common] {
    std::string error;
    if (!edict::sema::CheckStdlibDirs(common.stdlib_dir, &error)) {
      std::fprintf(stderr, "edict: %s\n", error.c_str());
      throw CLI::RuntimeError(kExitUsage);
    }
  });
  // The global options are taken after the command too (`edict check --stdlib DIR x.edict`): subcommands,
  // which inherit this setting, hand an option they do not know to `edict` itself.
  app.fallthrough();
  int exit_code = kExitOk;
  edict::cli::AddRegisteredCommands(app, common, exit_code);
  // An empty list's captured default ("[]") says nothing in --help.
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    for (CLI::Option* o : sub->get_options())
      if (o->get_default_str() == "[]") o->default_str("");
  app.add_subcommand("version", "Print the edict version and where the stdlib is found")->callback([&common] {
    auto& out = Output::Stdout();
    out.Print("edict %s\n", EDICT_VERSION);
    for (const auto& dir : edict::sema::DefaultStdlibDirs(common.stdlib_dir))
      if (std::filesystem::exists(std::filesystem::path(dir) / "ear" / "shipment.edict")) {
        out.Print("stdlib: %s\n", dir.c_str());
        break;
      }
  });
  std::vector<char*> args = edict::cli::GitDriverArguments(argc, argv);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::RuntimeError& e) {
    exit_code = e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    // --help and --version end with 0; everything else CLI11 refuses is a usage error.
    exit_code = app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  // Everything written to standard output reaches it, or the command fails (docs/exit-status.md): a full
  // disk or a closed pipe (SIGPIPE ignored) once exited 0 with the output cut short. (std::cout, which CLI11
  // prints help with, writes through stdout: it is synchronised with stdio.)
  std::string error;
  if (!Output::Stdout().Close(&error)) {
    std::fprintf(stderr, "edict: %s\n", error.c_str());
    return kExitWriteFailed;
  }
  return exit_code;
}
