// Expressions: the decision IR's operators as LLVM IR over compiled values (CV). Every operator the IR has is
// compiled; an error (overflow, division by zero, a member outside a table) stores the record's error status
// and leaves the record to the interpreter.
#include <algorithm>

#include "runtime/jit/generator.h"

namespace edict::jit {

using ir::Op;

bool Generator::Loadable(ValueKind k) const {
  return k == ValueKind::kBool || k == ValueKind::kNumber || k == ValueKind::kDate || k == ValueKind::kEnum ||
         k == ValueKind::kText;
}

CV Generator::Gen(const ir::Expr& e) {
  switch (e.op) {
    case Op::kConst:
      return Const(e.constant);
    case Op::kField:
      return env_[e.index];
    case Op::kRowField:
      return RowField(e);
    case Op::kTabulated:
      return Tabulated(e);
    case Op::kNot:
      return BoolValue(B_.CreateNot(Bool(Gen(*e.args[0]))));
    case Op::kAnd:
    case Op::kOr:
      return Logic(e);
    case Op::kIf:
      return If(e);
    case Op::kNeg:
      return Neg(e);
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
      return Arith(e);
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return CompareOp(e);
    case Op::kEq:
    case Op::kNe:
      return Equality(e);
    case Op::kIn:
    case Op::kNotIn:
      return Membership(e);
    case Op::kYearOf: {
      CV d = Gen(*e.args[0]);
      return Number(B_.CreateSExt(YearOf(Int(d)), i128_), I128(1));
    }
    case Op::kIsKnown: {
      CV x = Gen(*e.args[0]);
      return BoolValue(x.present ? x.present : B_.getTrue());
    }
    case Op::kOtherwise:
      return Otherwise(e);
    case Op::kFits:
      return Fits(e);
    case Op::kUnion:
    case Op::kDifference:
      break;  // sets are only ever tested for membership (InSet)
  }
  Unsupported("a set expression outside a membership test");
  return CV{};
}

CV Generator::Const(const Value& v) {
  CV c;
  c.kind = v.kind;
  switch (v.kind) {
    case ValueKind::kAbsent:
      c.present = B_.getFalse();
      break;
    case ValueKind::kBool:
      c.b = B_.getInt1(v.b);
      break;
    case ValueKind::kNumber:
      c.num = I128(v.num.num);
      c.den = I128(v.num.den);
      break;
    case ValueKind::kDate:
    case ValueKind::kEnum:
      c.i = B_.getInt32(v.i);
      break;
    case ValueKind::kText:
      c.i = B_.getInt32(TextId(v.text));
      break;
    case ValueKind::kSet:
      Unsupported("a constant set outside a membership test");
      break;
  }
  return c;
}

ValueKind Generator::ColumnKind(const std::vector<Value>& cells) {
  ValueKind kind = ValueKind::kAbsent;
  for (const Value& v : cells) {
    if (v.absent()) continue;
    if (!Loadable(v.kind) || (kind != ValueKind::kAbsent && v.kind != kind)) return ValueKind::kSet;
    kind = v.kind;
  }
  return kind;
}

CV Generator::RowField(const ir::Expr& e) {
  CV key = Gen(*e.args[0]);
  const ir::Table& t = p_->tables[e.table];
  auto index = std::make_tuple(p_, e.table, e.index);
  auto it = columns_.find(index);
  if (it == columns_.end()) {
    std::vector<Value> cells;
    for (const auto& row : t.rows) cells.push_back(row[e.index]);
    ValueKind kind = ColumnKind(cells);
    if (kind == ValueKind::kSet) Unsupported("a table column of mixed kinds: " + t.name);
    it = columns_.emplace(index, MakeColumn(cells, e.kind)).first;
  }
  if (!KeyChecked(*e.args[0], t.rows.size())) {
    llvm::Value* ok = B_.CreateICmpULT(Int(key), B_.getInt32(static_cast<uint32_t>(t.rows.size())));
    if (key.present) ok = B_.CreateAnd(ok, key.present);
    FailIf(B_.CreateNot(ok), Site(e, "no row for this key in table " + t.name));
  }
  return ColumnLoad(it->second, e.kind, B_.CreateZExt(Int(key), i64_));
}

// A `tabulated` node (ir::Tabulate): its column, indexed by the key field's member. A key outside the column
// (absent, or a timeline's unmapped member) is the interpreter's: it evaluates the expression as written.
CV Generator::Tabulated(const ir::Expr& e) {
  const std::vector<Value>& cells = p_->columns[e.index];
  if (ColumnKind(cells) == ValueKind::kSet) Unsupported("a tabulated column of mixed kinds");
  CV key = Gen(*e.args[0]);
  if (!KeyChecked(*e.args[0], cells.size())) {
    llvm::Value* ok = B_.CreateICmpULT(Int(key), B_.getInt32(static_cast<uint32_t>(cells.size())));
    if (key.present) ok = B_.CreateAnd(ok, key.present);
    FailIf(B_.CreateNot(ok), -1);
  }
  auto index = std::make_tuple(p_, -1 - e.index, 0);
  auto it = columns_.find(index);
  if (it == columns_.end()) it = columns_.emplace(index, MakeColumn(cells, e.kind)).first;
  return ColumnLoad(it->second, e.kind, B_.CreateZExt(Int(key), i64_));
}

CV Generator::ColumnLoad(const Column& col, ValueKind kind, llvm::Value* row) {
  CV v;
  v.kind = kind;
  auto at = [&](llvm::GlobalVariable* g, llvm::Type* ty) {
    return B_.CreateLoad(ty, B_.CreateInBoundsGEP(g->getValueType(), g, {B_.getInt64(0), row}));
  };
  if (col.present) v.present = B_.CreateICmpNE(at(col.present, i8_), B_.getInt8(0));
  switch (kind) {
    case ValueKind::kBool:
      v.b = B_.CreateICmpNE(at(col.a, i8_), B_.getInt8(0));
      break;
    case ValueKind::kNumber:
      if (col.narrow) {
        v.num = B_.CreateSExt(at(col.a, i64_), i128_);
        v.den = I128(1);
      } else {
        v.num = at(col.a, i128_);
        v.den = at(col.b, i128_);
      }
      break;
    default:
      v.i = at(col.a, i32_);
      break;
  }
  return v;
}

Generator::Column Generator::MakeColumn(const std::vector<Value>& cells, ValueKind kind) {
  std::vector<uint8_t> present, bools;
  std::vector<int32_t> ints;
  std::vector<llvm::Constant*> nums, dens;
  bool any_absent = false;
  for (const Value& v : cells) {
    any_absent |= v.absent();
    present.push_back(v.absent() ? 0 : 1);
    bools.push_back(v.b ? 1 : 0);
    ints.push_back(v.kind == ValueKind::kText ? static_cast<int32_t>(TextId(v.text)) : v.i);
    nums.push_back(I128(v.num.num));
    dens.push_back(I128(v.num.den));
  }
  auto global = [&](llvm::Constant* init) {
    return new llvm::GlobalVariable(M_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init,
                                    "column");
  };
  Column col;
  if (any_absent) col.present = global(llvm::ConstantDataArray::get(C_, llvm::ArrayRef<uint8_t>(present)));
  if (kind == ValueKind::kBool) {
    col.a = global(llvm::ConstantDataArray::get(C_, llvm::ArrayRef<uint8_t>(bools)));
  } else if (kind == ValueKind::kNumber && std::all_of(cells.begin(), cells.end(), [](const Value& v) {
               return v.absent() || v.num.FitsInt64();
             })) {
    // Whole 64-bit numbers (TPP, areas, counts): an i64 column, whose values the arithmetic knows are whole.
    std::vector<int64_t> narrow;
    for (const Value& v : cells) narrow.push_back(v.absent() ? 0 : v.num.ToInt64());
    col.narrow = true;
    col.a = global(llvm::ConstantDataArray::get(C_, llvm::ArrayRef<int64_t>(narrow)));
  } else if (kind == ValueKind::kNumber) {
    auto* type = llvm::ArrayType::get(i128_, cells.size());
    col.a = global(llvm::ConstantArray::get(type, nums));
    col.b = global(llvm::ConstantArray::get(type, dens));
  } else {
    col.a = global(llvm::ConstantDataArray::get(C_, llvm::ArrayRef<int32_t>(ints)));
  }
  return col;
}

CV Generator::If(const ir::Expr& e) {
  llvm::Value* c = Bool(Gen(*e.args[0]));
  llvm::BasicBlock* then_bb = Block("then");
  llvm::BasicBlock* else_bb = Block("else");
  llvm::BasicBlock* done = Block("endif");
  B_.CreateCondBr(c, then_bb, else_bb);
  B_.SetInsertPoint(then_bb);
  CV x = Gen(*e.args[1]);
  llvm::BasicBlock* x_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(else_bb);
  CV y = Gen(*e.args[2]);
  llvm::BasicBlock* y_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  return Merge(e.kind, x, x_end, y, y_end);
}

CV Generator::Otherwise(const ir::Expr& e) {
  CV x = Gen(*e.args[0]);
  if (!x.present) return x;
  llvm::BasicBlock* x_end = B_.GetInsertBlock();
  llvm::BasicBlock* other = Block("otherwise");
  llvm::BasicBlock* done = Block("endotherwise");
  B_.CreateCondBr(x.present, done, other);
  B_.SetInsertPoint(other);
  CV y = Gen(*e.args[1]);
  llvm::BasicBlock* y_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  return Merge(e.kind, x, x_end, y, y_end);
}

// Joins two values of `kind` arriving from two blocks.
CV Generator::Merge(ValueKind kind, CV x, llvm::BasicBlock* xb, CV y, llvm::BasicBlock* yb) {
  CV v;
  v.kind = kind;
  auto phi = [&](llvm::Value* a, llvm::Value* b, llvm::Value* dflt) -> llvm::Value* {
    if (!a && !b) return nullptr;
    if (!a) a = dflt;
    if (!b) b = dflt;
    if (a == b) return a;
    auto* p = B_.CreatePHI(a->getType(), 2);
    p->addIncoming(a, xb);
    p->addIncoming(b, yb);
    return p;
  };
  v.present = phi(x.present, y.present, B_.getTrue());
  switch (kind) {
    case ValueKind::kBool:
      v.b = phi(Bool(x), Bool(y), nullptr);
      break;
    case ValueKind::kNumber:
      v.num = phi(Num(x), Num(y), nullptr);
      v.den = phi(Den(x), Den(y), nullptr);
      break;
    case ValueKind::kDate:
    case ValueKind::kEnum:
    case ValueKind::kText:
      v.i = phi(Int(x), Int(y), nullptr);
      break;
    default:
      break;
  }
  return v;
}

CV Generator::Neg(const ir::Expr& e) {
  CV a = Gen(*e.args[0]);
  // Sub(0, x) is {-num, den}: never overflows (the rational range is symmetric).
  CV v = Number(B_.CreateNeg(Num(a)), Den(a));
  if (e.checked_int) CheckInt64(e, v);
  return v;
}

llvm::Value* Generator::FitsI64(llvm::Value* x) {
  // Known at compile time for constants and for values widened from 64 bits or fewer (int fields, narrow
  // columns, their products' operands): then no check, and no slow path, is generated.
  if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(x)) return B_.getInt1(c->getValue().isSignedIntN(64));
  if (auto* ext = llvm::dyn_cast<llvm::SExtInst>(x))
    if (ext->getSrcTy()->getIntegerBitWidth() <= 64) return B_.getTrue();
  return B_.CreateICmpEQ(B_.CreateSExt(B_.CreateTrunc(x, i64_), i128_), x);
}

