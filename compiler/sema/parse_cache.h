// Source files parsed once per process and shared by every compilation given the same cache: the fuzz
// harnesses compile thousands of small policies a second against one stdlib, and the REPL harness loads the
// same shipped policies again for every fresh session. A hit returns a fresh copy of the parsed AST
// (ast::CloneParsed), because the checker annotates the AST it is given. Entries are keyed by the displayed
// path and the whole text, so an edited file is parsed again. The first `capacity` distinct files are kept (a
// compilation loads the stdlib first, so it is always among them); later ones are left to the caller to
// parse, so that a stream of one-off texts cannot grow the cache. Not thread-safe: one cache per thread.
// Spans point into the cache's own copy of each source, so a compilation keeps the cache alive
// (LoadedProgram::parse_cache).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostics.h"

namespace edict::sema {

class ParseCache {
 public:
  explicit ParseCache(size_t capacity = 256) : capacity_(capacity) {}

  // The module parsed from `text` (shown as `display`), and in `*file` the source its spans point into; the
  // parser's diagnostics of the first parse are appended to `diags` on every call. Null (and nothing
  // appended) when the file is not kept and the cache is full: the caller parses it.
  std::unique_ptr<ast::Module> Parse(const std::string& display, const std::string& text,
                                     DiagnosticList& diags, const SourceFile** file);
  size_t hits() const { return hits_; }
  size_t size() const { return size_; }

 private:
  struct Entry {
    const SourceFile* file = nullptr;     // its text is the key
    std::unique_ptr<ast::Module> parsed;  // never checked: only copied
    DiagnosticList diags;
  };
  SourceManager sources_;
  std::map<std::string, std::vector<Entry>> entries_;  // by displayed path
  size_t capacity_;
  size_t size_ = 0;
  size_t hits_ = 0;
};

}  // namespace edict::sema
