// A fresh database on the test server for each PostgreSQL ledger a test makes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "tests/ledger/harness.h"

namespace edict::ledger_test {

// `server_url` is postgresql:///postgres?host=...&port=...&user=... (pg_test_server.sh prints it).
std::string NewPgDatabase(const std::string& server_url, const std::string& label) {
  std::string name = "edict_" + label + "_" + std::to_string(getpid());
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  pqxx::connection conn(server_url);
  pqxx::nontransaction tx(conn);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name));
  tx.exec("CREATE DATABASE " + tx.quote_name(name));
  std::string url = server_url;
  size_t at = url.find("/postgres?");
  if (at == std::string::npos) return "";
  return url.replace(at + 1, 8, name);
}

}  // namespace edict::ledger_test
