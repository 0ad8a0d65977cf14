// A REPL session: the loaded policies (each with the declarations typed for it), the current one, a what-if
// quota ledger, an as-of date and the last query. Everything the user types goes through Handle(), which
// returns the text to print; nothing here reads the terminal, so scripted sessions, the golden transcripts
// and the interactive loop share one code path.
//
// Typed declarations are appended to the current policy's text and the whole is recompiled with
// driver::CompileFile, so anything a policy file may contain can be typed, and rules keep their unqualified
// ids. An expression is compiled as `const __repl = EXPR` and read back folded. Diagnostics in typed text are
// re-pointed at that text (shown as `<input>`), so the caret sits under what was just typed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/driver/pipeline.h"
#include "runtime/interp/decide.h"
#include "runtime/ledger/ledger.h"
#include "tools/repl/answer.h"

namespace edict::ledger {
class Store;
}  // namespace edict::ledger

namespace edict::repl {

struct QueryDefaults;
struct KeyLabel;

struct SessionOptions {
  std::string stdlib_dir;
  bool color = false;
  std::shared_ptr<sema::ParseCache> parse_cache = nullptr;  // optional: parses shared across sessions
  std::string edict_version = "unknown";  // recorded with what :commit writes to a ledger (:ledger open)
};

struct Completion {
  size_t start = 0;  // where the word being completed starts in the line
  std::vector<std::string> candidates;
};

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();

  // `:load PATH`: compiles a policy and makes it current. Returns what to print.
  // A file already loaded is re-read (its typed declarations kept); another file of a name already taken
  // is loaded as NAME~2, NAME~3, ...
  std::string Load(const std::string& path);
  // Whether a policy of this name or file is loaded.
  bool Has(const std::string& name_or_path) const;
  // One complete input: a command, a declaration, an expression or a query.
  std::string Handle(std::string_view input);
  // A command was typed on a continuation line: the lines before it (`buffer`) are dropped, and this says so.
  std::string DropUnfinished(std::string_view buffer);
  // Candidates for the word ending at the end of `line` (the text before the cursor).
  Completion Complete(std::string_view line) const;

  std::string Prompt() const;
  // The terminal's width, for :compare's table (80 until set).
  void set_columns(int columns) { columns_ = columns; }
  bool done() const { return done_; }
  bool had_error() const { return had_error_; }

 private:
  // Where the typed chunks sit in the text compiled for a policy: re-points a span there at what was typed.
  struct TypedText;
  struct Policy {
    std::string path;                // as given; "session.edict" for the built-in empty policy
    std::string name;                // the file stem, or STEM~N when another loaded file has that stem
    bool builtin = false;            // the empty policy declarations go to when nothing is loaded
    std::string base_text;           // the file as last read
    std::vector<std::string> decls;  // typed declarations, in order
    std::shared_ptr<const ir::Program> program;
    std::shared_ptr<const TypedText> typed;  // for run-time errors in typed rules
  };
  struct Built {
    std::shared_ptr<const ir::Program> program;  // null on errors
    std::shared_ptr<TypedText> typed;
    std::string messages;  // rendered diagnostics
  };
  // A decision's error location, re-pointed at the typed text when it lies there.
  static void PointAtTyped(const Policy& p, interp::Decision* d);
  struct LastQuery;

  Built Build(const Policy& policy, const std::vector<std::string>& decls, const std::string& extra,
              int extra_shift) const;
  Policy* Current();
  Policy* Find(const std::string& name_or_path);
  std::string Fail(const std::string& message, const std::string& hint = "");
  // An error in `input` (one or more lines) at the bytes [col, end_col).
  std::string Diagnose(std::string_view input, int col, int end_col, const std::string& message,
                       const std::string& hint);
  void EnsureSessionPolicy();

  std::string Declare(std::string_view input);
  // After a failed declaration of `word` (rule, exception, ...) in a timeline: which policies to type it in.
  std::string TimelineHint(const Policy& p, const std::string& word);
  std::string Evaluate(std::string_view expr, bool type_only);
  std::string Query(std::string_view input, bool json);
  // Parses a query for `program`'s schema; `defaults` give the id and the date of queries without them.
  bool ParseQuery(const ir::Program& program, std::string_view input, bool json,
                  const QueryDefaults& defaults, interp::Record* rec, std::string* error_text);
  std::string Command(std::string_view input);
  std::string Help() const;
  std::string Reload();
  std::string ReloadOne(Policy& p);
  std::string SwitchPolicy(const std::string& name);
  std::string Compare(const std::string& name);
  // `line` is the command as typed, for the caret under a bad date.
  std::string AsOf(const std::string& arg, const std::string& line);
  std::string LedgerText() const;
  std::string Commit();
  std::string Rollback();
  // A persistent ledger (session_ledger.cc): `:ledger open PATH|URL`, `:ledger close`.
  struct ToRecord;
  std::string LedgerCommand(const std::string& arg);
  std::string OpenLedger(const std::string& where);
  std::string CloseLedger();
  // committed_ from the store's totals as they stand now; working_ is committed_ plus the pending use.
  bool RefreshFromStore(std::string* error);
  // The id a query without one gets: q<N>, the first not recorded in the ledger nor pending.
  bool NextQueryId(std::string* id, std::string* error);
  // Before deciding a query with a ledger open: "" to go on, else the answer (its id is recorded already,
  // or pending, or the ledger failed); `note` may tell of a conflict :commit will refuse.
  std::string CheckRecorded(const ir::Program& program, const interp::Record& rec, std::string* note);
  std::string CommitToStore();
  std::string Reset();
  std::string Tests();
  std::string Why();
  std::string FormatConstant(const ir::Program& p, const ir::NamedConstant& c) const;
  std::vector<std::string> Identifiers() const;
  // When `name` is a rule or quota of `p`: its declaration (`describe`), or a hint saying what it is. "" if
  // not.
  std::string WhatIsNamed(const Policy& p, const std::string& name, bool describe) const;

  SessionOptions options_;
  Style style_;
  std::vector<Policy> policies_;
  int current_ = -1;
  MemoryLedger committed_, working_;
  int pending_ = 0;  // queries that consumed quotas since the last :commit
  // `:as-of`: the date of queries that give none. A query's own date wins, so that the answer, :why and the
  // quota periods all read one date: the shipment's.
  bool has_as_of_ = false;
  int as_of_ = 0;
  int query_count_ = 0;
  std::unique_ptr<LastQuery> last_;
  int columns_ = 80;
  bool done_ = false;
  bool had_error_ = false;
  std::map<std::string, KeyLabel> key_labels_;  // ledger key -> readable key and unit, for :ledger
  std::unique_ptr<ledger::Store> store_;        // :ledger open; null: the in-memory ledger
  std::vector<ToRecord> to_record_;             // with a store: the queries :commit records, in order
  int next_query_id_ = 1;                       // with a store: where NextQueryId looks first
  std::vector<std::string> stdlib_names_;       // declared names in the stdlib, for completion
};

}  // namespace edict::repl
