// `edict serve POLICY`: decisions over HTTP for exporters' order and ERP systems (docs/serve.md). This file
// wires the parts together: the policy (snapshot.h), the ledger (ledger_gate.h), the HTTP server
// (http_server.h), reloads (reloader.h), and the signals: SIGHUP reloads, SIGTERM and SIGINT stop accepting,
// let the requests in flight finish, close the ledger and sync the decision log, and exit 0.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "compiler/driver/exit_status.h"
#include "runtime/jit/jit.h"
#include "runtime/ledger/connection.h"
#include "tools/edict/commands.h"
#include "tools/serve/decision_log.h"
#include "tools/serve/http_server.h"
#include "tools/serve/ledger_gate.h"
#include "tools/serve/reloader.h"
#include "tools/serve/service.h"

namespace edict::cli {

namespace {

struct ServeArgs {
  std::string policy, listen = "127.0.0.1:8181", ledger, token_file, tls_cert, tls_key, decision_log;
  std::string engine = "jit", cache_dir;
  bool watch = false;
  int watch_interval_ms = 1000;
  size_t max_body = 1 << 20;
  int threads = 16, read_timeout = 5, keep_alive_timeout = 5;
};

bool ReadToken(const std::string& path, std::string* token, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  if (!in || !(ss << in.rdbuf())) {
    *error = "cannot read the token file '" + path + "'";
    return false;
  }
  std::string t = ss.str();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  size_t start = 0;
  while (start < t.size() && std::isspace(static_cast<unsigned char>(t[start]))) ++start;
  t = t.substr(start);
  if (t.empty() || std::any_of(t.begin(), t.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) < 0x21;
      })) {
    *error = "the token file '" + path + "' must hold one token (printable, no spaces)";
    return false;
  }
  *token = t;
  return true;
}

