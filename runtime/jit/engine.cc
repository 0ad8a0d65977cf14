// All LLVM-version specifics of the JIT (LLVM 19): target setup, the optimisation pipeline, object emission,
// the object cache and ORC LLJIT linking.
#include "runtime/jit/engine.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "runtime/jit/codegen.h"

#ifndef EDICT_VERSION
#define EDICT_VERSION "unknown"
#endif

namespace edict::jit {

struct Module::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

Module::~Module() = default;

void* Module::Lookup(const std::string& name) const {
  auto sym = impl->jit->lookup(name);
  if (!sym) {
    llvm::consumeError(sym.takeError());
    return nullptr;
  }
  return sym->toPtr<void*>();
}

namespace {

std::string ToString(llvm::Error err) {
  std::string out;
  llvm::handleAllErrors(std::move(err), [&](const llvm::ErrorInfoBase& e) { out += e.message(); });
  return out;
}

void InitializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

void Optimize(llvm::Module& module, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, mam);
}

// The cache key: everything that determines the object code. The module's bitcode covers the policy (every
// constant, set and table the code uses) and the packed layout (offsets are constants in the code); then the
// edict and LLVM versions, the CPU and the level. Bitcode is written several times faster than the module's
// text, which matters on a cache hit, where little else happens.
std::string CacheKey(const llvm::Module& module, const llvm::TargetMachine& tm, int opt_level) {
  std::string bits;
  llvm::raw_string_ostream bs(bits);
  llvm::WriteBitcodeToFile(module, bs);
  bs.flush();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "\nedict " << EDICT_VERSION << "\nllvm " << LLVM_VERSION_STRING << "\ncpu " << tm.getTargetCPU()
     << "\nfeatures " << tm.getTargetFeatureString() << "\ntriple " << tm.getTargetTriple().str() << "\nopt "
     << opt_level << "\n";
  os.flush();
  llvm::SHA256 hasher;
  hasher.update(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(bits.data()), bits.size()));
  hasher.update(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  auto digest = hasher.final();
  static const char* const kHex = "0123456789abcdef";
  std::string key;
  for (uint8_t b : digest) {
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 15]);
  }
  return key;
}

// A cached object is stored behind a header: a magic line, then the SHA-256 of the object. A file whose
// header or digest does not match (damaged in place, truncated, written by an older edict) is never handed to
// the linker, which trusts what it loads: it is removed, and the policy is compiled again.
constexpr char kCacheMagic[8] = {'e', 'd', 'i', 'c', 't', 'o', '1', '\n'};
constexpr size_t kCacheHeader = sizeof kCacheMagic + 32;

std::array<uint8_t, 32> Digest(llvm::StringRef bytes) {
  return llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::unique_ptr<llvm::MemoryBuffer> ReadCached(const std::string& path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) return nullptr;
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > kCacheHeader && bytes.starts_with(llvm::StringRef(kCacheMagic, sizeof kCacheMagic))) {
    llvm::StringRef object = bytes.drop_front(kCacheHeader);
    std::array<uint8_t, 32> digest = Digest(object);
    if (std::memcmp(digest.data(), bytes.data() + sizeof kCacheMagic, digest.size()) == 0)
      return llvm::MemoryBuffer::getMemBufferCopy(object, path);  // a copy: aligned for the object reader
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return nullptr;
}

