// `edict eval POLICY --input FILE|-`: streams shipments through the policy, one decision per line, in input
// order. Memory stays flat (a line at a time) except for `--format table`, which aligns columns at the end.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

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
      std::fprintf(stderr, "edict eval: --as-of '%s' is not a date (YYYY-MM-DD)\n", args.as_of.c_str());
      return 2;
    }
    options.has_as_of = true;
    options.as_of = *d;
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
  FILE* out = stdout;
  if (!args.output.empty()) {
    out = std::fopen(args.output.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "edict eval: cannot write '%s'\n", args.output.c_str());
      return 2;
    }
  }
  static char buffer[1 << 16];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
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
  if (format == io::Format::kCsv) std::fprintf(out, "%s\n", io::CsvHeader().c_str());
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
    if (!RunBatchedEval(eval, *in, out, ledger, &c)) {
      std::fprintf(stderr, "edict eval: %s\n", c.error.c_str());
      return 2;
    }
    total = c.total;
    invalid = c.invalid;
    failed = c.failed;
    for (const auto& [k, v] : c.outcomes) counts[k] += v;
  }
  while (!batched && std::getline(*in, line)) {
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
        std::fprintf(out, "%s\n", io::ErrorJson(id, line_no, error).c_str());
      else if (format == io::Format::kCsv)
        std::fprintf(out, "%s\n", io::ErrorCsv(id, line_no, error).c_str());
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
        std::fprintf(out, "%s\n", io::ErrorJson(id, line_no, msg).c_str());
      else if (format == io::Format::kCsv)
        std::fprintf(out, "%s\n", io::ErrorCsv(id, line_no, msg).c_str());
      else
        table.Add(d, id, rec, *program);
      continue;
    }
    counts[interp::DecisionName(d.kind)]++;
    if (format == io::Format::kJsonl) {
      std::string json = io::DecisionJson(d, id, args.explain, timeline);
      std::fwrite(json.data(), 1, json.size(), out);
      std::fputc('\n', out);
    } else if (format == io::Format::kCsv) {
      std::fprintf(out, "%s\n", io::DecisionCsv(d, id).c_str());
    } else {
      table.Add(d, id, rec, *program);
    }
    if (progress && total % 100000 == 0) std::fprintf(stderr, "\r%ld shipments...", total);
  }
  if (progress && total >= 100000) std::fputs("\r", stderr);
  if (format == io::Format::kTable) std::fputs(table.Render().c_str(), out);
  std::fflush(out);
  if (out != stdout) std::fclose(out);
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