int RunServe(const ServeArgs& args, const Common& common) {
  // Signals are taken by one thread (below) with sigwait: blocked here, before any thread starts, so that
  // every thread inherits the mask. A client that hangs up mid-reply must not end the server.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  serve::HttpOptions http;
  std::string error;
  if (!serve::ParseListen(args.listen, &http.host, &http.port, &error)) {
    std::fprintf(stderr, "edict serve: %s\n", error.c_str());
    return driver::kExitUsage;
  }
  if (!args.token_file.empty() && !ReadToken(args.token_file, &http.token, &error)) {
    std::fprintf(stderr, "edict serve: %s\n", error.c_str());
    return 2;
  }
  if (args.tls_cert.empty() != args.tls_key.empty()) {
    std::fprintf(stderr, "edict serve: --tls-cert and --tls-key go together\n");
    return driver::kExitUsage;
  }
  if (!args.decision_log.empty() && args.ledger.empty()) {
    std::fprintf(stderr,
                 "edict serve: --decision-log keeps the decisions recorded in a ledger; it needs --ledger\n");
    return driver::kExitUsage;
  }
  http.tls_cert = args.tls_cert;
  http.tls_key = args.tls_key;
  http.max_body = args.max_body;
  http.threads = args.threads;
  http.read_timeout = args.read_timeout;
  http.write_timeout = args.read_timeout;
  http.keep_alive_timeout = args.keep_alive_timeout;

  serve::LoadOptions load;
  load.stdlib_dir = common.stdlib_dir;
  load.engine = args.engine;
  load.cache_dir = args.cache_dir.empty() ? jit::DefaultCacheDir() : args.cache_dir;
  load.edict_version = EDICT_VERSION;
  std::string diagnostics;
  std::vector<std::string> files;
  auto snapshot = serve::Snapshot::Load(args.policy, load, &diagnostics, &files);
  std::fputs(diagnostics.c_str(), stderr);
  if (!snapshot) return 1;
  if (!snapshot->engine_note().empty())
    std::fprintf(stderr, "edict serve: note: %s\n", snapshot->engine_note().c_str());

  serve::DecisionLog log;
  if (!args.decision_log.empty() && !log.Open(args.decision_log, &error)) {
    std::fprintf(stderr, "edict serve: %s\n", error.c_str());
    return 2;
  }
  std::unique_ptr<serve::StoreGate> gate;
  if (!args.ledger.empty()) {
    gate = serve::StoreGate::Open(args.ledger, EDICT_VERSION, log.is_open() ? &log : nullptr, &error);
    if (!gate) {
      std::fprintf(stderr, "edict serve: %s\n", error.c_str());
      return 2;
    }
  }
  serve::Service service(snapshot, gate.get());
  serve::HttpServer server(service, http);
  if (!server.Bind(&error)) {
    std::fprintf(stderr, "edict serve: %s\n", error.c_str());
    return 2;
  }
  if (!serve::IsLoopback(http.host) && http.token.empty())
    std::fprintf(
        stderr,
        "edict serve: warning: listening on %s without --token-file: anyone who can reach it can ask "
        "for decisions%s\n",
        http.host.c_str(), gate ? " and record them" : "");
  serve::Reloader reloader(service, args.policy, load, files,
                           args.watch ? std::max(50, args.watch_interval_ms) : 0);
  reloader.Start();

  std::atomic<bool> finished{false}, stopping{false};
  std::thread signal_thread([&] {
    while (!finished) {
      timespec tick{0, 200 * 1000 * 1000};
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGHUP) {
        reloader.Request("SIGHUP");
      } else if (sig == SIGTERM || sig == SIGINT) {
        if (!stopping.exchange(true))
          std::fprintf(stderr, "edict serve: %s: no new connections; finishing %lld request(s) in flight\n",
                       sig == SIGTERM ? "SIGTERM" : "SIGINT",
                       static_cast<long long>(service.metrics().in_flight()));
      }
      // Until the server has stopped: a stop asked for before it started listening is asked again.
      if (stopping) server.Stop();
    }
  });

  const serve::PolicyLabels& l = snapshot->labels();
  std::fprintf(
      stderr, "edict serve: listening on %s://%s:%d (policy %s %s, hash %s, engine %s, ledger %s)\n",
      server.tls() ? "https" : "http",
      http.host.find(':') != std::string::npos ? ("[" + http.host + "]").c_str() : http.host.c_str(),
      server.port(), l.id.c_str(), l.version.c_str(), l.hash.c_str(), snapshot->engine(),
      gate ? (gate->kind() + " " + ledger::DisplayName(args.ledger)).c_str() : "none (what-if only)");
  bool ok = server.Run();
  finished = true;
  signal_thread.join();
  reloader.Stop();
  int status = ok || stopping ? 0 : 2;
  if (!ok && !stopping) std::fprintf(stderr, "edict serve: the listening socket failed\n");
  if (gate) gate->Close();
  if (log.is_open() && !log.Close(&error)) {
    std::fprintf(stderr, "edict serve: %s\n", error.c_str());
    status = driver::kExitWriteFailed;
  }
  std::fprintf(stderr, "edict serve: stopped\n");
  return status;
}

void AddServe(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Answer decisions over HTTP (docs/serve.md)");
  static ServeArgs args;
  cmd->add_option("policy", args.policy, "Policy file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--listen", args.listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8181; port 0: any free)");
  cmd->add_option("--ledger", args.ledger,
                  "Quota ledger to decide against and record in: a SQLite file or a postgresql:// URL");
  cmd->add_option("--token-file", args.token_file,
                  "File holding a token that requests must give as 'Authorization: Bearer TOKEN'");
  cmd->add_option("--tls-cert", args.tls_cert, "PEM certificate (chain): serve HTTPS")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", args.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cmd->add_flag("--watch", args.watch, "Reload when a file the policy is compiled from changes");
  cmd->add_option("--watch-interval", args.watch_interval_ms,
                  "With --watch: milliseconds between looks (1000)");
  cmd->add_option("--decision-log", args.decision_log,
                  "Append every recorded decision to this JSON Lines file (with --ledger)");
  cmd->add_option("--max-body", args.max_body, "Largest request body in bytes (default 1048576)");
  cmd->add_option("--threads", args.threads, "Connections served at once (default 16)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--read-timeout", args.read_timeout,
                  "Seconds a client may keep the server waiting for its request (default 5)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--keep-alive-timeout", args.keep_alive_timeout,
                  "Seconds an idle keep-alive connection is kept (default 5)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--engine", args.engine, "Evaluation engine")->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--cache-dir", args.cache_dir, "JIT object cache (default $XDG_CACHE_HOME/edict)");
  cmd->callback([&] { exit_code = RunServe(args, common); });
}

Registrar registrar(55, AddServe);

}  // namespace

}  // namespace edict::cli
