// Running another program (git, diff, tar) without a shell: the arguments go to the program as an argument
// vector, so no file name, revision or label is ever parsed by /bin/sh.
#pragma once

#include <string>
#include <vector>

namespace edict::driver {

struct RunOptions {
  // When set, the program's standard output is captured here (else it is inherited).
  std::string* capture = nullptr;
  // The program's standard error is discarded unless this is set.
  bool keep_stderr = false;
};

// Runs argv[0] (looked up in PATH) with argv[1...], standard input from /dev/null. Returns the exit status
// (0-255), or -1 when the program could not be started or was ended by a signal, with `error` set then.
int RunProgram(const std::vector<std::string>& argv, const RunOptions& options, std::string* error = nullptr);

}  // namespace edict::driver
