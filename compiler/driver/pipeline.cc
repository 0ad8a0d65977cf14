#include "compiler/driver/pipeline.h"

#include <algorithm>

#include "compiler/ir/lower.h"
#include "compiler/ir/tabulate.h"
#include "compiler/sema/check.h"
#include "compiler/sema/load.h"
#include "runtime/sha256.h"

namespace edict::driver {

namespace {

// Sources, AST and checker results, kept alive by the program (spans and types point into them).
struct Owned {
  SourceManager sources;
  sema::LoadedProgram loaded;
  sema::CheckedProgram checked;
};

// Builds the record mapping from a timeline's schema to one of its policies' (fields by name, enums by
// member).
void LinkEntry(const ir::Program& top, ir::TimelineEntry& entry) {
  const ir::Program& sub = *entry.program;
  entry.field_map.assign(sub.fields.size(), -1);
  entry.member_map.assign(sub.fields.size(), {});
  for (size_t i = 0; i < sub.fields.size(); ++i) {
    int t = top.FieldIndex(sub.fields[i].name);
    entry.field_map[i] = t;
    if (t < 0 || top.fields[t].enum_index < 0 || sub.fields[i].enum_index < 0) continue;
    const auto& from = top.enums[top.fields[t].enum_index].members;
    const auto& to = sub.enums[sub.fields[i].enum_index].members;
    std::vector<int> map(from.size(), -1);
    for (size_t m = 0; m < from.size(); ++m) {
      auto it = std::find(to.begin(), to.end(), from[m]);
      if (it != to.end()) map[m] = static_cast<int>(it - to.begin());
    }
    entry.member_map[i] = std::move(map);
  }
}

Compilation Compile(const std::string& path, const CompileOptions& options, const std::string* text,
                    int depth) {
  Compilation result;
  auto owned = std::make_shared<Owned>();
  result.sources.push_back(owned);
  sema::LoadOptions load;
  load.stdlib_dirs = sema::DefaultStdlibDirs(options.stdlib_dir);
  load.parse_cache = options.parse_cache;
  if (!sema::LoadProgram(path, text, owned->sources, load, result.diags, &owned->loaded)) return result;
  if (!sema::Check(owned->loaded, result.diags, &owned->checked)) return result;
  std::shared_ptr<ir::Program> program = ir::Lower(owned->checked, result.diags);
  if (!program) return result;
  if (options.tabulate) ir::Tabulate(*program);
  program->owner = owned;
  // Names and lengths go in with the texts, so that no two different sets of sources hash alike.
  Sha256 hash;
  for (const auto& module : owned->loaded.modules) {
    if (!module->file) continue;
    hash.Update(module->name + "\n" + std::to_string(module->file->text.size()) + "\n");
    hash.Update(module->file->text);
  }
  for (auto& entry : program->timeline) {
    if (depth > 0) {
      result.diags.Error("E0410", Span{}, "a timeline cannot apply another timeline ('" + entry.path + "')");
      return result;
    }
    Compilation sub = Compile(entry.path, options, nullptr, depth + 1);
    result.diags.Append(sub.diags);
    result.sources.insert(result.sources.end(), sub.sources.begin(), sub.sources.end());
    if (!sub.ok()) return result;
    entry.program = sub.program;
    LinkEntry(*program, entry);
    hash.Update("timeline " + sub.program->content_hash + "\n");
    // The timeline's periods of pending rules are every policy's (interp::PendingRulesPeriod on the
    // timeline).
    auto& edges = program->rule_compliance_edges;
    edges.insert(edges.end(), sub.program->rule_compliance_edges.begin(),
                 sub.program->rule_compliance_edges.end());
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  }
  program->content_hash = hash.HexFinal();
  result.program = program;
  return result;
}

}  // namespace

Compilation CompileFile(const std::string& path, const CompileOptions& options, const std::string* text) {
  return Compile(path, options, text, 0);
}

}  // namespace edict::driver
