// `edict completions bash`: a bash completion function generated from the CLI11 definitions (cli_model.h).
// It completes command names, each command's options, the values of options with a fixed set of values, and
// files or folders where a path goes.
#include <sstream>

#include "tools/edict/cli_model.h"

namespace edict::cli {

namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Names and choices are CLI11 identifiers (letters, digits, '-', '_'); quoted anyway.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The completion of an option's value, as the body of a case branch.
std::string ValueCompletion(const CliOption& o) {
  switch (o.value) {
    case CliOption::kChoice:
      return "mapfile -t COMPREPLY < <(compgen -W " + Quoted(Join(o.choices)) + " -- \"$cur\")";
    case CliOption::kFile:
      return "mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")";
    case CliOption::kDir:
      return "mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")";
    default:
      return "COMPREPLY=()";  // a number, a date: nothing to offer
  }
}

std::vector<std::string> OptionNames(const std::vector<CliOption>& options) {
  std::vector<std::string> names;
  for (const auto& o : options) names.insert(names.end(), o.names.begin(), o.names.end());
  return names;
}

void ValueCases(const std::string& command, const std::vector<CliOption>& options, std::ostringstream& out) {
  for (const auto& o : options) {
    if (o.value == CliOption::kFlag) continue;
    std::string pattern;
    for (const auto& n : o.names) pattern += (pattern.empty() ? "" : "|") + command + ":" + n;
    out << "    " << pattern << ")\n      " << ValueCompletion(o) << "\n      return 0 ;;\n";
  }
}

}  // namespace

std::string BashCompletion(const CliModel& model) {
  std::ostringstream out;
  std::vector<std::string> commands, takes_value;
  for (const auto& c : model.commands) commands.push_back(c.name);
  for (const auto& o : model.options)
    if (o.value != CliOption::kFlag) takes_value.insert(takes_value.end(), o.names.begin(), o.names.end());
  out << "# bash completion for " << model.name << ". Generated from its command-line definitions by `"
      << model.name << " completions bash`:\n# regenerate it rather than editing it.\n";
  out << "_" << model.name << "() {\n";
  out << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n";
  out << "  # The command is the first word that is neither an option nor a global option's value.\n";
  out << "  for ((i = 1; i < COMP_CWORD; i++)); do\n    case ${COMP_WORDS[i]} in\n";
  if (!takes_value.empty()) {
    std::string pattern;
    for (const auto& n : takes_value) pattern += (pattern.empty() ? "" : "|") + n;
    out << "      " << pattern << ") ((i++)) ;;\n";
  }
  out << "      -*) ;;\n      *) cmd=${COMP_WORDS[i]}; break ;;\n    esac\n  done\n";
  out << "  # The value of the option just before.\n  case \"$cmd:$prev\" in\n";
  // A global option's value, before the command.
  ValueCases("", model.options, out);
  for (const auto& c : model.commands) ValueCases(c.name, c.options, out);
  out << "  esac\n";
  out << "  case $cmd in\n";
  out << "    '')\n      if [[ $cur == -* ]]; then\n        mapfile -t COMPREPLY < <(compgen -W "
      << Quoted(Join(OptionNames(model.options))) << " -- \"$cur\")\n      else\n"
      << "        mapfile -t COMPREPLY < <(compgen -W " << Quoted(Join(commands)) << " -- \"$cur\")\n"
      << "      fi ;;\n";
  for (const auto& c : model.commands) {
    out << "    " << c.name
        << ")\n      if [[ $cur == -* ]]; then\n        mapfile -t COMPREPLY < <(compgen -W "
        << Quoted(Join(OptionNames(c.options))) << " -- \"$cur\")\n      else\n        ";
    // Arguments: files (policies, shipment files), or nothing for a command that takes none.
    if (c.positionals.empty())
      out << "COMPREPLY=()\n";
    else
      out << ValueCompletion(c.positionals.front()) << "\n";
    out << "      fi ;;\n";
  }
  out << "  esac\n  return 0\n}\n";
  out << "complete -o filenames -o bashdefault -F _" << model.name << " " << model.name << "\n";
  return out.str();
}

}  // namespace edict::cli
