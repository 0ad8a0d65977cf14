#include "tools/lsp/document.h"

#include <cctype>

#include "compiler/driver/pipeline.h"

namespace edict::lsp {

void Analyse(Document& doc, const std::string& stdlib_dir) {
  driver::CompileOptions options;
  options.stdlib_dir = stdlib_dir;
  driver::Compilation c = driver::CompileFile(doc.path, options, &doc.text);
  c.diags.Sort();
  doc.diags = std::move(c.diags);
  doc.compile_sources = std::move(c.sources);
  // A second load keeps the syntax trees (the compilation does not hand them out) for names and hovers.
  doc.sources = std::make_unique<SourceManager>();
  doc.loaded = sema::LoadedProgram{};
  DiagnosticList ignored;
  sema::LoadOptions load;
  load.stdlib_dirs = sema::DefaultStdlibDirs(stdlib_dir);
  doc.checked = sema::CheckedProgram{};
  doc.uses.clear();
  // The checker resolves names even in a file with errors (as far as it can); what it resolved is indexed.
  if (sema::LoadProgram(doc.path, &doc.text, *doc.sources, load, ignored, &doc.loaded)) {
    sema::Check(doc.loaded, ignored, &doc.checked);
    doc.uses = IndexUses(doc.loaded);
  }
  doc.symbols = IndexSymbols(doc.loaded);
}

std::string LineOf(const std::string& text, int line) {
  size_t start = 0;
  for (int l = 0; l < line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return "";
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  std::string out = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

std::string WordAt(const std::string& text, int line, int col, bool* after_dot) {
  std::string s = LineOf(text, line);
  // Code-point column to byte offset.
  size_t at = 0;
  for (int c = 0; c < col && at < s.size(); ++c) {
    ++at;
    while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) ++at;
  }
  auto word_char = [&](size_t i) {
    return i < s.size() &&
           (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '-' || s[i] == '.');
  };
  size_t b = at, e = at;
  while (b > 0 && word_char(b - 1)) --b;
  while (word_char(e)) ++e;
  std::string word = s.substr(b, e - b);
  while (!word.empty() && (word.back() == '-' || word.back() == '.')) word.pop_back(), --e;
  while (!word.empty() && (word.front() == '-' || word.front() == '.')) word.erase(0, 1), ++b;
  bool eccn = word.size() >= 5 && std::isdigit(static_cast<unsigned char>(word[0])) && word[1] >= 'A' &&
              word[1] <= 'E';
  if (after_dot) *after_dot = false;
  if (!eccn && word.find('.') != std::string::npos) {
    // `item.datacenter`: the part under the cursor.
    size_t rel = at >= b ? at - b : 0;
    size_t start = 0;
    for (size_t i = 0; i < rel && i < word.size(); ++i)
      if (word[i] == '.') start = i + 1;
    size_t end = word.find('.', start);
    if (after_dot) *after_dot = start > 0;
    word = word.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return word;
}

}  // namespace edict::lsp
