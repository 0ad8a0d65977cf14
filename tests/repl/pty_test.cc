// Drives the real `edict repl` through a pseudo-terminal (forkpty): Tab completion, line editing, Ctrl-C,
// history kept in $XDG_STATE_HOME/edict/history, and Ctrl-D. Each step waits for text on the screen. No step
// is timed; only a REPL that prints nothing at all for two minutes is called stuck, so that a hang fails with
// the screen shown instead of stalling the whole test run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

constexpr int kStuckAfterMs = 120'000;

class Terminal {
 public:
  explicit Terminal(const fs::path& state_dir) {
    pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      if (chdir(EDICT_SOURCE_DIR) != 0) _exit(126);
      // Dispositions as in a shell's foreground job: a test run in the background (SIGINT ignored) or a test
      // that ignores SIGPIPE must not hand that on to the REPL, which keeps an ignored SIGINT ignored.
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGPIPE, SIG_DFL);
      setenv("TERM", "xterm", 1);
      setenv("NO_COLOR", "1", 1);
      setenv("XDG_STATE_HOME", state_dir.c_str(), 1);
      unsetenv("EDITRC");
      setenv("HOME", state_dir.c_str(), 1);  // no ~/.editrc
      execl(EDICT_BINARY, "edict", "repl", "policies/ai_diffusion_2025.edict", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Terminal() {
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
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, kStuckAfterMs) == 0) {
        ADD_FAILURE() << "the REPL printed nothing for " << kStuckAfterMs / 1000
                      << " s while the test waited for \"" << text << "\"";
        return false;
      }
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      screen_.append(buf, static_cast<size_t>(n));
    }
  }

  // Waits for the REPL to open the named pipe `path` for reading, and returns the writing end (-1 when the
  // program ends first). What the REPL prints meanwhile is kept on the screen.
  int OpenForWriting(const fs::path& path) {
    while (true) {
      int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) return fd;
      if (errno != ENXIO) return -1;  // ENXIO: nobody reads yet
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 20) == 1) {
        char buf[4096];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0 && errno != EINTR) return -1;
        if (n > 0) screen_.append(buf, static_cast<size_t>(n));
      }
    }
  }

  // Reads until the program closes the terminal.
  void ReadToEnd() {
    while (true) {
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      screen_.append(buf, static_cast<size_t>(n));
    }
  }

  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& screen() const { return screen_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool reaped_ = false;
  std::string screen_;
  size_t mark_ = 0;
};

const char* kPrompt = "ai_diffusion_2025> ";

fs::path FreshStateDir(const char* name) {
  fs::path state = fs::path(testing::TempDir()) / (name + std::to_string(getpid()));
  fs::remove_all(state);
  fs::create_directories(state);
  return state;
}

