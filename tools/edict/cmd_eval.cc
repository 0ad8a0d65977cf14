// `edict eval POLICY --input FILE|-`: streams shipments through the policy, one decision per line, in input
// order. Memory stays flat (a line at a time) except for `--format table`, which aligns columns at the end.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "compiler/driver/files.h"
#include "runtime/date.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"
#include "tools/edict/commands.h"
#include "tools/edict/eval_batches.h"

namespace edict::cli {

namespace {

struct EvalArgs {
  std::string policy, input = "-", output, format = "jsonl", input_format = "auto", as_of, engine = "jit";
  std::string cache_dir;
  bool explain = false;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int RunEval(const EvalArgs& args, const Common& common) {
  auto program = CompileForCommand(args.policy, common);
  if (!program) return 1;
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
      return 2;
    }
    options.has_as_of = true;
    options.as_of = *d;
  }
  // Lines for the interpreter and the table (a read error is an error, not the end of the input); the
  // batched JIT path reads the same file as a stream. Either way a directory or an unreadable file is refused
  // here with the OS reason.
  std::string io_error;
  driver::InputLines lines;
  if (!lines.Open(args.input, &io_error)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return 2;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.input != "-") {
    file.open(args.input, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "edict eval: cannot read '%s'\n", args.input.c_str());
      return 2;
    }
    in = &file;
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
      return 2;
    }
    if (!output_file.Open(args.output, &io_error)) {
      std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
      return 2;
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
    return 2;
  };
  static char buffer[1 << 16];
  std::setvbuf(out->file(), buffer, _IOFBF, sizeof buffer);
  bool csv_in = args.input_format == "csv" || (args.input_format == "auto" && EndsWith(args.input, ".csv"));
  io::Format format = args.format == "csv"     ? io::Format::kCsv
                      : args.format == "table" ? io::Format::kTable
                                               : io::Format::kJsonl;
  bool timeline = !program->timeline.empty();
  io::RecordParser parser(*program);
  io::TableWriter table;
  MemoryLedger ledger;
  interp::Record rec;
  std::map<std::string, long> counts;
  long invalid = 0, failed = 0, total = 0;
  bool progress = isatty(2);
  auto start = std::chrono::steady_clock::now();
  if (format == io::Format::kCsv) out->Write(io::CsvHeader() + "\n");
  std::string line;
  std::vector<std::string> cells;
  int line_no = 0;
  bool header_done = false;
  // The JIT decides packed batches (eval_batches.cc); the table, which keeps every row, and the interpreter
  // go line by line.
  bool batched = compiled && format != io::Format::kTable;
  if (batched) {
    BatchedEval eval;
    eval.policy = compiled.get();
    eval.options = options;
    eval.format = format;
    eval.csv_input = csv_in;
    eval.explain = args.explain;
    eval.progress = progress;
    eval.input_name = args.input;
    EvalCounts c;
    // The first line may start with a UTF-8 byte-order mark: skipped, as InputLines does.
    if (in->peek() == 0xEF) {
      char bom[3] = {};
      in->read(bom, 3);
      if (std::string_view(bom, static_cast<size_t>(in->gcount())) != "\xEF\xBB\xBF") {
        std::fprintf(stderr, "edict eval: %s: the first line starts with an incomplete byte-order mark\n",
                     args.input.c_str());
        return 2;
      }
    }
    errno = 0;
    if (!RunBatchedEval(eval, *in, out->file(), ledger, &c)) {
      int err = errno;
      if (std::ferror(out->file())) {
        out->MarkFailed(err);
        return write_failed();
      }
      std::fprintf(stderr, "edict eval: %s\n", c.error.c_str());
      return 2;
    }
    total = c.total;
    invalid = c.invalid;
    failed = c.failed;
    for (const auto& [k, v] : c.outcomes) counts[k] += v;
  }
  // A write that fails ends the run: the rest would be lost too.
  while (!batched && out->ok() && lines.Next(&line)) {
    ++line_no;
    if (line.empty() || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string error, id;
    bool ok;
    if (csv_in) {
      if (!io::SplitCsv(line, &cells)) {
        ok = false;
        error = "unbalanced quotes";
      } else if (!header_done) {
        header_done = true;
        if (!parser.SetCsvHeader(cells, &error)) {
          std::fprintf(stderr, "edict eval: %s:%d: bad CSV header: %s\n", args.input.c_str(), line_no,
                       error.c_str());
          return 2;
        }
        continue;
      } else {
        ok = parser.ParseCsv(cells, &rec, &error, &id);
      }
    } else {
      ok = parser.ParseJson(line, &rec, &error, &id);
    }
    ++total;
    rec.line = line_no;
    if (!ok) {
      ++invalid;
      if (format == io::Format::kJsonl)
        out->Write(io::ErrorJson(id, line_no, error) + "\n");
      else if (format == io::Format::kCsv)
        out->Write(io::ErrorCsv(id, line_no, error) + "\n");
      else
        table.AddError(id, line_no, error);
      continue;
    }
    interp::Decision d =
        compiled ? compiled->Decide(rec, ledger, options) : interp::Decide(*program, rec, ledger, options);
    if (d.error) {
      ++failed;
      std::string msg = d.error_message + (d.error_span.valid() ? " (at " + Where(d.error_span) + ")" : "");
      if (format == io::Format::kJsonl)
        out->Write(io::ErrorJson(id, line_no, msg) + "\n");
      else if (format == io::Format::kCsv)
        out->Write(io::ErrorCsv(id, line_no, msg) + "\n");
      else
        table.Add(d, id, rec, *program);
      continue;
    }
    counts[interp::DecisionName(d.kind)]++;
    if (format == io::Format::kJsonl) {
      std::string json = io::DecisionJson(d, id, args.explain, timeline);
      json += '\n';
      out->Write(json);
    } else if (format == io::Format::kCsv) {
      out->Write(io::DecisionCsv(d, id) + "\n");
    } else {
      table.Add(d, id, rec, *program);
    }
    if (progress && total % 100000 == 0) std::fprintf(stderr, "\r%ld shipments...", total);
  }
  if (progress && total >= 100000) std::fputs("\r", stderr);
  if (!batched && lines.Failed(&io_error)) {
    std::fprintf(stderr, "edict eval: %s (after %d lines)\n", io_error.c_str(), line_no);
    return 2;
  }
  if (format == io::Format::kTable) out->Write(table.Render());
  // A file is closed and checked here; standard output by main(), which also reports its failure.
  if (!out->Flush()) return write_failed();
  if (out == &output_file && !output_file.Close(&io_error)) {
    std::fprintf(stderr, "edict eval: %s\n", io_error.c_str());
    return 2;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary = std::to_string(total) + " shipments:";
  for (const auto& [name, n] : counts) summary += " " + std::to_string(n) + " " + name + ",";
  summary += " " + std::to_string(invalid) + " invalid, " + std::to_string(failed) + " evaluation errors";
  std::fprintf(stderr, "%s (%.2f s)\n", summary.c_str(), secs);
  return invalid + failed > 0 ? 2 : 0;
}

}  // namespace

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
  cmd->add_option("--as-of", args.as_of, "Evaluate every shipment as if shipped on this date");
  cmd->add_option("--engine", args.engine, "Evaluation engine")->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--cache-dir", args.cache_dir, "JIT object cache (default $XDG_CACHE_HOME/edict)");
  cmd->callback([&] { exit_code = RunEval(args, common); });
}

Registrar registrar(20, AddEval);

}  // namespace

}  // namespace edict::cli
