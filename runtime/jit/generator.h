// The code generator's state, shared by its parts: expressions (gen_expr.cc), quotas (gen_quota.cc) and the
// decision around them (codegen.cc: the loop over the batch, fields, the timeline's dispatch, default logic).
#pragma once

#include <llvm/Analysis/InstSimplifyFolder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/batch/packed.h"
#include "runtime/jit/abi.h"

namespace edict::jit {

// A compiled value: the parts its kind uses. `present` is null when the value can never be absent.
struct CV {
  ValueKind kind = ValueKind::kAbsent;
  llvm::Value* present = nullptr;  // i1
  llvm::Value* b = nullptr;        // i1
  llvm::Value* i = nullptr;        // i32: date, enum member, text index
  llvm::Value* num = nullptr;      // i128
  llvm::Value* den = nullptr;      // i128
};

// Text constants by TextTable index (Plan::texts), shared by the generators of a timeline's parts.
using TextIds = std::map<std::string, uint32_t, std::less<>>;

class Generator {
 public:
  Generator(llvm::Module& m, Plan& plan, const batch::PackedLayout& layout, const ir::Program& root,
            TextIds& text_ids);
  // Fills the plan's programs (pre-order); once, before any Build.
  void PlanPrograms(const ir::Program& p);
  // `edict_decide` in this module. A single policy's decision is in it; a timeline's is a dispatch on the
  // date calling one function per policy that can decide (p<k>_decide, declared here): their pre-order
  // indices are returned, for BuildMember to generate, each in a module of its own.
  std::vector<int> BuildDecide();
  // p<index>_decide in this module: the timeline's policy `index` deciding one record.
  void BuildMember(int index);

 private:
  // ---- codegen.cc: the decision ----
  struct Outcome {  // a resolved outcome: its code (kind, symbol, review, notify), severity, rule mask
    llvm::Value* code = nullptr;
    llvm::Value* severity = nullptr;
    std::vector<llvm::Value*> mask;
  };
  void ProgramBody(int index, const ir::TimelineEntry* entry);
  static llvm::FunctionType* MemberType(llvm::LLVMContext& c);
  static std::string MemberName(int index);
  void Fields(const ir::TimelineEntry* entry);
  // `known_present`: the record was checked to have the field (a required input).
  CV LoadField(int root_field, const ir::Field& f, const std::vector<int>* member_map, bool known_present);
  llvm::Value* Applies(int rule);
  Outcome Resolve(int rule);
  Outcome Leaf(int rule);
  Outcome Join(const Outcome& x, llvm::BasicBlock* xb, const Outcome& y, llvm::BasicBlock* yb);
  void Consume(const std::vector<llvm::Value*>& mask);
  void StoreDecision(const Outcome& o, int program);
  void Finish(uint8_t status, int program);
  std::vector<llvm::Value*> ZeroMask();

  // ---- gen_expr.cc: expressions ----
  bool CanGen(const ir::Expr& e);
  CV Gen(const ir::Expr& e);
  CV Const(const Value& v);
  CV RowField(const ir::Expr& e);
  CV Tabulated(const ir::Expr& e);
  CV Logic(const ir::Expr& e);  // gen_logic.cc
  bool Pure(const ir::Expr& e) const;
  double Likelihood(const ir::Expr& e) const;
  CV If(const ir::Expr& e);
  CV Otherwise(const ir::Expr& e);
  CV Merge(ValueKind kind, CV x, llvm::BasicBlock* xb, CV y, llvm::BasicBlock* yb);
  CV Neg(const ir::Expr& e);
  CV Arith(const ir::Expr& e);
  llvm::Value* FastArith(int op, llvm::Value* a, llvm::Value* b);
  void CheckInt64(const ir::Expr& e, const CV& v);
  CV CompareOp(const ir::Expr& e);
  CV Equality(const ir::Expr& e);
  CV Membership(const ir::Expr& e);
  llvm::Value* InSet(llvm::Value* member, const ir::Expr& set);
  llvm::Value* YearOf(llvm::Value* days);
  llvm::Value* RationalArg(llvm::Value* buf, const CV& v);

  // ---- gen_quota.cc: quotas ----
  struct Total {  // a slot's running total in QuotaFast::totals
    llvm::Value *at = nullptr, *num = nullptr, *den = nullptr;
  };
  bool FastQuota(const ir::Quota& q) const;
  void PrefetchQuotas(llvm::Value* records, llvm::Value* n);
  bool QuotaKeys(const ir::Quota& q, std::vector<CV>* keys);  // false: unsupported
  void QuotaKeyBuffer(const ir::Quota& q, const std::vector<CV>& keys);
  llvm::Value* InWindow(const ir::Quota& q);
  void OrSlow(llvm::Value* cond, llvm::BasicBlock* slow);
  llvm::Value* WholeSum(llvm::Value* a, llvm::Value* b, llvm::BasicBlock* slow);
  struct Direct {  // a quota's direct table in QuotaFast
    llvm::Value *data = nullptr, *size = nullptr;
  };
  Direct DirectTable(llvm::Value* fast, int qid);
  llvm::Value* DirectEntry(const Direct& d, llvm::Value* id, bool checked);
  llvm::Value* PerSlot(llvm::Value* fast, size_t array, size_t size, llvm::Value* slot, bool checked);
  Total LoadTotal(llvm::Value* fast, llvm::Value* slot);
  CV Fits(const ir::Expr& e);
  llvm::Value* FitsFast(const ir::Quota& q, int qid, const std::vector<CV>& keys, const CV& amount);
  llvm::Value* FitsCall(const ir::Quota& q, int qid, const std::vector<CV>& keys, const CV& amount);
  bool UseQuota(int qi, llvm::Value* more);

