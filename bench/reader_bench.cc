// Reading JSON Lines shipments, for callgrind: the record path (interp::Record), the record path then
// batch::Pack (how RecordParser's packed overloads worked at 7fdfb0a) and the packed path, which writes the
// batch directly. Instructions per line = (Ir of MODE - Ir of `none`) / lines:
//   python3 bench/gen_shipments.py 20000 > /tmp/s.jsonl
//   valgrind --tool=callgrind build/bin/edict_reader_bench /tmp/s.jsonl MODE
// Optional third argument: a policy (default policies/ai_diffusion_2025.edict).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/driver/pipeline.h"
#include "runtime/batch/packed.h"
#include "runtime/io/reader.h"

using namespace edict;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: edict_reader_bench FILE none|record|record+pack|packed [POLICY]\n");
    return 2;
  }
  std::string mode = argv[2];
  std::string policy =
      argc > 3 ? argv[3] : std::string(EDICT_SOURCE_DIR) + "/policies/ai_diffusion_2025.edict";
  driver::Compilation c = driver::CompileFile(policy, {});
  if (!c.ok()) {
    std::fprintf(stderr, "%s\n", RenderAll(c.diags).c_str());
    return 1;
  }
  const ir::Program& program = *c.program;
  std::vector<std::string> lines;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  batch::PackedLayout layout = batch::PackedLayout::For(program);
  batch::Batch batch(layout);
  io::RecordParser parser(program);
  interp::Record rec;
  std::string error, id;
  size_t ok = 0;
  constexpr size_t kBatch = 4096;  // as a reader filling batches for the decider would
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (batch.size() == kBatch) batch.Clear(0);
    int line_no = static_cast<int>(i + 1);
    if (mode == "record") {
      ok += parser.ParseJson(lines[i], &rec, &error, &id);
    } else if (mode == "record+pack") {
      if (parser.ParseJson(lines[i], &rec, &error, &id)) {
        rec.line = line_no;
        if (batch::Pack(layout, program, rec, &batch))
          ++ok;
        else
          batch.PopBack();
      }
    } else if (mode == "packed") {
      ok += parser.ParseJson(lines[i], &batch, line_no, &error, &id);
    } else if (mode != "none") {
      std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
      return 2;
    }
  }
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu of %zu lines read, %.0f ns per line\n", mode.c_str(), ok, lines.size(),
              lines.empty() ? 0.0 : ns / static_cast<double>(lines.size()));
  return 0;
}
