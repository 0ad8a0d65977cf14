// Shipments (JSON Lines, or CSV when the input starts with a header line naming `id`) decided under a shipped
// policy by the interpreter and by the JIT: both must accept and reject the same lines and decide them alike,
// with the same quota ledger.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/pipeline.h"
#include "runtime/interp/decide.h"
#include "runtime/io/csv.h"
#include "runtime/io/reader.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"
#include "runtime/ledger/ledger.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

using namespace edict;

struct Engines {
  driver::Compilation compilation;
  std::unique_ptr<jit::CompiledPolicy> jit;
};

// Compiled once per process: the timeline (three policies) exercises the most code.
const Engines& Get() {
  static Engines* engines = [] {
    auto* e = new Engines;
    driver::CompileOptions options;
    options.stdlib_dir = fuzz::kStdlib;
    e->compilation = driver::CompileFile(fuzz::kSourceDir + "/policies/us_ear_timeline.edict", options);
    if (!e->compilation.ok())
      fuzz::Fail("the shipped policy does not compile:\n" + RenderAll(e->compilation.diags));
    std::string error;
    e->jit = jit::CompiledPolicy::Compile(e->compilation.program, jit::JitOptions{0, "", 0}, &error);
    if (!e->jit) fuzz::Fail("the JIT cannot compile the shipped policy: " + error);
    return e;
  }();
  return *engines;
}

std::string Render(const interp::Decision& d, std::string_view id) {
  if (d.error) return "error: " + d.error_message;
  return io::DecisionJson(d, id, /*explain=*/true, /*timeline=*/true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;
  const Engines& engines = Get();
  const ir::Program& program = *engines.compilation.program;
  std::string_view text = fuzz::AsText(data, size);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size() && lines.size() < 64) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  bool csv = !lines.empty() && lines[0].rfind("id,", 0) == 0;
  io::RecordParser parser_a(program), parser_b(program);
  MemoryLedger ledger_a, ledger_b;
  interp::DecideOptions options;
  io::CsvCells split;
  for (size_t i = 0; i < lines.size(); ++i) {
    interp::Record rec_a, rec_b;
    std::string err_a, err_b, id_a, id_b;
    bool ok_a, ok_b;
    if (csv) {
      if (!split.Split(lines[i], &err_a)) continue;
      std::span<const std::string_view> cells = split.cells();
      if (i == 0) {
        std::vector<std::string> ignored;
        ok_a = parser_a.SetCsvHeader(cells, false, &ignored, &err_a);
        ok_b = parser_b.SetCsvHeader(cells, false, &ignored, &err_b);
        if (!ok_a) return 0;
        continue;
      }
      ok_a = parser_a.ParseCsv(cells, &rec_a, &err_a, &id_a);
      ok_b = parser_b.ParseCsv(cells, &rec_b, &err_b, &id_b);
    } else {
      ok_a = parser_a.ParseJson(lines[i], &rec_a, &err_a, &id_a);
      ok_b = parser_b.ParseJson(lines[i], &rec_b, &err_b, &id_b);
    }
    if (ok_a != ok_b || err_a != err_b || id_a != id_b) fuzz::Fail("the reader is not deterministic");
    if (!ok_a) continue;
    interp::Decision a = interp::Decide(program, rec_a, ledger_a, options);
    interp::Decision b = engines.jit->Decide(rec_b, ledger_b, options);
    std::string ra = Render(a, id_a), rb = Render(b, id_b);
    if (ra != rb)
      fuzz::Fail("interpreter and JIT disagree on line " + std::to_string(i + 1) + ":\n  interp " + ra +
                 "\n  jit    " + rb);
  }
  return 0;
}
