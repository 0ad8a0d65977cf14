// Lowers an ir::Program (and a timeline's programs) to LLVM modules holding `edict_decide` (abi.h) over the
// packed layout of the program's schema. Pure IR building: optimisation, machine code and caching are the
// engine's (engine.cc).
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/jit/abi.h"

namespace edict::jit {

// One module of the generated code, in an LLVMContext of its own, so that parts can be optimised and
// compiled on separate threads.
struct GeneratedPart {
  std::string name;  // "edict_decide", or "p<k>" for a timeline's policy k (pre-order index)
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

// Fills `plan`; when the program uses something the generator does not compile, plan->supported is false.
// A single policy is one part, `edict_decide`. A timeline is the date dispatch (`edict_decide`, first), then
// one part per policy that can decide, p<k>_decide, which the dispatch calls by name. Parts are generated
// one after another on the calling thread, so the plan (sites, texts) does not depend on how they are
// compiled. Each module has the target's data layout from the start, so that instructions fold as they are
// built.
std::vector<GeneratedPart> GenerateModules(const ir::Program& program, const batch::PackedLayout& layout,
                                           const llvm::DataLayout& data_layout, Plan* plan);

}  // namespace edict::jit
