// `edict diff OLD NEW`: what changed between two versions of a policy, in text and in behaviour (Z3), with a
// replayed witness shipment for every class of shipments decided differently. Exit 0 equivalent, 1 differ, 2
// error.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "compiler/diff/diff.h"
#include "tools/edict/commands.h"

namespace edict::cli {

namespace {

struct DiffArgs {
  std::vector<std::string> inputs;
  std::string path;
  bool git = false;
  bool git_driver = false;
  std::string format = "text";
  int max_classes = 200;
  int describe_budget = 4000;
};

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Resolves the two sides from the arguments; false with `error` set.
bool Inputs(const DiffArgs& a, const Common& common, diff::Workspace& ws, diff::PolicyInput* old_in,
            diff::PolicyInput* new_in, std::string* error) {
  const auto& in = a.inputs;
  if (a.git_driver) {
    // git's external diff protocol: PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE. The temporary
    // files are compiled as if they stood at PATH, so sibling policies resolve from the working tree.
    if (in.size() != 7) {
      *error = "--git-driver expects the 7 arguments git passes to an external diff";
      return false;
    }
    std::string old_text, new_text;
    if (!ReadAll(in[1], &old_text) || !ReadAll(in[4], &new_text)) {
      *error = "cannot read the files git passed";
      return false;
    }
    *old_in = diff::PolicyInput{"a/" + in[0], in[0], old_text, common.stdlib_dir};
    *new_in = diff::PolicyInput{"b/" + in[0], in[0], new_text, common.stdlib_dir};
    return true;
  }
  if (a.git) {
    if (in.size() != 2 && in.size() != 3) {
      *error = "usage: edict diff --git REV1 [REV2] -- PATH";
      return false;
    }
    const std::string& path = in.back();
    if (!ws.ResolveRevision(in[0], path, common.stdlib_dir, old_in, error)) return false;
    if (in.size() == 3) return ws.ResolveRevision(in[1], path, common.stdlib_dir, new_in, error);
    return ws.Resolve(path, common.stdlib_dir, new_in, error);
  }
  if (in.size() != 2) {
    *error = "usage: edict diff OLD NEW (each a file or REV:path), or edict diff --git REV1 [REV2] -- PATH";
    return false;
  }
  return ws.Resolve(in[0], common.stdlib_dir, old_in, error) &&
         ws.Resolve(in[1], common.stdlib_dir, new_in, error);
}

void AddDiff(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("diff", "Structural and behavioural (Z3) diff of two versions of a policy");
  static DiffArgs args;
  cmd->add_flag("--git", args.git, "Compare git revisions: edict diff --git REV1 [REV2] -- PATH");
  cmd->add_flag("--git-driver", args.git_driver, "Run as git's external diff (diff.edict.command)");
  cmd->add_option("--format", args.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("--max-classes", args.max_classes, "Stop after this many classes of differences");
  cmd->add_option("--describe-budget", args.describe_budget,
                  "Solver queries spent listing the countries, end uses... of each class (0: none)");
  cmd->add_option("inputs", args.inputs, "OLD NEW (each a file or REV:path); with --git: REV1 [REV2]");
  // CLI11 hands what follows `--` to the first positional still wanting a value: this one.
  cmd->add_option("path", args.path, "with --git: the policy's path, after --");
  cmd->callback([&] {
    if (!args.path.empty()) args.inputs.push_back(args.path);
    diff::Workspace ws;
    diff::PolicyInput old_in, new_in;
    std::string error;
    if (!Inputs(args, common, ws, &old_in, &new_in, &error)) {
      std::fprintf(stderr, "edict diff: %s\n", error.c_str());
      exit_code = 2;
      return;
    }
    diff::BehaviourOptions options;
    options.max_classes = args.max_classes;
    options.describe_budget = args.describe_budget;
    diff::DiffReport report;
    if (!diff::RunDiff(old_in, new_in, options, &report, &error, common.UseColor(2))) {
      std::fprintf(stderr, "edict diff: %s", error.c_str());
      exit_code = 2;
      return;
    }
    std::string out = args.format == "json"       ? diff::RenderJson(report)
                      : args.format == "markdown" ? diff::RenderMarkdown(report)
                                                  : diff::RenderText(report, common.UseColor(1));
    std::fputs(out.c_str(), stdout);
    // git stops at an external diff that exits non-zero, so the driver always succeeds.
    exit_code = args.git_driver ? 0 : report.ExitCode();
  });
}

Registrar registrar(70, AddDiff);

}  // namespace

}  // namespace edict::cli
