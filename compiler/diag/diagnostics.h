// Diagnostics are values: passes append to a DiagnosticList and never print or throw. The driver sorts and
// renders them once (file:line:col: error[CODE]: message, the source line, a caret under the span, a hint).
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace edict {

struct SourceFile {
  std::string path;  // as given by the user, so output never embeds absolute paths it was not given
  std::string text;
  std::vector<size_t> line_starts;  // byte offset of each line

  SourceFile(std::string p, std::string t);
  std::string_view Line(int line) const;  // 1-based, without the newline
};

// A source range: lines 1-based, columns 0-based in code points (as ANTLR counts them).
struct Span {
  const SourceFile* file = nullptr;
  int line = 0, col = 0;
  int end_line = 0, end_col = 0;  // exclusive end column on end_line
  bool valid() const { return file != nullptr && line > 0; }
};

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // stable: E0101, W0401, ...
  std::string message;
  Span span;
  std::string hint;
  std::vector<std::pair<Span, std::string>> notes;
};

class DiagnosticList {
 public:
  Diagnostic& Error(std::string code, Span span, std::string message, std::string hint = "");
  Diagnostic& Warning(std::string code, Span span, std::string message, std::string hint = "");
  bool HasErrors() const;
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void Append(const DiagnosticList& other);
  void Truncate(size_t n) { items_.resize(std::min(n, items_.size())); }
  // Orders by file, line and column so output does not depend on pass order.
  void Sort();

 private:
  std::vector<Diagnostic> items_;
};

// Renders one diagnostic in the house format; `color` adds ANSI colours.
std::string Render(const Diagnostic& d, bool color = false);
std::string RenderAll(const DiagnosticList& list, bool color = false);
// "file:line:col" (or the path alone when the span has no line).
std::string Where(const Span& span);

// Owns every loaded source file for the lifetime of a compilation.
class SourceManager {
 public:
  const SourceFile* Add(std::string path, std::string text);

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace edict
