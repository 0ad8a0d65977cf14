#include "tools/lsp/symbols.h"

#include <algorithm>
#include <map>
#include <optional>

#include "compiler/ast/ast.h"
#include "runtime/date.h"

namespace edict::lsp {

namespace {

// Byte offset of code point `col` in `line`.
size_t ByteOffset(std::string_view line, int col) {
  size_t i = 0;
  for (int c = 0; c < col && i < line.size(); ++c) {
    ++i;
    while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::string TypeText(const ast::TypeExpr* t) {
  if (!t) return "?";
  switch (t->kind) {
    case ast::TypeExpr::kSet:
      return "set of " + TypeText(t->inner.get());
    case ast::TypeExpr::kOptional:
      return TypeText(t->inner.get()) + "?";
    case ast::TypeExpr::kNamed:
      break;
  }
  std::string out;
  for (const auto& n : t->names.names) out += (out.empty() ? "" : "/") + n;
  return out;
}

std::string Fenced(const std::string& code) {
  return "```edict\n" + code + "\n```\n";
}

std::string DateText(int days) {
  return FormatDate(days);
}

class Indexer {
 public:
  explicit Indexer(const sema::LoadedProgram& loaded) : loaded_(loaded) {
    for (const auto& m : loaded.modules)
      for (const auto& d : m->decls) {
        if (d->kind == ast::DeclKind::kUnit) units_[d->name] = d.get();
        if (d->kind == ast::DeclKind::kSet || d->kind == ast::DeclKind::kConst) values_[d->name] = d.get();
      }
  }

  std::vector<Symbol> Run() {
    for (const auto& m : loaded_.modules)
      for (const auto& d : m->decls) Add(*m, *d);
    return std::move(out_);
  }

 private:
  Symbol& New(const ast::Module& m, std::string name, std::string kind, Span span, Target target) {
    Symbol s;
    s.target = target;
    s.name = std::move(name);
    s.kind = std::move(kind);
    s.span = span;
    auto it = loaded_.paths.find(m.file);
    s.path = it != loaded_.paths.end() ? it->second : (m.file ? m.file->path : "");
    s.in_root = &m == loaded_.root;
    out_.push_back(std::move(s));
    return out_.back();
  }

  // "tpp/mm2" with each unit's description.
  std::string UnitsOf(const ast::TypeExpr* t) {
    if (!t) return "";
    if (t->inner) return UnitsOf(t->inner.get());
    std::string out;
    for (const auto& n : t->names.names)
      if (auto it = units_.find(n); it != units_.end())
        out += "\n- `" + n + "`: " +
               (it->second->as<ast::UnitDecl>().description.empty()
                    ? std::string("a unit")
                    : it->second->as<ast::UnitDecl>().description) +
               (it->second->as<ast::UnitDecl>().count ? " (a count)" : "");
    return out.empty() ? "" : "\n\nUnits:" + out + "\n";
  }

  // A set's members, worked out from literals, other sets, `+` (union) and `-` (difference); nullopt for
  // anything else (a function call, an `if`).
  std::optional<std::vector<std::string>> Members(const ast::Expr* e, int depth = 0) {
    if (!e || depth > 32) return std::nullopt;
    if (e->kind == ast::ExprKind::kSet) {
      std::vector<std::string> out;
      for (const auto& a : e->args) out.push_back(SpanText(a->span));
      return out;
    }
    if (e->kind == ast::ExprKind::kName) {
      auto it = values_.find(e->text);
      if (it == values_.end() || it->second->kind != ast::DeclKind::kSet) return std::nullopt;
      return Members(it->second->as<ast::ConstDecl>().value.get(), depth + 1);
    }
    if (e->kind == ast::ExprKind::kBinary && (e->op == ast::BinOp::kAdd || e->op == ast::BinOp::kSub) &&
        e->args.size() == 2) {
      auto a = Members(e->args[0].get(), depth + 1), b = Members(e->args[1].get(), depth + 1);
      if (!a || !b) return std::nullopt;
      std::vector<std::string> out;
      for (const auto& x : *a)
        if (e->op == ast::BinOp::kAdd || std::find(b->begin(), b->end(), x) == b->end()) out.push_back(x);
      if (e->op == ast::BinOp::kAdd)
        for (const auto& x : *b)
          if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
      return out;
    }
    return std::nullopt;
  }

  std::string SetMembers(const ast::Expr* e) {
    auto members = Members(e);
    if (!members) return "`" + SpanText(e ? e->span : Span{}) + "`";
    std::vector<std::string> sorted = *members;
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (const auto& m : sorted) out += (out.empty() ? "" : ", ") + m;
    return "{" + out + "} (" + std::to_string(sorted.size()) + ")";
  }

  static std::string Doc(const ast::Decl& d) { return d.doc.empty() ? "" : "\n" + d.doc + "\n"; }

  void Add(const ast::Module& m, const ast::Decl& d) {
    std::string where = "\n*" + std::string(m.is_policy ? "policy " : "module ") + m.name + "*\n";
    switch (d.kind) {
      case ast::DeclKind::kUnit: {
        const auto& u = d.as<ast::UnitDecl>();
        New(m, d.name, "unit", d.span, {&d, -1}).markdown =
            Fenced("unit " + d.name + (u.count ? " count" : "")) +
            (u.description.empty() ? "" : "\n" + u.description + "\n") + Doc(d) + where;
        break;
      }
      case ast::DeclKind::kConst: {
        const auto& c = d.as<ast::ConstDecl>();
        New(m, d.name, "const", d.span, {&d, -1}).markdown =
            Fenced("const " + d.name + (c.type ? ": " + TypeText(c.type.get()) : "") + " = " +
                   (c.value ? SpanText(c.value->span) : "")) +
            Doc(d) + where;
        break;
      }
      case ast::DeclKind::kSet: {
        const auto& c = d.as<ast::ConstDecl>();
        New(m, d.name, "set", d.span, {&d, -1}).markdown =
            Fenced("set " + d.name + " = " + (c.value ? SpanText(c.value->span) : "")) + Doc(d) +
            "\nMembers: " + SetMembers(c.value.get()) + "\n" + where;
        break;
      }
      case ast::DeclKind::kEnum: {
        New(m, d.name, "enum", d.span, {&d, -1}).markdown =
            Fenced("enum " + d.name) + Doc(d) + "\n" + std::to_string(d.as<ast::EnumDecl>().members.size()) +
            " members\n" + where;
        const auto& members = d.as<ast::EnumDecl>().members;
        for (size_t i = 0; i < members.size(); ++i) {
          const auto& mem = members[i];
          Symbol& s = New(m, mem.name, "enum member", mem.span, {&d, static_cast<int>(i)});
          s.container = d.name;
          s.markdown = Fenced(mem.name + (mem.description.empty() ? "" : "  \"" + mem.description + "\"")) +
                       "\nA member of enum `" + d.name + "`\n" + where;
        }
        break;
      }
      case ast::DeclKind::kRecord:
      case ast::DeclKind::kSchema: {
        const char* kind = d.kind == ast::DeclKind::kSchema ? "schema" : "record";
        New(m, d.name, kind, d.span, {&d, -1}).markdown =
            Fenced(std::string(kind) + " " + d.name) + Doc(d) + where;
        const auto& fields = d.as<ast::RecordDecl>().fields;
        for (size_t i = 0; i < fields.size(); ++i) {
          const auto& f = fields[i];
          Symbol& s = New(m, f.name, "field", f.span, {&d, static_cast<int>(i)});
          s.container = d.name;
          const char* prefix = f.kind == ast::FieldDecl::kDerived    ? "derived "
                               : f.kind == ast::FieldDecl::kOptional ? "optional "
                                                                     : "";
          s.markdown = Fenced(prefix + f.name + ": " + TypeText(f.type.get()) +
                              (f.value ? " = " + SpanText(f.value->span) : "")) +
                       (f.doc.empty() ? "" : "\n" + f.doc + "\n") + UnitsOf(f.type.get()) + "\nA field of " +
                       kind + " `" + d.name + "`\n" + where;
        }
        break;
      }
      case ast::DeclKind::kTable: {
        const auto& t = d.as<ast::TableDecl>();
        New(m, d.name, "table", d.span, {&d, -1}).markdown = Fenced("table " + d.name + " of " + t.record) +
                                                             Doc(d) + "\n" + std::to_string(t.rows.size()) +
                                                             " rows\n" + where;
        for (size_t i = 0; i < t.rows.size(); ++i) {
          const auto& row = t.rows[i];
          Symbol& s = New(m, row.key, "catalog row", row.span, {&d, static_cast<int>(i)});
          s.container = d.name;
          std::string figures;
          for (const auto& [name, value] : row.fields)
            figures += "- " + name + ": `" + (value ? SpanText(value->span) : "") + "`\n";
          s.markdown = Fenced(row.key) + "\nA row of table `" + d.name + "`\n\n" + figures + where;
        }
        break;
      }
      case ast::DeclKind::kFunction: {
        const auto& f = d.as<ast::FunctionDecl>();
        std::string params;
        for (const auto& p : f.params)
          params += (params.empty() ? "" : ", ") + p.name + ": " + TypeText(p.type.get());
        New(m, d.name, "function", d.span, {&d, -1}).markdown =
            Fenced("function " + d.name + "(" + params + ") -> " + TypeText(f.result.get())) + Doc(d) + where;
        break;
      }
      case ast::DeclKind::kQuota: {
        const auto& q = d.as<ast::QuotaDecl>();
        std::string keys;
        for (const auto& k : q.keys) keys += (keys.empty() ? "" : ", ") + SpanText(k->span);
        std::string period = q.calendar_year ? "per calendar year"
                             : q.window ? "from " + DateText(q.window_from) + " to " + DateText(q.window_to)
                                        : "no period (cumulative)";
        New(m, d.name, "quota", d.span, {&d, -1}).markdown =
            Fenced("quota " + d.name) + Doc(d) + "\n- limit: `" + (q.limit ? SpanText(q.limit->span) : "") +
            "`\n- measure: `" + (q.measure ? SpanText(q.measure->span) : "") +
            "`\n- per: " + (keys.empty() ? "(one total)" : "`" + keys + "`") + "\n- period: " + period +
            (q.cite.empty() ? "" : "\n- cite: " + q.cite) + "\n" + where;
        break;
      }
      case ast::DeclKind::kRule:
      case ast::DeclKind::kException: {
        const auto& r = d.as<ast::RuleDecl>();
        bool exception = d.kind == ast::DeclKind::kException;
        std::string head = (exception ? "exception " : "rule ") + d.name +
                           (r.target.empty() ? "" : (exception ? " to " : " replaces ") + r.target);
        std::string md = Fenced(head) + Doc(d);
        if (!r.cite.empty()) md += "\n**Cite:** " + r.cite + "\n";
        if (r.has_outcome) md += "\n**Outcome:** `" + SpanText(r.outcome.span) + "`\n";
        if (r.has_from || r.has_until)
          md += "\n**In force:** " + (r.has_from ? "from " + DateText(r.from) : std::string()) +
                (r.has_until ? " until " + DateText(r.until) : "") + "\n";
        if (r.has_compliance)
          md +=
              "\n**Compliance from:** " + DateText(r.compliance) + " (in force but not binding before it)\n";
        New(m, d.name, exception ? "exception" : "rule", d.span, {&d, -1}).markdown = md + where;
        break;
      }
      case ast::DeclKind::kTest:
        New(m, d.name, "test", d.span, {&d, -1}).markdown = Fenced("test \"" + d.name + "\"") + where;
        break;
      default:
        break;
    }
  }

  const sema::LoadedProgram& loaded_;
  std::map<std::string, const ast::Decl*> units_, values_;
  std::vector<Symbol> out_;
};

}  // namespace

std::string SpanText(const Span& span) {
  if (!span.valid()) return "";
  std::string out;
  for (int l = span.line; l <= span.end_line; ++l) {
    std::string_view line = span.file->Line(l);
    size_t from = l == span.line ? ByteOffset(line, span.col) : 0;
    size_t to = l == span.end_line ? ByteOffset(line, span.end_col) : line.size();
    if (from < to) out += std::string(line.substr(from, to - from));
    if (l != span.end_line) out += "\n";
  }
  return out;
}

std::vector<Symbol> IndexSymbols(const sema::LoadedProgram& loaded) {
  return Indexer(loaded).Run();
}

}  // namespace edict::lsp