TEST(ReplTerminal, CompletionEditingInterruptHistoryAndEof) {
  fs::path state = FreshStateDir("edict_repl_pty_");
  Terminal t(state);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  // Tab: the common prefix of the H100 ids, then the list of candidates, then the unique completion; a
  // country code typed in lower case is replaced by the code.
  t.Type("ship 10 nvidia-h1\t");
  t.Type("\t");
  ASSERT_TRUE(t.WaitFor("nvidia-h100-pcie")) << t.screen();  // only shown by the candidate list
  t.Type("s\t");
  t.Type("to in\t");
  t.Type("consignee \"Indus\" on 2025-03-01\r");
  ASSERT_TRUE(t.WaitFor("SHIPS UNDER LICENSE EXCEPTION LPP")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  // Editing: Ctrl-A moves to the start of the line, where the rest is inserted.
  t.Type("* 2\x01nvidia-h100-sxm.tpp \r");
  ASSERT_TRUE(t.WaitFor("31,664 tpp")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  // Ctrl-C cancels the line being typed; the next line starts afresh.
  t.Type("ship 99 nothing-like-a-chip");
  t.Type("\x03");
  ASSERT_TRUE(t.WaitFor("^C")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("40 + 2\r");
  ASSERT_TRUE(t.WaitFor("\n42")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  // Up arrow recalls the last line.
  t.Type("\x1b[A\r");
  ASSERT_TRUE(t.WaitFor("\n42")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  // Ctrl-D on an empty line leaves.
  t.Type("\x04");
  t.ReadToEnd();  // what it prints on the way out (a sanitizer report, say) shows in a failure
  EXPECT_EQ(t.Wait(), 0) << t.screen();
  EXPECT_EQ(t.screen().find("unknown catalog id"), std::string::npos) << t.screen();

  std::ifstream history(state / "edict" / "history");
  ASSERT_TRUE(history.good()) << "no history file";
  std::stringstream text;
  text << history.rdbuf();
  EXPECT_NE(text.str().find("40"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("nothing-like-a-chip"), std::string::npos) << text.str();
  fs::remove_all(state);
}

std::string HistoryText(const fs::path& state) {
  std::ifstream history(state / "edict" / "history");
  std::stringstream text;
  text << history.rdbuf();
  // libedit writes a space in an entry as \040.
  std::string out = text.str();
  for (size_t at = out.find("\\040"); at != std::string::npos; at = out.find("\\040", at + 1))
    out.replace(at, 4, " ");
  return out;
}

// Two sessions at once share the history file: each adds its lines to it, so neither loses the other's (the
// whole in-memory list used to be written over the file). A third session recalls the last line with Up.
TEST(ReplTerminal, ConcurrentSessionsKeepEachOthersHistory) {
  fs::path state = FreshStateDir("edict_repl_pty_hist_");
  {
    Terminal a(state), b(state);
    ASSERT_TRUE(a.started() && b.started());
    ASSERT_TRUE(a.WaitFor(kPrompt)) << a.screen();
    ASSERT_TRUE(b.WaitFor(kPrompt)) << b.screen();
    a.Type("1 + 100\r");
    ASSERT_TRUE(a.WaitFor("\n101")) << a.screen();
    ASSERT_TRUE(a.WaitFor(kPrompt)) << a.screen();
    b.Type("2 + 200\r");
    ASSERT_TRUE(b.WaitFor("\n202")) << b.screen();
    ASSERT_TRUE(b.WaitFor(kPrompt)) << b.screen();
    a.Type("3 + 300\r");
    ASSERT_TRUE(a.WaitFor("\n303")) << a.screen();
    ASSERT_TRUE(a.WaitFor(kPrompt)) << a.screen();
    a.Type("\x04");
    b.Type("\x04");
    a.ReadToEnd();
    b.ReadToEnd();
    EXPECT_EQ(a.Wait(), 0) << a.screen();
    EXPECT_EQ(b.Wait(), 0) << b.screen();
  }
  std::string history = HistoryText(state);
  EXPECT_NE(history.find("100"), std::string::npos) << history;
  EXPECT_NE(history.find("200"), std::string::npos) << history;
  EXPECT_NE(history.find("300"), std::string::npos) << history;
  struct stat st {};
  ASSERT_EQ(stat((state / "edict" / "history").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const auto& entry : fs::directory_iterator(state / "edict"))  // no temporary file left behind
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();

  Terminal c(state);
  ASSERT_TRUE(c.started());
  ASSERT_TRUE(c.WaitFor(kPrompt)) << c.screen();
  c.Type("\x1b[A\r");
  ASSERT_TRUE(c.WaitFor("\n303")) << c.screen();
  ASSERT_TRUE(c.WaitFor(kPrompt)) << c.screen();
  c.Type("\x04");
  c.ReadToEnd();
  EXPECT_EQ(c.Wait(), 0) << c.screen();
  fs::remove_all(state);
}

// The lines of a declaration abandoned with Ctrl-C on a continuation line are not kept in the history; those
// of a finished one are.
TEST(ReplTerminal, CancelledMultiLineInputIsNotRemembered) {
  fs::path state = FreshStateDir("edict_repl_pty_cancel_");
  Terminal t(state);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("rule abandoned_rule\r");
  ASSERT_TRUE(t.WaitFor("> ")) << t.screen();
  t.Type("  when destination is NP\r");
  ASSERT_TRUE(t.WaitFor("> ")) << t.screen();
  t.Type("\x03");
  ASSERT_TRUE(t.WaitFor("^C")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("rule kept_rule\r  cite \"x\"\r  when destination is NP\r  then prohibited\r\r");
  ASSERT_TRUE(t.WaitFor("added rule kept_rule")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("\x04");
  t.ReadToEnd();
  EXPECT_EQ(t.Wait(), 0) << t.screen();
  std::string history = HistoryText(state);
  EXPECT_EQ(history.find("abandoned_rule"), std::string::npos) << history;
  EXPECT_EQ(history.find("destination is NP"), history.rfind("destination is NP")) << history;  // once
  EXPECT_NE(history.find("kept_rule"), std::string::npos) << history;
  fs::remove_all(state);
}

// A declaration typed over several lines is one history entry: Up recalls all of it on one line, and
// entering it again replaces the rule typed before.
TEST(ReplTerminal, MultiLineInputIsRecalledWhole) {
  fs::path state = FreshStateDir("edict_repl_pty_whole_");
  Terminal t(state);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("rule rr\r  cite \"x\"\r  when destination is NP\r  then prohibited\r\r");
  ASSERT_TRUE(t.WaitFor("added rule rr")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("\x1b[A");
  ASSERT_TRUE(t.WaitFor("rule rr cite \"x\" when destination is NP then prohibited")) << t.screen();
  t.Type("\r");
  ASSERT_TRUE(t.WaitFor("replaced rule rr")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("\x04");
  t.ReadToEnd();
  EXPECT_EQ(t.Wait(), 0) << t.screen();
  std::string history = HistoryText(state);
  EXPECT_NE(history.find("rule rr cite \"x\" when destination is NP then prohibited"), std::string::npos)
      << history;
  EXPECT_EQ(history.find("  then prohibited"), std::string::npos) << history;  // not line by line
  fs::remove_all(state);
}

// Ctrl-C while a command runs (the terminal is in cooked mode, so it is the kernel's SIGINT) does not end the
// session: the command finishes and the REPL says it was interrupted. The command is `:load` of a named pipe,
// which keeps the REPL busy, without any timing, until the test writes the policy: the pipe is opened for
// writing only once the REPL reads it, and the policy is written only after the terminal has echoed ^C (it
// echoes after raising the signal).
TEST(ReplTerminal, CtrlCWhileACommandRunsDoesNotEndTheSession) {
  std::signal(SIGPIPE, SIG_IGN);  // a REPL killed by the signal must fail the test, not end it
  fs::path state = FreshStateDir("edict_repl_pty_int_");
  fs::path pipe = state / "slow.edict";
  ASSERT_EQ(mkfifo(pipe.c_str(), 0600), 0);
  Terminal t(state);
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("const mine = 5\r");
  ASSERT_TRUE(t.WaitFor("mine = 5")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();

  t.Type(":load " + pipe.string() + "\r");
  int writer = t.OpenForWriting(pipe);
  ASSERT_GE(writer, 0) << t.screen();
  t.Type("\x03");
  ASSERT_TRUE(t.WaitFor("^C")) << t.screen();
  std::string policy =
      "policy \"slow\"\n  summary \"Arrives through a pipe.\"\n\nimport ear.units\nimport ear.shipment\n";
  EXPECT_EQ(write(writer, policy.data(), policy.size()), (ssize_t)policy.size());
  close(writer);
  ASSERT_TRUE(t.WaitFor("loaded slow")) << t.screen();
  ASSERT_TRUE(t.WaitFor("interrupted")) << t.screen();
  ASSERT_TRUE(t.WaitFor("slow> ")) << t.screen();

  // The session is intact: the declaration typed before is still there.
  t.Type(":policy ai_diffusion_2025\r");
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("mine * 2\r");
  ASSERT_TRUE(t.WaitFor("\n10")) << t.screen();
  ASSERT_TRUE(t.WaitFor(kPrompt)) << t.screen();
  t.Type("\x04");
  t.ReadToEnd();
  EXPECT_EQ(t.Wait(), 0) << t.screen();
  fs::remove_all(state);
}

}  // namespace
