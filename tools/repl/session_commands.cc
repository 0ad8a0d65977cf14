// The `:` commands.
#include <algorithm>
#include <filesystem>
#include <map>

#include "compiler/driver/test_runner.h"
#include "compiler/sema/load.h"
#include "runtime/date.h"
#include "runtime/ledger/store.h"
#include "tools/repl/input.h"
#include "tools/repl/session_internal.h"

namespace edict::repl {

std::string Summary(const ir::Program& p, const std::string& name) {
  size_t rules = 0;
  for (const auto& r : p.rules) rules += r.withdrawn ? 0 : 1;
  return name + (p.title.empty() ? "" : ": " + p.title) + " (" + std::to_string(rules) + " rules, " +
         std::to_string(p.quotas.size()) + " quotas, " + std::to_string(p.tests.size()) + " tests" +
         (p.timeline.empty() ? "" : ", timeline") + ")";
}

const std::vector<std::pair<std::string, std::string>>& CommandHelp() {
  static const std::vector<std::pair<std::string, std::string>> help = {
      {":load FILE", "compile a policy and make it current"},
      {":reload", "re-read the loaded policies' files (the ledger is kept)"},
      {":policy [NAME]", "switch to a loaded policy, or list them"},
      {":compare POLICY", "answer the last query under another loaded policy, side by side"},
      {":as-of [DATE|off]", "the date of queries that give none (a query's own `on DATE` wins)"},
      {":why", "explain the last answer: every rule considered, condition values, quota arithmetic"},
      {":ledger", "show quota consumption, committed and pending, against the current policy's limits"},
      {":ledger open L", "try queries against a persistent ledger (a SQLite file or postgresql:// URL)"},
      {":ledger close", "back to the session's in-memory ledger"},
      {":commit", "keep the quota use of the queries since the last commit (a ledger records them)"},
      {":rollback", "discard the quota use of the queries since the last commit"},
      {":reset", "forget typed declarations, the ledger, the as-of date and the last query"},
      {":type EXPR", "show the type of an expression"},
      {":tests", "run the current policy's tests (typed ones included)"},
      {":complete TEXT", "list what Tab would offer after TEXT"},
      {":help", "this list"},
      {":quit", "leave (Ctrl-D too)"},
  };
  return help;
}

std::string Session::Help() const {
  std::string out =
      "Type a query, an expression, a declaration or a command.\n"
      "  ship 2000 nvidia-h100-sxm to IN consignee \"Reliance\" on 2025-03-01   a query (options: to, "
      "consignee, on,\n"
      "      hq, end use, end user, veu, training ops, open weights, exporter, from, id, with FIELD = "
      "VALUE)\n"
      "  {\"item\": \"nvidia-h100-sxm\", ...}                                       a query as a JSON "
      "object\n"
      "  nvidia-h100-sxm.tpp * 2000                                           an expression\n"
      "  const cap = 1000 tpp, rule ..., exception ... (end with an empty line)  a declaration, added to "
      "the\n"
      "      current policy for this session\n"
      "Queries are what-ifs: their quota use is pending until :commit.\n"
      "Commands:\n";
  for (const auto& [cmd, text] : CommandHelp()) {
    std::string c = cmd;
    c.resize(20, ' ');
    out += "  " + c + text + "\n";
  }
  return out;
}

std::string Session::Command(std::string_view input) {
  std::string line(input);
  size_t space = line.find_first_of(" \t");
  std::string cmd = line.substr(0, space);
  std::string arg = space == std::string::npos ? "" : Trim(line.substr(space));
  if (cmd == ":quit" || cmd == ":q" || cmd == ":exit") {
    done_ = true;
    return "";
  }
  if (cmd == ":help" || cmd == ":h" || cmd == ":?") return Help();
  if (cmd == ":load") return arg.empty() ? Fail(":load needs a file") : Load(TypedPath(arg));
  if (cmd == ":reload") return Reload();
  if (cmd == ":policy") return SwitchPolicy(arg);
  if (cmd == ":compare") return Compare(arg);
  if (cmd == ":as-of") return AsOf(arg, line);
  if (cmd == ":why") return Why();
  if (cmd == ":ledger") return LedgerCommand(arg);
  if (cmd == ":commit") return Commit();
  if (cmd == ":rollback") return Rollback();
  if (cmd == ":reset") return Reset();
  if (cmd == ":type") return arg.empty() ? Fail(":type needs an expression") : Evaluate(arg, true);
  if (cmd == ":tests") return Tests();
  if (cmd == ":complete") {
    // The text after ":complete " as if typed at the prompt (a trailing space is kept).
    std::string text = space == std::string::npos ? "" : line.substr(space + 1);
    Completion c = Complete(text);
    std::string out;
    for (const auto& cand : c.candidates) out += cand + "\n";
    return out.empty() ? "(no completions)\n" : out;
  }
  // Suggest the nearest command by edit distance.
  std::string near;
  size_t best = 3;
  for (const auto& [name, text] : CommandHelp()) {
    std::string c = name.substr(0, name.find(' '));
    std::vector<size_t> row(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= cmd.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (cmd[i - 1] == c[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[c.size()] < best) {
      best = row[c.size()];
      near = c;
    }
  }
  return Fail("unknown command '" + cmd + "'",
              near.empty() ? ":help lists the commands" : "did you mean " + near + "?");
}

std::string Session::ReloadOne(Policy& p) {
  std::string text;
  if (!sema::ReadFile(p.path, &text))
    return Fail("cannot read '" + p.path + "'; keeping the version loaded before");
  Policy fresh = p;
  fresh.base_text = text;
  Built b = Build(fresh, fresh.decls, "", 0);
  if (!b.program) {
    had_error_ = true;
    return b.messages + Fail(p.name + " no longer compiles; keeping the version loaded before");
  }
  p.base_text = text;
  p.program = b.program;
  p.typed = b.typed;
  return b.messages + "reloaded " + Summary(*p.program, p.name) +
         (p.decls.empty() ? "" : " + " + std::to_string(p.decls.size()) + " typed") + "\n";
}

std::string Session::Reload() {
  std::string out;
  for (auto& p : policies_)
    if (!p.builtin) out += ReloadOne(p);
  if (out.empty()) return "no policy files loaded\n";
  return out + "the ledger is kept\n";
}

std::string Session::SwitchPolicy(const std::string& name) {
  if (name.empty()) {
    if (policies_.empty()) return "no policy loaded; :load FILE\n";
    namespace fs = std::filesystem;
    std::string out;
    for (size_t i = 0; i < policies_.size(); ++i) {
      const Policy& p = policies_[i];
      // Files of one name (lpp, lpp~2) are told apart by their paths.
      bool shared = std::any_of(policies_.begin(), policies_.end(), [&](const Policy& o) {
        return &o != &p && fs::path(o.path).stem() == fs::path(p.path).stem();
      });
      out += std::string(static_cast<int>(i) == current_ ? "* " : "  ") + Summary(*p.program, p.name) +
             (p.decls.empty() ? "" : " + " + std::to_string(p.decls.size()) + " typed") +
             (shared ? ", from " + p.path : "") + "\n";
    }
    return out;
  }
  Policy* p = Find(name);
  if (!p) return Fail("no loaded policy '" + name + "'", ":load FILE first; :policy lists the loaded ones");
  current_ = static_cast<int>(p - policies_.data());
  return "current policy: " + Summary(*p->program, p->name) + "\n";
}

std::string Session::AsOf(const std::string& arg, const std::string& line) {
  if (arg.empty())
    return has_as_of_ ? "as of " + FormatDate(as_of_) + " (for queries that give no date)\n"
                      : "no as-of date: each query gives its own date\n";
  if (arg == "off" || arg == "none") {
    has_as_of_ = false;
    return "as-of date cleared: each query gives its own date\n";
  }
  auto d = ParseDate(arg);
  if (!d) {
    // The caret goes under the date as typed (any spaces or tabs before it); tabs are shown as spaces so that
    // it lines up.
    std::string shown = line;
    for (char& c : shown)
      if (c == '\t') c = ' ';
    size_t at = line.find(arg, line.find_first_of(" \t"));
    if (at == std::string::npos) at = 0;
    return Diagnose(
        shown, static_cast<int>(at), static_cast<int>(at + arg.size()), "not a date",
        DateOutOfRange(arg) ? "edict handles dates from 1900-01-01 to 2199-12-31" : "write YYYY-MM-DD");
  }
  has_as_of_ = true;
  as_of_ = *d;
  return "queries that give no date are now decided as of " + FormatDate(as_of_) +
         " (`on DATE` still wins)\n";
}

std::string Session::Reset() {
  for (auto& p : policies_) {
    if (p.decls.empty()) continue;
    p.decls.clear();
    Built b = Build(p, {}, "", 0);
    if (b.program) {
      p.program = b.program;
      p.typed = b.typed;
    }
  }
  committed_.Clear();
  working_.Clear();
  pending_ = 0;
  to_record_.clear();
  has_as_of_ = false;
  last_.reset();
  query_count_ = 0;
  if (store_) {
    // A persistent ledger keeps what it recorded; only the pending queries go.
    std::string error;
    next_query_id_ = 1;
    if (!RefreshFromStore(&error)) return Fail(error);
    return "session reset: typed declarations, the pending queries, the as-of date and the last query are "
           "gone; ledger " +
           store_->where() + " is kept as recorded\n";
  }
  return "session reset: typed declarations, the ledger, the as-of date and the last query are gone\n";
}

std::string Session::Tests() {
  EnsureSessionPolicy();
  Policy* p = Current();
  if (!p) return Fail("no policy loaded");
  driver::TestReport report = driver::RunTests(*p->program);
  std::string out;
  for (const auto& r : report.results) {
    if (r.passed)
      out += "PASS " + r.name + "\n";
    else
      out += style_.Error("FAIL") + " " + r.name + "\n     " + r.message + "\n";
  }
  if (report.failed > 0) had_error_ = true;
  return out + std::to_string(report.passed) + " passed, " + std::to_string(report.failed) + " failed\n";
}

}  // namespace edict::repl