llvm::Value* Generator::RationalArg(llvm::Value* buf, const CV& v) {
  B_.CreateAlignedStore(Num(v), buf, llvm::Align(16));
  B_.CreateAlignedStore(Den(v), B_.CreateConstInBoundsGEP1_64(i128_, buf, 1), llvm::Align(16));
  return buf;
}

// Integers within 64 bits take an exact inline path (their sum, difference or product cannot leave the
// 128-bit range), which LLVM reduces to plain 64-bit arithmetic where the operands are known to be whole
// 64-bit numbers (int and count fields, integral constants); everything else calls the exact Rational
// arithmetic (edict_jit_rat), which reports overflow.
CV Generator::Arith(const ir::Expr& e) {
  CV a = Gen(*e.args[0]);
  CV b = Gen(*e.args[1]);
  int op = e.op == Op::kAdd ? 0 : e.op == Op::kSub ? 1 : e.op == Op::kMul ? 2 : 3;
  static const char* const kWhat[] = {"overflow in addition", "overflow in subtraction",
                                      "overflow in multiplication", "overflow in division"};
  if (op == 3) FailIf(B_.CreateICmpEQ(Num(b), I128(0)), Site(e, "division by zero"));
  int overflow = Site(e, kWhat[op]);
  llvm::Value* fast =
      B_.CreateAnd(B_.CreateAnd(B_.CreateICmpEQ(Den(a), I128(1)), B_.CreateICmpEQ(Den(b), I128(1))),
                   B_.CreateAnd(FitsI64(Num(a)), FitsI64(Num(b))));
  if (op == 3) fast = B_.CreateAnd(fast, B_.CreateICmpNE(Num(b), I128(-1)));
  // Whole 64-bit operands known as such at compile time (the usual case: counts times catalog figures): an
  // addition, subtraction or multiplication is the inline path alone, with nothing to branch to.
  if (fast == B_.getTrue() && op != 3) {
    CV v = Number(FastArith(op, Num(a), Num(b)), I128(1));
    if (e.checked_int) CheckInt64(e, v);
    return v;
  }
  llvm::BasicBlock* fast_bb = Block("fast");
  llvm::BasicBlock* slow_bb = Block("slow");
  llvm::BasicBlock* done = Block("arith");
  B_.CreateCondBr(fast, fast_bb, slow_bb);
  B_.SetInsertPoint(fast_bb);
  llvm::Value* r = nullptr;
  if (op != 3) {
    r = FastArith(op, Num(a), Num(b));
  } else {
    llvm::Value* x = B_.CreateTrunc(Num(a), i64_);
    llvm::Value* y = B_.CreateTrunc(Num(b), i64_);
    llvm::BasicBlock* exact = Block("exact");
    B_.CreateCondBr(B_.CreateICmpEQ(B_.CreateSRem(x, y), B_.getInt64(0)), exact, slow_bb);
    B_.SetInsertPoint(exact);
    r = B_.CreateSExt(B_.CreateSDiv(x, y), i128_);
  }
  llvm::BasicBlock* fast_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(slow_bb);
  auto* ok = B_.CreateCall(Helper("edict_jit_rat", i32_, {i32_, ptr_, ptr_, ptr_}),
                           {B_.getInt32(op), RationalArg(rat_a_, a), RationalArg(rat_b_, b), rat_out_});
  FailIf(B_.CreateICmpEQ(ok, B_.getInt32(0)), overflow);
  llvm::Value* sn = B_.CreateAlignedLoad(i128_, rat_out_, llvm::Align(16));
  llvm::Value* sd =
      B_.CreateAlignedLoad(i128_, B_.CreateConstInBoundsGEP1_64(i128_, rat_out_, 1), llvm::Align(16));
  llvm::BasicBlock* slow_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  auto* num = B_.CreatePHI(i128_, 2);
  num->addIncoming(r, fast_end);
  num->addIncoming(sn, slow_end);
  auto* den = B_.CreatePHI(i128_, 2);
  den->addIncoming(I128(1), fast_end);
  den->addIncoming(sd, slow_end);
  CV v = Number(num, den);
  if (e.checked_int) CheckInt64(e, v);
  return v;
}

