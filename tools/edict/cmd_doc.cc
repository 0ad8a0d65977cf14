// `edict doc FILE [--output FILE]`: a human-readable Markdown summary of a policy (see
// compiler/driver/policy_doc.h), or the reference of a stdlib module (compiler/driver/module_doc.h).
#include <cstdio>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/driver/module_doc.h"
#include "compiler/driver/policy_doc.h"
#include "compiler/sema/load.h"
#include "tools/edict/commands.h"

namespace edict::cli {

namespace {

void AddDoc(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "doc",
      "Write a Markdown summary of a policy (rules, exceptions, quotas, tests) or the reference of "
      "a stdlib module (sets with their members, tables with every row, functions)");
  static std::string policy, output;
  cmd->add_option("policy", policy, "Policy or module file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--output,-o", output, "Write to this file instead of standard output");
  cmd->callback([&] {
    if (!output.empty() && driver::SameFile(output, policy)) {
      std::fprintf(stderr, "edict doc: the output '%s' is the policy file itself; not overwriting it\n",
                   output.c_str());
      exit_code = driver::kExitUsage;
      return;
    }
    auto program = CompileForCommand(policy, common);
    if (!program) {
      exit_code = driver::kExitNo;
      return;
    }
    // The AST adds what the IR does not keep (headers of imported policies, withdrawals). It compiled above,
    // so it loads; if it somehow does not, the document is rendered from the IR alone.
    SourceManager sources;
    DiagnosticList diags;
    sema::LoadOptions load;
    load.stdlib_dirs = sema::DefaultStdlibDirs(common.stdlib_dir);
    sema::LoadedProgram loaded;
    bool have_ast = sema::LoadProgram(policy, nullptr, sources, load, diags, &loaded);
    // A module decides nothing: its document is a reference of what it declares.
    std::string markdown = have_ast && loaded.root && !loaded.root->is_policy
                               ? driver::ModuleDocMarkdown(*program, loaded)
                               : driver::PolicyDocMarkdown(*program, have_ast ? &loaded : nullptr);
    if (output.empty()) {
      driver::Output::Stdout().Write(markdown);
      return;
    }
    driver::Output out;
    std::string error;
    if (!out.Open(output, &error) || !out.Write(markdown) || !out.Close(&error)) {
      std::fprintf(stderr, "edict doc: %s\n", (error.empty() ? out.Error() : error).c_str());
      exit_code = driver::kExitWriteFailed;
    }
  });
}

Registrar registrar(60, AddDoc);

}  // namespace

}  // namespace edict::cli
