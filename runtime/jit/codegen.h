// Lowers an ir::Program (and a timeline's programs) to one LLVM module holding `edict_decide` (abi.h) over
// the packed layout of the program's schema. Pure IR building: optimisation, machine code and caching are the
// engine's (engine.cc).
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/jit/abi.h"

namespace edict::jit {

// Fills `plan`; when the program uses something the generator does not compile, plan->supported is false.
// The module has the target's data layout from the start, so that instructions fold as they are built.
std::unique_ptr<llvm::Module> GenerateModule(const ir::Program& program, const batch::PackedLayout& layout,
                                             llvm::LLVMContext& context, const llvm::DataLayout& data_layout,
                                             Plan* plan);

}  // namespace edict::jit
