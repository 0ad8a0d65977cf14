#include "compiler/driver/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace edict::driver {

int RunProgram(const std::vector<std::string>& argv, const RunOptions& options, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  if (argv.empty()) {
    *error = "no program to run";
    return -1;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int pipe_fds[2] = {-1, -1};
  if (options.capture && pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.capture) posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  if (!options.keep_stderr) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // The child starts with default signal handling (a parent that ignores SIGPIPE must not pass that on).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (options.capture) close(pipe_fds[1]);
  if (rc != 0) {
    if (options.capture) close(pipe_fds[0]);
    *error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  if (options.capture) {
    options.capture->clear();
    char buf[4096];
    for (;;) {
      ssize_t n = read(pipe_fds[0], buf, sizeof buf);
      if (n > 0) {
        options.capture->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    close(pipe_fds[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = std::string("cannot wait for ") + argv[0] + ": " + std::strerror(errno);
      return -1;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  *error = argv[0] + " was ended by signal " + std::to_string(WTERMSIG(status));
  return -1;
}

}  // namespace edict::driver
