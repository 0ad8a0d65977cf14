// `edict explain POLICY --shipment '{...}'`: every rule considered, condition values, overrides, quota
// arithmetic.
#include <cstdio>

#include "compiler/driver/exit_status.h"
#include "compiler/driver/explain.h"
#include "compiler/driver/files.h"
#include "runtime/date.h"
#include "runtime/io/reader.h"
#include "tools/edict/commands.h"

namespace edict::cli {

namespace {

void AddExplain(CLI::App& app, Common& common, int& exit_code) {
  auto* cmd = app.add_subcommand("explain", "Explain the decision for one shipment");
  static std::string policy, shipment, as_of;
  cmd->add_option("policy", policy, "Policy file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--shipment", shipment, "The shipment as a JSON object")->required()->type_name("JSON");
  cmd->add_option("--as-of", as_of, "Evaluate as if shipped on this date (YYYY-MM-DD)")->type_name("DATE");
  cmd->callback([&] {
    auto program = CompileForCommand(policy, common);
    if (!program) {
      exit_code = driver::kExitNo;
      return;
    }
    interp::DecideOptions options;
    if (!as_of.empty()) {
      auto d = ParseDate(as_of);
      if (!d) {
        std::fprintf(stderr, "edict explain: --as-of '%s' %s\n", as_of.c_str(), DateError(as_of).c_str());
        exit_code = driver::kExitUsage;
        return;
      }
      options.has_as_of = true;
      options.as_of = *d;
    }
    io::RecordParser parser(*program);
    interp::Record rec;
    std::string error, id;
    if (!parser.ParseJson(shipment, &rec, &error, &id)) {
      std::fprintf(stderr, "edict explain: invalid shipment: %s\n", error.c_str());
      exit_code = driver::kExitBadData;
      return;
    }
    MemoryLedger ledger;
    interp::Trace trace;
    interp::Decision d = interp::Decide(*program, rec, ledger, options, &trace);
    driver::Output::Stdout().Write(driver::ExplainText(*program, rec, d, trace));
    if (d.error) exit_code = driver::kExitBadData;
  });
}

Registrar registrar(40, AddExplain);

}  // namespace

}  // namespace edict::cli
