// `edict diff OLD NEW`: what changed between two versions of a policy, in text and in behaviour (Z3), with a
// replayed witness shipment for every class of shipments decided differently. Exit 0 equivalent, 1 differ, 2
// could not tell or could not read an input (docs/exit-status.md).
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "compiler/diff/diff.h"
#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "compiler/driver/process.h"
#include "runtime/jit/jit.h"
#include "tools/edict/commands.h"
#include "tools/edict/progress.h"

namespace edict::cli {

namespace {

struct DiffArgs {
  std::vector<std::string> inputs;
  std::string path;
  bool git = false;
  bool git_driver = false;
  bool quiet = false;
  std::string format = "text";
  int max_classes = 200;
  int describe_budget = 4000;
  double timeout_seconds = 120;
};

// A policy file starts (after comments) with `policy`; a stdlib module with `module`.
bool IsPolicy(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text[i] == '#' || text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) return false;
    } else {
      return text.compare(i, 7, "policy ") == 0 || text.compare(i, 7, "policy\"") == 0;
    }
  }
  return false;
}

// A path as git shows it in a diff header: in double quotes with C escapes when it holds a control character,
// a quote or a backslash, so that a file name with a newline cannot forge lines of the diff.
std::string GitQuotedPath(const std::string& path) {
  bool plain = true;
  for (unsigned char c : path) plain = plain && c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
  if (plain) return path;
  std::string out = "\"";
  for (unsigned char c : path) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// --timeout: 0 (no limit), or a finite number of seconds from 1 ms to 1,000,000 s (which fits the solver's
// unsigned milliseconds). nan, inf, negative numbers and 1e9 once overflowed the conversion to unsigned, and
// 0.0001 became 0 ms, which is "no limit".
CLI::Validator TimeoutSeconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v))
          return "must be a number of seconds, not '" + text + "'";
        if (v != 0 && (v < 0.001 || v > 1e6))
          return "must be 0 (no limit) or from 0.001 to 1000000 seconds, not " + text;
        return std::string();
      },
      "SECONDS");
}

// Resolves the two sides from the arguments; false with `error` set, and `usage` when the arguments are
// wrong rather than a file or revision unreadable.
bool Inputs(const DiffArgs& a, const Common& common, diff::Workspace& ws, diff::PolicyInput* old_in,
            diff::PolicyInput* new_in, std::string* error, bool* usage) {
  *usage = true;
  const auto& in = a.inputs;
  if (a.git_driver) {
    // git's external diff protocol: PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE, plus NEW-PATH
    // and a rename note for a renamed file. The temporary files are compiled as if they stood at their paths,
    // so sibling policies resolve from the working tree.
    if (in.size() != 7 && in.size() != 9) {
      *error = "--git-driver expects the 7 (or, for a rename, 9) arguments git passes to an external diff";
      return false;
    }
    *usage = false;
    const std::string& new_path = in.size() == 9 ? in[7] : in[0];
    std::string old_text, new_text;
    if (!ReadAll(in[1], &old_text) || !ReadAll(in[4], &new_text)) {
      *error = "cannot read the files git passed";
      return false;
    }
    std::string stdlib = common.stdlib_dir.empty() ? diff::WorkTreeStdlib(in[0]) : common.stdlib_dir;
    *old_in = diff::PolicyInput{"a/" + in[0], in[0], old_text, stdlib};
    *new_in = diff::PolicyInput{"b/" + new_path, new_path, new_text, stdlib};
    return true;
  }
  if (a.git) {
    if (in.size() != 2 && in.size() != 3) {
      *error = "usage: edict diff --git REV1 [REV2] -- PATH";
      return false;
    }
    *usage = false;
    const std::string& path = in.back();
    if (!ws.ResolveRevision(in[0], path, common.stdlib_dir, old_in, error)) return false;
    if (in.size() == 3) return ws.ResolveRevision(in[1], path, common.stdlib_dir, new_in, error);
    return ws.Resolve(path, common.stdlib_dir, new_in, error);
  }
  if (in.size() != 2) {
    *error = "usage: edict diff OLD NEW (each a file or REV:path), or edict diff --git REV1 [REV2] -- PATH";
    return false;
  }
  *usage = false;
  return ws.Resolve(in[0], common.stdlib_dir, old_in, error) &&
         ws.Resolve(in[1], common.stdlib_dir, new_in, error);
}