// Written to a temporary file and renamed, so a concurrent reader never sees half an object.
void WriteCached(const std::string& dir, const std::string& path, llvm::MemoryBufferRef object) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return;
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::array<uint8_t, 32> digest = Digest(object.getBuffer());
    std::ofstream out(tmp, std::ios::binary);
    out.write(kCacheMagic, sizeof kCacheMagic);
    out.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    out.write(object.getBufferStart(), static_cast<std::streamsize>(object.getBufferSize()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace

std::unique_ptr<Module> BuildModule(const ir::Program& program, const batch::PackedLayout& layout,
                                    const JitOptions& options, Plan* plan, CompileStats* stats,
                                    std::string* error) {
  InitializeTargets();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    *error = ToString(jtmb.takeError());
    return nullptr;
  }
  jtmb->setCodeGenOptLevel(options.opt_level == 0 ? llvm::CodeGenOptLevel::None
                                                  : llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    *error = ToString(tm.takeError());
    return nullptr;
  }

  // EDICT_JIT_TIMING=1: where compile time goes, on stderr (for whoever tunes the code generator): each
  // phase's wall time and this thread's CPU time (the figure to read on a loaded machine), and the size of
  // the generated code.
  const bool timing = std::getenv("EDICT_JIT_TIMING") != nullptr;
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  };
  auto last = std::chrono::steady_clock::now();
  double last_cpu = cpu_now();
  auto phase = [&](const char* name) {
    if (!timing) return;
    auto now = std::chrono::steady_clock::now();
    double cpu = cpu_now();
    std::fprintf(stderr, "jit %-9s %8.2f ms wall %8.2f ms cpu\n", name,
                 std::chrono::duration<double, std::milli>(now - last).count(), cpu - last_cpu);
    last = now;
    last_cpu = cpu;
  };
  auto size = [&](const llvm::Module& m, const char* when) {
    if (!timing) return;
    size_t functions = 0, blocks = 0, instructions = 0;
    for (const llvm::Function& f : m) {
      if (f.isDeclaration()) continue;
      ++functions;
      for (const llvm::BasicBlock& b : f) {
        ++blocks;
        instructions += b.size();
      }
    }
    std::fprintf(stderr, "jit %s: %zu functions, %zu blocks, %zu instructions\n", when, functions, blocks,
                 instructions);
  };
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module =
      GenerateModule(program, layout, context, (*tm)->createDataLayout(), plan);
  phase("generate");
  size(*module, "generated");
  if (!plan->supported) {
    *error = "not compiled: " + plan->unsupported;
    return nullptr;
  }
  module->setDataLayout((*tm)->createDataLayout());
  module->setTargetTriple((*tm)->getTargetTriple().str());
  std::unique_ptr<llvm::MemoryBuffer> object;
  std::string cache_path;
  if (!options.cache_dir.empty()) {
    cache_path = options.cache_dir + "/" + CacheKey(*module, **tm, options.opt_level) + ".o";
    object = ReadCached(cache_path);
    stats->from_cache = object != nullptr;
    phase("cache");
  }
  if (!object) {
    // For whoever tunes the code generator: the module as generated, as text (EDICT_JIT_DUMP's path + ".in").
    if (const char* dump = std::getenv("EDICT_JIT_DUMP")) {
      std::error_code ec;
      llvm::raw_fd_ostream os(std::string(dump) + ".in", ec);
      if (!ec) module->print(os, nullptr);
    }
    // Verified before it is compiled (a cached object was verified when it was made).
    std::string verify;
    llvm::raw_string_ostream verify_os(verify);
    if (llvm::verifyModule(*module, &verify_os)) {
      *error = "internal: invalid generated code: " + verify_os.str();
      return nullptr;
    }
    phase("verify");
    if (options.opt_level > 0) Optimize(*module, **tm);
    phase("optimize");
    size(*module, "optimised");
    // For whoever tunes the code generator: the optimised module as text.
    if (const char* dump = std::getenv("EDICT_JIT_DUMP")) {
      std::error_code ec;
      llvm::raw_fd_ostream os(dump, ec);
      if (!ec) module->print(os, nullptr);
    }
    auto compiled = llvm::orc::SimpleCompiler(**tm)(*module);
    if (!compiled) {
      *error = ToString(compiled.takeError());
      return nullptr;
    }
    object = std::move(*compiled);
    phase("codegen");
    if (!cache_path.empty()) WriteCached(options.cache_dir, cache_path, object->getMemBufferRef());
  }

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) {
    *error = ToString(jit.takeError());
    return nullptr;
  }
  llvm::orc::JITDylib& lib = (*jit)->getMainJITDylib();
  llvm::orc::SymbolMap helpers;
  for (const HelperSymbol& h : HelperSymbols())
    helpers[(*jit)->mangleAndIntern(h.name)] =
        llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(h.address),
                                     llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (auto err = lib.define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
    *error = ToString(std::move(err));
    return nullptr;
  }
  // Library calls the code generator may introduce (memset, ...) resolve in this process.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) {
    *error = ToString(process.takeError());
    return nullptr;
  }
  lib.addGenerator(std::move(*process));
  if (auto err = (*jit)->addObjectFile(std::move(object))) {
    *error = ToString(std::move(err));
    return nullptr;
  }
  phase("link");
  auto out = std::make_unique<Module>();
  out->impl = std::make_unique<Module::Impl>();
  out->impl->jit = std::move(*jit);
  return out;
}

}  // namespace edict::jit
