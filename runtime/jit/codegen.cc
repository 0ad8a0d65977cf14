#include "runtime/jit/codegen.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>

#include <map>

#include "runtime/interp/eval.h"

namespace edict::jit {

namespace {

using ir::Op;

bool Loadable(ValueKind k) {
  return k == ValueKind::kBool || k == ValueKind::kNumber || k == ValueKind::kDate || k == ValueKind::kEnum;
}

// A compiled value: the parts its kind uses. `present` is null when the value can never be absent.
struct CV {
  ValueKind kind = ValueKind::kAbsent;
  llvm::Value* present = nullptr;  // i1
  llvm::Value* b = nullptr;        // i1
  llvm::Value* i = nullptr;        // i32
  llvm::Value* num = nullptr;      // i128
  llvm::Value* den = nullptr;      // i128
  llvm::Value* words = nullptr;    // ptr to i64 words (sets)
  llvm::Value* nwords = nullptr;   // i64
};

class Generator {
 public:
  struct Column {
    llvm::GlobalVariable *present = nullptr, *a = nullptr, *b = nullptr;
  };

  Generator(const ValueLayout& layout, llvm::LLVMContext& c, llvm::Module& m, Plan& plan)
      : L_(layout), C_(c), M_(m), B_(c), plan_(plan) {
    i1_ = B_.getInt1Ty();
    i8_ = B_.getInt8Ty();
    i32_ = B_.getInt32Ty();
    i64_ = B_.getInt64Ty();
    i128_ = B_.getInt128Ty();
    ptr_ = B_.getPtrTy();
    unlikely_ = llvm::MDBuilder(C_).createBranchWeights(1, 1 << 20);
  }

  void Program(const ir::Program& p) {
    int index = static_cast<int>(plan_.programs.size());
    plan_.programs.emplace_back();
    p_ = &p;
    std::string prefix = "p" + std::to_string(index) + "_";
    {
      ProgramPlan& pp = plan_.programs[index];
      pp.program = &p;
      pp.fields_fn = prefix + "fields";
    }
    FieldsFunction(prefix + "fields");
    for (size_t r = 0; r < p.rules.size(); ++r) {
      const ir::Rule& rule = p.rules[r];
      std::string when, notify;
      if (rule.when) {
        when = prefix + "when_" + std::to_string(r);
        ConditionFunction(when, *rule.when);
      }
      if (rule.outcome.notify) {
        notify = prefix + "notify_" + std::to_string(r);
        ConditionFunction(notify, *rule.outcome.notify);
      }
      plan_.programs[index].when_fns.push_back(when);
      plan_.programs[index].notify_fns.push_back(notify);
    }
    for (const auto& entry : p.timeline) Program(*entry.program);
  }

 private:
  // ---- functions ----
  void Begin(const std::string& name) {
    auto* type = llvm::FunctionType::get(i32_, {ptr_, ptr_}, false);
    fn_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, M_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);
    fields_ = fn_->getArg(0);
    ctx_ = fn_->getArg(1);
    B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", fn_));
    auto* pair = llvm::ArrayType::get(i128_, 2);
    rat_a_ = B_.CreateAlloca(pair);
    rat_b_ = B_.CreateAlloca(pair);
    rat_out_ = B_.CreateAlloca(pair);
    for (auto* a : {rat_a_, rat_b_, rat_out_}) a->setAlignment(llvm::Align(16));
    value_buf_ = B_.CreateAlloca(llvm::ArrayType::get(i8_, L_.size));
    value_buf_->setAlignment(llvm::Align(L_.align));
  }

  void ConditionFunction(const std::string& name, const ir::Expr& e) {
    Begin(name);
    CV v = Gen(e);
    B_.CreateRet(B_.CreateZExt(Bool(v), i32_));
  }

