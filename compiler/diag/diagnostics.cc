#include "compiler/diag/diagnostics.h"

#include <algorithm>

#include "compiler/diag/terminal.h"

namespace edict {

SourceFile::SourceFile(std::string p, std::string t) : path(std::move(p)), text(std::move(t)) {
  line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(i + 1);
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts.size()) return {};
  size_t begin = line_starts[line - 1];
  size_t end = static_cast<size_t>(line) < line_starts.size() ? line_starts[line] - 1 : text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(begin, end - begin);
}

Diagnostic& DiagnosticList::Error(std::string code, Span span, std::string message, std::string hint) {
  items_.push_back({Severity::kError, std::move(code), std::move(message), span, std::move(hint), {}});
  return items_.back();
}

Diagnostic& DiagnosticList::Warning(std::string code, Span span, std::string message, std::string hint) {
  items_.push_back({Severity::kWarning, std::move(code), std::move(message), span, std::move(hint), {}});
  return items_.back();
}

bool DiagnosticList::HasErrors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void DiagnosticList::Append(const DiagnosticList& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void DiagnosticList::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    std::string fa = a.span.file ? a.span.file->path : "", fb = b.span.file ? b.span.file->path : "";
    if (fa != fb) return fa < fb;
    if (a.span.line != b.span.line) return a.span.line < b.span.line;
    return a.span.col < b.span.col;
  });
}

std::string Where(const Span& span) {
  if (!span.file) return "<unknown>";
  if (span.line <= 0) return span.file->path;
  return span.file->path + ":" + std::to_string(span.line) + ":" + std::to_string(span.col + 1);
}

namespace {

// Display width of the first `cols` code points of `line` (tabs kept as tabs so the caret lines up).
std::string Padding(std::string_view line, int cols) {
  std::string pad;
  int cp = 0;
  for (size_t i = 0; i < line.size() && cp < cols; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    pad.push_back(c == '\t' ? '\t' : ' ');
    ++cp;
  }
  while (cp++ < cols) pad.push_back(' ');
  return pad;
}

// Control characters of the source or a message (a NUL, an escape sequence) shown as their Unicode pictures
// (U+2400...): one column each, so the caret still lines up, and nothing the terminal would act on, nor a NUL
// that would cut the rest of the output. Tabs stay (Padding keeps them).
std::string Visible(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      unsigned cp = c == 0x7f ? 0x2421 : 0x2400 + c;
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace

std::string Render(const Diagnostic& d, bool color) {
  const char* sev =
      d.severity == Severity::kError ? "error" : (d.severity == Severity::kWarning ? "warning" : "note");
  const char* on = !color ? "" : (d.severity == Severity::kError ? term::kBoldRed : term::kBoldYellow);
  const char* bold = color ? term::kBold : "";
  const char* off = color ? term::kReset : "";
  std::string out = std::string(bold) + Where(d.span) + ": " + off + on + sev;
  if (!d.code.empty()) out += "[" + d.code + "]";
  out += std::string(off) + ": " + Visible(d.message) + "\n";
  if (d.span.valid()) {
    std::string_view line = d.span.file->Line(d.span.line);
    std::string num = std::to_string(d.span.line);
    out += " " + num + " | " + Visible(line) + "\n";
    int width = 1;
    if (d.span.end_line == d.span.line && d.span.end_col > d.span.col) width = d.span.end_col - d.span.col;
    if (d.span.end_line > d.span.line) width = std::max(1, static_cast<int>(line.size()) - d.span.col);
    out += " " + std::string(num.size(), ' ') + " | " + Padding(line, d.span.col) + on + "^" +
           std::string(width - 1, '~') + off + "\n";
  }
  if (!d.hint.empty()) out += std::string(" = hint: ") + Visible(d.hint) + "\n";
  for (const auto& [span, text] : d.notes) out += " = note: " + Where(span) + ": " + Visible(text) + "\n";
  return out;
}

std::string RenderAll(const DiagnosticList& list, bool color) {
  std::string out;
  for (const auto& d : list.items()) out += Render(d, color);
  return out;
}

const SourceFile* SourceManager::Add(std::string path, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return files_.back().get();
}

}  // namespace edict
