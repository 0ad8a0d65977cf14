#include "tools/serve/snapshot.h"

#include <filesystem>
#include <set>

#include "compiler/diag/diagnostics.h"
#include "compiler/driver/pipeline.h"
#include "compiler/sema/load.h"
#include "runtime/io/writer.h"

namespace edict::serve {

namespace {

void AddFiles(const ir::Program& p, std::set<std::string>* out) {
  auto add = [&](const Span& span) {
    if (span.file && !span.file->path.empty()) out->insert(span.file->path);
  };
  if (!p.path.empty()) out->insert(p.path);
  for (const ir::Rule& r : p.rules) add(r.span);
  for (const ir::Quota& q : p.quotas) add(q.span);
  for (const ir::TimelineEntry& e : p.timeline) {
    out->insert(e.path);
    if (e.program) AddFiles(*e.program, out);
  }
}

}  // namespace

std::vector<std::string> SourceFiles(const ir::Program& program, const std::string& stdlib_dir) {
  namespace fs = std::filesystem;
  std::set<std::string> files;
  AddFiles(program, &files);
  // The stdlib's modules (the chip catalog, the country groups): every one in the folder the loader uses.
  for (const std::string& dir : sema::DefaultStdlibDirs(stdlib_dir)) {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "ear" / "shipment.edict", ec)) continue;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".edict") files.insert(it->path().string());
    break;
  }
  std::vector<std::string> out;
  for (const std::string& f : files)
    if (fs::is_regular_file(f)) out.push_back(f);
  return out;
}

Scratch::Scratch(const Snapshot& snapshot) : parser(snapshot.program()) {
  if (snapshot.jit()) batch = snapshot.jit()->NewBatch();
}

std::shared_ptr<const Snapshot> Snapshot::Load(const std::string& path, const LoadOptions& options,
                                               std::string* diagnostics, std::vector<std::string>* files) {
  driver::CompileOptions compile;
  compile.stdlib_dir = options.stdlib_dir;
  driver::Compilation c = driver::CompileFile(path, compile);
  c.diags.Sort();
  *diagnostics = RenderAll(c.diags, false);
  if (!c.ok()) return nullptr;
  if (files) *files = SourceFiles(*c.program, options.stdlib_dir);
  std::shared_ptr<Snapshot> s(new Snapshot);
  s->program_ = c.program;
  if (options.engine == "jit") {
    jit::JitOptions jit_options;
    jit_options.cache_dir = options.cache_dir;
    std::string error;
    s->jit_ = jit::CompiledPolicy::Compile(c.program, jit_options, &error);
    if (!s->jit_) s->engine_note_ = "JIT unavailable (" + error + "); using the interpreter";
  }
  const ir::Program& p = *c.program;
  s->labels_ = {p.name, p.version, p.content_hash};
  s->policy_json_ = PolicyJson(p, s->engine(), options.edict_version);
  s->provenance_ = io::Provenance::Of(p, options.edict_version).Json();
  return s;
}

interp::Decision Snapshot::Decide(interp::Record& record, Ledger& ledger,
                                  const interp::DecideOptions& options) const {
  return jit_ ? jit_->Decide(record, ledger, options) : interp::Decide(*program_, record, ledger, options);
}

Snapshot::Lease Snapshot::Borrow() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_.empty()) {
      std::unique_ptr<Scratch> s = std::move(pool_.back());
      pool_.pop_back();
      return Lease(this, std::move(s));
    }
  }
  return Lease(this, std::make_unique<Scratch>(*this));
}

Snapshot::Lease::~Lease() {
  if (!scratch_) return;
  // A request that held many shipments leaves big buffers behind: those are freed rather than kept.
  if (scratch_->records.capacity() > 4096 || (scratch_->batch && scratch_->batch->size() > 4096)) return;
  std::lock_guard<std::mutex> lock(owner_->mutex_);
  if (owner_->pool_.size() < 64) owner_->pool_.push_back(std::move(scratch_));
}

}  // namespace edict::serve