  // Mirrors the interpreter's ComputeFields: each field with a default or formula, in dependency order, when
  // absent (input never carries derived fields; a test may fix one).
  void FieldsFunction(const std::string& name) {
    Begin(name);
    for (int index : p_->field_order) {
      const ir::Field& f = p_->fields[index];
      if (!f.value) continue;
      llvm::Value* slot = Slot(index);
      llvm::BasicBlock* compute = Block("compute");
      llvm::BasicBlock* after = Block("after");
      B_.CreateCondBr(B_.CreateICmpEQ(LoadAt(slot, L_.kind, i8_, 1), B_.getInt8(0)), compute, after);
      B_.SetInsertPoint(compute);
      if (f.value->op == Op::kField) {
        // A copy of another field (`end_user = consignee`): the whole slot, texts included. The interpreter
        // copies the text into the record's storage; the view here points at the same record's bytes.
        B_.CreateMemCpy(slot, llvm::Align(L_.align), Slot(f.value->index), llvm::Align(L_.align), L_.size);
      } else if (Loadable(f.value->kind) && CanGen(*f.value)) {
        Store(slot, Gen(*f.value), f.value->kind);
      } else {
        auto* call =
            B_.CreateCall(Helper("edict_jit_compute_field", {ptr_, i32_}), {ctx_, B_.getInt32(index)});
        FailIf(B_.CreateICmpNE(call, B_.getInt32(0)), -1);
      }
      B_.CreateBr(after);
      B_.SetInsertPoint(after);
    }
    B_.CreateRet(B_.getInt32(0));
  }

  // ---- what compiles natively ----
  bool Arg(const ir::Expr& e) { return CanGen(e) || Loadable(e.kind); }

  bool CanGen(const ir::Expr& e) {
    switch (e.op) {
      case Op::kConst:
        return e.constant.kind != ValueKind::kText;
      case Op::kField:
        return Loadable(e.kind);
      case Op::kRowField:
        return Loadable(e.kind) && ColumnKind(e.table, e.index) == e.kind && Arg(*e.args[0]);
      case Op::kNot:
      case Op::kAnd:
      case Op::kOr:
      case Op::kNeg:
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
      case Op::kYearOf:
        for (const ir::Expr* a : e.args)
          if (!Arg(*a)) return false;
        return true;
      case Op::kIf:
        if (!Arg(*e.args[0])) return false;
        if (e.kind == ValueKind::kSet) return CanGen(*e.args[1]) && CanGen(*e.args[2]);
        return Loadable(e.kind) && Arg(*e.args[1]) && Arg(*e.args[2]);
      case Op::kEq:
      case Op::kNe:
        return Loadable(e.args[0]->kind) && e.args[0]->kind == e.args[1]->kind && Arg(*e.args[0]) &&
               Arg(*e.args[1]);
      case Op::kIn:
      case Op::kNotIn:
        return Arg(*e.args[0]) && e.args[1]->kind == ValueKind::kSet && CanGen(*e.args[1]);
      case Op::kIsKnown:
        return e.args[0]->op == Op::kField || Arg(*e.args[0]);
      case Op::kOtherwise:
        return Loadable(e.kind) && Arg(*e.args[0]) && Arg(*e.args[1]);
      case Op::kTabulated:
        return Loadable(e.kind) && e.args[0]->op == Op::kField;
      case Op::kUnion:
      case Op::kDifference:
      case Op::kFits:
        return false;
    }
    return false;
  }

  // The one loadable kind of a table column (absent cells allowed), or kAbsent when it has texts or sets.
  ValueKind ColumnKind(int table, int field) {
    ValueKind kind = ValueKind::kAbsent;
    for (const auto& row : p_->tables[table].rows) {
      ValueKind k = row[field].kind;
      if (k == ValueKind::kAbsent) continue;
      if (!Loadable(k) || (kind != ValueKind::kAbsent && k != kind)) return ValueKind::kText;
      kind = k;
    }
    return kind;
  }

