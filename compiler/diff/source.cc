#include "compiler/diff/source.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "compiler/driver/process.h"

namespace fs = std::filesystem;

namespace edict::diff {

namespace {

// Runs a program (no shell: see compiler/driver/process.h) and returns its standard output, trailing newline
// removed; false unless it exits 0.
bool Capture(const std::vector<std::string>& argv, std::string* out) {
  int status = driver::RunProgram(argv, driver::RunOptions{out, false});
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
  return status == 0;
}

}  // namespace

// A working-tree side is compared with its own tree's stdlib, as a revision side is with the revision's.
std::string WorkTreeStdlib(const std::string& file) {
  std::error_code ec;
  fs::path dir = fs::absolute(file, ec).parent_path();
  std::string top;
  if (ec || !Capture({"git", "-C", dir.string(), "rev-parse", "--show-toplevel"}, &top)) return "";
  fs::path stdlib = fs::path(top) / "stdlib";
  return fs::is_directory(stdlib, ec) ? stdlib.string() : "";
}

Workspace::~Workspace() {
  for (const auto& d : dirs_) {
    std::error_code ec;
    fs::remove_all(d, ec);
  }
}

bool Workspace::Resolve(const std::string& spec, const std::string& stdlib_dir, PolicyInput* out,
                        std::string* error) {
  std::error_code ec;
  size_t colon = spec.find(':');
  if (fs::is_regular_file(spec, ec) || colon == std::string::npos || colon == 0) {
    if (!fs::is_regular_file(spec, ec)) {
      *error = "'" + spec + "' is not a file (and not REV:path)";
      return false;
    }
    *out = PolicyInput{spec, spec, std::nullopt, stdlib_dir.empty() ? WorkTreeStdlib(spec) : stdlib_dir};
    return true;
  }
  std::string rev = spec.substr(0, colon), path = spec.substr(colon + 1);
  std::string top, prefix;
  if (!Capture({"git", "rev-parse", "--show-toplevel"}, &top) ||
      !Capture({"git", "rev-parse", "--show-prefix"}, &prefix)) {
    *error = "'" + spec + "': not inside a git repository";
    return false;
  }
  // Git's rule: REV:path is relative to the top of the tree, REV:./path to the current directory.
  fs::path rel =
      (path.rfind("./", 0) == 0 || path.rfind("../", 0) == 0) ? fs::path(prefix) / path : fs::path(path);
  rel = rel.lexically_normal();
  std::string commit;
  // A revision that starts with '-' would be read by git as an option.
  if (rev.empty() || rev[0] == '-' ||
      !Capture({"git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"}, &commit)) {
    *error = "'" + rev + "' is not a revision of this repository";
    return false;
  }
  std::string tmpl_text = (fs::temp_directory_path(ec) / "edict-diff-XXXXXX").string();  // honours $TMPDIR
  std::vector<char> tmpl_buf(tmpl_text.begin(), tmpl_text.end());
  tmpl_buf.push_back('\0');
  char* tmpl = tmpl_buf.data();
  if (ec || !mkdtemp(tmpl)) {
    *error = "cannot create a temporary directory";
    return false;
  }
  dirs_.push_back(tmpl);
  // git archive to a file in the temporary directory, then tar extracts it there: two programs, no pipe
  // through a shell.
  std::string tar = (fs::path(tmpl) / ".edict-revision.tar").string(), ignored;
  bool extracted = Capture({"git", "-C", top, "archive", "--format=tar", "-o", tar, commit}, &ignored) &&
                   Capture({"tar", "-x", "-f", tar, "-C", tmpl}, &ignored);
  fs::remove(tar, ec);
  if (!extracted) {
    *error = "cannot extract revision '" + rev + "' (git archive)";
    return false;
  }
  fs::path file = fs::path(tmpl) / rel;
  if (!fs::is_regular_file(file, ec)) {
    *error = "'" + rel.string() + "' does not exist in revision '" + rev + "'";
    return false;
  }
  std::string stdlib = stdlib_dir;
  if (stdlib.empty() && fs::is_directory(fs::path(tmpl) / "stdlib", ec))
    stdlib = (fs::path(tmpl) / "stdlib").string();
  *out = PolicyInput{rev + ":" + rel.string(), file.string(), std::nullopt, stdlib};
  return true;
}

bool Workspace::ResolveRevision(const std::string& rev, const std::string& path,
                                const std::string& stdlib_dir, PolicyInput* out, std::string* error) {
  std::string p = path;
  if (p.rfind("./", 0) != 0 && p.rfind("../", 0) != 0 && p.rfind('/', 0) != 0) p = "./" + p;
  if (p.rfind('/', 0) == 0) {
    std::string top;
    if (!Capture({"git", "rev-parse", "--show-toplevel"}, &top)) {
      *error = "not inside a git repository";
      return false;
    }
    p = fs::path(p).lexically_relative(top).string();
  }
  return Resolve(rev + ":" + p, stdlib_dir, out, error);
}

}  // namespace edict::diff
