#include "compiler/sema/parse_cache.h"

#include "compiler/ast/clone.h"
#include "compiler/frontend/parse.h"

namespace edict::sema {

std::unique_ptr<ast::Module> ParseCache::Parse(const std::string& display, const std::string& text,
                                               DiagnosticList& diags, const SourceFile** file) {
  std::vector<Entry>& versions = entries_[display];
  Entry* entry = nullptr;
  for (Entry& e : versions)
    if (e.file->text == text) entry = &e;
  if (entry) {
    ++hits_;
  } else {
    if (size_ >= capacity_) return nullptr;
    entry = &versions.emplace_back();
    entry->file = sources_.Add(display, text);
    entry->parsed = frontend::ParseModule(*entry->file, entry->diags);
    ++size_;
  }
  diags.Append(entry->diags);
  *file = entry->file;
  return ast::CloneParsed(*entry->parsed);
}

}  // namespace edict::sema
