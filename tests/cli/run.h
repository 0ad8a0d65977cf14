// Runs a program for the CLI tests: an argument vector (no shell), environment changes, standard input from a
// file, standard output and error captured separately, the exit status.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace edict::test {

struct Outcome {
  int status = -1;  // exit status, or 128 + signal
  std::string out, err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `env` sets variables and `unset` removes them (after NO_COLOR=1, which every run gets).
inline Outcome RunArgs(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env = {},
                       const std::vector<std::string>& unset = {},
                       const std::string& stdin_file = "/dev/null", const std::string& stdout_file = "") {
  namespace fs = std::filesystem;
  static int counter = 0;
  std::string tag = std::to_string(getpid()) + "-" + std::to_string(++counter);
  std::string out_file =
      stdout_file.empty() ? (fs::temp_directory_path() / ("edict-cli-out-" + tag)).string() : stdout_file;
  std::string err_file = (fs::temp_directory_path() / ("edict-cli-err-" + tag)).string();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(EDICT_SOURCE_DIR) != 0) _exit(120);
    int in = open(stdin_file.c_str(), O_RDONLY);
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(121);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    setenv("NO_COLOR", "1", 1);
    for (const auto& name : unset) unsetenv(name.c_str());
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> copy = argv;
    std::vector<char*> args;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(122);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (stdout_file.empty()) r.out = Slurp(out_file);  // (a file given, /dev/full say, is not read back)
  r.err = Slurp(err_file);
  if (stdout_file.empty()) fs::remove(out_file);
  fs::remove(err_file);
  return r;
}

inline Outcome Edict(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), EDICT_BINARY);
  return RunArgs(args, env, {"EDICT_STDLIB"});
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh temporary directory, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("edict-cli-" + tag + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace edict::test
