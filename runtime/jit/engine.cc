// All LLVM-version specifics of the JIT (LLVM 19): target setup, the optimisation pipeline, object emission,
// the object cache and ORC LLJIT linking.
#include "runtime/jit/engine.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/jit/codegen.h"
#include "runtime/parallel/pool.h"

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

// LLVM's O2 without its interprocedural half: each module holds one function (a policy's decision, or the
// date dispatch of a timeline) that calls only the host's helpers, so the inliner, the CGSCC walk and the
// module-wide passes before it (IPSCCP, GlobalOpt, function attributes) find nothing to do, yet cost time.
// The function simplification pipeline (the inliner's per-function half) and the optimisation pipeline
// (loops, vectorisers, the last clean-ups) are O2's own. Measured with callgrind: the timeline compiles in 4
// % fewer instructions and decides in 6 % fewer; the stateless code is unchanged (118.9 per decision).
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
  const llvm::OptimizationLevel level = llvm::OptimizationLevel::O2;
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::createModuleToFunctionPassAdaptor(
      pb.buildFunctionSimplificationPipeline(level, llvm::ThinOrFullLTOPhase::None)));
  mpm.addPass(pb.buildModuleOptimizationPipeline(level, llvm::ThinOrFullLTOPhase::None));
  mpm.run(module, mam);
}

// Names the optimisation pipeline in the cache key; changed whenever Optimize changes, so that no object made
// by another pipeline is loaded.
constexpr const char* kPipeline = "function-simplification+optimisation O2";

// The cache key: everything that determines the object code. The module's bitcode covers the policy (every
// constant, set and table the code uses) and the packed layout (offsets are constants in the code); then the
// edict and LLVM versions, the CPU, the level and the pipeline (KeyTarget's text, made once for all parts).
// Bitcode is written several times faster than the module's text, which matters on a cache hit, where little
// else happens.
std::string KeyTarget(const llvm::TargetMachine& tm, int opt_level) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "\nedict " << EDICT_VERSION << "\nllvm " << LLVM_VERSION_STRING << "\ncpu " << tm.getTargetCPU()
     << "\nfeatures " << tm.getTargetFeatureString() << "\ntriple " << tm.getTargetTriple().str() << "\nopt "
     << opt_level << "\npipeline " << kPipeline << "\n";
  os.flush();
  return text;
}

