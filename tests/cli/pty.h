// A program run on a pseudo-terminal (forkpty), as a user at a terminal runs it: standard input, output and
// error are all the terminal. Each step waits for text on the screen; no step is timed, only a program that
// prints nothing for two minutes is called stuck (so a hang fails with the screen shown).
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace edict::test {

class Pty {
 public:
  // `args` after the binary; `env` set in the child (NO_COLOR=1 and TERM=xterm always). `columns` is the
  // terminal's width.
  explicit Pty(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
               int columns = 100) {
    winsize ws{};
    ws.ws_row = 40;
    ws.ws_col = static_cast<unsigned short>(columns);
    pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      if (chdir(EDICT_SOURCE_DIR) != 0) _exit(126);
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGPIPE, SIG_DFL);
      setenv("TERM", "xterm", 1);
      setenv("NO_COLOR", "1", 1);
      unsetenv("EDICT_STDLIB");
      unsetenv("COLUMNS");
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      std::vector<std::string> copy = args;
      std::vector<char*> argv = {const_cast<char*>(EDICT_BINARY)};
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(EDICT_BINARY, argv.data());
      _exit(127);
    }
  }
  ~Pty() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }

  void Type(const std::string& keys) {
    ASSERT_EQ(write(fd_, keys.data(), keys.size()), (ssize_t)keys.size());
  }

  // Reads until `text` appears after the last match; false when the program ends first.
  bool WaitFor(const std::string& text) {
    while (true) {
      size_t at = screen_.find(text, mark_);
      if (at != std::string::npos) {
        mark_ = at + text.size();
        return true;
      }
      if (!ReadSome()) return false;
    }
  }

  // Reads to the end of the program's output and returns its exit status.
  int Finish() {
    while (ReadSome()) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& screen() const { return screen_; }

 private:
  bool ReadSome() {
    while (true) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 120'000) == 0) {
        ADD_FAILURE() << "the program printed nothing for 120 s; the screen:\n" << screen_;
        return false;
      }
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // EIO: the program has ended and closed the terminal
      screen_.append(buf, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string screen_;
  size_t mark_ = 0;
};

}  // namespace edict::test