// a + b, a - b or a * b of two whole numbers within 64 bits: exact in 128 bits.
llvm::Value* Generator::FastArith(int op, llvm::Value* a, llvm::Value* b) {
  if (op == 0) return B_.CreateAdd(a, b);
  if (op == 1) return B_.CreateSub(a, b);
  // A product of two 64-bit integers is the product of their 64-bit halves widened: LLVM emits one imul.
  return B_.CreateNSWMul(B_.CreateSExt(B_.CreateTrunc(a, i64_), i128_),
                         B_.CreateSExt(B_.CreateTrunc(b, i64_), i128_));
}

void Generator::CheckInt64(const ir::Expr& e, const CV& v) {
  llvm::Value* fits = B_.CreateAnd(B_.CreateICmpEQ(v.den, I128(1)), FitsI64(v.num));
  FailIf(B_.CreateNot(fits), Site(e, "integer overflow: the result does not fit in 64 bits"));
}

CV Generator::CompareOp(const ir::Expr& e) {
  CV a = Gen(*e.args[0]);
  CV b = Gen(*e.args[1]);
  llvm::CmpInst::Predicate pred = e.op == Op::kLt   ? llvm::CmpInst::ICMP_SLT
                                  : e.op == Op::kLe ? llvm::CmpInst::ICMP_SLE
                                  : e.op == Op::kGt ? llvm::CmpInst::ICMP_SGT
                                                    : llvm::CmpInst::ICMP_SGE;
  if (e.args[0]->kind == ValueKind::kDate) return BoolValue(B_.CreateICmp(pred, Int(a), Int(b)));
  // Denominators known equal at compile time (whole numbers): the numerators decide, with no slow path.
  llvm::Value* same_den = B_.CreateICmpEQ(Den(a), Den(b));
  if (same_den == B_.getTrue()) return BoolValue(B_.CreateICmp(pred, Num(a), Num(b)));
  llvm::BasicBlock* same = Block("sameden");
  llvm::BasicBlock* slow = Block("cmp");
  llvm::BasicBlock* done = Block("compared");
  B_.CreateCondBr(same_den, same, slow);
  B_.SetInsertPoint(same);
  llvm::Value* fast = B_.CreateICmp(pred, Num(a), Num(b));
  B_.CreateBr(done);
  B_.SetInsertPoint(slow);
  auto* c = B_.CreateCall(Helper("edict_jit_rat_cmp", i32_, {ptr_, ptr_}),
                          {RationalArg(rat_a_, a), RationalArg(rat_b_, b)});
  llvm::Value* general = B_.CreateICmp(pred, c, B_.getInt32(0));
  llvm::BasicBlock* slow_end = B_.GetInsertBlock();
  B_.CreateBr(done);
  B_.SetInsertPoint(done);
  auto* phi = B_.CreatePHI(i1_, 2);
  phi->addIncoming(fast, same);
  phi->addIncoming(general, slow_end);
  return BoolValue(phi);
}

