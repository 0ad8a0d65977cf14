#include "tools/repl/repl.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "compiler/diag/terminal.h"
#include "compiler/driver/files.h"
#include "tools/repl/input.h"
#include "tools/repl/line_editor.h"
#include "tools/repl/session.h"

namespace edict::repl {

namespace {

// Every answer reaches standard output or the session ends: a failed write (a full disk, a closed pipe) stops
// reading input, and main() reports it with a non-zero exit status.
void Print(const std::string& s) {
  auto& out = driver::Output::Stdout();
  out.Write(s);
  out.Flush();
}

bool OutputOk() {
  return driver::Output::Stdout().ok();
}

std::string Continuation(const std::string& prompt) {
  return std::string(prompt.size() > 2 ? prompt.size() - 2 : 1, '.') + "> ";
}

// Set by SIGINT while a command runs. At the prompt Ctrl-C is a key (the line editor turns ISIG off while it
// reads); while a command runs the terminal is back in cooked mode, and Ctrl-C is the kernel's SIGINT.
volatile std::sig_atomic_t interrupted = 0;

void OnInterrupt(int) {
  interrupted = 1;
}

// SIGINT sets `interrupted` instead of ending the process, for the lifetime of an interactive session.
// SA_RESTART: a read() the signal lands in (libedit's, a policy file's) goes on instead of failing with
// EINTR. A SIGINT that was ignored when the REPL started (a background job) stays ignored.
class InterruptHandler {
 public:
  InterruptHandler() {
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, nullptr, &old_) == 0 && old_.sa_handler != SIG_IGN)
      installed_ = sigaction(SIGINT, &action, nullptr) == 0;
  }
  ~InterruptHandler() {
    if (installed_) sigaction(SIGINT, &old_, nullptr);
  }
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
  struct sigaction old_ {};
  bool installed_ = false;
};

// The width :compare lays its table out for: $COLUMNS, else the terminal's, else 80. Asked before every
// input, so a resized window is followed.
int Columns() {
  return term::Columns(1);
}

int Scripted(Session& session, bool echo) {
  std::string buffer, line, prompt;
  while (!session.done() && OutputOk() && std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (buffer.empty()) prompt = session.Prompt();
    if (echo) Print((buffer.empty() ? prompt : Continuation(prompt)) + line + "\n");
    if (!buffer.empty() && StartsCommand(line)) {
      Print(session.DropUnfinished(buffer));
      buffer.clear();
    }
    buffer += line + "\n";
    if (NeedsMore(buffer)) continue;
    session.set_columns(Columns());
    Print(session.Handle(buffer));
    buffer.clear();
  }
  if (!buffer.empty() && !session.done() && OutputOk()) {
    session.set_columns(Columns());
    Print(session.Handle(buffer));
  }
  return session.had_error() ? 1 : 0;
}

int Interactive(Session& session) {
  InterruptHandler handler;
  LineEditor editor(&session, HistoryPath());
  Print(std::string(kBanner) + "\n");
  std::string buffer, line, prompt;
  // The lines of the input being typed: remembered in the history once it is handled, not when it is
  // cancelled (Ctrl-C, Ctrl-D, or a command that drops it).
  std::vector<std::string> typed;
  while (!session.done() && OutputOk()) {
    if (buffer.empty()) prompt = session.Prompt();
    LineEditor::Status status = editor.Read(buffer.empty() ? prompt : Continuation(prompt), &line);
    if (status == LineEditor::kEof) {
      Print("\n");
      break;
    }
    if (status == LineEditor::kInterrupted) {
      buffer.clear();
      typed.clear();
      continue;
    }
    if (!buffer.empty() && StartsCommand(line)) {
      Print(session.DropUnfinished(buffer));
      buffer.clear();
      typed.clear();
    }
    buffer += line + "\n";
    typed.push_back(line);
    if (NeedsMore(buffer)) continue;
    editor.Remember(HistoryEntries(typed));
    typed.clear();
    interrupted = 0;
    session.set_columns(Columns());
    std::string out = session.Handle(buffer);
    // A command is not stopped midway (compiling a policy or running its tests has no safe place to stop),
    // so it ran to the end; the session goes on. The terminal echoed ^C without a line end.
    if (interrupted)
      out = "\n" + out + "interrupted: the command had started and ran to the end (its result is above)\n";
    Print(out);
    buffer.clear();
  }
  return 0;
}

}  // namespace

int RunRepl(const ReplOptions& options) {
  SessionOptions so;
  so.stdlib_dir = options.stdlib_dir;
  so.color = options.color;
  so.edict_version = options.edict_version;
  Session session(so);
  for (const auto& p : options.policies) Print(session.Load(p));
  // The first file named is current, if it loaded (its error was shown; no second one about switching).
  if (options.policies.size() > 1 && session.Has(options.policies[0]))
    Print(session.Handle(":policy " + options.policies[0]));
  if (!options.ledger.empty()) Print(session.Handle(":ledger open " + options.ledger));
  bool terminal = term::IsTerminal(0) && term::IsTerminal(1);
  return terminal ? Interactive(session) : Scripted(session, options.echo);
}

}  // namespace edict::repl
