// `edict impact OLD NEW --input HISTORY`: what a new policy (a draft, a later version) would have changed on
// shipments that happened. Every shipment is decided under both policies, each with its own ledger
// (tools/impact/run.h), and the report says how many decisions move (an outcome matrix), where (destination,
// item, month) and why (the rules behind each side): text, Markdown or JSON, an HTML page with a world map,
// and the moved rows themselves.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "compiler/diag/terminal.h"
#include "compiler/driver/exit_status.h"
#include "compiler/driver/files.h"
#include "runtime/date.h"
#include "runtime/io/keep.h"
#include "runtime/jit/jit.h"
#include "tools/edict/commands.h"
#include "tools/edict/shipment_input.h"
#include "tools/impact/report.h"
#include "tools/impact/run.h"

namespace edict::cli {

namespace {

struct ImpactArgs {
  std::string old_policy, new_policy, input = "-", input_format = "auto", format = "text", output, html, rows;
  std::string rows_format = "auto", keep, as_of, engine = "jit", cache_dir;
  bool strict = false, quiet = false;
  size_t top = 20;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int Fail(const std::string& message, int status = driver::kExitBadData) {
  std::fprintf(stderr, "edict impact: %s\n", message.c_str());
  return status;
}

// Writes `text` to `path`, every write and the close checked.
bool WriteFile(const std::string& path, const std::string& text, std::string* error) {
  driver::Output out;
  if (!out.Open(path, error)) return false;
  out.Write(text);
  return out.Close(error);
}

int RunImpact(const ImpactArgs& args, const Common& common) {
  auto old_program = CompileForCommand(args.old_policy, common);
  auto new_program = CompileForCommand(args.new_policy, common);
  if (!old_program || !new_program) return driver::kExitNo;
  std::string error;
  io::KeepColumns keep;
  if (!args.keep.empty()) {
    if (args.rows.empty())
      return Fail("--keep copies input columns into the moved rows: give --rows FILE too",
                  driver::kExitUsage);
    if (!keep.Parse(args.keep, &error)) return Fail(error, driver::kExitUsage);
  }
  impact::ImpactRun run;
  run.old_program = old_program;
  run.new_program = new_program;
  if (!args.as_of.empty()) {
    auto d = ParseDate(args.as_of);
    if (!d) return Fail("--as-of '" + args.as_of + "' " + DateError(args.as_of), driver::kExitUsage);
    run.options.has_as_of = true;
    run.options.as_of = *d;
  }
  std::unique_ptr<jit::CompiledPolicy> old_jit, new_jit;
  if (args.engine == "jit") {
    jit::JitOptions options;
    options.cache_dir = args.cache_dir.empty() ? jit::DefaultCacheDir() : args.cache_dir;
    old_jit = jit::CompiledPolicy::Compile(old_program, options, &error);
    if (old_jit) new_jit = jit::CompiledPolicy::Compile(new_program, options, &error);
    if (!old_jit || !new_jit) {
      std::fprintf(stderr, "edict impact: note: JIT unavailable (%s); using the interpreter\n",
                   error.c_str());
      old_jit.reset();
      new_jit.reset();
    }
  }
  run.old_jit = old_jit.get();
  run.new_jit = new_jit.get();
  ShipmentInput input;
  if (args.input == "-" && term::IsTerminal(0) && !args.quiet)
    std::fputs(
        "edict impact: reading shipments from standard input (Ctrl-D ends them; --input FILE reads a "
        "file)\n",
        stderr);
  if (!input.Open(args.input, args.input_format, &error)) return Fail(error);
  {
    // The header is checked (and its ignored columns named) once per policy here; the workers set it again.
    io::RecordParser old_parser(*old_program), new_parser(*new_program);
    std::vector<std::string> old_ignored, new_ignored;
    if (!input.SetHeader(old_parser, args.strict, &error, &old_ignored) ||
        !input.SetHeader(new_parser, args.strict, &error, &new_ignored))
      return Fail(error);
    input.NoteIgnored("impact", old_ignored);
    if (new_ignored != old_ignored) input.NoteIgnored("impact", new_ignored);
  }
  if (keep.active()) {
    if (input.csv() && !keep.UseCsvHeader(input.header_views(), &error))
      return Fail(error, driver::kExitUsage);
    if (!input.csv()) keep.UseJson(*old_program);
  }
  // No output may overwrite an input: the shipments or either policy.
  const std::string input_path = args.input == "-" ? "/dev/stdin" : args.input;
  for (const std::string* out : {&args.output, &args.html, &args.rows}) {
    if (out->empty()) continue;
    for (const std::string* in : {&input_path, &args.old_policy, &args.new_policy})
      if (driver::SameFile(*out, *in))
        return Fail("the output '" + *out + "' is an input ('" + *in + "'); not overwriting it",
                    driver::kExitUsage);
  }
  driver::Output rows_file;
  if (!args.rows.empty()) {
    if (!rows_file.Open(args.rows, &error)) return Fail(error, driver::kExitWriteFailed);
    bool csv = args.rows_format == "csv" || (args.rows_format == "auto" && EndsWith(args.rows, ".csv"));
    run.rows_format = csv ? io::Format::kCsv : io::Format::kJsonl;
    run.rows = rows_file.file();
    run.keep = &keep;
    if (csv)
      rows_file.Write(
          impact::RowsCsvHeader() +
          keep.CsvHeaderCells(std::vector<std::string>{"line", "id", "destination", "item", "date", "from",
                                                       "to", "from_rules", "to_rules"}) +
          "\n");
  }
  Progress progress("impact", !args.quiet);
  run.progress = &progress;
  auto start = std::chrono::steady_clock::now();
  impact::Tally tally(*old_program);
  errno = 0;
  if (!impact::Run(run, input, args.strict, &tally, &error)) {
    if (run.rows && std::ferror(run.rows)) {
      rows_file.MarkFailed(errno ? errno : EIO);
      rows_file.Close(&error);
      return Fail(error, driver::kExitWriteFailed);
    }
    return Fail(error);
  }
  if (run.rows && !rows_file.Close(&error)) return Fail(error, driver::kExitWriteFailed);
  impact::Tally::Summary summary = tally.Summarize();
  impact::ReportInfo info;
  info.old_path = args.old_policy;
  info.new_path = args.new_policy;
  info.input = args.input == "-" ? "standard input" : args.input;
  info.old_name = old_program->name;
  info.new_name = new_program->name;
  info.top = args.top;
  std::string report = args.format == "json"       ? impact::JsonReport(info, summary)
                       : args.format == "markdown" ? impact::MarkdownReport(info, summary)
                                                   : impact::TextReport(info, summary);
  if (!args.output.empty()) {
    if (!WriteFile(args.output, report, &error)) return Fail(error, driver::kExitWriteFailed);
  } else {
    driver::Output::Stdout().Write(report);  // main() checks standard output
  }
  if (!args.html.empty() && !WriteFile(args.html, impact::HtmlReport(info, summary), &error))
    return Fail(error, driver::kExitWriteFailed);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.quiet)
    std::fprintf(stderr, "%s shipments: %s moved, %s invalid (%.2f s)\n",
                 impact::Thousands(summary.total).c_str(), impact::Thousands(summary.moved).c_str(),
                 impact::Thousands(std::max(summary.invalid_old, summary.invalid_new)).c_str(), secs);
  return summary.invalid_old + summary.invalid_new > 0 ? driver::kExitBadData : driver::kExitOk;
}

void AddImpact(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "impact", "Decide shipments under two policies and report which decisions move, where and why");
  static ImpactArgs args;
  cmd->add_option("old", args.old_policy, "The policy in force (or the earlier version)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("new", args.new_policy, "The draft (or the later version)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--input,-i", args.input, "Shipments (JSON Lines or CSV), or - for stdin")
      ->capture_default_str();
  cmd->add_option("--input-format", args.input_format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}))
      ->capture_default_str();
  cmd->add_option("--format", args.format, "Report format: text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", args.output, "Write the report here instead of stdout");
  cmd->add_option("--html", args.html, "Also write a self-contained HTML report with a world map here");
  cmd->add_option("--rows", args.rows, "Write the moved rows here (JSON Lines, or CSV for a .csv name)");
  cmd->add_option("--rows-format", args.rows_format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}))
      ->capture_default_str();
  cmd->add_option("--keep", args.keep,
                  "Copy these input columns (comma-separated, or all) into the moved rows")
      ->type_name("COLS");
  cmd->add_option("--top", args.top, "Destinations and items listed in text and Markdown")
      ->capture_default_str();
  cmd->add_option("--as-of", args.as_of, "Decide every shipment as if shipped on this date")
      ->type_name("DATE");
  cmd->add_option("--engine", args.engine, "Evaluation engine")
      ->check(CLI::IsMember({"jit", "interp"}))
      ->capture_default_str();
  cmd->add_option("--cache-dir", args.cache_dir, "JIT object cache (default $XDG_CACHE_HOME/edict)")
      ->type_name("DIR");
  cmd->add_flag("--strict", args.strict, "A CSV column the schema does not have is an error, not a note");
  cmd->add_flag("--quiet,-q", args.quiet,
                "No progress bar, no note about reading a terminal, no closing summary: errors only");
  cmd->callback([&] { exit_code = RunImpact(args, common); });
}

Registrar registrar(25, AddImpact);

}  // namespace

}  // namespace edict::cli