  // ---- helpers shared by both halves ----
  static constexpr size_t kSetWords = 1024;  // 65,536 members: every u16 enum value
  struct Column {
    llvm::GlobalVariable *present = nullptr, *a = nullptr, *b = nullptr;
    bool narrow = false;  // numbers: whole 64-bit values in `a` (i64), no denominators
  };
  void CheckKeys(bool computed);
  // Per quota of `p`: whether a rule may test or consume it.
  std::vector<uint8_t> LiveQuotas(const ir::Program& p) const;
  bool KeyChecked(const ir::Expr& key, size_t rows) const;
  Column MakeColumn(const std::vector<Value>& cells, ValueKind kind);
  CV ColumnLoad(const Column& col, ValueKind kind, llvm::Value* row);
  ValueKind ColumnKind(const std::vector<Value>& cells);
  bool Loadable(ValueKind k) const;
  llvm::Value* FitsI64(llvm::Value* x);
  llvm::Value* Bool(const CV& v);
  llvm::Value* Int(const CV& v);
  llvm::Value* Num(const CV& v);
  llvm::Value* Den(const CV& v);
  CV Number(llvm::Value* num, llvm::Value* den);
  CV BoolValue(llvm::Value* b);
  llvm::ConstantInt* I128(i128 x);
  llvm::BasicBlock* Block(const char* name);
  void FailIf(llvm::Value* cond, int site);
  int Site(const ir::Expr& e, std::string message);
  void Unsupported(const std::string& why);
  llvm::FunctionCallee Helper(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params);
  uint32_t TextId(std::string_view text);
  llvm::Value* LoadAt(llvm::Value* base, size_t offset, llvm::Type* ty, size_t align);
  void StoreAt(llvm::Value* base, size_t offset, llvm::Value* v, size_t align);

  llvm::LLVMContext& C_;
  llvm::Module& M_;
  // Folds what it can as it builds (`x and true`, `select c, a, a`, ...): the optimiser starts from less.
  llvm::IRBuilder<llvm::InstSimplifyFolder> B_;
  Plan& plan_;
  const batch::PackedLayout& layout_;
  const ir::Program& root_;
  llvm::Type *i1_, *i8_, *i16_, *i32_, *i64_, *i128_, *ptr_;
  llvm::MDNode* unlikely_;

  // The function and the record being decided.
  llvm::Function* fn_ = nullptr;
  llvm::Value *ctx_ = nullptr, *rec_ = nullptr, *res_ = nullptr, *index_ = nullptr, *date_ = nullptr;
  llvm::Value *consume_ = nullptr, *base_ = nullptr;
  llvm::BasicBlock* latch_ = nullptr;  // the next record
  llvm::BasicBlock* fail_ = nullptr;   // stores the error status and returns
  llvm::PHINode* fail_site_ = nullptr;
  llvm::AllocaInst *rat_a_ = nullptr, *rat_b_ = nullptr, *rat_out_ = nullptr, *key_buf_ = nullptr;

  // The program whose body is being generated.
  const ir::Program* p_ = nullptr;
  int program_index_ = 0;
  std::vector<CV> env_;                  // per field of p_
  std::vector<int> dfs_position_;        // per rule of p_
  std::vector<llvm::AllocaInst*> memo_;  // per quota of p_: `fits` and its tuple for this record (Fits)
  std::vector<size_t> checked_keys_;     // per field of p_: members known to be below this (0: none)
  std::string naming_;                   // the rule or field being generated, in block names (Block)

  // Names the blocks made while it lives after `what` (Block).
  struct Naming {
    Naming(Generator* g, const std::string& what) : g_(g), saved_(std::move(g->naming_)) {
      g->naming_ = what;
    }
    ~Naming() { g_->naming_ = std::move(saved_); }
    Naming(const Naming&) = delete;
    Naming& operator=(const Naming&) = delete;
    Generator* g_;
    std::string saved_;
  };

  std::map<const BitSet*, llvm::GlobalVariable*> sets_;
  std::map<std::tuple<const ir::Program*, int, int>, Column> columns_;
  TextIds& text_ids_;
};

}  // namespace edict::jit
