// Shared by the JIT differential tests: compiling policies, rendering decisions byte for byte, running a
// decision under both engines.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/pipeline.h"
#include "runtime/interp/decide.h"
#include "runtime/interp/eval.h"
#include "runtime/io/writer.h"
#include "runtime/jit/jit.h"

namespace edict::jit_test {

inline std::vector<std::string> PolicyPaths() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(EDICT_SOURCE_DIR) + "/policies"))
    if (entry.path().extension() == ".edict") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string Stem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

// Keeps the compilation (sources) alive with the program.
struct Loaded {
  driver::Compilation compilation;
  std::shared_ptr<const ir::Program> program;
};

inline Loaded Load(const std::string& path, const std::string* text = nullptr) {
  Loaded l;
  l.compilation = driver::CompileFile(path, driver::CompileOptions{}, text);
  l.program = l.compilation.program;
  return l;
}

inline std::unique_ptr<jit::CompiledPolicy> Jit(std::shared_ptr<const ir::Program> p, int opt_level,
                                                const std::string& cache_dir = "") {
  jit::JitOptions options;
  options.opt_level = opt_level;
  options.cache_dir = cache_dir;
  std::string error;
  auto policy = jit::CompiledPolicy::Compile(std::move(p), options, &error);
  EXPECT_TRUE(policy) << error;
  return policy;
}

// Everything a decision says: the JSON line (with quota figures), or the error with its location.
inline std::string Render(const interp::Decision& d, std::string_view id) {
  if (d.error)
    return "error: " + d.error_message + " @" + std::to_string(d.error_span.line) + ":" +
           std::to_string(d.error_span.col);
  return io::DecisionJson(d, id, /*explain=*/true, /*timeline=*/true) +
         (d.in_force ? "" : " (not in force)") + " date=" + std::to_string(d.date);
}

// A shipment as a JSON-like line, for messages.
inline std::string Show(const ir::Program& p, const interp::Record& r) {
  std::string out = "{";
  for (size_t i = 0; i < p.fields.size(); ++i) {
    if (p.fields[i].kind == ir::Field::kDerived) continue;
    if (out.size() > 1) out += ", ";
    out += "\"" + p.fields[i].name + "\": " + interp::FormatValue(p, r.values[i], p.fields[i].type);
  }
  return out + "}";
}

}  // namespace edict::jit_test
