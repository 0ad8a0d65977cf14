// `edict ledger show|export|import|void LEDGER ...`: the persistent quota ledger (docs/ledger.md) as people
// read it, as a file, and corrected.
#include <cstdio>
#include <filesystem>

#include "compiler/diag/human_text.h"
#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/store.h"
#include "tools/edict/commands.h"
#include "tools/edict/eval_command.h"
#include "tools/edict/ledger_export.h"

namespace edict::cli {

namespace {

struct LedgerArgs {
  std::string ledger, format = "table", policy, output, input, input_format = "auto", id, reason,
                      engine = "jit";
  size_t batch = 8192;
};

// `create`: a SQLite file that does not exist is created (import); otherwise a mistyped path is an error,
// not a new empty ledger.
std::unique_ptr<ledger::Store> OpenLedger(const std::string& where, bool create = false) {
  std::string error;
  bool url = where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
  if (!create && !url && !std::filesystem::exists(where)) {
    std::fprintf(stderr, "edict ledger: no ledger at '%s'\n", where.c_str());
    return nullptr;
  }
  auto store = ledger::Store::Open(where, &error);
  if (!store) std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
  return store;
}

// The quota of a ledger key in `p` or the policies of its timeline.
const ir::Quota* QuotaOf(const ir::Program& p, const std::string& ledger_key) {
  std::string id = ledger_key.substr(0, ledger_key.find('\x1f'));
  for (const auto& q : p.quotas)
    if (q.ledger_id == id) return &q;
  for (const auto& e : p.timeline)
    if (const ir::Quota* q = QuotaOf(*e.program, ledger_key)) return q;
  return nullptr;
}

std::string JsonAmount(const std::optional<Rational>& r) {
  if (!r) return "null";
  return r->IsInteger() ? r->ToString() : io::JsonEscape(r->ToString());
}

int Show(const LedgerArgs& args, const Common& common) {
  std::shared_ptr<const ir::Program> program;
  if (!args.policy.empty() && !(program = CompileForCommand(args.policy, common))) return driver::kExitNo;
  auto store = OpenLedger(args.ledger);
  if (!store) return driver::kExitBadData;
  std::vector<ledger::TotalRow> rows;
  std::string error;
  if (!store->Totals(&rows, &error)) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  auto& out = driver::Output::Stdout();
  std::vector<std::vector<std::string>> table = {
      {"quota", "key", "period", "consumed", "limit", "remaining", "unit"}};
  if (args.format == "csv") out.Write("quota,key,period,consumed,limit,remaining,unit\n");
  for (const auto& r : rows) {
    std::optional<Rational> limit = r.limit;
    if (program)
      if (const ir::Quota* q = QuotaOf(*program, r.ledger_key)) limit = q->limit;
    std::optional<Rational> remaining;
    if (limit) remaining = Sub(*limit, r.consumed);
    std::string l = limit ? limit->ToString() : "", rem = remaining ? remaining->ToString() : "";
    if (args.format == "json")
      out.Write("{\"quota\":" + io::JsonEscape(r.quota) + ",\"key\":" + io::JsonEscape(r.label) +
                ",\"period\":" + io::JsonEscape(r.period) + ",\"consumed\":" + JsonAmount(r.consumed) +
                ",\"limit\":" + JsonAmount(limit) + ",\"remaining\":" + JsonAmount(remaining) +
                ",\"unit\":" + io::JsonEscape(r.unit) + "}\n");
    else if (args.format == "csv")
      out.Write(io::CsvCell(r.quota) + "," + io::CsvCell(r.label) + "," + io::CsvCell(r.period) + "," +
                r.consumed.ToString() + "," + l + "," + rem + "," + io::CsvCell(r.unit) + "\n");
    else
      table.push_back({r.quota, r.label, r.period, text::GroupNumber(r.consumed.ToString()),
                       text::GroupNumber(l), text::GroupNumber(rem), r.unit});
  }
  if (args.format == "table") {
    // For people: figures with thousands separators, right-aligned; widths by display width (a consignee's
    // name in Chinese takes two columns a character).
    std::vector<size_t> width(table[0].size());
    for (const auto& row : table)
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], text::DisplayWidth(row[c]));
    std::string text;
    for (size_t i = 0; i < table.size(); ++i) {
      std::string line;
      for (size_t c = 0; c < table[i].size(); ++c) {
        bool number = c >= 3 && c <= 5 && i > 0;
        line += (c ? "  " : "") +
                (number ? text::PadLeft(table[i][c], width[c]) : text::PadRight(table[i][c], width[c]));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      text += line + "\n";
    }
    if (rows.empty()) text += "(nothing consumed yet)\n";
    out.Write(text);
  }
  return driver::kExitOk;
}

int Export(const LedgerArgs& args) {
  auto store = OpenLedger(args.ledger);
  if (!store) return driver::kExitBadData;
  driver::Output file;
  driver::Output* out = &driver::Output::Stdout();
  std::string error;
  if (!args.output.empty()) {
    if (!file.Open(args.output, &error)) {
      std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
      return driver::kExitWriteFailed;
    }
    out = &file;
  }
  if (!ExportLedger(*store, args.format == "csv", out->file(), &error)) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  if (std::ferror(out->file())) out->MarkFailed(errno);
  if (out == &file && !file.Close(&error)) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitWriteFailed;
  }
  return driver::kExitOk;
}