// ValuesEqual: equal kinds (absent equals absent) and equal parts. Texts compare by index: equal texts share
// one (packed.h, `interned`; constants are interned first).
CV Generator::Equality(const ir::Expr& e) {
  ValueKind kind = e.args[0]->kind;
  if (!Loadable(kind) || kind != e.args[1]->kind) Unsupported("equality of sets or of different kinds");
  CV a = Gen(*e.args[0]);
  CV b = Gen(*e.args[1]);
  llvm::Value* same = nullptr;
  switch (kind) {
    case ValueKind::kBool:
      same = B_.CreateICmpEQ(Bool(a), Bool(b));
      break;
    case ValueKind::kNumber:
      same = B_.CreateAnd(B_.CreateICmpEQ(Num(a), Num(b)), B_.CreateICmpEQ(Den(a), Den(b)));
      break;
    default:
      same = B_.CreateICmpEQ(Int(a), Int(b));
      break;
  }
  if (a.present || b.present) {
    llvm::Value* pa = a.present ? a.present : B_.getTrue();
    llvm::Value* pb = b.present ? b.present : B_.getTrue();
    same = B_.CreateAnd(B_.CreateICmpEQ(pa, pb), B_.CreateOr(B_.CreateNot(pa), same));
  }
  return BoolValue(e.op == Op::kEq ? same : B_.CreateNot(same));
}

