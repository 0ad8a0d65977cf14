// A load generator for `edict serve` (docs/performance.md, "serve"): C keep-alive connections (cpp-httplib
// clients, one thread each) send POST /v1/decide with B shipments per request, taken in turn from a JSON
// Lines file, for S seconds after a warm-up, and the throughput and latency percentiles are printed.
//
//   edict_serve_bench --port 8181 --input /tmp/ship.jsonl [--connections 4] [--seconds 10] [--batch 1]
//                     [--rate R] [--warmup 2] [--record]
//
// Without --rate each connection sends its next request as soon as the last is answered (closed loop: the
// highest throughput). With --rate R the connections together send R requests per second on a fixed schedule
// (open loop), and a request's latency counts from when it was due, so a server that falls behind is not
// flattered by the client waiting for it ("coordinated omission").
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1", input;
  int port = 8181, connections = 4, batch = 1;
  double seconds = 10, warmup = 2, rate = 0;
  bool record = false;
};

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host")
      o->host = value();
    else if (a == "--port")
      o->port = std::atoi(value().c_str());
    else if (a == "--input")
      o->input = value();
    else if (a == "--connections")
      o->connections = std::atoi(value().c_str());
    else if (a == "--batch")
      o->batch = std::atoi(value().c_str());
    else if (a == "--seconds")
      o->seconds = std::atof(value().c_str());
    else if (a == "--warmup")
      o->warmup = std::atof(value().c_str());
    else if (a == "--rate")
      o->rate = std::atof(value().c_str());
    else if (a == "--record")
      o->record = true;
    else
      return false;
  }
  return !o->input.empty() && o->port > 0 && o->connections > 0 && o->batch > 0 && o->seconds > 0;
}

struct Worker {
  std::vector<double> latencies_us;  // measured requests only
  long requests = 0, errors = 0;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: edict_serve_bench --port PORT --input SHIPMENTS.jsonl [--host H] [--connections C] "
                 "[--batch B] [--seconds S] [--warmup S] [--rate REQUESTS_PER_S] [--record]\n");
    return 2;
  }
  std::vector<std::string> shipments;
  {
    std::ifstream in(o.input);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) shipments.push_back(line);
  }
  if (shipments.empty()) {
    std::fprintf(stderr, "edict_serve_bench: no shipments in '%s'\n", o.input.c_str());
    return 2;
  }
  // The request bodies, made before the clock starts.
  std::vector<std::string> bodies;
  size_t per_body = static_cast<size_t>(o.batch);
  // Recording: every request is new shipments (ids are recorded once), so all of the input is used; a request
  // sent again would only report what was recorded.
  size_t count = std::max<size_t>(1, std::min<size_t>(shipments.size() / per_body, o.record ? SIZE_MAX : 4096));
  for (size_t b = 0; b < count; ++b) {
    std::string body = o.batch == 1 ? "{\"shipment\":" : "{\"shipments\":[";
    for (size_t k = 0; k < per_body; ++k) {
      if (k) body += ",";
      body += shipments[(b * per_body + k) % shipments.size()];
    }
    body += o.batch == 1 ? "" : "]";
    body += o.record ? ",\"record\":true}" : "}";
    bodies.push_back(std::move(body));
  }
  std::vector<Worker> workers(static_cast<size_t>(o.connections));
  auto start = Clock::now();
  auto measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  auto end =
      measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c)
    threads.emplace_back([&, c] {
      Worker& w = workers[static_cast<size_t>(c)];
      httplib::Client client(o.host, o.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // headers and body are separate writes: Nagle would hold the body 40 ms
      client.set_read_timeout(60, 0);
      size_t next = static_cast<size_t>(c) * 7919 % bodies.size();
      // Open loop: this connection's requests are due every `gap`, offset so the connections interleave.
      std::chrono::duration<double> gap(o.rate > 0 ? o.connections / o.rate : 0);
      auto due =
          start + std::chrono::duration_cast<Clock::duration>(gap * (static_cast<double>(c) / o.connections));
      for (;;) {
        if (o.rate > 0) {
          std::this_thread::sleep_until(due);
        } else {
          due = Clock::now();
        }
        if (due >= end) break;
        auto res = client.Post("/v1/decide", bodies[next], "application/json");
        auto done = Clock::now();
        next = (next + 1) % bodies.size();
        if (due >= measure_from) {
          ++w.requests;
          if (!res || res->status != 200) ++w.errors;
          w.latencies_us.push_back(std::chrono::duration<double, std::micro>(done - due).count());
        }
        if (o.rate > 0) due += std::chrono::duration_cast<Clock::duration>(gap);
      }
    });
  for (auto& t : threads) t.join();
  std::vector<double> all;
  long requests = 0, errors = 0;
  for (Worker& w : workers) {
    requests += w.requests;
    errors += w.errors;
    all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
  }
  double rps = static_cast<double>(requests) / o.seconds;
  std::printf("connections %d, batch %d, %s, %.0f s measured after %.0f s warm-up\n", o.connections, o.batch,
              o.rate > 0
                  ? ("open loop at " + std::to_string(static_cast<long>(o.rate)) + " requests/s").c_str()
                  : "closed loop",
              o.seconds, o.warmup);
  std::printf("requests %ld (errors %ld): %.0f requests/s, %.0f decisions/s\n", requests, errors, rps,
              rps * o.batch);
  double p50 = Percentile(all, 50), p90 = Percentile(all, 90), p99 = Percentile(all, 99),
         p999 = Percentile(all, 99.9), max = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", p50 / 1000, p90 / 1000,
              p99 / 1000, p999 / 1000, max / 1000);
  return errors ? 1 : 0;
}
