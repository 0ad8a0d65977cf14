// `edict explain POLICY --shipment '{...}'`: every rule considered, condition values, overrides, quota
// arithmetic. A decision of a batch is reproduced as it was made: `--ledger L --id ID` against the ledger as
// it stood just before that shipment was recorded (the shipment as recorded), `--input FILE --id ID` after
// the shipments before it in the file, as `edict eval FILE` decides them.
#include <cstdio>
#include <filesystem>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/explain.h"
#include "compiler/driver/files.h"
#include "runtime/date.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "runtime/ledger/store.h"
#include "tools/edict/commands.h"
#include "tools/edict/ledger_export.h"
#include "tools/edict/shipment_input.h"

namespace edict::cli {

namespace {

struct ExplainArgs {
  std::string policy, shipment, as_of, ledger, input, input_format = "auto", id;
};

// The shipment a ledger recorded under `id`, read back for `program`, and the totals just before it.
bool FromLedger(const ExplainArgs& a, const ir::Program& program, interp::Record* rec, MemoryLedger* before,
                std::string* header, std::string* recorded_decision, std::string* error) {
  bool url = a.ledger.rfind("postgresql://", 0) == 0 || a.ledger.rfind("postgres://", 0) == 0;
  if (!url && !std::filesystem::exists(a.ledger)) {
    *error = "no ledger at '" + a.ledger + "'";
    return false;
  }
  auto store = ledger::Store::Open(a.ledger, error);
  if (!store) return false;
  ledger::RecordedShipment s;
  bool found = false;
  if (!store->Lookup(a.id, &s, &found, error)) return false;
  if (!found) {
    *error = "no shipment '" + a.id + "' in ledger '" + store->where() + "'";
    return false;
  }
  io::RecordParser parser(program);
  std::string id;
  bool ok;
  if (s.run.input_format == "csv") {
    io::CsvCells header_cells, cells;
    std::vector<std::string> ignored;
    if (!header_cells.Split(s.run.csv_header, error)) return false;
    std::vector<std::string> names(header_cells.cells().begin(), header_cells.cells().end());
    std::vector<std::string_view> views(names.begin(), names.end());
    ok = parser.SetCsvHeader(views, false, &ignored, error) && cells.Split(s.input, error) &&
         parser.ParseCsv(cells.cells(), rec, error, &id);
  } else {
    ok = parser.ParseJson(s.input, rec, error, &id);
  }
  if (!ok) {
    *error = "the recorded shipment '" + a.id + "' does not read under this policy: " + *error;
    return false;
  }
  if (!store->StateBefore(s.position, before, error)) return false;
  *header = "shipment " + a.id + ": ledger position " + std::to_string(s.position) + ", recorded " +
            IsoTime(s.at) + " by edict " + s.run.edict_version + " under " + s.run.policy_id +
            (s.run.policy_version.empty() ? "" : " " + s.run.policy_version) + " (policy hash " +
            s.run.policy_hash + ")\n";
  if (s.voided_by) header->append("  voided at position " + std::to_string(s.voided_by) + "\n");
  if (s.run.policy_hash != program.content_hash)
    header->append("  note: explained under other policy sources (hash " + program.content_hash +
                   "): the decision may differ from the recorded one\n");
  header->append("  the ledger as it stood before position " + std::to_string(s.position) + "\n\n");
  *recorded_decision = s.decision;
  return true;
}

// The shipment `id` of a batch file, and the ledger after every shipment before it, decided in input order.
bool FromInput(const ExplainArgs& a, const ir::Program& program, const interp::DecideOptions& options,
               interp::Record* rec, MemoryLedger* before, std::string* header, std::string* error) {
  ShipmentInput input;
  io::RecordParser parser(program);
  std::vector<std::string> ignored;
  if (!input.Open(a.input, a.input_format, error) || !input.SetHeader(parser, false, error, &ignored))
    return false;
  io::CsvCells cells;
  std::vector<io::InputRecord> records;
  long decided = 0;
  while (input.Next(&records)) {
    for (const io::InputRecord& r : records) {
      std::string parse_error, id;
      interp::Record each;
      bool ok = input.csv() ? cells.Split(r.text, &parse_error) &&
                                  parser.ParseCsv(cells.cells(), &each, &parse_error, &id)
                            : parser.ParseJson(r.text, &each, &parse_error, &id);
      if (!ok) continue;  // an invalid line is decided by nobody
      if (id == a.id) {
        *rec = std::move(each);
        rec->line = r.line;
        *header = "shipment " + a.id + ": line " + std::to_string(r.line) + " of " + a.input +
                  ", after the " + std::to_string(decided) + " shipment" + (decided == 1 ? "" : "s") +
                  " before it\n\n";
        return true;
      }
      interp::Decide(program, each, *before, options);
      ++decided;
    }
  }
  if (input.Failed(error)) return false;
  *error = "no shipment '" + a.id + "' in '" + a.input + "'";
  return false;
}

int Explain(const ExplainArgs& a, const Common& common) {
  if (a.shipment.empty() == a.id.empty() || (!a.id.empty() && a.ledger.empty() == a.input.empty())) {
    std::fprintf(stderr,
                 "edict explain: give --shipment '{...}', or --id ID with --ledger LEDGER (a recorded "
                 "decision) or --input FILE (a decision of that batch)\n");
    return driver::kExitUsage;
  }
  auto program = CompileForCommand(a.policy, common);
  if (!program) return driver::kExitNo;
  interp::DecideOptions options;
  if (!a.as_of.empty()) {
    auto d = ParseDate(a.as_of);
    if (!d) {
      std::fprintf(stderr, "edict explain: --as-of '%s' %s\n", a.as_of.c_str(), DateError(a.as_of).c_str());
      return driver::kExitUsage;
    }
    options.has_as_of = true;
    options.as_of = *d;
  }
  interp::Record rec;
  MemoryLedger ledger;
  std::string error, id, header, recorded;
  bool ok = true;
  if (!a.shipment.empty()) {
    io::RecordParser parser(*program);
    if (!parser.ParseJson(a.shipment, &rec, &error, &id)) {
      std::fprintf(stderr, "edict explain: invalid shipment: %s\n", error.c_str());
      return driver::kExitBadData;
    }
  } else if (!a.ledger.empty()) {
    ok = FromLedger(a, *program, &rec, &ledger, &header, &recorded, &error);
  } else {
    ok = FromInput(a, *program, options, &rec, &ledger, &header, &error);
  }
  if (!ok) {
    std::fprintf(stderr, "edict explain: %s\n", error.c_str());
    return driver::kExitBadData;
  }
  interp::Trace trace;
  interp::Decision d = interp::Decide(*program, rec, ledger, options, &trace);
  std::string text = header + driver::ExplainText(*program, rec, d, trace);
  if (!recorded.empty() && !d.error) {
    std::string json;
    io::AppendDecisionJson(json, interp::DecisionView::Of(d), "", false, !program->timeline.empty());
    bool same = json.substr(9, json.size() - 10) == recorded;
    text += same ? "\nThe recorded decision is the same.\n"
                 : "\nThe recorded decision differs: {" + recorded + "}\n";
  }
  driver::Output::Stdout().Write(text);
  return d.error ? driver::kExitBadData : driver::kExitOk;
}

void AddExplain(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("explain", "Explain the decision for one shipment");
  static ExplainArgs args;
  cmd->add_option("policy", args.policy, "Policy file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--shipment", args.shipment, "The shipment as a JSON object")->type_name("JSON");
  cmd->add_option("--id", args.id,
                  "A shipment of a batch: with --ledger (as recorded) or --input (that file)");
  cmd->add_option("--ledger", args.ledger,
                  "With --id: the ledger that recorded it; explained against the ledger just before it");
  cmd->add_option("--input,-i", args.input,
                  "With --id: the batch file; the shipments before it are decided first");
  cmd->add_option("--input-format", args.input_format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  cmd->add_option("--as-of", args.as_of, "Evaluate as if shipped on this date (YYYY-MM-DD)")
      ->type_name("DATE");
  cmd->callback([&] { exit_code = Explain(args, common); });
}

Registrar registrar(40, AddExplain);

}  // namespace

}  // namespace edict::cli
