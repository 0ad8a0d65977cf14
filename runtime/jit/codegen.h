// Lowers an ir::Program (and a timeline's programs) to one LLVM module of functions over the record layout of
// layout.h. Pure IR building: optimisation, machine code and caching are the engine's (engine.cc).
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>

#include "compiler/ir/ir.h"
#include "runtime/jit/layout.h"

namespace edict::jit {

std::unique_ptr<llvm::Module> GenerateModule(const ir::Program& program, const ValueLayout& layout,
                                             llvm::LLVMContext& context, Plan* plan);

}  // namespace edict::jit
