#include "tools/lsp/resolve.h"

#include <map>
#include <string>

#include "compiler/ast/ast.h"
#include "tools/lsp/symbols.h"

namespace edict::lsp {

namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// The span of `name` inside `outer` (the first whole-word occurrence, or the last with `last`); `outer`
// itself when the name is not found there.
Span NameIn(const Span& outer, const std::string& name, bool last) {
  if (!outer.valid() || name.empty()) return outer;
  std::string text = SpanText(outer);
  size_t at = std::string::npos;
  for (size_t from = 0; (from = text.find(name, from)) != std::string::npos; ++from) {
    bool starts = from == 0 || (!IsWordChar(text[from - 1]) || text[from - 1] == '.');
    size_t end = from + name.size();
    bool ends = end == text.size() || !IsWordChar(text[end]) || text[end] == '.';
    if (!starts || !ends) continue;
    at = from;
    if (!last) break;
  }
  if (at == std::string::npos) return outer;
  Span s = outer;
  int line = outer.line, col = outer.col;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line, col = 0;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  int width = 0;
  for (char c : name) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  s.line = s.end_line = line;
  s.col = col;
  s.end_col = col + width;
  return s;
}

class UseIndexer {
 public:
  explicit UseIndexer(const sema::LoadedProgram& loaded) : loaded_(loaded) {
    for (const auto& m : loaded.modules)
      for (const auto& d : m->decls)
        if (d->kind == ast::DeclKind::kRule || d->kind == ast::DeclKind::kException ||
            d->kind == ast::DeclKind::kQuota)
          named_[{m.get(), d->name}] = d.get();
  }

  std::vector<Use> Run() {
    for (const auto& m : loaded_.modules)
      for (const auto& d : m->decls) Decl(*m, *d);
    return std::move(out_);
  }

 private:
  void Add(const Span& span, Target t) {
    if (span.valid() && t.valid()) out_.push_back({span, t});
  }

  // A rule or quota written by name in `m`: its own, then its imports' (an alias or policy name may qualify
  // it).
  const ast::Decl* Named(const ast::Module& m, const std::string& written) const {
    auto find = [&](const ast::Module* mod, const std::string& name) -> const ast::Decl* {
      auto it = named_.find({mod, name});
      return it == named_.end() ? nullptr : it->second;
    };
    if (const ast::Decl* d = find(&m, written)) return d;
    size_t dot = written.rfind('.');
    for (const auto& imp : m.imports) {
      if (!imp.resolved) continue;
      if (dot != std::string::npos) {
        std::string qualifier = written.substr(0, dot);
        if (qualifier != imp.alias && qualifier != imp.resolved->name) continue;
        if (const ast::Decl* d = find(imp.resolved, written.substr(dot + 1))) return d;
      } else if (const ast::Decl* d = find(imp.resolved, written)) {
        return d;
      }
    }
    return nullptr;
  }

  void NameUse(const ast::Module& m, const std::string& written, const Span& span) {
    if (const ast::Decl* d = Named(m, written)) {
      size_t dot = written.rfind('.');
      Add(dot == std::string::npos ? span : NameIn(span, written.substr(dot + 1), true), {d, -1});
    }
  }

  void Expr(const ast::Expr* e) {
    if (!e) return;
    using K = ast::ExprKind;
    const ast::ExprSema& s = e->sema;
    switch (e->kind) {
      case K::kName:
      case K::kEccn:
        if (s.ref == ast::RefKind::kField || s.ref == ast::RefKind::kEnumMember)
          Add(e->span, {s.decl, s.index});
        else if (s.ref == ast::RefKind::kConst || s.ref == ast::RefKind::kSet ||
                 s.ref == ast::RefKind::kSchema)
          Add(e->span, {s.decl, -1});
        break;
      case K::kField:
        if (s.ref == ast::RefKind::kField) Add(NameIn(e->span, e->text, true), {s.decl, s.index});
        break;
      case K::kCall:
      case K::kFits:
        if (s.decl) Add(NameIn(e->span, e->text, false), {s.decl, -1});
        break;
      default:
        break;
    }
    for (const auto& a : e->args) Expr(a.get());
  }

  void Outcome(const ast::Outcome& o) {
    Expr(o.symbol.get());
    Expr(o.notify.get());
    Expr(o.review.get());
  }

  void Decl(const ast::Module& m, const ast::Decl& d) {
    using K = ast::DeclKind;
    switch (d.kind) {
      case K::kConst:
      case K::kSet:
        Expr(d.as<ast::ConstDecl>().value.get());
        break;
      case K::kRecord:
      case K::kSchema:
        for (const auto& f : d.as<ast::RecordDecl>().fields) Expr(f.value.get());
        break;
      case K::kTable:
        for (const auto& row : d.as<ast::TableDecl>().rows)
          for (const auto& [name, value] : row.fields) Expr(value.get());
        break;
      case K::kFunction:
        Expr(d.as<ast::FunctionDecl>().body.get());
        break;
      case K::kQuota: {
        const auto& q = d.as<ast::QuotaDecl>();
        Expr(q.limit.get());
        Expr(q.measure.get());
        for (const auto& k : q.keys) Expr(k.get());
        break;
      }
      case K::kRule:
      case K::kException: {
        const auto& r = d.as<ast::RuleDecl>();
        if (!r.target.empty()) NameUse(m, r.target, r.target_span);
        Expr(r.when.get());
        if (r.has_outcome) Outcome(r.outcome);
        for (const auto& [name, span] : r.consumes) NameUse(m, name, span);
        break;
      }
      case K::kWithdraw:
        for (const auto& [name, span] : d.as<ast::WithdrawDecl>().names) NameUse(m, name, span);
        break;
      case K::kTest:
        for (const auto& step : d.as<ast::TestDecl>().steps) {
          for (const auto& [name, value] : step.shipment.fields) Expr(value.get());
          Outcome(step.outcome);
          for (const auto& [name, span] : step.by) NameUse(m, name, span);
          Expr(step.assertion.get());
        }
        break;
      default:
        break;
    }
  }

  const sema::LoadedProgram& loaded_;
  std::map<std::pair<const ast::Module*, std::string>, const ast::Decl*> named_;
  std::vector<Use> out_;
};

}  // namespace

std::vector<Use> IndexUses(const sema::LoadedProgram& loaded) {
  return UseIndexer(loaded).Run();
}

bool Contains(const Span& span, int line, int col) {
  if (!span.valid()) return false;
  int end_line = span.end_line ? span.end_line : span.line;
  if (line < span.line || line > end_line) return false;
  if (line == span.line && col < span.col) return false;
  if (line == end_line && col > span.end_col) return false;  // the end is the caret just after the name
  return true;
}

}  // namespace edict::lsp
