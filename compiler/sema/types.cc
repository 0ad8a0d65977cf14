#include "compiler/sema/types.h"

#include <algorithm>

#include "compiler/ast/ast.h"

namespace edict {

std::string Dims::ToString() const {
  std::string num, den;
  for (const auto& [name, exp] : exps) {
    std::string& side = exp > 0 ? num : den;
    for (int i = 0; i < (exp > 0 ? exp : -exp); ++i) side += (side.empty() ? "" : "*") + name;
  }
  if (num.empty() && den.empty()) return "";
  if (num.empty()) num = "1";
  return den.empty() ? num : num + "/" + den;
}

Dims MulDims(const Dims& a, const Dims& b, int sign_b) {
  Dims out = a;
  for (const auto& [name, exp] : b.exps) {
    auto it =
        std::find_if(out.exps.begin(), out.exps.end(), [&n = name](const auto& p) { return p.first == n; });
    if (it == out.exps.end()) {
      out.exps.emplace_back(name, exp * sign_b);
    } else {
      it->second += exp * sign_b;
      if (it->second == 0) out.exps.erase(it);
    }
  }
  std::sort(out.exps.begin(), out.exps.end());
  return out;
}

std::string Type::ToString() const {
  switch (kind) {
    case TypeKind::kError:
      return "<error>";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kNumber:
      if (!dims.empty()) return dims.ToString();
      return integer ? "int" : "decimal";
    case TypeKind::kText:
      return "text";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kEnum:
      return decl ? decl->name : "enum";
    case TypeKind::kRecord:
      return decl ? decl->name : "record";
    case TypeKind::kSet:
      return "set of " + elem->ToString();
    case TypeKind::kOptional:
      return elem->ToString() + "?";
  }
  return "?";
}

namespace {
TypeRef Make(TypeKind kind) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  return t;
}
}  // namespace

TypeRef ErrorType() {
  static TypeRef t = Make(TypeKind::kError);
  return t;
}
TypeRef BoolType() {
  static TypeRef t = Make(TypeKind::kBool);
  return t;
}
TypeRef IntType() {
  static TypeRef t = [] {
    auto t = std::make_shared<Type>();
    t->kind = TypeKind::kNumber;
    t->integer = true;
    return t;
  }();
  return t;
}
TypeRef DecimalType() {
  static TypeRef t = Make(TypeKind::kNumber);
  return t;
}
TypeRef QuantityType(Dims dims) {
  if (dims.empty()) return DecimalType();
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kNumber;
  t->dims = std::move(dims);
  return t;
}
TypeRef TextType() {
  static TypeRef t = Make(TypeKind::kText);
  return t;
}
TypeRef DateType() {
  static TypeRef t = Make(TypeKind::kDate);
  return t;
}
TypeRef EnumType(const ast::Decl* decl, int enum_index) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kEnum;
  t->decl = decl;
  t->enum_index = enum_index;
  return t;
}
TypeRef RecordType(const ast::Decl* decl) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kRecord;
  t->decl = decl;
  return t;
}
TypeRef SetType(TypeRef elem) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kSet;
  t->elem = std::move(elem);
  return t;
}
TypeRef OptionalType(TypeRef elem) {
  if (elem->kind == TypeKind::kOptional || elem->kind == TypeKind::kError) return elem;
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kOptional;
  t->elem = std::move(elem);
  return t;
}

bool SameType(const Type& a, const Type& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeKind::kNumber:
      return a.integer == b.integer && a.dims == b.dims;
    case TypeKind::kEnum:
    case TypeKind::kRecord:
      return a.decl == b.decl;
    case TypeKind::kSet:
    case TypeKind::kOptional:
      return SameType(*a.elem, *b.elem);
    default:
      return true;
  }
}

bool Assignable(const Type& from, const Type& to) {
  if (from.kind == TypeKind::kError || to.kind == TypeKind::kError) return true;
  if (from.kind == TypeKind::kNumber && to.kind == TypeKind::kNumber)
    return from.dims == to.dims && (from.integer || !to.integer);
  if (to.kind == TypeKind::kOptional) {
    if (from.kind == TypeKind::kOptional) return Assignable(*from.elem, *to.elem);
    return Assignable(from, *to.elem);
  }
  if (from.kind == TypeKind::kSet && to.kind == TypeKind::kSet) return Assignable(*from.elem, *to.elem);
  return SameType(from, to);
}

bool IsNumber(const Type& t) {
  return t.kind == TypeKind::kNumber;
}
bool IsError(const Type& t) {
  return t.kind == TypeKind::kError;
}

}  // namespace edict
