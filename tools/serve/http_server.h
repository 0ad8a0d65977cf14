// The HTTP side of `edict serve`, on cpp-httplib (Debian's libcpp-httplib, built with OpenSSL): routes,
// the bearer token, the body size limit, timeouts, request ids, the metrics of every request, and TLS when
// given a certificate and key. Everything a route answers comes from Service (service.h); nothing here
// reads a file or runs a program on a request's behalf (no static files are mounted).
#pragma once

#include <memory>
#include <string>

#include "tools/serve/service.h"

namespace httplib {
class Server;
}

namespace edict::serve {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8181;    // 0: any free port (port() tells which)
  std::string token;  // required as "Authorization: Bearer TOKEN" (not by /healthz); "" for none
  std::string tls_cert, tls_key;
  size_t max_body = 1 << 20;
  int threads = 16;      // connections served at once (a keep-alive connection holds one while open)
  int read_timeout = 5;  // seconds a read may wait for the client (a stalled client is then dropped)
  int write_timeout = 5;
  int keep_alive_timeout = 5;  // seconds an idle keep-alive connection is kept
  int keep_alive_max = 10000;  // requests per connection
};

// "127.0.0.1:8181", "[::1]:8181", "localhost:0" -> host and port. False with `error`.
bool ParseListen(const std::string& text, std::string* host, int* port, std::string* error);
bool IsLoopback(const std::string& host);

class HttpServer {
 public:
  HttpServer(Service& service, HttpOptions options);
  ~HttpServer();
  // Binds the listening socket. False with `error` (the address is taken, the certificate cannot be read).
  bool Bind(std::string* error);
  int port() const { return port_; }
  bool tls() const { return !options_.tls_cert.empty(); }
  // Serves until Stop; then waits for the requests in flight to be answered.
  bool Run();
  // From any thread (the signal thread): stops accepting; Run returns once the requests in flight are done.
  void Stop();

 private:
  void Routes();
  Service& service_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace edict::serve
