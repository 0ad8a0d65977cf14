// What the ledger tests share: running `edict` as a real process (argument vectors, no shell), shipments
// generated to fill quotas, and a place for ledgers: SQLite files in a temporary folder, and PostgreSQL
// databases on the throwaway server tests/ledger/pg_test_server.sh starts (EDICT_TEST_PG_URL).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/ledger/store.h"

extern char** environ;

namespace edict::ledger_test {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A folder of its own under the test temp dir, emptied first. Tests that run the JIT share its object cache.
inline std::string TempDir(std::string name) {
  for (char& c : name)
    if (c == '/') c = '_';
  std::string dir = ::testing::TempDir() + "edict-ledger-" + name + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  setenv("XDG_CACHE_HOME", (::testing::TempDir() + "edict-ledger-cache").c_str(), 1);
  return dir;
}

// Starts `edict ARGS...` with stdout and stderr to files; returns its pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  std::vector<std::string> argv = {EDICT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, ptrs.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Exit status, or 128 + signal.
inline int Wait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Result {
  int status = -1;
  std::string out, err;
};

inline Result Edict(const std::vector<std::string>& args, const std::string& dir) {
  static int n = 0;
  std::string out = dir + "/run" + std::to_string(++n) + ".out",
              err = dir + "/run" + std::to_string(n) + ".err";
  Result r;
  pid_t pid = Spawn(args, out, err);
  r.status = pid < 0 ? -1 : Wait(pid);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

inline std::string Policy(const std::string& name) {
  return std::string(EDICT_SOURCE_DIR) + "/policies/" + name + ".edict";
}

// H100s to Indian consignees under ai_diffusion_2025: License Exception LPP (per consignee and calendar year,
// 26,900,000 tpp, about 1,699 H100s) while it fits, a license after. Dates ascend from 2025-02-01, `per_day`
// shipments a day, 308 days a year (the 1st to the 28th of February to December); ids start at `first`.
struct Generated {
  std::string text;
  std::vector<std::string> days;  // the same shipments, one text per day
};
inline Generated QuotaShipments(int count, unsigned seed, int consignees = 6, int first = 0,
                                int per_day = 40) {
  std::mt19937 rng(seed);
  Generated g;
  int day = -1;
  for (int i = 0; i < count; ++i) {
    int d = i / per_day;
    if (d != day) {
      g.days.emplace_back();
      day = d;
    }
    int year = 2025 + d / 308, doy = d % 308;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, 2 + doy / 28, 1 + doy % 28);
    int quantity = std::uniform_int_distribution<int>(1, 320)(rng);
    if (rng() % 7 == 0) quantity = 1;  // small ones still fit after a big one did not
    std::string line = "{\"id\":\"q" + std::to_string(first + i) + "\",\"date\":\"" + date +
                       "\",\"destination\":\"IN\",\"consignee\":\"Consignee " +
                       std::to_string(rng() % consignees) +
                       "\",\"item\":\"nvidia-h100-sxm\",\"quantity\":" + std::to_string(quantity) +
                       ",\"end_use\":\"datacenter\"}\n";
    g.text += line;
    g.days.back() += line;
  }
  return g;
}

// The lines of `text` before and from its middle line.
inline std::pair<std::string, std::string> Halves(const std::string& text) {
  size_t cut = text.find('\n', text.size() / 2) + 1;
  return {text.substr(0, cut), text.substr(cut)};
}

// Where a test's ledgers live: "sqlite", or "postgres" when EDICT_TEST_PG_URL names a server.
struct Backend {
  std::string name;
  std::string dir;  // for SQLite files and outputs
  // A new, empty ledger.
  std::string NewLedger(const std::string& label) const;
};

// The PostgreSQL server tests/ledger/pg_test_server.sh started, or "".
inline std::string PgServerUrl() {
  const char* url = std::getenv("EDICT_TEST_PG_URL");
  return url ? url : "";
}

std::string NewPgDatabase(const std::string& server_url, const std::string& label);

inline std::string Backend::NewLedger(const std::string& label) const {
  if (name == "sqlite") {
    std::string path = dir + "/" + label + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
  }
  return NewPgDatabase(PgServerUrl(), label);
}

// The totals of a ledger as text, one "key = consumed" line each, sorted.
inline std::string TotalsText(const std::string& where) {
  std::string error;
  auto store = ledger::Store::Open(where, &error);
  if (!store) return "cannot open: " + error;
  std::vector<ledger::TotalRow> rows;
  if (!store->Totals(&rows, &error)) return "cannot read: " + error;
  std::string out;
  for (const auto& r : rows)
    out += r.quota + " | " + r.label + " | " + r.period + " = " + r.consumed.ToString() + "\n";
  return out;
}

}  // namespace edict::ledger_test
