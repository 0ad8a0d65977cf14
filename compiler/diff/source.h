// Where the two versions of a policy come from: a file, `REV:path` in git (the revision's tree is extracted
// to a temporary directory so that imports of sibling policies and the revision's own stdlib resolve), or the
// arguments git passes to an external diff driver.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edict::sema {
class ParseCache;
}

namespace edict::diff {

struct PolicyInput {
  std::string label;                // as shown: "policies/x.edict", "HEAD~1:policies/x.edict"
  std::string path;                 // the file compiled (relative imports resolve from its directory)
  std::optional<std::string> text;  // when set, compiled instead of the file's contents
  // --stdlib when given; else the revision's stdlib for REV:path, the work tree's for a file in a git work
  // tree with a top-level stdlib/, and otherwise "" (the default search path).
  std::string stdlib_dir;
  std::shared_ptr<sema::ParseCache> parse_cache = nullptr;  // optional: parses shared across runs (the fuzzer)
};

// The stdlib of the git work tree holding `file` (TOP/stdlib), or "" when there is none.
std::string WorkTreeStdlib(const std::string& file);

// Temporary directories for extracted revisions, removed when this goes away.
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace();
  // `spec` is a path or REV:path. False with `error` set on failure.
  bool Resolve(const std::string& spec, const std::string& stdlib_dir, PolicyInput* out, std::string* error);
  // `git diff`-style: REV:PATH for PATH relative to the current directory.
  bool ResolveRevision(const std::string& rev, const std::string& path, const std::string& stdlib_dir,
                       PolicyInput* out, std::string* error);

 private:
  std::vector<std::string> dirs_;
};

}  // namespace edict::diff
