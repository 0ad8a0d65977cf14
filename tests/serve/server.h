// What the `edict serve` tests share: the real binary started as a process on a free loopback port
// (`--listen 127.0.0.1:0`, the port read from its first log line), clients over loopback, raw sockets for
// what a client library will not send, and waits that are bounded loops (never a wall-clock assertion).
// Processes, temporary folders and ledgers come from the ledger tests' harness (tests/ledger/harness.h).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/ledger/harness.h"

namespace edict::serve_test {

using ledger_test::ReadFile;
using ledger_test::WriteFile;

inline void Pause(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

class Server {
 public:
  Server() = default;
  Server(const Server&) = delete;
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      ledger_test::Wait(pid_);
    }
  }

  // Starts `edict serve ARGS... --listen 127.0.0.1:0` and waits (up to two minutes: the JIT compiles the
  // policy first) for it to listen. False when it exits or never listens; stderr() says why.
  bool Start(std::vector<std::string> args, const std::string& dir, const std::string& name) {
    args.insert(args.begin(), "serve");
    args.push_back("--listen");
    args.push_back("127.0.0.1:0");
    err_ = dir + "/" + name + ".err";
    pid_ = ledger_test::Spawn(args, dir + "/" + name + ".out", err_);
    if (pid_ < 0) return false;
    const std::string mark = "listening on http";
    for (int i = 0; i < 1200; ++i) {
      std::string log = stderr_text();
      size_t at = log.find(mark);
      if (at != std::string::npos) {
        size_t colon = log.find(':', log.find("://", at) + 3);
        port_ = std::atoi(log.c_str() + colon + 1);
        return port_ > 0;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
      }
      Pause(100);
    }
    return false;
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string stderr_text() const { return ReadFile(err_); }
  int exit_status() const { return exit_status_; }

  std::unique_ptr<httplib::Client> Client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_keep_alive(true);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    c->set_connection_timeout(10, 0);
    return c;
  }

  void Signal(int sig) const { kill(pid_, sig); }
  // Sends `sig` and waits for the exit: the exit status, or 128 + the signal that ended it.
  int Stop(int sig = SIGTERM) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, sig);
    exit_status_ = ledger_test::Wait(pid_);
    pid_ = -1;
    return exit_status_;
  }
  bool Alive() const { return pid_ > 0 && kill(pid_, 0) == 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

  // Waits until the log holds `text` (bounded: about a minute).
  bool WaitForLog(const std::string& text) const {
    for (int i = 0; i < 600; ++i) {
      if (stderr_text().find(text) != std::string::npos) return true;
      Pause(100);
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0, exit_status_ = -1;
  std::string err_;
};

// A plain TCP connection to the server, for bytes no HTTP client sends.
class RawSocket {
 public:
  explicit RawSocket(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until the peer closes or `ms` pass without data; returns what arrived. `closed` tells which.
  std::string ReadUntilClosed(int ms, bool* closed) {
    std::string got;
    *closed = false;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, ms) <= 0) return got;
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = true;
        return got;
      }
      got.append(buf, static_cast<size_t>(n));
    }
  }
  // Reads one HTTP response (headers and a Content-Length body), waiting up to `ms` between reads.
  std::string ReadResponse(int ms) {
    std::string got;
    char buf[4096];
    for (;;) {
      size_t end = got.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = got.find("Content-Length: ");
        size_t length = cl == std::string::npos ? 0 : std::strtoul(got.c_str() + cl + 16, nullptr, 10);
        if (got.size() >= end + 4 + length) return got;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, ms) <= 0) return got;
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return got;
      got.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

inline nlohmann::json Json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, false);
}

inline std::string Shipment(const std::string& id, const std::string& destination, const std::string& item,
                            int quantity, const std::string& consignee = "Indus Compute",
                            const std::string& date = "2025-06-02") {
  return "{\"id\":\"" + id + "\",\"date\":\"" + date + "\",\"destination\":\"" + destination +
         "\",\"consignee\":\"" + consignee + "\",\"item\":\"" + item +
         "\",\"quantity\":" + std::to_string(quantity) + "}";
}

// The value of a metric line "NAME{LABELS} VALUE" in a /metrics text, or -1.
inline double Metric(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + series.size() + 2, nullptr);
}

}  // namespace edict::serve_test
