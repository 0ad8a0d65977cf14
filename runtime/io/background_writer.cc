#include "runtime/io/background_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace edict::io {

BackgroundWriter::BackgroundWriter(FILE* file, bool direct) : file_(file) {
  if (std::fflush(file) != 0) error_ = errno ? errno : EIO;
  fd_ = fileno(file);
  for (Buffer& b : buffers_) {
    b.data = static_cast<char*>(std::aligned_alloc(kAlign, kBuffer));
    if (!b.data) error_ = ENOMEM;
  }
  off_t pos = ::lseek(fd_, 0, SEEK_CUR);
  end_ = pos > 0 ? pos : 0;
  struct stat st {};
  if (direct && !error_ && pos >= 0 && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    // The start of the first block, already written (a CSV header), is read back and written again with the
    // rest of the block, before the flag makes unaligned reads fail.
    size_t head = static_cast<size_t>(pos) % kAlign;
    off_t start = pos - static_cast<off_t>(head);
    bool read_back = head == 0 || ::pread(fd_, buffers_[0].data, head, start) == static_cast<ssize_t>(head);
    flags_ = ::fcntl(fd_, F_GETFL);
    if (read_back && flags_ >= 0 && ::fcntl(fd_, F_SETFL, flags_ | O_DIRECT) == 0) {
      if (::lseek(fd_, start, SEEK_SET) == start) {
        direct_ = direct_active_ = took_over_ = true;
        buffers_[0].size = head;
      } else {
        ::fcntl(fd_, F_SETFL, flags_);
      }
    }
  }
  thread_ = std::thread([this] { Work(); });
}

BackgroundWriter::~BackgroundWriter() {
  if (thread_.joinable()) {
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return job_ == nullptr; });
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  if (direct_active_) ::fcntl(fd_, F_SETFL, flags_);
  for (Buffer& b : buffers_) std::free(b.data);
}

bool BackgroundWriter::WriteAll(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void BackgroundWriter::Work() {
  for (;;) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return job_ != nullptr || stop_; });
    if (!job_) return;
    const char* p = job_;
    size_t n = job_size_;
    bool failed = error_ != 0;
    lock.unlock();
    int err = 0;
    if (!failed && !WriteAll(p, n)) {
      err = errno ? errno : EIO;
      // A file system that took the flag but refuses the write: the same bytes, written as usual.
      if (err == EINVAL && direct_active_.exchange(false)) {
        ::fcntl(fd_, F_SETFL, flags_);
        err = WriteAll(p, n) ? 0 : (errno ? errno : EIO);
      }
    }
    lock.lock();
    if (err && !error_) error_ = err;
    job_ = nullptr;
    changed_.notify_all();
  }
}

void BackgroundWriter::Submit(size_t bytes) {
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return job_ == nullptr; });
    job_ = buffers_[current_].data;
    job_size_ = bytes;
  }
  changed_.notify_all();
  // The thread is done with the other buffer: the wait above saw its job finished.
  current_ ^= 1;
  buffers_[current_].size = 0;
}

bool BackgroundWriter::Append(std::string_view data) {
  while (!data.empty()) {
    {
      std::lock_guard lock(mu_);
      if (error_ || finished_) return false;
    }
    Buffer& b = buffers_[current_];
    size_t n = std::min(data.size(), kBuffer - b.size);
    std::memcpy(b.data + b.size, data.data(), n);
    b.size += n;
    end_ += static_cast<long long>(n);
    data.remove_prefix(n);
    if (b.size == kBuffer) Submit(kBuffer);
  }
  return true;
}

bool BackgroundWriter::Finish() {
  if (finished_) return error_ == 0;
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return job_ == nullptr; });
  }
  if (!direct_active_) direct_ = false;
  Buffer& b = buffers_[current_];
  size_t n = b.size;
  if (direct_ && n % kAlign) {  // the last block, padded; the padding is truncated away below
    size_t padded = (n + kAlign - 1) / kAlign * kAlign;
    std::memset(b.data + n, 0, padded - n);
    n = padded;
  }
  if (n) Submit(n);
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return job_ == nullptr; });
    stop_ = true;
    finished_ = true;
  }
  changed_.notify_all();
  thread_.join();
  if (took_over_) {
    if (direct_ && ::ftruncate(fd_, end_) != 0 && !error_) error_ = errno;
    if (direct_active_.exchange(false)) ::fcntl(fd_, F_SETFL, flags_);
    direct_ = false;
    // The file's offset, and stdio's idea of it, at the end of the data.
    if (::lseek(fd_, end_, SEEK_SET) < 0 && !error_) error_ = errno;
    if (std::fseek(file_, end_, SEEK_SET) != 0 && !error_) error_ = errno;
  }
  return error_ == 0;
}

}  // namespace edict::io
