// Pieces shared by the files of the session (not part of its interface).
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "tools/repl/query.h"
#include "tools/repl/session.h"

namespace edict::repl {

// Where each typed chunk sits in the text compiled for a policy, and the file that shows it to the user.
struct TypedChunk {
  int first_line = 0, lines = 0, shift = 0;
  const SourceFile* shown = nullptr;
};

// Re-points spans in the compiled text at what was typed (`<input>`, `<declaration N>`).
struct Session::TypedText {
  std::string path;              // the policy compiled from the combined text
  size_t size = 0;               // that text's size: the file of this path that has it is the combined one
  std::deque<SourceFile> shown;  // one per chunk: what the user typed
  std::vector<TypedChunk> chunks;

  bool IsRoot(const SourceFile* f) const { return f && f->path == path && f->text.size() == size; }

  void Map(Span& span) const {
    if (!IsRoot(span.file) || !span.valid()) return;
    for (const TypedChunk& c : chunks) {
      if (span.line < c.first_line || span.line >= c.first_line + c.lines) continue;
      span.file = c.shown;
      int last = c.first_line + c.lines - 1;
      span.end_line = std::min(span.end_line, last);
      if (span.end_line < span.line) span.end_line = span.line;
      bool first = span.line == c.first_line, end_first = span.end_line == c.first_line;
      span.line -= c.first_line - 1;
      span.end_line -= c.first_line - 1;
      if (first) span.col = std::max(0, span.col - c.shift);
      if (end_first) span.end_col = std::max(span.col + 1, span.end_col - c.shift);
      return;
    }
    // Past the last chunk: the end of input ("1 +" expected more). Point just after what was typed.
    if (!chunks.empty() && span.line >= chunks.back().first_line + chunks.back().lines) {
      const TypedChunk& c = chunks.back();
      int line = std::max(1, c.lines);
      int col = static_cast<int>(c.shown->Line(line).size());
      span = Span{c.shown, line, col, line, col + 1};
    }
  }
};

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

// A query answered with a ledger open, to be recorded by :commit: as parsed (before deciding fills in
// defaults), so that :commit decides it again, against the ledger as it then stands, exactly as asked.
struct Session::ToRecord {
  std::string id, input;  // input: the query as a JSON line (io::RecordJson)
  uint64_t content = 0;   // ledger::ShipmentHash
  std::shared_ptr<const ir::Program> program;
  std::string policy;  // the session's name for it
  interp::Record record;
  QueryDefaults defaults;
  std::string
      answer;  // the what-if answer in short (io::ShortOutcome), to tell when :commit decides otherwise
};

// "ai_diffusion_2025: Framework for Artificial Intelligence Diffusion (15 rules, 2 quotas, 31 tests)".
// `name` replaces the program's own name (a second file of that name is loaded as NAME~2).
std::string Summary(const ir::Program& p, const std::string& name);

// The names declared in the standard library's files (const, set, function, enum, table, quota, unit,
// record).
std::vector<std::string> ScanStdlibNames(const std::string& stdlib_dir);
// The names declared in one source text.
void ScanNames(const std::string& text, std::vector<std::string>* out);

// How :ledger names a ledger entry: the quota with its key text ("aid_lpp (consignee=X, year=2025)"), and
// the unit of the quota that consumed it (kept when the current policy has no such quota).
struct KeyLabel {
  std::string text;
  std::string unit;
};

// Ledger entries whose quota use `d` records, labelled with the quota's key text ("consignee=X, year=2025").
void LabelKeys(const MemoryLedger& before, const MemoryLedger& after, const interp::Decision& d,
               std::map<std::string, KeyLabel>* labels);

void CopyLedger(const MemoryLedger& from, MemoryLedger* to);

// How a query is decided: dated by the query or :as-of (`defaults`), consuming or not.
interp::DecideOptions OptionsFor(const ir::Program& program, const QueryDefaults& defaults, bool consume);

}  // namespace edict::repl