  // ---- expressions ----
  CV Gen(const ir::Expr& e) {
    if (e.op == Op::kTabulated && CanGen(e))  // tabulated by the front end (ir::Tabulate)
      return TableLookup(*e.args[1], e.args[0]->index, p_->columns[e.index]);
    if (!CanGen(e)) return Fallback(e);
    ++plan_.native_exprs;
    switch (e.op) {
      case Op::kConst:
        return Const(e.constant);
      case Op::kField: {
        bool maybe_absent = p_->fields[e.index].kind == ir::Field::kOptional;
        return Load(Slot(e.index), e.kind, maybe_absent);
      }
      case Op::kRowField:
        return RowField(e);
      case Op::kNot: {
        CV v;
        v.kind = ValueKind::kBool;
        v.b = B_.CreateNot(Bool(Gen(*e.args[0])));
        return v;
      }
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
        auto* year = B_.CreateCall(Helper("edict_jit_year_of", {i32_}), {Int(d)});
        return Number(B_.CreateSExt(year, i128_), I128(1));
      }
      case Op::kIsKnown: {
        CV v;
        v.kind = ValueKind::kBool;
        if (e.args[0]->op == Op::kField) {
          v.b = B_.CreateICmpNE(LoadAt(Slot(e.args[0]->index), L_.kind, i8_, 1), B_.getInt8(0));
        } else {
          CV x = Gen(*e.args[0]);
          v.b = x.present ? x.present : B_.getTrue();
        }
        return v;
      }
      case Op::kOtherwise:
        return Otherwise(e);
      default:
        break;
    }
    return Fallback(e);
  }

  // ---- per-key tables ----
  // A `tabulated` node (ir::Tabulate): its column, indexed by the key field's member. `e` is the expression
  // it stands for.
  CV TableLookup(const ir::Expr& e, int key, const std::vector<Value>& cells) {
    ++plan_.native_exprs;
    llvm::Value* k = LoadAt(Slot(key), L_.i, i32_, 4);
    llvm::BasicBlock* hit = Block("table");
    llvm::BasicBlock* miss = Block("notable");
    llvm::BasicBlock* done = Block("tabled");
    B_.CreateCondBr(B_.CreateICmpULT(k, B_.getInt32(static_cast<uint32_t>(cells.size()))), hit, miss);
    B_.SetInsertPoint(hit);
    CV x = ColumnLoad(MakeColumn(cells, e.kind), e.kind, B_.CreateZExt(k, i64_));
    llvm::BasicBlock* hit_end = B_.GetInsertBlock();
    B_.CreateBr(done);
    // A member index outside the enum (a timeline's unmapped member): the interpreter evaluates the
    // expression as written. Compiling it here too would double the code of every tabulated expression for a
    // path that valid input never takes.
    B_.SetInsertPoint(miss);
    CV y = Fallback(e);
    llvm::BasicBlock* miss_end = B_.GetInsertBlock();
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    return Merge(e.kind, x, hit_end, y, miss_end);
  }

  // The interpreter evaluates this expression (texts, run-time sets, `fits`); its value is read back.
  CV Fallback(const ir::Expr& e) {
    int index = static_cast<int>(plan_.fallbacks.size());
    plan_.fallbacks.push_back(&e);
    auto* call =
        B_.CreateCall(Helper("edict_jit_eval", {ptr_, i32_, ptr_}), {ctx_, B_.getInt32(index), value_buf_});
    FailIf(B_.CreateICmpNE(call, B_.getInt32(0)), -1);
    return Load(value_buf_, e.kind, true);
  }

