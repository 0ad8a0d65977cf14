// `edict eval` as a function, for the commands that run it (`edict ledger import --policy`).
#pragma once

#include <string>

#include "tools/edict/commands.h"

namespace edict::cli {

struct EvalArgs {
  std::string policy, input = "-", output, format = "jsonl", input_format = "auto", as_of, engine = "jit";
  std::string cache_dir, keep, template_format, ledger;
  bool explain = false, strict = false, dry_run = false, quiet = false;
  size_t ledger_batch = 8192;
  std::string run_command = "eval";  // what the ledger records as the run's command (`edict ledger import`)
};

int RunEval(const EvalArgs& args, const Common& common);

}  // namespace edict::cli