void AddDiff(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("diff", "Structural and behavioural (Z3) diff of two versions of a policy");
  static DiffArgs args;
  cmd->add_flag("--git", args.git, "Compare git revisions: edict diff --git REV1 [REV2] -- PATH");
  cmd->add_flag("--git-driver", args.git_driver, "Run as git's external diff (diff.edict.command)");
  cmd->add_flag("--quiet,-q", args.quiet, "No progress (the stage and item) on a terminal");
  cmd->add_option("--format", args.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("--max-classes", args.max_classes,
                  "Stop after this many classes of differences (at least 1)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--describe-budget", args.describe_budget,
                  "Solver queries spent listing the countries, end uses... of each class (0: none)")
      ->check(CLI::Range(0, 100000000));
  cmd->add_option("inputs", args.inputs, "OLD NEW (each a file or REV:path); with --git: REV1 [REV2]");
  // CLI11 hands what follows `--` to the first positional still wanting a value: this one.
  cmd->add_option("path", args.path, "with --git: the policy's path, after --");
  cmd->add_option(
         "--timeout", args.timeout_seconds,
         "Seconds one solver query may take before its part of the search is reported as not covered "
         "(0: no limit; else 0.001 to 1000000)")
      ->check(TimeoutSeconds());
  cmd->callback([&] {
    if (!args.path.empty()) args.inputs.push_back(args.path);
    diff::Workspace ws;
    diff::PolicyInput old_in, new_in;
    std::string error;
    // As git's driver, anything that is not a semantic diff of two policies falls back to git's own textual
    // diff, and the driver exits 0 (git stops at an external diff that fails).
    auto textual = [&](const std::string& why) {
      driver::Output::Stdout().Print("edict diff: %s; textual diff instead:\n", why.c_str());
      driver::Output::Stdout().Flush();
      const auto& in = args.inputs;
      if (in.size() >= 5) {
        // diffutils' diff (essential on Debian), labelled with the repository paths, not git's temporary
        // files. Run with an argument vector, never through a shell: the names come from the repository.
        const std::string& new_path = in.size() == 9 ? in[7] : in[0];
        std::string run_error;
        int status = driver::RunProgram({"diff", "-u", "--label", GitQuotedPath("a/" + in[0]), "--label",
                                         GitQuotedPath("b/" + new_path), "--", in[1], in[4]},
                                        driver::RunOptions{nullptr, true}, &run_error);
        // diff exits 0 (same) or 1 (different); 2 and above is trouble.
        if (status < 0 || status > 1)
          driver::Output::Stdout().Print("(diff could not be run%s)\n",
                                         run_error.empty() ? "" : (": " + run_error).c_str());
      }
      exit_code = 0;
    };
    bool usage = false;
    if (!Inputs(args, common, ws, &old_in, &new_in, &error, &usage)) {
      if (args.git_driver && args.inputs.size() >= 5) return textual(error);
      std::fprintf(stderr, "edict diff: %s\n", error.c_str());
      exit_code = usage ? driver::kExitUsage : driver::kExitBadData;
      return;
    }
    if (args.git_driver) {
      if (args.inputs[1] == "/dev/null") return textual("a new file, with no earlier version to compare");
      if (args.inputs[4] == "/dev/null") return textual("a deleted file");
      if (!IsPolicy(*old_in.text) || !IsPolicy(*new_in.text))
        return textual("not a policy (a stdlib module)");
    }
    diff::BehaviourOptions options;
    options.max_classes = args.max_classes;
    options.describe_budget = args.describe_budget;
    // In range (TimeoutSeconds), so the conversion is defined; a positive timeout is at least 1 ms.
    options.query_timeout_ms = static_cast<unsigned>(std::llround(args.timeout_seconds * 1000));
    // Witnesses are replayed through the JIT as well as the interpreter (without the object cache: the
    // policies compared are often temporary copies).
    options.second_engine = [](std::shared_ptr<const ir::Program> p) -> diff::Decider {
      std::string ignored;
      std::shared_ptr<jit::CompiledPolicy> compiled =
          jit::CompiledPolicy::Compile(p, jit::JitOptions{0, "", 0}, &ignored);
      if (!compiled) return nullptr;
      return [compiled](interp::Record& r, Ledger& l, const interp::DecideOptions& o) {
        return compiled->Decide(r, l, o);
      };
    };
    // Stage and item on a terminal (never as git's driver: git pages the output).
    Progress progress("diff", !args.quiet && !args.git_driver);
    if (progress.enabled())
      options.progress = [&](const diff::DiffProgress& p) { progress.Stage(p.stage, p.stages, p.what); };
    diff::DiffReport report;
    bool diffed = diff::RunDiff(old_in, new_in, options, &report, &error, common.UseColor(2));
    progress.Done();
    if (!diffed) {
      if (args.git_driver) {
        // "cannot compile b/x.edict:" then the first diagnostic: say both, on one line.
        size_t nl = error.find('\n');
        std::string first = nl == std::string::npos ? error : error.substr(0, nl);
        if (nl != std::string::npos) first += " " + error.substr(nl + 1, error.find('\n', nl + 1) - nl - 1);
        return textual(first);
      }
      std::fprintf(stderr, "edict diff: %s", error.c_str());
      exit_code = driver::kExitBadData;
      return;
    }
    std::string out = args.format == "json"       ? diff::RenderJson(report)
                      : args.format == "markdown" ? diff::RenderMarkdown(report)
                                                  : diff::RenderText(report, common.UseColor(1));
    driver::Output::Stdout().Write(out);
    // git stops at an external diff that exits non-zero, so the driver always succeeds.
    exit_code = args.git_driver ? 0 : report.ExitCode();
  });
}

Registrar registrar(70, AddDiff);

}  // namespace

}  // namespace edict::cli
