// Pieces shared by the files of the session (not part of its interface).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tools/repl/query.h"
#include "tools/repl/session.h"

namespace edict::repl {

struct Session::LastQuery {
  std::string text;    // as typed, to answer it again under another policy
  std::string policy;  // the session's name of the policy that answered it
  bool json = false;
  QueryDefaults defaults;                      // its id, and the :as-of date it was answered under
  std::shared_ptr<const ir::Program> program;  // keeps `decision.program` alive
  std::shared_ptr<const TypedText> typed;      // and the typed text its error may point at
  interp::Record record;
  interp::Decision decision;
  interp::Trace trace;
  MemoryLedger before;  // the working ledger before the query
};

// "ai_diffusion_2025: Framework for Artificial Intelligence Diffusion (15 rules, 2 quotas, 31 tests)".
// `name` replaces the program's own name (a second file of that name is loaded as NAME~2).
std::string Summary(const ir::Program& p, const std::string& name);

// The names declared in the standard library's files (const, set, function, enum, table, quota, unit,
// record).
std::vector<std::string> ScanStdlibNames(const std::string& stdlib_dir);
// The names declared in one source text.
void ScanNames(const std::string& text, std::vector<std::string>* out);

// Ledger entries whose quota use `d` records, labelled with the quota's key text ("consignee=X, year=2025").
void LabelKeys(const MemoryLedger& before, const MemoryLedger& after, const interp::Decision& d,
               std::map<std::string, std::string>* labels);

void CopyLedger(const MemoryLedger& from, MemoryLedger* to);

}  // namespace edict::repl
