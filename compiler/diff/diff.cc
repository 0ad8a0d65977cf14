#include "compiler/diff/diff.h"

#include <chrono>

#include "compiler/driver/pipeline.h"

namespace edict::diff {

namespace {

std::shared_ptr<const ir::Program> Compile(const PolicyInput& in, std::string* error, bool color) {
  driver::CompileOptions options;
  options.stdlib_dir = in.stdlib_dir;
  options.parse_cache = in.parse_cache;
  driver::Compilation c = driver::CompileFile(in.path, options, in.text ? &*in.text : nullptr);
  if (c.ok()) return c.program;
  *error += "cannot compile " + in.label + ":\n" + RenderAll(c.diags, color);
  return nullptr;
}

}  // namespace

bool RunDiff(const PolicyInput& old_input, const PolicyInput& new_input, const BehaviourOptions& options,
             DiffReport* report, std::string* error, bool color_diagnostics) {
  auto stage = [&](int n, const char* what) {
    if (options.progress) options.progress(DiffProgress{n, 4, what});
  };
  stage(1, "compiling both versions");
  auto a = Compile(old_input, error, color_diagnostics);
  auto b = Compile(new_input, error, color_diagnostics);
  if (!a || !b) return false;
  report->old_label = old_input.label;
  report->new_label = new_input.label;
  stage(2, "structural changes");
  report->changes = StructuralDiff(*a, *b, old_input, new_input);
  auto start = std::chrono::steady_clock::now();
  Decider old_decider, new_decider;
  if (options.second_engine) {
    stage(3, "compiling both versions with the JIT, to replay the witnesses");
    old_decider = options.second_engine(a);
    new_decider = options.second_engine(b);
  }
  stage(4, "behaviour");
  report->behaviour = DiffBehaviour(*a, *b, options, old_decider, new_decider);
  if (old_decider && new_decider) report->behaviour.second_engine = options.second_engine_name;
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace edict::diff
