// The ledger on PostgreSQL (libpqxx): a ledger several analysts, processes or machines share. Transactions
// are issued as SQL on one pqxx::nontransaction, so that edict decides when they begin and end; statements
// are prepared once per connection. The writer lock is a row lock on ledger_state (SELECT ... FOR UPDATE),
// taken at Begin(write) and held until Commit or Rollback; transactions run at READ COMMITTED, so once the
// lock is granted every statement sees what the previous holder committed.
#include <pqxx/pqxx>
#include <unordered_map>

#include "runtime/ledger/connection.h"

namespace edict::ledger {

namespace {

// A parameter as libpq takes it: text, or NULL.
struct PgValue {
  bool null = true;
  std::string text;
};

}  // namespace

}  // namespace edict::ledger

namespace pqxx {
template <>
struct string_traits<edict::ledger::PgValue> {
  static constexpr const char* name() noexcept { return "edict::ledger::PgValue"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const edict::ledger::PgValue& v) { return v.null; }
  static edict::ledger::PgValue null() { return {}; }
  static std::string to_string(const edict::ledger::PgValue& v) { return v.text; }
};
}  // namespace pqxx

namespace edict::ledger {

namespace {

class PgConnection : public Connection {
 public:
  PgConnection(std::unique_ptr<pqxx::connection> conn, std::string where)
      : conn_(std::move(conn)),
        tx_(std::make_unique<pqxx::nontransaction>(*conn_)),
        where_(std::move(where)) {}
  ~PgConnection() override {
    if (in_transaction_) Rollback();
    tx_.reset();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  bool Begin(bool write, std::string* error) override {
    if (!Exec(write ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                    : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
              error))
      return false;
    in_transaction_ = true;
    if (write && schema_ready_ && !Exec("SELECT 1 FROM ledger_state WHERE one = 1 FOR UPDATE", error)) {
      Rollback();
      return false;
    }
    return true;
  }
  bool Commit(std::string* error) override {
    bool ok = Exec("COMMIT", error);
    if (!ok) Rollback();
    in_transaction_ = false;
    schema_ready_ = true;  // the first commit is the migration's
    return ok;
  }
  void Rollback() override {
    std::string ignored;
    if (in_transaction_) Exec("ROLLBACK", &ignored);
    in_transaction_ = false;
  }

  bool Run(std::string_view sql, std::span<const Param> params, const RowFn& row, int64_t* changes,
           std::string* error) override {
    try {
      const std::string& name = Prepare(sql);
      values_.resize(params.size());
      for (size_t k = 0; k < params.size(); ++k) {
        const Param& p = params[k];
        values_[k].null = p.kind == Param::kNull;
        if (p.kind == Param::kInt)
          values_[k].text = std::to_string(p.i);
        else if (p.kind == Param::kText)
          values_[k].text.assign(p.s);
        else
          values_[k].text.clear();
      }
      pqxx::result r = tx_->exec_prepared(name, pqxx::prepare::make_dynamic_params(values_));
      if (changes) *changes = static_cast<int64_t>(r.affected_rows());
      if (!row) return true;
      std::vector<Cell> cells;
      for (const auto& result_row : r) {
        cells.assign(result_row.size(), Cell{});
        for (size_t c = 0; c < result_row.size(); ++c) {
          const pqxx::field f = result_row[static_cast<pqxx::row::size_type>(c)];
          if (!f.is_null()) cells[c] = {Cell::kText, 0, std::string_view(f.c_str(), f.size())};
        }
        if (!row(cells)) break;
      }
      return true;
    } catch (const std::exception& e) {
      *error = Describe(e);
      return false;
    }
  }

  bool Script(const std::string& sql, std::string* error) override { return Exec(sql, error); }

  bool HasTable(const std::string& name, bool* has, std::string* error) override {
    *has = false;
    Param p = Param::Text(name);
    return Run(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
        {&p, 1}, [&](std::span<const Cell>) { return *has = true, false; }, nullptr, error);
  }

  // Two processes creating one ledger at once: the second waits, then finds the schema made.
  bool LockForMigration(std::string* error) override {
    return Exec("SELECT pg_advisory_xact_lock(7305126435851125572)", error);
  }

  bool Exec(const std::string& sql, std::string* error) {
    try {
      tx_->exec(sql);
      return true;
    } catch (const std::exception& e) {
      *error = Describe(e);
      return false;
    }
  }

 private:
  // `?` placeholders become $1, $2, ... (no statement of the ledger has a `?` in a literal).
  const std::string& Prepare(std::string_view sql) {
    auto it = names_.find(std::string(sql));
    if (it != names_.end()) return it->second;
    std::string text;
    int n = 0;
    for (char c : sql) {
      if (c == '?')
        text += "$" + std::to_string(++n);
      else
        text.push_back(c);
    }
    std::string name = "edict_" + std::to_string(names_.size());
    conn_->prepare(name, text);
    return names_.emplace(std::string(sql), name).first->second;
  }

  std::string Describe(const std::exception& e) const {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return "ledger '" + where_ + "': " + message;
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::nontransaction> tx_;
  std::string where_;
  bool in_transaction_ = false, schema_ready_ = false;
  std::unordered_map<std::string, std::string> names_;
  std::vector<PgValue> values_;
};

}  // namespace

std::unique_ptr<Connection> OpenPostgres(const std::string& url, std::string* error) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    return std::make_unique<PgConnection>(std::move(conn), DisplayName(url));
  } catch (const std::exception& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    *error = "cannot open ledger '" + DisplayName(url) + "': " + message;
    return nullptr;
  }
}

}  // namespace edict::ledger
