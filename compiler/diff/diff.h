// `edict diff`: the structural and behavioural differences between two versions of a policy, and their
// renderings (terminal text, JSON, Markdown for a pull-request comment).
#pragma once

#include <string>
#include <vector>

#include "compiler/diff/behaviour.h"
#include "compiler/diff/source.h"
#include "compiler/diff/structural.h"

namespace edict::diff {

struct DiffReport {
  std::string old_label, new_label;
  std::vector<Change> changes;
  BehaviourResult behaviour;
  double seconds = 0;  // wall time of the behavioural search (reported, never asserted)

  bool differs() const { return !behaviour.classes.empty() || !behaviour.input_changes.empty(); }
  bool equivalent() const { return behaviour.proved && !differs(); }
  // 0 equivalent (proved), 1 behaviour differs, 2 neither could be shown.
  int ExitCode() const { return differs() ? 1 : equivalent() ? 0 : 2; }
};

// Compiles both inputs and diffs them. False with `error` (diagnostics included) when either does not
// compile.
bool RunDiff(const PolicyInput& old_input, const PolicyInput& new_input, const BehaviourOptions& options,
             DiffReport* report, std::string* error, bool color_diagnostics);

std::string RenderText(const DiffReport& r, bool color);
std::string RenderJson(const DiffReport& r);
std::string RenderMarkdown(const DiffReport& r);

}  // namespace edict::diff
