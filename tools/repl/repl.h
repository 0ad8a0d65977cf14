// `edict repl`: the read-eval-print loop around a Session. On a terminal it edits lines with libedit;
// otherwise it reads commands from stdin and prints plain output, so sessions can be scripted and tested.
#pragma once

#include <string>
#include <vector>

namespace edict::repl {

struct ReplOptions {
  std::vector<std::string> policies;  // loaded at start; the first is current
  std::string stdlib_dir;
  bool color = false;
  bool echo = false;   // scripted sessions: print the prompt and each input line before its answer
  std::string ledger;  // --ledger: opened at start (:ledger open)
  std::string edict_version = "unknown";
};

// Printed once when an interactive session (a terminal) starts; scripted sessions do not print it.
inline constexpr char kBanner[] = "edict repl: :help lists the commands, Ctrl-D leaves";

// Returns the exit code: 0, or 1 when a scripted session had an error.
int RunRepl(const ReplOptions& options);

}  // namespace edict::repl