CV Generator::Membership(const ir::Expr& e) {
  CV x = Gen(*e.args[0]);
  llvm::Value* in = InSet(Int(x), *e.args[1]);
  return BoolValue(e.op == Op::kIn ? in : B_.CreateNot(in));
}

// Whether `member` is in the set `set` evaluates to: constant sets are bit arrays; unions, differences and
// choices of sets become logic over their operands, so no set is built at run time.
llvm::Value* Generator::InSet(llvm::Value* member, const ir::Expr& set) {
  switch (set.op) {
    case Op::kConst: {
      if (set.constant.kind != ValueKind::kSet) break;
      const BitSet& bits = *set.constant.set;
      if (bits.words.empty()) return B_.getFalse();
      // Every set covers all 65,536 members a packed enum can hold (the words past the members are zero), so
      // a membership test is a masked load and a shift, with no bounds check. (Sets sized to the enum need a
      // mask LLVM cannot drop, one instruction per test, and save no measurable compile time.)
      auto it = sets_.find(&bits);
      if (it == sets_.end()) {
        std::vector<uint64_t> words(kSetWords, 0);
        for (size_t w = 0; w < bits.words.size() && w < kSetWords; ++w) words[w] = bits.words[w];
        auto* init = llvm::ConstantDataArray::get(C_, llvm::ArrayRef<uint64_t>(words));
        it = sets_
                 .emplace(&bits, new llvm::GlobalVariable(M_, init->getType(), true,
                                                          llvm::GlobalValue::PrivateLinkage, init, "set"))
                 .first;
      }
      llvm::Value* bit = B_.CreateZExt(member, i64_);
      llvm::Value* word = B_.CreateAnd(B_.CreateLShr(bit, 6), B_.getInt64(kSetWords - 1));
      llvm::Value* w = B_.CreateLoad(i64_, B_.CreateInBoundsGEP(i64_, it->second, word));
      llvm::Value* in = B_.CreateTrunc(B_.CreateLShr(w, B_.CreateAnd(bit, 63)), i1_);
      if (bits.words.size() > kSetWords)  // members beyond what a packed enum holds
        return B_.CreateAnd(B_.CreateICmpULT(bit, B_.getInt64(64 * kSetWords)), in);
      return in;
    }
    case Op::kUnion:
      return B_.CreateOr(InSet(member, *set.args[0]), InSet(member, *set.args[1]));
    case Op::kDifference:
      return B_.CreateAnd(InSet(member, *set.args[0]), B_.CreateNot(InSet(member, *set.args[1])));
    case Op::kIf: {
      llvm::Value* c = Bool(Gen(*set.args[0]));
      llvm::BasicBlock* then_bb = Block("setthen");
      llvm::BasicBlock* else_bb = Block("setelse");
      llvm::BasicBlock* done = Block("setif");
      B_.CreateCondBr(c, then_bb, else_bb);
      B_.SetInsertPoint(then_bb);
      llvm::Value* x = InSet(member, *set.args[1]);
      llvm::BasicBlock* x_end = B_.GetInsertBlock();
      B_.CreateBr(done);
      B_.SetInsertPoint(else_bb);
      llvm::Value* y = InSet(member, *set.args[2]);
      llvm::BasicBlock* y_end = B_.GetInsertBlock();
      B_.CreateBr(done);
      B_.SetInsertPoint(done);
      auto* phi = B_.CreatePHI(i1_, 2);
      phi->addIncoming(x, x_end);
      phi->addIncoming(y, y_end);
      return phi;
    }
    default:
      break;
  }
  Unsupported("a set computed from fields or tables");
  return B_.getFalse();
}

