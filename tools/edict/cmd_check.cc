// `edict check FILE...`: parse and type-check; diagnostics in the house format; exit 1 on any error.
#include <cstdio>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/driver/pipeline.h"
#include "compiler/ir/dump.h"
#include "compiler/sema/check.h"
#include "tools/edict/commands.h"
#include "tools/edict/paths.h"

namespace edict::cli {

std::shared_ptr<const ir::Program> CompileForCommand(const std::string& path, const Common& common) {
  driver::CompileOptions options;
  options.stdlib_dir = common.stdlib_dir;
  driver::Compilation c = driver::CompileFile(path, options);
  c.diags.Sort();
  std::string text = RenderAll(c.diags, common.UseColor(2));
  std::fwrite(text.data(), 1, text.size(), stderr);
  return c.ok() ? c.program : nullptr;
}

namespace {

void AddCheck(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("check", "Parse and type-check policies and modules");
  static std::vector<std::string> files;
  static bool explain_codes = false;
  static bool dump_ir = false;
  cmd->add_flag("--dump-ir", dump_ir, "Print the lowered decision IR");
  cmd->add_option("files", files, "Policy or module files, or folders of them")->check(CLI::ExistingPath);
  cmd->add_flag("--explain-codes", explain_codes, "List every diagnostic code");
  cmd->callback([&] {
    auto& out = driver::Output::Stdout();
    if (explain_codes) {
      for (const auto& [code, text] : sema::DiagnosticCodes())
        out.Print("%s  %s\n", code.c_str(), text.c_str());
      return;
    }
    if (files.empty()) {
      std::fputs("edict check: give at least one file or folder\n", stderr);
      exit_code = driver::kExitUsage;
      return;
    }
    bool listed = true;
    for (const auto& f : ExpandPaths(files, "check", &listed)) {
      auto program = CompileForCommand(f, common);
      if (!program) {
        exit_code = driver::kExitNo;
        continue;
      }
      if (dump_ir) out.Write(ir::DumpProgram(*program));
      size_t rules = 0;
      for (const auto& r : program->rules) rules += r.withdrawn ? 0 : 1;
      out.Print("%s: ok (%zu rules, %zu quotas, %zu tests%s)\n", f.c_str(), rules, program->quotas.size(),
                program->tests.size(), program->timeline.empty() ? "" : ", timeline");
    }
    if (!listed && exit_code == driver::kExitOk) exit_code = driver::kExitBadData;
  });
}

Registrar registrar(10, AddCheck);

}  // namespace

}  // namespace edict::cli
