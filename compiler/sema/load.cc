#include "compiler/sema/load.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "compiler/frontend/parse.h"
#include "compiler/sema/parse_cache.h"

namespace edict::sema {

namespace fs = std::filesystem;

bool ReadFile(const std::string& path, std::string* out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::vector<std::string> DefaultStdlibDirs(const std::string& override_dir) {
  std::vector<std::string> dirs;
  if (!override_dir.empty()) dirs.push_back(override_dir);
  if (const char* env = std::getenv("EDICT_STDLIB"); env && *env) dirs.push_back(env);
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path exe(buf);
    dirs.push_back((exe.parent_path().parent_path() / "share" / "edict" / "stdlib").string());
  }
#ifdef EDICT_SOURCE_STDLIB
  dirs.push_back(EDICT_SOURCE_STDLIB);
#endif
#ifdef EDICT_BUILD_STDLIB
  dirs.push_back(EDICT_BUILD_STDLIB);
#endif
  return dirs;
}

namespace {

// True when `path` is a module file: its first word, after comments and blank lines, is `module` (a policy's
// is `policy`).
bool IsModuleFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  for (int n = 0; n < 200 && std::getline(in, line); ++n) {
    size_t i = line.find_first_not_of(" \t\r\xEF\xBB\xBF");
    if (i == std::string::npos || line[i] == '#' || line.compare(i, 2, "//") == 0) continue;
    return line.compare(i, 7, "module ") == 0;
  }
  return false;
}

// Empty when `dir` is a stdlib folder: it holds a module file at its top or one folder down (as
// stdlib/ear/chips.edict), else why not.
std::string NotAStdlib(const std::string& dir) {
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) return "no such directory";
  if (!fs::is_directory(st)) return "not a directory";
  auto is_module = [](const fs::directory_entry& e) {
    return e.path().extension() == ".edict" && IsModuleFile(e.path());
  };
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_module(*it)) return "";
    std::error_code sub_ec;
    if (!it->is_directory(sub_ec)) continue;
    for (fs::directory_iterator sub(it->path(), sub_ec); !sub_ec && sub != end; sub.increment(sub_ec))
      if (is_module(*sub)) return "";
  }
  if (ec) return ec.message();
  return "it holds no stdlib module (a .edict file that starts with `module`)";
}

}  // namespace

bool CheckStdlibDirs(const std::string& override_dir, std::string* error) {
  if (!override_dir.empty()) {
    if (std::string why = NotAStdlib(override_dir); !why.empty()) {
      *error = "--stdlib '" + override_dir + "' is not a stdlib directory: " + why;
      return false;
    }
  }
  if (const char* env = std::getenv("EDICT_STDLIB"); env && *env) {
    if (std::string why = NotAStdlib(env); !why.empty()) {
      *error = "EDICT_STDLIB='" + std::string(env) + "' is not a stdlib directory: " + why;
      return false;
    }
  }
  return true;
}

namespace {

class Loader {
 public:
  Loader(SourceManager& sources, const LoadOptions& options, DiagnosticList& diags, LoadedProgram* out)
      : sources_(sources), options_(options), diags_(diags), out_(out) {}

  // `display` is the path shown in diagnostics: stdlib files as stdlib/..., so output never depends on where
  // edict is installed.
  ast::Module* Load(const std::string& key, const std::string& path, const std::string* text, Span from,
                    bool is_stdlib, const std::string& module_name, std::string display = "") {
    if (display.empty()) display = path;
    if (auto it = done_.find(key); it != done_.end()) return it->second;
    if (in_progress_.count(key)) {
      diags_.Error("E0102", from, "import cycle through '" + path + "'",
                   "a module cannot import itself, even indirectly");
      return nullptr;
    }
    std::string content;
    if (text) {
      content = *text;
    } else if (!ReadFile(path, &content)) {
      if (from.file) {
        diags_.Error("E0101", from, "cannot read '" + path + "'",
                     is_stdlib
                         ? "stdlib modules are looked up in --stdlib, $EDICT_STDLIB and the install prefix"
                         : "policy imports are paths relative to the importing file");
      } else {
        Diagnostic& d = diags_.Error("E0101", Span{}, "cannot read '" + path + "'");
        d.span.file = sources_.Add(path, "");
      }
      return nullptr;
    }
    // A UTF-8 byte-order mark (some Windows editors write one) is not part of the policy.
    if (content.compare(0, 3, "\xEF\xBB\xBF") == 0) content.erase(0, 3);
    const SourceFile* file = nullptr;
    size_t before = diags_.size();
    std::unique_ptr<ast::Module> module;
    if (options_.parse_cache) {
      module = options_.parse_cache->Parse(display, content, diags_, &file);
      if (module) out_->parse_cache = options_.parse_cache;
    }
    if (!module) {
      file = sources_.Add(display, std::move(content));
      module = frontend::ParseModule(*file, diags_);
    }
    out_->paths[file] = path;
    bool parsed = diags_.size() == before;
    if (module->name.empty()) module->name = fs::path(path).stem().string();
    if (is_stdlib && parsed && module->name != module_name)
      diags_.Error("E0103", Span{file, 1, 0, 1, 1},
                   "module file declares '" + module->name + "' but is imported as '" + module_name + "'");
    in_progress_.insert(key);
    for (auto& imp : module->imports) {
      if (imp.policy) {
        fs::path target = fs::path(path).parent_path() / imp.target;
        if (target.extension() != ".edict") target += ".edict";
        imp.resolved = Load("policy:" + target.lexically_normal().string(),
                            target.lexically_normal().string(), nullptr, imp.span, false, "");
        if (imp.resolved && !imp.resolved->is_policy)
          diags_.Error("E0104", imp.span, "'" + imp.target + "' is a module, not a policy",
                       "use `import NAME`");
      } else {
        imp.resolved = LoadStdlib(imp.target, imp.span);
      }
    }
    in_progress_.erase(key);
    ast::Module* raw = module.get();
    out_->modules.push_back(std::move(module));
    done_[key] = raw;
    return raw;
  }

  ast::Module* LoadStdlib(const std::string& name, Span from) {
    std::string rel = name;
    for (char& c : rel)
      if (c == '.') c = '/';
    rel += ".edict";
    for (const auto& dir : options_.stdlib_dirs) {
      fs::path candidate = fs::path(dir) / rel;
      std::error_code ec;
      if (fs::exists(candidate, ec))
        return Load("module:" + name, candidate.string(), nullptr, from, true, name, "stdlib/" + rel);
    }
    diags_.Error("E0101", from, "no stdlib module '" + name + "'",
                 "modules include countries, ear.units, ear.outcomes, ear.groups, ear.chips, ear.shipment");
    return nullptr;
  }

 private:
  SourceManager& sources_;
  const LoadOptions& options_;
  DiagnosticList& diags_;
  LoadedProgram* out_;
  std::map<std::string, ast::Module*> done_;
  std::set<std::string> in_progress_;
};

}  // namespace

bool LoadProgram(const std::string& path, const std::string* text, SourceManager& sources,
                 const LoadOptions& options, DiagnosticList& diags, LoadedProgram* out) {
  size_t before = diags.size();
  Loader loader(sources, options, diags, out);
  out->root = loader.Load("root:" + path, path, text, Span{}, false, "");
  bool ok = out->root != nullptr;
  for (size_t i = before; i < diags.size(); ++i)
    if (diags.items()[i].severity == Severity::kError) ok = false;
  return ok;
}

}  // namespace edict::sema
