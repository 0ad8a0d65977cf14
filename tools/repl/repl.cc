#include "tools/repl/repl.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "tools/repl/input.h"
#include "tools/repl/line_editor.h"
#include "tools/repl/session.h"

namespace edict::repl {

namespace {

void Print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

std::string Continuation(const std::string& prompt) {
  return std::string(prompt.size() > 2 ? prompt.size() - 2 : 1, '.') + "> ";
}

int Scripted(Session& session, bool echo) {
  std::string buffer, line, prompt;
  while (!session.done() && std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (buffer.empty()) prompt = session.Prompt();
    if (echo) Print((buffer.empty() ? prompt : Continuation(prompt)) + line + "\n");
    buffer += line + "\n";
    if (NeedsMore(buffer)) continue;
    Print(session.Handle(buffer));
    buffer.clear();
  }
  if (!buffer.empty() && !session.done()) Print(session.Handle(buffer));
  return session.had_error() ? 1 : 0;
}

int Interactive(Session& session) {
  LineEditor editor(&session, HistoryPath());
  Print("edict repl: :help lists the commands, Ctrl-D leaves\n");
  std::string buffer, line, prompt;
  while (!session.done()) {
    if (buffer.empty()) prompt = session.Prompt();
    LineEditor::Status status = editor.Read(buffer.empty() ? prompt : Continuation(prompt), &line);
    if (status == LineEditor::kEof) {
      Print("\n");
      break;
    }
    if (status == LineEditor::kInterrupted) {
      buffer.clear();
      continue;
    }
    editor.Remember(line);
    buffer += line + "\n";
    if (NeedsMore(buffer)) continue;
    Print(session.Handle(buffer));
    buffer.clear();
  }
  return 0;
}

}  // namespace

int RunRepl(const ReplOptions& options) {
  SessionOptions so;
  so.stdlib_dir = options.stdlib_dir;
  so.color = options.color;
  Session session(so);
  for (const auto& p : options.policies) Print(session.Load(p));
  if (options.policies.size() > 1) Print(session.Handle(":policy " + options.policies[0]));
  bool terminal = isatty(0) && isatty(1);
  return terminal ? Interactive(session) : Scripted(session, options.echo);
}

}  // namespace edict::repl
