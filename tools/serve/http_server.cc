#include "tools/serve/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>

namespace edict::serve {

bool ParseListen(const std::string& text, std::string* host, int* port, std::string* error) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    *error = "--listen '" + text + "': give HOST:PORT, such as 127.0.0.1:8181";
    return false;
  }
  std::string h = text.substr(0, colon), p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty() || h.find_first_of("[] ") != std::string::npos) {
    *error = "--listen '" + text +
             "': the host is missing or malformed (IPv6 addresses go in brackets: [::1]:8181)";
    return false;
  }
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535) {
    *error = "--listen '" + text + "': the port must be a number from 0 to 65535";
    return false;
  }
  *host = h;
  *port = std::stoi(p);
  return true;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

namespace {

// What one request carries from routing to its reply. A connection is served by one thread from the
// request's first byte to its reply, so the pre- and post-routing handlers meet here.
struct InFlight {
  bool active = false;
  std::chrono::steady_clock::time_point start;
  Endpoint endpoint = Endpoint::kOther;
  std::string request_id;
};
thread_local InFlight current;

Endpoint EndpointOf(const std::string& path) {
  if (path == "/v1/decide") return Endpoint::kDecide;
  if (path == "/v1/explain") return Endpoint::kExplain;
  if (path == "/v1/policy") return Endpoint::kPolicy;
  if (path == "/healthz") return Endpoint::kHealth;
  if (path == "/metrics") return Endpoint::kMetrics;
  return Endpoint::kOther;
}

// A client's X-Request-Id is kept when it is short and plain; otherwise the server makes one.
std::string RequestId(const httplib::Request& req) {
  std::string given = req.get_header_value("X-Request-Id");
  if (!given.empty() && given.size() <= 64 &&
      given.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") ==
          std::string::npos)
    return given;
  thread_local std::mt19937_64 rng(
      std::random_device{}() ^
      static_cast<uint64_t>(std::hash<std::thread::id>()(std::this_thread::get_id())));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// The token comparison takes the same time wherever the first difference is.
bool SameToken(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

// The body is moved, not copied: a batch's answer is megabytes (set_content would copy it into a new
// allocation, faulting in every page again). What set_content does to the headers is done here.
void Send(httplib::Response& res, Reply reply) {
  res.status = reply.status;
  res.body = std::move(reply.body);
  auto old = res.headers.equal_range("Content-Type");
  res.headers.erase(old.first, old.second);
  res.set_header("Content-Type", reply.content_type);
}

const char* StatusText(int status) {
  switch (status) {
    case 400:
      return "the request is malformed";
    case 401:
      return "a bearer token is required";
    case 404:
      return "no such endpoint: the endpoints are POST /v1/decide, POST /v1/explain, GET /v1/policy, GET "
             "/healthz and GET /metrics";
    case 405:
      return "method not allowed";
    case 408:
      return "the request took too long to arrive";
    case 413:
      return "the body is larger than the server's limit (--max-body)";
    case 414:
      return "the request target is too long";
    case 500:
      return "internal error";
    default:
      return "the request cannot be answered";
  }
}

}  // namespace

HttpServer::HttpServer(Service& service, HttpOptions options)
    : service_(service), options_(std::move(options)) {}

HttpServer::~HttpServer() = default;

bool HttpServer::Bind(std::string* error) {
  if (tls()) {
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!server_->is_valid()) {
      *error = "cannot use the TLS certificate '" + options_.tls_cert + "' with the key '" +
               options_.tls_key + "' (unreadable, not PEM, or not a pair)";
      return false;
    }
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  int threads = std::max(1, options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_->set_payload_max_length(options_.max_body);
  server_->set_read_timeout(options_.read_timeout, 0);
  server_->set_write_timeout(options_.write_timeout, 0);
  server_->set_keep_alive_timeout(options_.keep_alive_timeout);
  server_->set_keep_alive_max_count(static_cast<size_t>(std::max(1, options_.keep_alive_max)));
  server_->set_tcp_nodelay(true);
  Routes();
  errno = 0;
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    int err = errno;
    *error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
             (err ? std::string(" (") + std::strerror(err) + ")"
                  : std::string(" (in use, or not an address here)"));
    return false;
  }
  return true;
}

bool HttpServer::Run() {
  return server_->listen_after_bind();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
}

void HttpServer::Routes() {
  httplib::Server& s = *server_;
  Metrics& metrics = service_.metrics();
  s.set_pre_routing_handler([&metrics](const httplib::Request& req, httplib::Response&) {
    if (current.active) metrics.Leave();  // a request that never reached its reply
    current.active = true;
    current.start = std::chrono::steady_clock::now();
    current.endpoint = EndpointOf(req.path);
    current.request_id = RequestId(req);
    metrics.Enter();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_post_routing_handler([&metrics](const httplib::Request&, httplib::Response& res) {
    double seconds = 0;
    if (current.active) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - current.start).count();
      res.set_header("X-Request-Id", current.request_id);
      metrics.Leave();
      current.active = false;
    }
    metrics.Request(current.endpoint, res.status, seconds);
    current.endpoint = Endpoint::kOther;
    if (res.status >= 500) std::fprintf(stderr, "edict serve: %d: %s\n", res.status, res.body.c_str());
  });
  // Statuses the library sets itself (a malformed request line, a body over the limit, no such path) get a
  // JSON body like every other error.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Send(res, ErrorReply(res.status, StatusText(res.status)));
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Send(res, ErrorReply(500, "internal error: " + what));
  });
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    if (options_.token.empty()) return true;
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.size() > prefix.size() && header.compare(0, prefix.size(), prefix) == 0 &&
        SameToken(header.substr(prefix.size()), options_.token))
      return true;
    res.set_header("WWW-Authenticate", "Bearer realm=\"edict\"");
    Send(res, ErrorReply(401, header.empty() ? "a bearer token is required (Authorization: Bearer TOKEN)"
                                             : "the bearer token is not accepted"));
    return false;
  };
  // A body is read whole, up to the limit; past it the rest is read and dropped (so that the connection stays
  // in step with the client) and the answer is 413. A body with Content-Length over the limit is dropped
  // by the library before it reaches here.
  size_t max_body = options_.max_body;
  auto with_body = [authorized, max_body](std::function<Reply(const std::string&)> call) {
    return [authorized, max_body, call](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
      std::string body;
      // Room for the body the client announces (up to the limit, and 16 MB: a larger one grows as read), so
      // that a batch is not copied at every doubling as it arrives.
      size_t announced = 0;
      const std::string length = req.get_header_value("Content-Length");
      std::from_chars(length.data(), length.data() + length.size(), announced);
      body.reserve(std::min({announced, max_body, size_t{16} << 20}));
      size_t seen = 0;
      // Past four times the limit the reading stops (a compressed body would otherwise be inflated without
      // end); that connection is then out of step, and the client was not one to keep anyway.
      bool read = reader([&](const char* data, size_t n) {
        seen += n;
        if (seen <= max_body) {
          body.append(data, n);
          return true;
        }
        std::string().swap(body);
        return seen <= 4 * max_body + (1 << 20);
      });
      if (!authorized(req, res)) return;
      if (seen > max_body || res.status == 413) {
        Send(res, ErrorReply(413, "the body is larger than " + std::to_string(max_body) +
                                      " bytes (the server's --max-body)"));
        return;
      }
      if (!read) {
        Send(res, ErrorReply(400, "the body could not be read (cut short, or malformed chunked encoding)"));
        return;
      }
      Send(res, call(body));
    };
  };
  s.Post("/v1/decide",
         with_body([this](const std::string& body) { return service_.Decide(body, current.request_id); }));
  s.Post("/v1/explain", with_body([this](const std::string& body) { return service_.Explain(body); }));
  auto get = [this, authorized](Reply (*call)(Service&), bool open) {
    return [this, authorized, call, open](const httplib::Request& req, httplib::Response& res) {
      if (!open && !authorized(req, res)) return;
      Send(res, call(service_));
    };
  };
  s.Get("/v1/policy", get([](Service& sv) { return sv.Policy(); }, false));
  s.Get("/healthz", get([](Service& sv) { return sv.Health(); }, true));
  s.Get("/metrics", get([](Service& sv) { return sv.MetricsText(); }, false));
  auto not_allowed = [](const char* allow) {
    return [allow](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", allow);
      Send(res, ErrorReply(405, std::string("method not allowed; use ") + allow));
    };
  };
  for (const char* path : {"/v1/decide", "/v1/explain"}) {
    s.Get(path, not_allowed("POST"));
    s.Put(path, not_allowed("POST"));
    s.Delete(path, not_allowed("POST"));
  }
  for (const char* path : {"/v1/policy", "/healthz", "/metrics"}) {
    s.Post(path, not_allowed("GET"));
    s.Put(path, not_allowed("GET"));
    s.Delete(path, not_allowed("GET"));
  }
}

}  // namespace edict::serve
