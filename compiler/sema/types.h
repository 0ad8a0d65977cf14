// The types of the edict language. Numbers carry units as dimension vectors (tpp, tpp/mm2); enums cover
// countries, catalog keys (a table's name is the type of its keys), ECCNs and user enums.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace edict {

namespace ast {
struct Decl;
}

// Units as exponents of declared base units, sorted by name: tpp/mm2 is {(mm2,-1),(tpp,1)}.
struct Dims {
  std::vector<std::pair<std::string, int>> exps;
  bool empty() const { return exps.empty(); }
  bool operator==(const Dims& o) const { return exps == o.exps; }
  std::string ToString() const;  // "tpp/mm2", "" when dimensionless
};
Dims MulDims(const Dims& a, const Dims& b, int sign_b);

enum class TypeKind { kError, kBool, kNumber, kText, kDate, kEnum, kSet, kOptional, kRecord };

struct Type;
using TypeRef = std::shared_ptr<const Type>;

struct Type {
  TypeKind kind = TypeKind::kError;
  bool integer = false;             // kNumber: int (64-bit checked) rather than decimal/quantity
  Dims dims;                        // kNumber
  const ast::Decl* decl = nullptr;  // kEnum: the enum or table decl; kRecord: the record or schema decl
  int enum_index = -1;              // kEnum: index among the program's enums (IR and runtime use this)
  TypeRef elem;                     // kSet, kOptional

  std::string ToString() const;
};

TypeRef ErrorType();
TypeRef BoolType();
TypeRef IntType();
TypeRef DecimalType();
TypeRef QuantityType(Dims dims);
TypeRef TextType();
TypeRef DateType();
TypeRef EnumType(const ast::Decl* decl, int enum_index);
TypeRef RecordType(const ast::Decl* decl);
TypeRef SetType(TypeRef elem);
TypeRef OptionalType(TypeRef elem);

bool SameType(const Type& a, const Type& b);
// A value of type `from` may be used where `to` is expected (int widens to decimal).
bool Assignable(const Type& from, const Type& to);
bool IsNumber(const Type& t);
bool IsError(const Type& t);

}  // namespace edict
