#include "compiler/driver/files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

namespace edict::driver {

Output& Output::Stdout() {
  static Output* out = [] {
    auto* o = new Output;  // never destroyed: it outlives every command, and main() closes it
    o->file_ = stdout;
    o->name_ = "standard output";
    return o;
  }();
  return *out;
}

Output::~Output() {
  if (file_ && file_ != stdout) std::fclose(file_);
}

bool Output::Open(const std::string& path, std::string* error) {
  if (file_ && file_ != stdout) std::fclose(file_);
  name_ = "'" + path + "'";
  errno_ = 0;
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) {
    Fail(errno);
    *error = Error();
    return false;
  }
  return true;
}

void Output::Fail(int err) {
  if (errno_ == 0) errno_ = err ? err : EIO;
}

bool Output::Write(std::string_view s) {
  if (!ok() || !file_) return false;
  if (!s.empty() && std::fwrite(s.data(), 1, s.size(), file_) != s.size()) Fail(errno);
  return ok();
}

bool Output::Print(const char* format, ...) {
  if (!ok() || !file_) return false;
  va_list args;
  va_start(args, format);
  int n = std::vfprintf(file_, format, args);
  va_end(args);
  if (n < 0) Fail(errno);
  return ok();
}

bool Output::Flush() {
  if (!ok()) return false;
  if (file_ && std::fflush(file_) != 0) Fail(errno);
  return ok();
}

bool Output::Close(std::string* error) {
  if (file_) {
    errno = 0;
    if (ok() && std::fflush(file_) != 0) Fail(errno);
    // A failure that went through stdio without this class (CLI11's help through std::cout, libedit).
    if (ok() && std::ferror(file_)) Fail(errno);
    if (std::fclose(file_) != 0) Fail(errno);
    file_ = nullptr;
  }
  if (ok()) return true;
  if (error) *error = Error();
  return false;
}

std::string Output::Error() const {
  return "cannot write " + name_ + ": " + std::strerror(errno_ ? errno_ : EIO);
}

InputLines::~InputLines() {
  if (owned_ && file_) std::fclose(file_);
  std::free(buffer_);
}

bool InputLines::Open(const std::string& path, std::string* error) {
  if (path == "-") {
    file_ = stdin;
    name_ = "standard input";
    struct stat st {};
    if (::fstat(0, &st) == 0 && S_ISDIR(st.st_mode)) {
      *error = "cannot read " + name_ + ": " + std::strerror(EISDIR);
      return false;
    }
    if (S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
    return true;
  }
  name_ = "'" + path + "'";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *error = "cannot read " + name_ + ": " + std::strerror(EISDIR);
    return false;
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    *error = "cannot read " + name_ + ": " + std::strerror(errno);
    return false;
  }
  owned_ = true;
  if (S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  return true;
}

bool InputLines::Next(std::string* line) {
  if (!file_ || errno_ || std::feof(file_)) return false;  // (see Read)
  errno = 0;
  ssize_t n = ::getline(&buffer_, &capacity_, file_);
  if (n < 0) {
    if (std::ferror(file_)) errno_ = errno ? errno : EIO;
    return false;
  }
  bytes_ += static_cast<uint64_t>(n);
  line->assign(buffer_, static_cast<size_t>(n));
  if (!line->empty() && line->back() == '\n') line->pop_back();
  if (first_) {
    first_ = false;
    StripBom(line);
  }
  return true;
}

long InputLines::Read(char* buffer, size_t size) {
  if (!file_ || errno_) return errno_ ? -1 : 0;
  // The end stays the end: on a terminal, fread after Ctrl-D would wait for another line (and a second
  // Ctrl-D).
  if (std::feof(file_)) return 0;
  errno = 0;
  size_t n = std::fread(buffer, 1, size, file_);
  if (n < size && std::ferror(file_)) {
    errno_ = errno ? errno : EIO;
    return -1;
  }
  bytes_ += n;
  return static_cast<long>(n);
}

bool InputLines::Failed(std::string* error) const {
  if (!errno_) return false;
  if (error) *error = "cannot read " + name_ + ": " + std::strerror(errno_);
  return true;
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool StripBom(std::string* text) {
  if (text->compare(0, 3, "\xEF\xBB\xBF") != 0) return false;
  text->erase(0, 3);
  return true;
}

}  // namespace edict::driver
