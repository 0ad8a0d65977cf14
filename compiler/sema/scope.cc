// Name resolution: which declaration a name denotes from a module, and what a written type means.
#include <algorithm>

#include "compiler/sema/checker.h"

namespace edict::sema {

namespace {

bool InSpaces(const ast::Decl* d, unsigned spaces) {
  using K = ast::DeclKind;
  switch (d->kind) {
    case K::kConst:
    case K::kSet:
      return spaces & kValues;
    case K::kSchema:
      return spaces & (kValues | kTypes);
    case K::kEnum:
    case K::kTable:
    case K::kRecord:
      return spaces & kTypes;
    case K::kFunction:
      return spaces & kFunctions;
    case K::kQuota:
      return spaces & kQuotas;
    case K::kUnit:
      return spaces & kUnits;
    default:
      return false;
  }
}

constexpr size_t kMaxSuggestedName = 256;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Checker::Suggest(const std::string& name, const std::vector<std::string>& candidates) const {
  // No suggestion for a name no one would have meant to type (a 2 MB identifier once spent 18 s here).
  if (name.size() > kMaxSuggestedName) return "";
  std::string best;
  size_t best_d = name.size() / 3 + 1;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: skip what cannot beat the best so far.
    size_t gap = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
    if (gap > best_d) continue;
    size_t d = EditDistance(name, c);
    if (d < best_d || (d == best_d && !best.empty() && c < best)) {
      if (d < best_d || best.empty()) best = c;
      best_d = d;
    }
  }
  return best.empty() ? "" : "did you mean `" + best + "`?";
}

void Checker::IndexDeclarations() {
  for (auto& m : program_.modules) {
    auto& names = own_[m.get()];
    for (auto& d : m->decls) {
      using K = ast::DeclKind;
      if (d->kind == K::kTest || d->kind == K::kWithdraw || d->kind == K::kTimeline) continue;
      if (d->kind == K::kRule || d->kind == K::kException) continue;  // rules live in their own namespace
      for (auto [it, end] = names.equal_range(d->name); it != end; ++it) {
        if (InSpaces(it->second, kValues | kTypes | kFunctions | kQuotas | kUnits) &&
            ((InSpaces(d.get(), kValues) && InSpaces(it->second, kValues)) ||
             (InSpaces(d.get(), kTypes) && InSpaces(it->second, kTypes)) || d->kind == it->second->kind)) {
          auto& e = diags_.Error("E0201", d->span, "'" + d->name + "' is declared twice in this module");
          e.notes.emplace_back(it->second->span, "first declared here");
        }
      }
      names.emplace(d->name, d.get());
      if (d->kind == K::kUnit) {
        if (units_.count(d->name) && units_[d->name] != d.get())
          diags_.Error("E0201", d->span, "unit '" + d->name + "' is declared twice");
        units_[d->name] = d.get();
      }
      if (d->kind == K::kEnum) {
        auto& idx = members_[d.get()];
        for (const auto& mem : d->as<ast::EnumDecl>().members) {
          if (idx.count(mem.name))
            diags_.Error("E0201", mem.span, "'" + mem.name + "' is listed twice in " + d->name);
          idx.emplace(mem.name, static_cast<int>(idx.size()));
        }
        d->sema_index = static_cast<int>(out_->enums.size());
        out_->enums.push_back(d.get());
        d->type = EnumType(d.get(), d->sema_index);
      }
      if (d->kind == K::kTable) {
        auto& idx = members_[d.get()];
        for (const auto& row : d->as<ast::TableDecl>().rows) {
          if (idx.count(row.key))
            diags_.Error("E0201", row.span, "row '" + row.key + "' appears twice in " + d->name);
          idx.emplace(row.key, static_cast<int>(idx.size()));
        }
        d->sema_index = static_cast<int>(out_->enums.size());
        out_->enums.push_back(d.get());
        d->type = EnumType(d.get(), d->sema_index);
      }
      if (d->kind == K::kSchema || d->kind == K::kRecord) d->type = RecordType(d.get());
      if (d->kind == K::kQuota) {
        d->sema_index = static_cast<int>(out_->quotas.size());
        out_->quotas.push_back(d.get());
      }
    }
  }
}

int Checker::MemberIndex(const ast::Decl* enum_decl, const std::string& name) const {
  auto it = members_.find(enum_decl);
  if (it == members_.end()) return -1;
  auto m = it->second.find(name);
  return m == it->second.end() ? -1 : m->second;
}

const ast::Decl* Checker::Lookup(const ast::Module* m, const std::string& name, unsigned spaces, Span span,
                                 bool report) {
  auto find_in = [&](const ast::Module* mod) -> const ast::Decl* {
    auto& names = own_[mod];
    for (auto [it, end] = names.equal_range(name); it != end; ++it)
      if (InSpaces(it->second, spaces)) return it->second;
    return nullptr;
  };
  if (const ast::Decl* own = find_in(m)) return own;
  const ast::Decl* found = nullptr;
  for (const auto& imp : m->imports) {
    if (!imp.resolved) continue;
    const ast::Decl* d = find_in(imp.resolved);
    if (d && found && d != found) {
      {  // ambiguity is an error even where the caller would try other readings
        auto& e = diags_.Error("E0203", span,
                               "'" + name + "' is ambiguous: declared in '" + found->module->name +
                                   "' and in '" + d->module->name + "'",
                               "declare it once, or give the two declarations different names");
        e.notes.emplace_back(found->span, "one declaration");
        e.notes.emplace_back(d->span, "the other declaration");
      }
      return found;
    }
    if (d) found = d;
  }
  if (!found && report) {
    std::vector<std::string> candidates;
    auto collect = [&](const ast::Module* mod) {
      for (auto& [n, d] : own_[mod])
        if (InSpaces(d, spaces)) candidates.push_back(n);
    };
    collect(m);
    for (const auto& imp : m->imports)
      if (imp.resolved) collect(imp.resolved);
    diags_.Error("E0202", span, "unknown name '" + name + "'", Suggest(name, candidates));
  }
  return found;
}

bool Checker::IsCountUnit(const std::string& name) const {
  auto it = units_.find(name);
  return it != units_.end() && it->second->as<ast::UnitDecl>().count;
}

std::optional<Dims> Checker::ResolveUnits(const ast::UnitText& u, const ast::Module* m, Span span) {
  (void)m;
  Dims dims;
  for (size_t i = 0; i < u.names.size(); ++i) {
    const std::string& n = u.names[i];
    if (!units_.count(n)) {
      std::vector<std::string> all;
      for (auto& [k, v] : units_) all.push_back(k);
      std::string hint = Suggest(n, all);
      if (hint.empty()) hint = "units are declared with `unit NAME` (ear.units has tpp, mm2, ops, units)";
      if (i > 0) hint += "; to divide by a name rather than a unit, write `(NUMBER UNIT) / NAME`";
      diags_.Error("E0204", span, "unknown unit '" + n + "'", hint);
      return std::nullopt;
    }
    dims = MulDims(dims, Dims{{{n, 1}}}, i == 0 ? 1 : -1);
  }
  return dims;
}

TypeRef Checker::ResolveType(const ast::TypeExpr& t, const ast::Module* m) {
  if (t.kind == ast::TypeExpr::kSet) return SetType(ResolveType(*t.inner, m));
  if (t.kind == ast::TypeExpr::kOptional) return OptionalType(ResolveType(*t.inner, m));
  const auto& names = t.names.names;
  if (names.size() == 1) {
    const std::string& n = names[0];
    if (n == "bool") return BoolType();
    if (n == "int") return IntType();
    if (n == "decimal") return DecimalType();
    if (n == "text") return TextType();
    if (n == "date") return DateType();
    if (!units_.count(n)) {
      const ast::Decl* d = Lookup(m, n, kTypes, t.span, false);
      if (d) return d->type ? d->type : ErrorType();
      std::vector<std::string> candidates = {"bool", "int", "decimal", "text", "date"};
      for (auto& [k, v] : units_) candidates.push_back(k);
      diags_.Error("E0205", t.span, "unknown type '" + n + "'", Suggest(n, candidates));
      return ErrorType();
    }
  }
  auto dims = ResolveUnits(t.names, m, t.span);
  return dims ? QuantityType(*dims) : ErrorType();
}

}  // namespace edict::sema
