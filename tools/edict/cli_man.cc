// `edict man`: the man page, generated from the CLI11 definitions (cli_model.h), so that every command and
// option with its default is there as --help shows it; the exit statuses come from
// compiler/driver/exit_status.h.
#include <sstream>

#include "compiler/driver/exit_status.h"
#include "tools/edict/cli_model.h"

namespace edict::cli {

namespace {

// Text for roff: a backslash is \e, '-' is \- (a real minus, so that options can be searched and copied), and
// a line starting with '.' or '\'' is not read as a request.
std::string Roff(const std::string& s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string OptionTerm(const CliOption& o) {
  std::string term;
  for (const auto& n : o.names) term += (term.empty() ? "" : ", ") + ("\\fB" + Roff(n) + "\\fR");
  if (o.value != CliOption::kFlag) {
    std::string value = o.choices.empty() ? o.value_name : "";
    for (const auto& c : o.choices) value += (value.empty() ? "" : "|") + c;
    term += " \\fI" + Roff(value) + "\\fR";
  }
  return term;
}

void Options(const std::vector<CliOption>& options, std::ostringstream& out) {
  for (const auto& o : options) {
    out << ".TP\n" << OptionTerm(o) << "\n" << Roff(o.description);
    if (!o.default_value.empty()) out << " (default: " << Roff(o.default_value) << ")";
    out << "\n";
  }
}

std::string Synopsis(const std::string& program, const CliCommand& c) {
  std::string s = "\\fB" + Roff(program) + " " + Roff(c.name) + "\\fR";
  if (c.options.size() > 1) s += " [\\fIOPTIONS\\fR]";
  for (const auto& p : c.positionals) {
    std::string arg = "\\fI" + Roff(p.names.front()) + "\\fR" + (p.repeated ? "..." : "");
    s += " " + (p.required ? arg : "[" + arg + "]");
  }
  return s;
}

}  // namespace

std::string ManPage(const CliModel& model, const std::string& version) {
  std::ostringstream out;
  std::string upper;
  for (char c : model.name) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  out << ".\\\" Generated from the command-line definitions by `" << model.name
      << " man`: regenerate it rather than editing it.\n";
  out << ".TH " << upper << " 1 \"\" \"" << Roff(model.name + " " + version) << "\" \"User Commands\"\n";
  std::string description = model.description;
  if (size_t colon = description.find(": "); colon != std::string::npos) description.erase(0, colon + 2);
  out << ".SH NAME\n" << Roff(model.name) << " \\- " << Roff(description) << "\n";
  out << ".SH SYNOPSIS\n\\fB" << Roff(model.name) << "\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
      << "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n";
  out << ".SH DESCRIPTION\n"
      << Roff(
             "Export-control regulations written as code. A regulator drafts rules as readable text files, "
             "tries hypothetical shipments and asks what a new version changes; exporters and analysts run "
             "the "
             "same policies over millions of shipment records. Where a command takes files, it also takes "
             "folders, which stand for every .edict file under them.")
      << "\n";
  out << ".SH GLOBAL OPTIONS\nGiven before the command.\n";
  Options(model.options, out);
  out << ".SH COMMANDS\n";
  for (const auto& c : model.commands) {
    out << ".SS \"" << Roff(c.name) << "\"\n"
        << Synopsis(model.name, c) << "\n.PP\n"
        << Roff(c.description) << ".\n";
    for (const auto& p : c.positionals) {
      out << ".TP\n\\fI" << Roff(p.names.front()) << "\\fR" << (p.repeated ? "..." : "") << "\n"
          << Roff(p.description) << "\n";
    }
    Options(c.options, out);
  }
  out << ".SH EXIT STATUS\n";
  for (const auto& s : driver::kExitStatuses)
    out << ".TP\n.B " << s.status << "\n" << Roff(s.meaning) << "\n";
  out << ".SH ENVIRONMENT\n"
      << ".TP\n.B EDICT_STDLIB\n"
      << Roff(
             "A folder of stdlib modules, searched after --stdlib and before the installed stdlib. A path "
             "that "
             "is not a stdlib folder is an error (status 64).")
      << "\n.TP\n.B NO_COLOR\n"
      << Roff("When set and not empty, no colour unless --color always.") << "\n.TP\n.B XDG_CACHE_HOME\n"
      << Roff("The JIT's object cache is $XDG_CACHE_HOME/edict (else ~/.cache/edict).")
      << "\n.TP\n.B COLUMNS\n"
      << Roff("The width tables are laid out for, when standard output is not a terminal.") << "\n";
  out << ".SH FILES\n.TP\n.I PREFIX/share/edict/stdlib\n"
      << Roff(
             "The standard library: countries, units, outcomes, EAR groups, the chip catalog and the "
             "shipment "
             "schema, found next to the installed binary.")
      << "\n";
  out << ".SH SEE ALSO\n"
      << Roff(
             "The language reference, tutorial and exit statuses are in the docs/ folder of the source "
             "(docs/language.md, docs/tutorial.md, docs/exit-status.md).")
      << "\n";
  return out.str();
}

}  // namespace edict::cli