// The calendar year of a date (days since 1970-01-01), as runtime/date.cc's CivilFromDays.
llvm::Value* Generator::YearOf(llvm::Value* days) {
  llvm::Value* z = B_.CreateAdd(days, B_.getInt32(719468));
  llvm::Value* adj =
      B_.CreateSelect(B_.CreateICmpSGE(z, B_.getInt32(0)), z, B_.CreateSub(z, B_.getInt32(146096)));
  llvm::Value* era = B_.CreateSDiv(adj, B_.getInt32(146097));
  llvm::Value* doe = B_.CreateSub(z, B_.CreateMul(era, B_.getInt32(146097)));
  llvm::Value* yoe =
      B_.CreateUDiv(B_.CreateSub(B_.CreateAdd(B_.CreateSub(doe, B_.CreateUDiv(doe, B_.getInt32(1460))),
                                              B_.CreateUDiv(doe, B_.getInt32(36524))),
                                 B_.CreateUDiv(doe, B_.getInt32(146096))),
                    B_.getInt32(365));
  llvm::Value* doy = B_.CreateSub(
      doe, B_.CreateSub(B_.CreateAdd(B_.CreateMul(yoe, B_.getInt32(365)), B_.CreateUDiv(yoe, B_.getInt32(4))),
                        B_.CreateUDiv(yoe, B_.getInt32(100))));
  llvm::Value* mp =
      B_.CreateUDiv(B_.CreateAdd(B_.CreateMul(doy, B_.getInt32(5)), B_.getInt32(2)), B_.getInt32(153));
  // Months March..December are mp 0..9; January and February (mp 10, 11) belong to the next year.
  llvm::Value* jan_feb = B_.CreateICmpUGE(mp, B_.getInt32(10));
  return B_.CreateAdd(B_.CreateAdd(yoe, B_.CreateMul(era, B_.getInt32(400))), B_.CreateZExt(jan_feb, i32_));
}

}  // namespace edict::jit