int Import(const LedgerArgs& args, const Common& common) {
  if (!args.policy.empty()) {
    // Decided under the policy, in input order, as `edict eval --ledger` would; the decisions are recorded,
    // not printed.
    EvalArgs eval;
    eval.policy = args.policy;
    eval.input = args.input;
    eval.input_format = args.input_format;
    eval.ledger = args.ledger;
    eval.ledger_batch = args.batch;
    eval.engine = args.engine;
    eval.output = "/dev/null";
    eval.run_command = "import";
    return RunEval(eval, common);
  }
  auto store = OpenLedger(args.ledger, true);
  if (!store) return driver::kExitBadData;
  ImportCounts counts;
  std::string error;
  bool ok = ImportLedger(*store, args.input, args.input_format, args.batch, &counts, &error);
  std::fprintf(stderr, "%ld shipments recorded, %ld voids, %ld recorded already, %ld conflicting\n",
               counts.shipments, counts.voids, counts.already, counts.conflicts);
  if (!ok) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  return counts.conflicts ? driver::kExitBadData : driver::kExitOk;
}

int Void(const LedgerArgs& args) {
  auto store = OpenLedger(args.ledger);
  if (!store) return driver::kExitBadData;
  ledger::RecordedShipment before;
  bool found = false;
  std::string error;
  if (!store->Lookup(args.id, &before, &found, &error)) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  ledger::RunInfo run;
  run.command = "void";
  run.edict_version = EDICT_VERSION;
  ledger::VoidRecord v;
  if (!store->Void(args.id, args.reason, run, &v, &error)) {
    std::fprintf(stderr, "edict ledger: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  std::string given;
  for (const auto& u : before.uses)
    given += "\n  " + u.quota + " (" + u.label + "): " + text::GroupNumber(u.amount.ToString()) +
             (u.unit.empty() ? "" : " " + u.unit);
  driver::Output::Stdout().Write(
      "voided shipment '" + args.id + "' (position " + std::to_string(v.voided) + ") at position " +
      std::to_string(v.position) +
      (given.empty() ? "; it consumed no quota\n" : "; given back:" + given + "\n"));
  return driver::kExitOk;
}

void AddLedger(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("ledger", "Show, export, import or correct a quota ledger (docs/ledger.md)");
  cmd->require_subcommand(1);
  static LedgerArgs args;
  auto ledger_arg = [](CLI::App* sub) {
    sub->add_option("ledger", args.ledger, "The ledger: a SQLite file or a postgresql:// URL")->required();
  };
  auto* show = cmd->add_subcommand("show", "Consumed, limit and remaining per quota, key and period");
  ledger_arg(show);
  show->add_option("--format", args.format, "table, csv or json (one object per line)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  show->add_option("--policy", args.policy, "Take the limits from this policy (default: as recorded)")
      ->check(CLI::ExistingFile);
  show->callback([&] { exit_code = Show(args, common); });

  auto* exp = cmd->add_subcommand("export", "Every entry in position order: shipments, their uses, voids");
  ledger_arg(exp);
  exp->add_option("--format", args.format, "jsonl or csv (one row per quota use)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->default_str("jsonl");
  exp->add_option("--output,-o", args.output, "Write here instead of stdout");
  exp->callback([&] {
    if (args.format == "table") args.format = "jsonl";
    exit_code = Export(args);
  });

  auto* imp = cmd->add_subcommand(
      "import",
      "Past shipments: decided under --policy (JSONL or CSV shipments), or an export recorded as given");
  ledger_arg(imp);
  imp->add_option("--input,-i", args.input, "The shipments, or an `edict ledger export` file")->required();
  imp->add_option("--input-format", args.input_format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  imp->add_option("--policy", args.policy, "Decide each shipment under this policy, in input order")
      ->check(CLI::ExistingFile);
  imp->add_option("--engine", args.engine, "With --policy: evaluation engine")
      ->check(CLI::IsMember({"jit", "interp"}));
  imp->add_option("--ledger-batch", args.batch, "Shipments per transaction (default 8192)")
      ->check(CLI::Range(1, 1 << 24));
  imp->callback([&] { exit_code = Import(args, common); });

  auto* vd = cmd->add_subcommand("void",
                                 "Reverse a recorded shipment: its quota use is given back, an audit "
                                 "entry kept, and its id free again");
  ledger_arg(vd);
  vd->add_option("id", args.id, "The shipment id")->required();
  vd->add_option("--reason", args.reason, "Why (kept in the audit entry)");
  vd->callback([&] { exit_code = Void(args); });
}

Registrar registrar(50, AddLedger);

}  // namespace

}  // namespace edict::cli
