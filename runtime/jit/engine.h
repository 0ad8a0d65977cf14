// The machine-code side of the JIT, behind an interface free of LLVM types: generate (codegen.cc), optimise,
// compile to an object (or load it from the object cache), link with ORC LLJIT, look functions up. Every
// LLVM-version-specific call lives in engine.cc.
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/jit/abi.h"
#include "runtime/jit/jit.h"

namespace edict::jit {

struct Module {
  ~Module();
  // The address of a compiled function, or null.
  void* Lookup(const std::string& name) const;
  struct Impl;
  std::unique_ptr<Impl> impl;
};

// Null with `error` set on failure. Fills `plan` and the cache flag of `stats`.
std::unique_ptr<Module> BuildModule(const ir::Program& program, const batch::PackedLayout& layout,
                                    const JitOptions& options, Plan* plan, CompileStats* stats,
                                    std::string* error);

}  // namespace edict::jit
