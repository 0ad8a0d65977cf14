// `edict eval POLICY --input FILE|-`: streams shipments through the policy, one decision per line, in input
// order. Memory stays flat (a line at a time) except for `--format table`, which aligns columns at the end.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>

#include "compiler/diag/human_text.h"
#include "compiler/diag/terminal.h"
#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "runtime/date.h"
#include "runtime/io/csv.h"
#include "runtime/io/keep.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"
#include "runtime/ledger/store.h"
#include "tools/edict/commands.h"
#include "tools/edict/eval_batches.h"
#include "tools/edict/eval_command.h"
#include "tools/edict/eval_ledger.h"
#include "tools/edict/shipment_input.h"

namespace edict::cli {

namespace {

// `--template csv|jsonl`: what a shipment file for the policy looks like. CSV: the header row (the empty file
// to fill in), with each field's type on stderr; JSON Lines: one object whose values name the types.
int PrintTemplate(const ir::Program& program, const std::string& format) {
  auto& out = driver::Output::Stdout();
  std::string header, json, legend;
  for (const ir::Field& f : program.fields) {
    if (f.kind == ir::Field::kDerived) continue;
    std::string type = f.type ? f.type->ToString() : "?";
    if (f.type && f.type->kind == TypeKind::kDate) type += " (YYYY-MM-DD)";
    if (f.count) type += ", a whole number of at least 1";
    std::string need = f.kind == ir::Field::kInput && !f.value ? "required"
                       : f.kind == ir::Field::kOptional        ? "optional"
                                                               : "optional, has a default";
    header += (header.empty() ? "" : ",") + io::CsvCell(f.name);
    json += std::string(json.empty() ? "{" : ",") + io::JsonEscape(f.name) + ":" +
            io::JsonEscape(type + "; " + need);
    legend += "  " + f.name + ": " + type + "; " + need + "\n";
  }
  if (format == "csv") {
    out.Write(header + "\n");
    std::fprintf(stderr, "edict eval: the columns of '%s' (any order, any case; others are ignored):\n%s",
                 program.name.c_str(), legend.c_str());
  } else {
    out.Write(json + "}\n");
  }
  return 0;
}

// The decision CSV's own columns (io::CsvHeader), which kept input columns must not take.
std::vector<std::string> CsvOutputColumns() {
  std::vector<std::string> out;
  std::string header = io::CsvHeader();
  size_t start = 0;
  for (size_t comma; (comma = header.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(header.substr(start, comma - start));
  out.push_back(header.substr(start));
  out.push_back("policy");
  return out;
}

}  // namespace

int RunEval(const EvalArgs& args, const Common& common) {
  auto program = CompileForCommand(args.policy, common);
  if (!program) return driver::kExitNo;
  if (!args.template_format.empty()) return PrintTemplate(*program, args.template_format);
  io::KeepColumns keep;
  std::string io_error;
  if (!args.keep.empty() && !keep.Parse(args.keep, &io_error)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return driver::kExitUsage;
  }
  std::unique_ptr<jit::CompiledPolicy> compiled;
  if (args.engine == "jit") {
    jit::JitOptions jit_options;
    jit_options.cache_dir = args.cache_dir.empty() ? jit::DefaultCacheDir() : args.cache_dir;
    std::string error;
    compiled = jit::CompiledPolicy::Compile(program, jit_options, &error);
    if (!compiled)
      std::fprintf(stderr, "edict eval: note: JIT unavailable (%s); using the interpreter\n", error.c_str());
  }
  interp::DecideOptions options;
  if (!args.as_of.empty()) {
    auto d = ParseDate(args.as_of);
    if (!d) {
      std::fprintf(stderr, "edict eval: --as-of '%s' %s\n", args.as_of.c_str(),
                   DateError(args.as_of).c_str());
      return driver::kExitUsage;
    }
    options.has_as_of = true;
    options.as_of = *d;
  }
  // --ledger: a persistent ledger; every shipment id is decided once (eval_ledger.h).
  std::unique_ptr<ledger::Store> store;
  std::unique_ptr<LedgerEval> ledger_eval;
  if (args.dry_run && args.ledger.empty()) {
    std::fprintf(stderr, "edict eval: --dry-run needs --ledger\n");
    return driver::kExitUsage;
  }
  if (!args.ledger.empty() && options.has_as_of && !args.dry_run) {
    std::fprintf(stderr,
                 "edict eval: --as-of is a what-if and is not recorded in a ledger; add --dry-run to try it "
                 "against the ledger\n");
    return driver::kExitUsage;
  }
  // A directory or an unreadable file is refused here with the OS reason, and so is a CSV header that is
  // malformed or names a column twice.
  ShipmentInput input;
  if (args.input == "-" && term::IsTerminal(0) && !args.quiet)
    std::fputs(
        "edict eval: reading shipments from standard input (Ctrl-D ends them; --input FILE reads a file)\n",
        stderr);
  const bool streamed = compiled && args.format != "table" && args.ledger.empty();  // RunBatchedEval's pieces
  if (!input.Open(args.input, args.input_format, &io_error, streamed ? kStreamPieceBytes : 8 << 20)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return driver::kExitBadData;
  }
  io::RecordParser parser(*program);
  std::vector<std::string> ignored;
  if (!input.SetHeader(parser, args.strict, &io_error, &ignored)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return driver::kExitBadData;
  }
  input.NoteIgnored("eval", ignored);
  if (!args.ledger.empty()) {
    std::string error;
    store = ledger::Store::Open(args.ledger, &error);
    if (!store) {
      std::fprintf(stderr, "edict eval: %s\n", error.c_str());
      return driver::kExitBadData;
    }
    ledger_eval = std::make_unique<LedgerEval>(*store, *program, args.dry_run);
    ledger::RunInfo run;
    run.command = args.run_command;
    run.policy_id = program->name;
    run.policy_version = program->version;
    run.policy_hash = program->content_hash;
    run.edict_version = EDICT_VERSION;
    run.input_name = args.input;
    run.input_format = input.csv() ? "csv" : "jsonl";
    for (const std::string& h : input.header())
      run.csv_header += (run.csv_header.empty() ? "" : ",") + io::CsvCell(h);
    ledger_eval->SetRun(run);
  }
  if (keep.active()) {
    if (input.csv() && !keep.UseCsvHeader(input.header_views(), &io_error)) {
      std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
      return driver::kExitUsage;
    }
    if (!input.csv()) keep.UseJson(*program);
  }
  driver::Output output_file;
  driver::Output* out = &driver::Output::Stdout();
  if (!args.output.empty()) {
    // Opening the output truncates it: never when it is the input (read as empty, "0 shipments") or the
    // policy. Compared by device and inode, so another name for the same file is caught too.
    const std::string input_path = args.input == "-" ? "/dev/stdin" : args.input;
    bool is_policy = driver::SameFile(args.output, args.policy);
    if (is_policy || driver::SameFile(args.output, input_path)) {
      std::fprintf(stderr, "edict eval: the output '%s' is the %s; not overwriting it\n", args.output.c_str(),
                   is_policy ? "policy file" : "input");
      return driver::kExitUsage;
    }
    if (!output_file.Open(args.output, &io_error)) {
      std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
      return driver::kExitWriteFailed;
    }
    out = &output_file;
  }
  // A write that fails ends the command with the file's name and the OS reason (docs/exit-status.md): a file
  // here, standard output in main().
  auto write_failed = [&] {
    if (out == &output_file) {
      output_file.Close(&io_error);
      std::fprintf(stderr, "edict eval: %s\n", output_file.Error().c_str());
    }
    return driver::kExitWriteFailed;
  };
  static char buffer[1 << 16];
  std::setvbuf(out->file(), buffer, _IOFBF, sizeof buffer);
  io::Format format = args.format == "csv"     ? io::Format::kCsv
                      : args.format == "table" ? io::Format::kTable
                                               : io::Format::kJsonl;
  bool timeline = !program->timeline.empty();
  // Every decision says where it came from (docs/ledger.md, "Provenance").
  io::Provenance provenance = io::Provenance::Of(*program, EDICT_VERSION);
  const std::string provenance_cells = provenance.Csv(), provenance_members = provenance.Json();
  io::TableWriter table;
  MemoryLedger ledger;
  interp::Record rec;
  std::map<std::string, long> counts;
  long invalid = 0, failed = 0, total = 0, recorded = 0;
  int64_t first_position = 0, last_position = 0;  // recorded by this run (a table's footer)
  // Decisions written line by line to the terminal the bar would be drawn on would run into it: no bar then
  // (a table is written at the end, after the bar is erased).
  bool decisions_on_terminal = args.output.empty() && term::IsTerminal(1) && format != io::Format::kTable;
  Progress progress("eval", !args.quiet && !decisions_on_terminal);
  auto start = std::chrono::steady_clock::now();
  if (format == io::Format::kCsv)
    out->Write(io::CsvHeader() + keep.CsvHeaderCells(CsvOutputColumns()) + "\n");
  // The JIT decides packed batches (eval_batches.cc); the table, which keeps every row, and the interpreter
  // go record by record.
  bool batched = compiled && format != io::Format::kTable;
  if (batched) {
    BatchedEval eval;
    eval.policy = compiled.get();
    eval.options = options;
    eval.format = format;
    eval.explain = args.explain;
    eval.progress = &progress;
    eval.strict = args.strict;
    eval.keep = &keep;
    eval.provenance = provenance;
    eval.ledger = ledger_eval.get();
    eval.ledger_batch = args.ledger_batch;
    eval.direct_output = out == &output_file;
    EvalCounts c;
    errno = 0;
    Ledger& decide_against = store ? static_cast<Ledger&>(*store) : ledger;
    if (!RunBatchedEval(eval, input, out->file(), decide_against, &c)) {
      int err = errno;
      if (c.write_errno || std::ferror(out->file())) {
        out->MarkFailed(c.write_errno ? c.write_errno : err);
        return write_failed();
      }
      std::fprintf(stderr, "edict eval: %s\n", c.error.c_str());
      return driver::kExitBadData;
    }
    total = c.total;
    invalid = c.invalid;
    failed = c.failed;
    recorded = c.recorded;
    for (const auto& [k, v] : c.outcomes) counts[k] += v;
  }
  io::CsvCells cells;
  std::unique_ptr<io::KeepWriter> kept;
  if (keep.active()) kept = std::make_unique<io::KeepWriter>(keep, format == io::Format::kJsonl);
  if (!batched && ledger_eval) {
    LineEval eval;
    eval.program = program.get();
    eval.decide = [&](interp::Record& r, Ledger& l) {
      return compiled ? compiled->Decide(r, l, options) : interp::Decide(*program, r, l, options);
    };
    eval.format = static_cast<int>(format);
    eval.explain = args.explain;
    eval.ledger = ledger_eval.get();
    eval.batch = args.ledger_batch;
    eval.kept = kept.get();
    eval.provenance = provenance;
    LineCounts c;
    std::string error;
    if (!RunLedgerLines(eval, input, parser, *out, table, &c, &error)) {
      std::fprintf(stderr, "edict eval: %s\n", error.c_str());
      return driver::kExitBadData;
    }
    total = c.total;
    invalid = c.invalid;
    failed = c.failed;
    recorded = c.recorded;
    first_position = c.first_position;
    last_position = c.last_position;
    for (const auto& [k, v] : c.outcomes) counts[k] += v;
  }
  std::vector<io::InputRecord> records;
  // A write that fails ends the run: the rest would be lost too.
  while (!batched && !ledger_eval && out->ok() && input.Next(&records)) {
    for (const io::InputRecord& r : records) {
      if (!out->ok()) break;
      std::string error, id;
      bool ok = input.csv() ? cells.Split(r.text, &error) && parser.ParseCsv(cells.cells(), &rec, &error, &id)
                            : parser.ParseJson(r.text, &rec, &error, &id);
      ++total;
      rec.line = r.line;
      if (kept) kept->Read(r.text);
      auto write = [&](std::string line, std::string_view members = {}) {
        if (!members.empty()) io::AppendJsonMembers(line, members);
        if (kept) format == io::Format::kJsonl ? kept->AppendJson(line) : kept->AppendCsv(line);
        line += '\n';
        out->Write(line);
      };
      if (!ok) {
        ++invalid;
        if (format == io::Format::kJsonl)
          write(io::ErrorJson(id, r.line, error));
        else if (format == io::Format::kCsv)
          write(io::ErrorCsv(id, r.line, error) + "," + provenance_cells + ",,");
        else
          table.AddError(id, r.line, error);
        continue;
      }
      interp::Decision d =
          compiled ? compiled->Decide(rec, ledger, options) : interp::Decide(*program, rec, ledger, options);
      if (d.error) {
        ++failed;
        std::string msg = d.error_message + (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : "");
        if (format == io::Format::kJsonl)
          write(io::ErrorJson(id, r.line, msg));
        else if (format == io::Format::kCsv)
          write(io::ErrorCsv(id, r.line, msg) + "," + provenance_cells + ",,");
        else
          table.Add(d, id, rec, *program);
        continue;
      }
      counts[interp::DecisionName(d.kind)]++;
      if (format == io::Format::kJsonl)
        write(io::DecisionJson(d, id, args.explain, timeline), provenance_members);
      else if (format == io::Format::kCsv)
        write(io::DecisionCsv(d, id, timeline) + "," + provenance_cells + ",,");
      else
        table.Add(d, id, rec, *program);
      if (total % 1024 == 0) progress.Rows(total, input.bytes_read(), input.size());
    }
  }
  progress.Done();
  if (!batched && input.Failed(&io_error)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return driver::kExitBadData;
  }
  if (format == io::Format::kTable) {
    // The table's footer: where its decisions came from, and with a ledger where they were recorded.
    std::string footer = "\ndecided under " + provenance.Text();
    if (store) {
      footer += "; ledger " + store->where();
      if (args.dry_run)
        footer += " (dry run: nothing recorded)";
      else if (first_position == 0)
        footer += ", nothing new recorded";
      else if (first_position == last_position)
        footer += ", recorded at position " + std::to_string(first_position);
      else
        footer += ", recorded at positions " + std::to_string(first_position) + " to " +
                  std::to_string(last_position);
    }
    out->Write(table.Render() + footer + "\n");
  }
  // A file is closed and checked here; standard output by main(), which also reports its failure.
  if (!out->Flush()) return write_failed();
  if (out == &output_file && !output_file.Close(&io_error)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return driver::kExitWriteFailed;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary = text::Thousands(total) + " shipments:";
  for (const auto& [name, n] : counts) summary += " " + text::Thousands(n) + " " + name + ",";
  if (ledger_eval) summary += " " + text::Thousands(recorded) + " recorded earlier,";
  summary += " " + text::Thousands(invalid) + " invalid, " + text::Thousands(failed) + " evaluation errors";
  if (ledger_eval && args.dry_run) summary += " (dry run: nothing recorded)";
  if (!args.quiet) std::fprintf(stderr, "%s (%.2f s)\n", summary.c_str(), secs);
  return invalid + failed > 0 ? driver::kExitBadData : driver::kExitOk;
}

namespace {

void AddEval(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("eval", "Decide every shipment of a JSONL or CSV file under a policy");
  static EvalArgs args;
  cmd->add_option("policy", args.policy, "Policy file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input,-i", args.input, "Shipments (JSON Lines or CSV), or - for stdin");
  cmd->add_option("--output,-o", args.output, "Write decisions here instead of stdout");
  cmd->add_option("--format", args.format, "jsonl, csv or table")
      ->check(CLI::IsMember({"jsonl", "csv", "table"}));
  cmd->add_option("--input-format", args.input_format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  cmd->add_flag("--explain", args.explain, "Add the quota figures used to each decision");
  cmd->add_option("--as-of", args.as_of, "Evaluate every shipment as if shipped on this date")
      ->type_name("DATE");
  cmd->add_option("--engine", args.engine, "Evaluation engine")->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--cache-dir", args.cache_dir, "JIT object cache (default $XDG_CACHE_HOME/edict)")
      ->type_name("DIR");
  cmd->add_option("--ledger", args.ledger,
                  "Quota ledger to decide against and record in: a SQLite file (created when missing) or a "
                  "postgresql:// URL; each shipment id is decided once")
      ->type_name("PATH|URL");
  cmd->add_flag("--dry-run", args.dry_run,
                "With --ledger: decide against the ledger without recording anything");
  cmd->add_option("--ledger-batch", args.ledger_batch,
                  "With --ledger: shipments decided and recorded per transaction")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_flag("--strict", args.strict, "A CSV column the schema does not have is an error, not a note");
  cmd->add_flag("--quiet,-q", args.quiet,
                "No progress bar, no note about reading a terminal, no closing summary: errors only");
  cmd->add_option(
         "--keep", args.keep,
         "Copy these input columns (comma-separated, or all) into each decision, to join results back")
      ->type_name("COLS");
  cmd->add_option("--template", args.template_format,
                  "Print an empty shipment file for the policy (csv: the header; jsonl: the fields' types)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->callback([&] { exit_code = RunEval(args, common); });
}

Registrar registrar(20, AddEval);

}  // namespace

}  // namespace edict::cli
