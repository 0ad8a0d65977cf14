#include "tools/repl/line_editor.h"

#include <fcntl.h>
#include <histedit.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace edict::repl {

namespace {

constexpr int kHistorySize = 1000;

// The longest common prefix of the candidates.
std::string CommonPrefix(const std::vector<std::string>& words) {
  if (words.empty()) return "";
  std::string prefix = words[0];
  for (const auto& w : words) {
    size_t n = 0;
    while (n < prefix.size() && n < w.size() && prefix[n] == w[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

}  // namespace

std::string HistoryPath() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    dir = state;
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = fs::path(home) / ".local" / "state";
  else
    return "";
  dir /= "edict";
  std::error_code ec;
  fs::create_directories(dir, ec);
  return (dir / "history").string();
}

LineEditor::LineEditor(const Session* session, std::string history_path)
    : session_(session), history_path_(std::move(history_path)) {
  el_ = el_init("edict", stdin, stdout, stderr);
  hist_ = history_init();
  HistEvent ev;
  history(hist_, &ev, H_SETSIZE, kHistorySize);
  history(hist_, &ev, H_SETUNIQUE, 1);
  if (!history_path_.empty()) history(hist_, &ev, H_LOAD, history_path_.c_str());
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_HIST, history, hist_);
  el_set(el_, EL_PROMPT, &LineEditor::PromptOf);
  // Functions are added through the wide interface with static strings: the narrow el_set() copies the name
  // and help text with wcsdup() and el_end() never frees them (LeakSanitizer fails the REPL at exit).
  el_wset(el_, EL_ADDFN, L"edict-complete", L"Complete a command, name or value", &LineEditor::CompleteKey);
  el_set(el_, EL_BIND, "^I", "edict-complete", nullptr);
  // Ctrl-C while editing is a key, not a signal: with ISIG on, a SIGINT that arrives before libedit is
  // blocked in read() (a busy machine) is handled, the typed line is flushed by the terminal, and the read
  // then waits for ever. Reading it as a character keeps it in order with the keys typed before it.
  el_set(el_, EL_SETTY, "-d", "-isig", nullptr);
  el_wset(el_, EL_ADDFN, L"edict-interrupt", L"Cancel the line being typed", &LineEditor::InterruptKey);
  el_set(el_, EL_BIND, "^C", "edict-interrupt", nullptr);
  el_source(el_, nullptr);  // the user's ~/.editrc, if any
}

LineEditor::~LineEditor() {
  history_end(hist_);
  el_end(el_);
}

char* LineEditor::PromptOf(editline* el) {
  void* self = nullptr;
  el_get(el, EL_CLIENTDATA, &self);
  return const_cast<char*>(static_cast<LineEditor*>(self)->prompt_.c_str());
}

unsigned char LineEditor::InterruptKey(editline* el, int) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  static_cast<LineEditor*>(data)->interrupted_ = true;
  return CC_EOF;
}

unsigned char LineEditor::CompleteKey(editline* el, int) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  auto* self = static_cast<LineEditor*>(data);
  const LineInfo* info = el_line(el);
  std::string before(info->buffer, static_cast<size_t>(info->cursor - info->buffer));
  Completion c = self->session_->Complete(before);
  if (c.candidates.empty()) return CC_REFRESH_BEEP;
  std::string typed = before.substr(c.start);
  std::string common = CommonPrefix(c.candidates);
  // A candidate may differ in case from what was typed (`to in` -> IN): the typed word is replaced.
  if (common.compare(0, typed.size(), typed) != 0) {
    el_deletestr(el, static_cast<int>(typed.size()));
    typed.clear();
  }
  if (c.candidates.size() == 1) {
    std::string rest = common.substr(typed.size());
    if (common.back() != '/') rest += " ";
    el_insertstr(el, rest.c_str());
    return CC_REFRESH;
  }
  if (common.size() > typed.size()) {
    el_insertstr(el, common.substr(typed.size()).c_str());
    return CC_REFRESH;
  }
  // Nothing more in common: list the candidates under the line, then redraw it.
  std::string list = "\n";
  size_t width = 0;
  for (const auto& w : c.candidates) width = std::max(width, w.size());
  size_t per_line = std::max<size_t>(1, 80 / (width + 2)), shown = 0;
  for (const auto& w : c.candidates) {
    if (shown == 200) {
      list += "\n... " + std::to_string(c.candidates.size()) + " in all";
      break;
    }
    std::string cell = w;
    cell.resize(width + 2, ' ');
    list += cell;
    if (++shown % per_line == 0) list += "\n";
  }
  if (list.back() != '\n') list += "\n";
  std::fputs(list.c_str(), stdout);
  std::fflush(stdout);
  return CC_REDISPLAY;
}

LineEditor::Status LineEditor::Read(const std::string& prompt, std::string* line) {
  prompt_ = prompt;
  interrupted_ = false;
  // Edit mode now, before the prompt shows. Left to itself, el_gets() reads the whole line in the terminal's
  // cooked mode when it sees type-ahead (FIONREAD > 0, and Linux can report that spuriously just after a line
  // typed while busy), and there Ctrl-C is the kernel's SIGINT, not our key.
  el_set(el_, EL_PREP_TERM, 1);
  int count = 0;
  const char* text = el_gets(el_, &count);
  if (interrupted_) {
    el_reset(el_);
    std::fputs("^C\n", stdout);
    std::fflush(stdout);
    return kInterrupted;
  }
  if (!text || count <= 0) return kEof;
  *line = std::string(text, static_cast<size_t>(count));
  while (!line->empty() && (line->back() == '\n' || line->back() == '\r')) line->pop_back();
  return kLine;
}

void LineEditor::Remember(const std::vector<std::string>& lines) {
  std::vector<const std::string*> entries;
  for (const auto& line : lines)
    if (line.find_first_not_of(" \t") != std::string::npos) entries.push_back(&line);
  if (entries.empty()) return;
  HistEvent ev;
  for (const std::string* e : entries) history(hist_, &ev, H_ENTER, e->c_str());
  if (history_path_.empty()) return;
  // The file as other sessions left it, plus these lines, written to a temporary file that replaces it, all
  // under a lock (on a file of its own: the history file is replaced, and a lock on it would go with it).
  // Saving this session's list instead (H_SAVE of hist_) would drop what others added since it started.
  std::string lock_path = history_path_ + ".lock";
  int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return;
  while (flock(lock, LOCK_EX) != 0 && errno == EINTR) {
  }
  History* merged = history_init();
  history(merged, &ev, H_SETSIZE, kHistorySize);
  history(merged, &ev, H_SETUNIQUE, 1);
  history(merged, &ev, H_LOAD, history_path_.c_str());
  for (const std::string* e : entries) history(merged, &ev, H_ENTER, e->c_str());
  std::string temp = history_path_ + ".tmp" + std::to_string(getpid());
  if (history(merged, &ev, H_SAVE, temp.c_str()) >= 0)
    std::rename(temp.c_str(), history_path_.c_str());
  else
    std::remove(temp.c_str());
  history_end(merged);
  flock(lock, LOCK_UN);
  close(lock);
}

}  // namespace edict::repl
