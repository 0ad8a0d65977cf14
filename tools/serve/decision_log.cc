#include "tools/serve/decision_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edict::serve {

DecisionLog::~DecisionLog() {
  std::string ignored;
  Close(&ignored);
}

bool DecisionLog::Open(const std::string& path, std::string* error) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    *error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

bool DecisionLog::Append(std::string_view lines, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) {
    *error = "the decision log '" + path_ + "' is closed";
    return false;
  }
  while (!lines.empty()) {
    ssize_t n = ::write(fd_, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write '" + path_ + "': " + std::strerror(n < 0 ? errno : EIO);
      return false;
    }
    lines.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool DecisionLog::Close(std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) return true;
  bool ok = true;
  if (::fsync(fd_) != 0) {
    *error = "cannot write '" + path_ + "': " + std::strerror(errno);
    ok = false;
  }
  if (::close(fd_) != 0 && ok) {
    *error = "cannot write '" + path_ + "': " + std::strerror(errno);
    ok = false;
  }
  fd_ = -1;
  return ok;
}

}  // namespace edict::serve