  CV Const(const Value& v) {
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
      case ValueKind::kSet: {
        auto [words, n] = SetGlobal(*v.set);
        c.words = words;
        c.nwords = B_.getInt64(n);
        break;
      }
      case ValueKind::kText:
        break;
    }
    return c;
  }

  CV RowField(const ir::Expr& e) {
    CV key = Gen(*e.args[0]);
    const ir::Table& t = p_->tables[e.table];
    llvm::Value* ok = B_.CreateICmpULT(Int(key), B_.getInt32(static_cast<uint32_t>(t.rows.size())));
    if (key.present) ok = B_.CreateAnd(ok, key.present);
    FailIf(B_.CreateNot(ok), Site(e, "no row for this key in table " + t.name));
    return ColumnLoad(ColumnGlobals(e.table, e.index, e.kind), e.kind, B_.CreateZExt(Int(key), i64_));
  }

  CV ColumnLoad(const Column& col, ValueKind kind, llvm::Value* row) {
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
        v.num = at(col.a, i128_);
        v.den = at(col.b, i128_);
        break;
      default:
        v.i = at(col.a, i32_);
        break;
    }
    return v;
  }

  CV Logic(const ir::Expr& e) {
    bool is_and = e.op == Op::kAnd;
    llvm::Value* a = Bool(Gen(*e.args[0]));
    llvm::BasicBlock* from_a = B_.GetInsertBlock();
    llvm::BasicBlock* rhs = Block("rhs");
    llvm::BasicBlock* done = Block("logic");
    if (is_and)
      B_.CreateCondBr(a, rhs, done);
    else
      B_.CreateCondBr(a, done, rhs);
    B_.SetInsertPoint(rhs);
    llvm::Value* b = Bool(Gen(*e.args[1]));
    llvm::BasicBlock* from_b = B_.GetInsertBlock();
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    auto* phi = B_.CreatePHI(i1_, 2);
    phi->addIncoming(B_.getInt1(!is_and), from_a);
    phi->addIncoming(b, from_b);
    CV v;
    v.kind = ValueKind::kBool;
    v.b = phi;
    return v;
  }

  CV If(const ir::Expr& e) {
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

  CV Otherwise(const ir::Expr& e) {
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
  CV Merge(ValueKind kind, CV x, llvm::BasicBlock* xb, CV y, llvm::BasicBlock* yb) {
    CV v;
    v.kind = kind;
    auto phi = [&](llvm::Value* a, llvm::Value* b, llvm::Value* dflt) -> llvm::Value* {
      if (!a && !b) return nullptr;
      if (!a) a = dflt;
      if (!b) b = dflt;
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
        v.i = phi(Int(x), Int(y), nullptr);
        break;
      case ValueKind::kSet:
        v.words = phi(x.words ? x.words : NullPtr(), y.words ? y.words : NullPtr(), nullptr);
        v.nwords = phi(x.nwords ? x.nwords : B_.getInt64(0), y.nwords ? y.nwords : B_.getInt64(0), nullptr);
        break;
      default:
        break;
    }
    return v;
  }

  CV Neg(const ir::Expr& e) {
    CV a = Gen(*e.args[0]);
    // Sub(0, x) is {-num, den}: never overflows (the rational range is symmetric).
    CV v = Number(B_.CreateNeg(Num(a)), Den(a));
    if (e.checked_int) CheckInt64(e, v);
    return v;
  }

  llvm::Value* FitsI64(llvm::Value* x) {
    return B_.CreateICmpEQ(B_.CreateSExt(B_.CreateTrunc(x, i64_), i128_), x);
  }

  // Integers within 64 bits take an exact inline path (their sum, difference or product cannot leave the
  // 128-bit range); everything else calls Rational arithmetic (edict_jit_rat), which reports overflow.
  CV Arith(const ir::Expr& e) {
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
    llvm::BasicBlock* fast_bb = Block("fast");
    llvm::BasicBlock* slow_bb = Block("slow");
    llvm::BasicBlock* done = Block("arith");
    B_.CreateCondBr(fast, fast_bb, slow_bb);
    B_.SetInsertPoint(fast_bb);
    llvm::Value* r = nullptr;
    if (op == 0)
      r = B_.CreateAdd(Num(a), Num(b));
    else if (op == 1)
      r = B_.CreateSub(Num(a), Num(b));
    else if (op == 2)
      r = B_.CreateMul(Num(a), Num(b));
    else {
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
    StorePair(rat_a_, Num(a), Den(a));
    StorePair(rat_b_, Num(b), Den(b));
    auto* ok = B_.CreateCall(Helper("edict_jit_rat", {i32_, ptr_, ptr_, ptr_}),
                             {B_.getInt32(op), rat_a_, rat_b_, rat_out_});
    FailIf(B_.CreateICmpEQ(ok, B_.getInt32(0)), overflow);
    llvm::Value* sn = LoadPair(rat_out_, 0);
    llvm::Value* sd = LoadPair(rat_out_, 1);
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

  void CheckInt64(const ir::Expr& e, const CV& v) {
    llvm::Value* fits = B_.CreateAnd(B_.CreateICmpEQ(v.den, I128(1)), FitsI64(v.num));
    FailIf(B_.CreateNot(fits), Site(e, "integer overflow: the result does not fit in 64 bits"));
  }

  CV CompareOp(const ir::Expr& e) {
    CV a = Gen(*e.args[0]);
    CV b = Gen(*e.args[1]);
    llvm::CmpInst::Predicate pred = e.op == Op::kLt   ? llvm::CmpInst::ICMP_SLT
                                    : e.op == Op::kLe ? llvm::CmpInst::ICMP_SLE
                                    : e.op == Op::kGt ? llvm::CmpInst::ICMP_SGT
                                                      : llvm::CmpInst::ICMP_SGE;
    CV v;
    v.kind = ValueKind::kBool;
    if (e.args[0]->kind == ValueKind::kDate) {
      v.b = B_.CreateICmp(pred, Int(a), Int(b));
      return v;
    }
    llvm::BasicBlock* same = Block("sameden");
    llvm::BasicBlock* slow = Block("cmp");
    llvm::BasicBlock* done = Block("compared");
    B_.CreateCondBr(B_.CreateICmpEQ(Den(a), Den(b)), same, slow);
    B_.SetInsertPoint(same);
    llvm::Value* fast = B_.CreateICmp(pred, Num(a), Num(b));
    B_.CreateBr(done);
    B_.SetInsertPoint(slow);
    StorePair(rat_a_, Num(a), Den(a));
    StorePair(rat_b_, Num(b), Den(b));
    auto* c = B_.CreateCall(Helper("edict_jit_rat_cmp", {ptr_, ptr_}), {rat_a_, rat_b_});
    llvm::Value* general = B_.CreateICmp(pred, c, B_.getInt32(0));
    llvm::BasicBlock* slow_end = B_.GetInsertBlock();
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    auto* phi = B_.CreatePHI(i1_, 2);
    phi->addIncoming(fast, same);
    phi->addIncoming(general, slow_end);
    v.b = phi;
    return v;
  }

  // ValuesEqual: equal kinds (absent equals absent) and equal parts.
  CV Equality(const ir::Expr& e) {
    CV a = Gen(*e.args[0]);
    CV b = Gen(*e.args[1]);
    llvm::Value* same = nullptr;
    switch (e.args[0]->kind) {
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
    CV v;
    v.kind = ValueKind::kBool;
    v.b = e.op == Op::kEq ? same : B_.CreateNot(same);
    return v;
  }

  CV Membership(const ir::Expr& e) {
    CV x = Gen(*e.args[0]);
    CV s = Gen(*e.args[1]);
    llvm::Value* bit = B_.CreateZExt(Int(x), i64_);
    llvm::Value* word = B_.CreateLShr(bit, 6);
    llvm::BasicBlock* from = B_.GetInsertBlock();
    llvm::BasicBlock* test = Block("bittest");
    llvm::BasicBlock* done = Block("member");
    B_.CreateCondBr(B_.CreateICmpULT(word, s.nwords), test, done);
    B_.SetInsertPoint(test);
    llvm::Value* w = B_.CreateLoad(i64_, B_.CreateInBoundsGEP(i64_, s.words, word));
    llvm::Value* in = B_.CreateTrunc(B_.CreateLShr(w, B_.CreateAnd(bit, 63)), i1_);
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    auto* phi = B_.CreatePHI(i1_, 2);
    phi->addIncoming(B_.getFalse(), from);
    phi->addIncoming(in, test);
    CV v;
    v.kind = ValueKind::kBool;
    v.b = e.op == Op::kIn ? static_cast<llvm::Value*>(phi) : B_.CreateNot(phi);
    return v;
  }

  // ---- memory ----
  llvm::Value* Slot(int field) { return B_.CreateConstInBoundsGEP1_64(i8_, fields_, field * L_.size); }
  llvm::Value* LoadAt(llvm::Value* base, size_t offset, llvm::Type* ty, size_t align) {
    return B_.CreateAlignedLoad(ty, B_.CreateConstInBoundsGEP1_64(i8_, base, offset), llvm::Align(align));
  }
  void StoreAt(llvm::Value* base, size_t offset, llvm::Value* v, size_t align) {
    B_.CreateAlignedStore(v, B_.CreateConstInBoundsGEP1_64(i8_, base, offset), llvm::Align(align));
  }

  CV Load(llvm::Value* base, ValueKind kind, bool maybe_absent) {
    CV v;
    v.kind = kind;
    if (maybe_absent) v.present = B_.CreateICmpNE(LoadAt(base, L_.kind, i8_, 1), B_.getInt8(0));
    switch (kind) {
      case ValueKind::kBool:
        v.b = B_.CreateICmpNE(LoadAt(base, L_.b, i8_, 1), B_.getInt8(0));
        break;
      case ValueKind::kNumber:
        v.num = LoadAt(base, L_.num, i128_, 16);
        v.den = LoadAt(base, L_.den, i128_, 16);
        break;
      case ValueKind::kDate:
      case ValueKind::kEnum:
        v.i = LoadAt(base, L_.i, i32_, 4);
        break;
      default:
        break;
    }
    return v;
  }

  void Store(llvm::Value* slot, const CV& v, ValueKind kind) {
    llvm::Value* k = B_.getInt8(static_cast<uint8_t>(kind));
    if (v.present) k = B_.CreateSelect(v.present, k, B_.getInt8(0));
    StoreAt(slot, L_.kind, k, 1);
    switch (kind) {
      case ValueKind::kBool:
        StoreAt(slot, L_.b, B_.CreateZExt(Bool(v), i8_), 1);
        break;
      case ValueKind::kNumber:
        StoreAt(slot, L_.num, Num(v), 16);
        StoreAt(slot, L_.den, Den(v), 16);
        break;
      default:
        StoreAt(slot, L_.i, Int(v), 4);
        break;
    }
  }

  void StorePair(llvm::Value* pair, llvm::Value* a, llvm::Value* b) {
    B_.CreateAlignedStore(a, pair, llvm::Align(16));
    B_.CreateAlignedStore(b, B_.CreateConstInBoundsGEP1_64(i128_, pair, 1), llvm::Align(16));
  }
  llvm::Value* LoadPair(llvm::Value* pair, int i) {
    return B_.CreateAlignedLoad(i128_, B_.CreateConstInBoundsGEP1_64(i128_, pair, i), llvm::Align(16));
  }

  // ---- parts, with the defaults of an absent Value ----
  llvm::Value* Bool(const CV& v) { return v.b ? v.b : B_.getFalse(); }
  llvm::Value* Int(const CV& v) { return v.i ? v.i : B_.getInt32(0); }
  llvm::Value* Num(const CV& v) { return v.num ? v.num : I128(0); }
  llvm::Value* Den(const CV& v) { return v.den ? v.den : I128(1); }
  llvm::Value* NullPtr() { return llvm::ConstantPointerNull::get(llvm::PointerType::get(C_, 0)); }
  CV Number(llvm::Value* num, llvm::Value* den) {
    CV v;
    v.kind = ValueKind::kNumber;
    v.num = num;
    v.den = den;
    return v;
  }
  llvm::ConstantInt* I128(i128 x) {
    auto u = static_cast<unsigned __int128>(x);
    uint64_t words[2] = {static_cast<uint64_t>(u), static_cast<uint64_t>(u >> 64)};
    return llvm::ConstantInt::get(C_, llvm::APInt(128, words));
  }

  // ---- control ----
  llvm::BasicBlock* Block(const char* name) { return llvm::BasicBlock::Create(C_, name, fn_); }

  // Returns -1 from the function (after recording `site`, unless -1: a helper recorded the error) when
  // `cond`.
  void FailIf(llvm::Value* cond, int site) {
    llvm::BasicBlock* err = Block("error");
    llvm::BasicBlock* ok = Block("ok");
    B_.CreateCondBr(cond, err, ok, unlikely_);
    B_.SetInsertPoint(err);
    if (site >= 0) B_.CreateAlignedStore(B_.getInt32(site), ctx_, llvm::Align(4));
    B_.CreateRet(B_.getInt32(-1));
    B_.SetInsertPoint(ok);
  }

  int Site(const ir::Expr& e, std::string message) {
    plan_.sites.push_back({std::move(message), e.span});
    return static_cast<int>(plan_.sites.size()) - 1;
  }

  llvm::FunctionCallee Helper(const char* name, std::vector<llvm::Type*> params) {
    auto callee = M_.getOrInsertFunction(name, llvm::FunctionType::get(i32_, params, false));
    if (auto* f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) f->addFnAttr(llvm::Attribute::NoUnwind);
    return callee;
  }

  // ---- constant data ----
  std::pair<llvm::Value*, uint64_t> SetGlobal(const BitSet& set) {
    auto it = sets_.find(&set);
    if (it != sets_.end()) return it->second;
    std::pair<llvm::Value*, uint64_t> out{NullPtr(), 0};
    if (!set.words.empty()) {
      auto* init = llvm::ConstantDataArray::get(C_, llvm::ArrayRef<uint64_t>(set.words));
      out = {
          new llvm::GlobalVariable(M_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "set"),
          set.words.size()};
    }
    sets_[&set] = out;
    return out;
  }

  const Column& ColumnGlobals(int table, int field, ValueKind kind) {
    auto key = std::make_tuple(p_, table, field);
    auto it = columns_.find(key);
    if (it != columns_.end()) return it->second;
    std::vector<Value> cells;
    for (const auto& row : p_->tables[table].rows) cells.push_back(row[field]);
    return columns_[key] = MakeColumn(cells, kind);
  }

  Column MakeColumn(const std::vector<Value>& cells, ValueKind kind) {
    std::vector<uint8_t> present, bools;
    std::vector<int32_t> ints;
    std::vector<llvm::Constant*> nums, dens;
    bool any_absent = false;
    for (const Value& v : cells) {
      any_absent |= v.absent();
      present.push_back(v.absent() ? 0 : 1);
      bools.push_back(v.b ? 1 : 0);
      ints.push_back(v.i);
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
    } else if (kind == ValueKind::kNumber) {
      auto* type = llvm::ArrayType::get(i128_, cells.size());
      col.a = global(llvm::ConstantArray::get(type, nums));
      col.b = global(llvm::ConstantArray::get(type, dens));
    } else {
      col.a = global(llvm::ConstantDataArray::get(C_, llvm::ArrayRef<int32_t>(ints)));
    }
    return col;
  }

  const ValueLayout L_;
  llvm::LLVMContext& C_;
  llvm::Module& M_;
  llvm::IRBuilder<> B_;
  Plan& plan_;
  const ir::Program* p_ = nullptr;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *i128_, *ptr_;
  llvm::MDNode* unlikely_;
  llvm::Function* fn_ = nullptr;
  llvm::Value *fields_ = nullptr, *ctx_ = nullptr;
  llvm::AllocaInst *rat_a_ = nullptr, *rat_b_ = nullptr, *rat_out_ = nullptr, *value_buf_ = nullptr;
  std::map<const BitSet*, std::pair<llvm::Value*, uint64_t>> sets_;
  std::map<std::tuple<const ir::Program*, int, int>, Column> columns_;
};

}  // namespace

std::unique_ptr<llvm::Module> GenerateModule(const ir::Program& program, const ValueLayout& layout,
                                             llvm::LLVMContext& context, Plan* plan) {
  auto module = std::make_unique<llvm::Module>("edict." + program.name, context);
  Generator gen(layout, context, *module, *plan);
  gen.Program(program);
  return module;
}

}  // namespace edict::jit
