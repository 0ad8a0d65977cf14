// `edict fmt FILES|DIRS [--write | --check]`: the canonical layout (compiler/format/format.h). Prints the
// formatted text; --write rewrites changed files in place; --check prints a unified diff of each file that is
// not in canonical layout and exits 1. A file that does not parse or cannot be read exits 2; one that cannot
// be rewritten 74 (docs/exit-status.md).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/format/format.h"
#include "compiler/format/unified_diff.h"
#include "tools/edict/commands.h"
#include "tools/edict/paths.h"

namespace edict::cli {

namespace {

namespace fs = std::filesystem;

bool ReadText(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return !in.bad();
}

// Writes next to the file, then renames over it, so an interrupted write never leaves half a policy.
bool WriteText(const std::string& path, const std::string& text) {
  std::string tmp = path + ".fmt-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

struct FmtArgs {
  std::vector<std::string> paths;
  bool write = false;
  bool check = false;
};

int RunFmt(const FmtArgs& args, const Common& common) {
  bool ok = true, written = true;
  auto files = ExpandPaths(args.paths, "fmt", &ok);
  int unformatted = 0;
  for (const auto& path : files) {
    std::string text;
    if (!ReadText(path, &text)) {
      std::fprintf(stderr, "edict fmt: cannot read %s\n", path.c_str());
      ok = false;
      continue;
    }
    SourceFile file(path, text);
    DiagnosticList diags;
    format::FormatResult r = format::FormatParsed(file, diags);
    if (!r.ok) {
      diags.Sort();
      std::fputs(RenderAll(diags, common.UseColor(2)).c_str(), stderr);
      std::fprintf(stderr, "edict fmt: %s: %s\n", path.c_str(), r.error.c_str());
      ok = false;
      continue;
    }
    bool changed = r.text != text;
    if (args.check) {
      if (changed) {
        ++unformatted;
        driver::Output::Stdout().Write(format::UnifiedDiff(text, r.text, path));
      }
    } else if (args.write) {
      if (changed && !WriteText(path, r.text)) {
        std::fprintf(stderr, "edict fmt: cannot write %s\n", path.c_str());
        written = false;
      } else if (changed) {
        driver::Output::Stdout().Print("%s\n", path.c_str());
      }
    } else {
      driver::Output::Stdout().Write(r.text);
    }
  }
  // Standard output's own failure is reported by main(), which closes it; flushed here so that the diffs
  // come before the count below.
  driver::Output::Stdout().Flush();
  if (!written) return driver::kExitWriteFailed;
  if (!ok) return driver::kExitBadData;
  if (args.check && unformatted > 0) {
    std::fprintf(stderr,
                 "edict fmt: %d of %zu files not in canonical layout (edict fmt --write fixes them)\n",
                 unformatted, files.size());
    return driver::kExitNo;
  }
  return driver::kExitOk;
}

void AddFmt(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("fmt", "Print policies in the canonical layout, or --write / --check it");
  static FmtArgs args;
  cmd->add_option("paths", args.paths, "Policy or module files, or directories of them")
      ->required()
      ->check(CLI::ExistingPath);
  auto* write = cmd->add_flag("--write,-w", args.write, "Rewrite files that are not in canonical layout");
  cmd->add_flag("--check", args.check,
                "Print a unified diff of each file not in canonical layout; exit 1 if any")
      ->excludes(write);
  cmd->callback([&] { exit_code = RunFmt(args, common); });
}

Registrar registrar(75, AddFmt);

}  // namespace

}  // namespace edict::cli