std::string CacheKey(const llvm::Module& module, const std::string& target) {
  std::string bits;
  llvm::raw_string_ostream bs(bits);
  llvm::WriteBitcodeToFile(module, bs);
  bs.flush();
  const std::string& text = target;
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

double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double ProcessCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

size_t Instructions(const llvm::Module& m, size_t* functions, size_t* blocks) {
  size_t instructions = 0;
  for (const llvm::Function& f : m) {
    if (f.isDeclaration()) continue;
    ++*functions;
    for (const llvm::BasicBlock& b : f) {
      ++*blocks;
      instructions += b.size();
    }
  }
  return instructions;
}

// One part on its way to an object: loaded from the cache, or verified, optimised and compiled.
struct PartJob {
  GeneratedPart* part = nullptr;
  size_t instructions = 0;  // as generated: the largest parts start first
  std::string cache_path;
  std::unique_ptr<llvm::MemoryBuffer> object;
  bool cached = false;  // the object came from the cache
  std::string error;
  double optimize_cpu = 0, codegen_cpu = 0;  // ms of the compiling thread's CPU (EDICT_JIT_TIMING)
  size_t optimised = 0;                      // instructions after optimisation
  size_t thread = 0;                         // which of the compiling threads
  std::string dump;                          // the optimised module as text (EDICT_JIT_DUMP)
  std::string assembly;                      // its machine code as assembly, with the blocks' names (ditto)
};

// On the calling thread, with a target machine of its own (a TargetMachine is not shared across threads).
// Not inlined, so that callgrind's --toggle-collect='*CompilePart*' finds it on every thread.
[[gnu::noinline]] void CompilePart(PartJob& job, llvm::TargetMachine& tm, const JitOptions& options,
                                   bool timing) {
  llvm::Module& module = *job.part->module;
  // Verified before it is compiled (a cached object was verified when it was made).
  std::string verify;
  llvm::raw_string_ostream verify_os(verify);
  if (llvm::verifyModule(module, &verify_os)) {
    job.error = "internal: invalid generated code: " + verify_os.str();
    return;
  }
  double cpu = ThreadCpuMs();
  if (options.opt_level > 0) Optimize(module, tm);
  double optimized = ThreadCpuMs();
  job.optimize_cpu = optimized - cpu;
  if (timing) {
    size_t functions = 0, blocks = 0;
    job.optimised = Instructions(module, &functions, &blocks);
  }
  // Taken here: making machine code changes the module in place.
  if (std::getenv("EDICT_JIT_DUMP")) {
    llvm::raw_string_ostream os(job.dump);
    module.print(os, nullptr);
    // The same code as the object below (made from a copy: emitting changes the module), labelled, for
    // whoever maps a profile's addresses onto the generated blocks (`as -L` keeps the labels).
    std::unique_ptr<llvm::Module> copy = llvm::CloneModule(module);
    llvm::SmallString<0> text;
    llvm::raw_svector_ostream asm_os(text);
    llvm::legacy::PassManager emit;
    const bool verbose = tm.Options.MCOptions.AsmVerbose;
    tm.Options.MCOptions.AsmVerbose = true;  // the blocks' names as comments
    if (!tm.addPassesToEmitFile(emit, asm_os, nullptr, llvm::CodeGenFileType::AssemblyFile)) emit.run(*copy);
    tm.Options.MCOptions.AsmVerbose = verbose;
    job.assembly = text.str().str();
  }
  auto compiled = llvm::orc::SimpleCompiler(tm)(module);
  if (!compiled) {
    job.error = ToString(compiled.takeError());
    return;
  }
  job.object = std::move(*compiled);
  job.codegen_cpu = ThreadCpuMs() - optimized;
  if (!job.cache_path.empty()) WriteCached(options.cache_dir, job.cache_path, job.object->getMemBufferRef());
}

// JitOptions::compile_threads; when 0, EDICT_JIT_THREADS (a count from 1 to 64, for whoever measures the
// compile on one thread and on several), else one per core.
size_t CompileThreads(const JitOptions& options) {
  if (options.compile_threads > 0) return static_cast<size_t>(options.compile_threads);
  if (const char* env = std::getenv("EDICT_JIT_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= 64) return static_cast<size_t>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// For whoever tunes the code generator: every part's module as text, one after another, as generated
// (`optimised` false) or as optimised, and then (PATH.s) as assembly.
void Dump(const std::string& path, const std::vector<PartJob>& jobs, bool optimised) {
  // Writes `what` to `file`, saying on stderr when it cannot (a failed stream, left uncleared, would abort).
  auto write = [](const std::string& file, auto what) {
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    if (!ec) {
      what(os);
      os.close();
      ec = os.error();
      os.clear_error();
    }
    if (ec) std::fprintf(stderr, "EDICT_JIT_DUMP: cannot write %s: %s\n", file.c_str(), ec.message().c_str());
  };
  write(path, [&](llvm::raw_ostream& os) {
    for (const PartJob& job : jobs) {
      if (!optimised)
        job.part->module->print(os, nullptr);
      else
        os << job.dump;
    }
  });
  if (optimised)
    write(path + ".s", [&](llvm::raw_ostream& os) {
      for (const PartJob& job : jobs) os << job.assembly;
    });
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
  // phase's wall time and the process's CPU time (the figure to read on a loaded machine; parts compiled in
  // parallel add up), each part's optimisation and machine code (its thread's CPU), and the code's size.
  const bool timing = std::getenv("EDICT_JIT_TIMING") != nullptr;
  auto last = std::chrono::steady_clock::now();
  double last_cpu = ProcessCpuMs();
  auto phase = [&](const char* name) {
    if (!timing) return;
    auto now = std::chrono::steady_clock::now();
    double cpu = ProcessCpuMs();
    std::fprintf(stderr, "jit %-9s %8.2f ms wall %8.2f ms cpu\n", name,
                 std::chrono::duration<double, std::milli>(now - last).count(), cpu - last_cpu);
    last = now;
    last_cpu = cpu;
  };

  std::vector<GeneratedPart> parts = GenerateModules(program, layout, (*tm)->createDataLayout(), plan);
  phase("generate");
  if (!plan->supported) {
    *error = "not compiled: " + plan->unsupported;
    return nullptr;
  }
  std::vector<PartJob> jobs(parts.size());
  size_t functions = 0, blocks = 0, instructions = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    jobs[k].part = &parts[k];
    jobs[k].instructions = Instructions(*parts[k].module, &functions, &blocks);
    instructions += jobs[k].instructions;
    parts[k].module->setTargetTriple((*tm)->getTargetTriple().str());
  }
  if (timing)
    std::fprintf(stderr, "jit generated: %zu parts, %zu functions, %zu blocks, %zu instructions\n",
                 parts.size(), functions, blocks, instructions);
  // Each part has a cache entry of its own: a timeline whose policies did not change reuses their objects.
  // A thread takes the next part (the largest first: the longest compile starts at once), makes its key,
  // loads its object from the cache or else compiles it (and writes it to the cache).
  if (const char* dump = std::getenv("EDICT_JIT_DUMP")) Dump(std::string(dump) + ".in", jobs, false);
  std::vector<PartJob*> order;
  for (PartJob& job : jobs) order.push_back(&job);
  std::stable_sort(order.begin(), order.end(),
                   [](const PartJob* a, const PartJob* b) { return a->instructions > b->instructions; });
  size_t threads = CompileThreads(options);
  threads = std::min(threads, order.size());
  const std::string target = KeyTarget(**tm, options.opt_level);
  std::atomic<size_t> next{0};
  ParallelFor(threads, [&](size_t t) {
    std::unique_ptr<llvm::TargetMachine> own;  // made when this thread first compiles
    llvm::TargetMachine* machine = t == 0 ? tm->get() : nullptr;
    for (size_t k; (k = next.fetch_add(1)) < order.size();) {
      PartJob& job = *order[k];
      job.thread = t;
      if (!options.cache_dir.empty()) {
        job.cache_path = options.cache_dir + "/" + CacheKey(*job.part->module, target) + ".o";
        job.object = ReadCached(job.cache_path);
        job.cached = job.object != nullptr;
        if (job.cached) continue;
      }
      if (!machine) {
        llvm::orc::JITTargetMachineBuilder builder = *jtmb;
        auto made = builder.createTargetMachine();
        if (!made) {
          job.error = ToString(made.takeError());
          continue;
        }
        own = std::move(*made);
        machine = own.get();
      }
      CompilePart(job, *machine, options, timing);
    }
  });
  stats->parts = static_cast<int>(jobs.size());
  stats->parts_from_cache = 0;
  for (const PartJob& job : jobs) {
    if (!job.error.empty()) {
      *error = job.error;
      return nullptr;
    }
    stats->parts_from_cache += job.cached;
  }
  stats->from_cache = stats->parts_from_cache == stats->parts;
  phase("compile");
  if (timing) {
    for (const PartJob* job : order)
      if (!job->cached)
        std::fprintf(stderr,
                     "jit   part %-12s %6zu -> %5zu instructions, optimise %7.2f ms, codegen %7.2f ms cpu "
                     "(thread %zu)\n",
                     job->part->name.c_str(), job->instructions, job->optimised, job->optimize_cpu,
                     job->codegen_cpu, job->thread);
    std::fprintf(stderr, "jit   %zu parts on %zu threads, %d from the object cache\n", order.size(), threads,
                 stats->parts_from_cache);
  }
  if (const char* dump = std::getenv("EDICT_JIT_DUMP")) Dump(dump, jobs, true);

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
  for (PartJob& job : jobs)
    if (auto err = (*jit)->addObjectFile(std::move(job.object))) {
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
