#include "tools/edict/cli_model.h"

namespace edict::cli {

namespace {

// CLI11 names a value by its type and its checks: "TEXT", "INT", "TEXT:{jsonl,csv,table}", "FILE" (an
// ExistingFile check), "PATH(existing)", "DIR", or what ->type_name() set ("DATE").
void ReadValue(const CLI::Option& o, CliOption* out) {
  if (o.get_expected_max() == 0) return;  // a flag
  std::string type = o.get_type_name();
  size_t brace = type.find('{');
  if (brace != std::string::npos) {
    size_t end = type.find('}', brace);
    std::string list = type.substr(brace + 1, end == std::string::npos ? std::string::npos : end - brace - 1);
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) out->choices.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::string base = type.substr(0, type.find(':'));
  if (!out->choices.empty()) {
    out->value = CliOption::kChoice;
    out->value_name = base;
  } else if (type.find("DIR") != std::string::npos) {
    out->value = CliOption::kDir;
    out->value_name = "DIR";
  } else if (type.find("FILE") != std::string::npos || type.find("PATH") != std::string::npos) {
    out->value = CliOption::kFile;
    out->value_name = type.find("PATH") != std::string::npos ? "PATH" : "FILE";
  } else if (base == "TEXT") {
    out->value = CliOption::kFile;  // a text option with no better name is a path (--input, --output...)
    out->value_name = "FILE";
  } else {
    out->value = CliOption::kOther;
    out->value_name = base;
  }
}

CliOption ReadOption(const CLI::Option& o) {
  CliOption out;
  out.positional = o.get_positional() && o.get_lnames().empty() && o.get_snames().empty();
  if (out.positional) {
    out.names.push_back(o.get_name());
  } else {
    for (const auto& n : o.get_lnames()) out.names.push_back("--" + n);
    for (const auto& n : o.get_snames()) out.names.push_back("-" + n);
  }
  out.description = o.get_description();
  out.default_value = o.get_default_str();
  out.repeated = o.get_expected_max() > 1;
  out.required = o.get_required();
  ReadValue(o, &out);
  if (out.value == CliOption::kFlag) out.default_value.clear();  // "false" says nothing
  return out;
}

void ReadOptions(const CLI::App& app, std::vector<CliOption>* options, std::vector<CliOption>* positionals) {
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    CliOption opt = ReadOption(*o);
    if (opt.positional && positionals)
      positionals->push_back(std::move(opt));
    else if (!opt.positional)
      options->push_back(std::move(opt));
  }
}

}  // namespace

CliModel ReadCli(const CLI::App& app) {
  CliModel model;
  model.name = app.get_name();
  model.description = app.get_description();
  ReadOptions(app, &model.options, nullptr);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden commands (completions, man)
    CliCommand c;
    c.name = sub->get_name();
    c.description = sub->get_description();
    ReadOptions(*sub, &c.options, &c.positionals);
    model.commands.push_back(std::move(c));
  }
  return model;
}

}  // namespace edict::cli
