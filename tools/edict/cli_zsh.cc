// `edict completions zsh`: a zsh completion function (#compdef) generated from the CLI11 definitions
// (cli_model.h), built on _arguments: commands with their descriptions, each command's options with theirs,
// fixed sets of values, and files or folders where a path goes.
#include <sstream>

#include "tools/edict/cli_model.h"

namespace edict::cli {

namespace {

// Inside a single-quoted _arguments spec: the quote closed and reopened; in a description, the brackets and
// colons that would end it escaped.
std::string SpecText(const std::string& s, bool description) {
  std::string out;
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else if (description && (c == '[' || c == ']' || c == ':' || c == '\\'))
      out += std::string("\\") + c;
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string Action(const CliOption& o) {
  switch (o.value) {
    case CliOption::kChoice: {
      std::string words;
      for (const auto& c : o.choices) words += (words.empty() ? "" : " ") + SpecText(c, true);
      return "(" + words + ")";
    }
    case CliOption::kFile:
      return "_files";
    case CliOption::kDir:
      return "_files -/";
    default:
      return " ";  // a value with nothing to offer
  }
}

std::string Message(const CliOption& o) {
  return SpecText(o.value_name.empty() ? o.names.front() : o.value_name, true);
}

// One spec per name of the option, each excluding the others ("(-i --input)-i[...]").
void OptionSpecs(const std::vector<CliOption>& options, const std::string& indent, std::ostringstream& out) {
  for (const auto& o : options) {
    std::string exclusive;
    if (o.names.size() > 1)
      for (const auto& n : o.names) exclusive += (exclusive.empty() ? "(" : " ") + n;
    if (!exclusive.empty()) exclusive += ")";
    // --help and --version end the command line.
    if (o.names.front() == "--help" || o.names.front() == "--version") exclusive = "(- *)";
    for (const auto& n : o.names) {
      out << indent << "'" << exclusive << (o.repeated && o.value != CliOption::kFlag ? "*" : "") << n << "["
          << SpecText(o.description, true) << "]";
      if (o.value != CliOption::kFlag) out << ":" << Message(o) << ":" << Action(o);
      out << "' \\\n";
    }
  }
}

}  // namespace

std::string ZshCompletion(const CliModel& model) {
  std::ostringstream out;
  out << "#compdef " << model.name << "\n";
  out << "# zsh completion for " << model.name << ". Generated from its command-line definitions by `"
      << model.name << " completions zsh`:\n# regenerate it rather than editing it.\n\n";
  out << "_" << model.name << "() {\n  local curcontext=\"$curcontext\" state line ret=1\n"
      << "  typeset -A opt_args\n  _arguments -C \\\n";
  OptionSpecs(model.options, "    ", out);
  out << "    '1:command:->command' \\\n    '*::argument:->argument' && ret=0\n";
  out << "  case $state in\n    command)\n      local -a commands\n      commands=(\n";
  for (const auto& c : model.commands)
    out << "        '" << SpecText(c.name, true) << ":" << SpecText(c.description, false) << "'\n";
  out << "      )\n      _describe -t commands '" << model.name << " command' commands && ret=0 ;;\n";
  out << "    argument)\n      curcontext=\"${curcontext%:*:*}:" << model.name << "-$line[1]:\"\n"
      << "      case $line[1] in\n";
  for (const auto& c : model.commands) {
    out << "        " << c.name << ")\n          _arguments \\\n";
    OptionSpecs(c.options, "            ", out);
    for (const auto& p : c.positionals)
      out << "            '" << (p.repeated ? "*" : "") << ":" << SpecText(p.names.front(), true) << ":"
          << Action(p) << "' \\\n";
    out << "            && ret=0 ;;\n";
  }
  out << "      esac ;;\n  esac\n  return ret\n}\n\n_" << model.name << " \"$@\"\n";
  return out.str();
}

}  // namespace edict::cli
