// Interactive line input with libedit: emacs-style editing, history kept in a file across sessions, Tab
// completion through the session, and Ctrl-C cancelling the line being typed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tools/repl/session.h"

struct editline;
struct history;

namespace edict::repl {

class LineEditor {
 public:
  // `history_path` may be empty (no history file).
  LineEditor(const Session* session, std::string history_path);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  enum Status { kLine, kInterrupted, kEof };
  // Reads one line (without its newline).
  Status Read(const std::string& prompt, std::string* line);
  // Adds the lines of one input (handled, not cancelled) to the history, and to the history file: the file is
  // re-read and merged under a lock, so that sessions running at the same time keep each other's lines.
  void Remember(const std::vector<std::string>& lines);

 private:
  static char* PromptOf(editline* el);
  static unsigned char CompleteKey(editline* el, int ch);
  static unsigned char InterruptKey(editline* el, int ch);

  const Session* session_;
  std::string history_path_;
  std::string prompt_;
  bool interrupted_ = false;
  editline* el_ = nullptr;
  history* hist_ = nullptr;
};

// $XDG_STATE_HOME/edict/history, or ~/.local/state/edict/history; its folder is created. Empty when neither
// variable is set.
std::string HistoryPath();

}  // namespace edict::repl
