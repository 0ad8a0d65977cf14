#include "runtime/ledger/schema.h"

namespace edict::ledger {

namespace {

// Version 1. The same tables in both dialects: SQLite's dynamic typing lets an amount be an INTEGER when it
// is a whole number that fits 64 bits (most are; cheaper to write and compare) and TEXT otherwise ("3/7");
// PostgreSQL stores every amount as TEXT. Ids and positions are given by edict (it writes under the ledger's
// lock), never by the database, so both dialects number alike.
//
// A shipment's first quota use lives in its own row (key, amount, before): most shipments consume one quota,
// and a second table row per shipment would cost as much again to write; further uses go to more_uses. The
// view `uses` puts them together, and `consumptions` is every use with its shipment, run and key.
constexpr const char* kV1Sqlite = R"sql(
CREATE TABLE ledger_state(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  schema_version INTEGER NOT NULL,
  next_position INTEGER NOT NULL,
  generation INTEGER NOT NULL);
INSERT INTO ledger_state VALUES (1, 1, 1, 0);
CREATE TABLE runs(
  run INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  command TEXT NOT NULL,
  policy_id TEXT, policy_version TEXT, policy_hash TEXT,
  edict_version TEXT NOT NULL,
  input_name TEXT, input_format TEXT, csv_header TEXT);
CREATE TABLE outcomes(
  outcome INTEGER PRIMARY KEY,
  decision TEXT NOT NULL UNIQUE);
CREATE TABLE quota_keys(
  key INTEGER PRIMARY KEY,
  ledger_key TEXT NOT NULL UNIQUE,
  quota TEXT NOT NULL,
  label TEXT NOT NULL,
  period TEXT NOT NULL,
  limit_amount,
  unit TEXT NOT NULL);
CREATE TABLE totals(
  key INTEGER PRIMARY KEY REFERENCES quota_keys(key),
  consumed NOT NULL,
  generation INTEGER NOT NULL);
CREATE INDEX totals_generation ON totals(generation);
CREATE TABLE shipments(
  position INTEGER PRIMARY KEY,
  shipment TEXT NOT NULL,
  content INTEGER NOT NULL,
  run INTEGER NOT NULL REFERENCES runs(run),
  outcome INTEGER NOT NULL REFERENCES outcomes(outcome),
  at INTEGER NOT NULL,
  input TEXT,
  key INTEGER REFERENCES quota_keys(key),
  amount,
  before,
  voided_by INTEGER);
CREATE UNIQUE INDEX shipments_live_id ON shipments(shipment) WHERE voided_by IS NULL;
CREATE TABLE more_uses(
  position INTEGER NOT NULL REFERENCES shipments(position),
  seq INTEGER NOT NULL,
  key INTEGER NOT NULL REFERENCES quota_keys(key),
  amount NOT NULL,
  before NOT NULL,
  PRIMARY KEY (position, seq)) WITHOUT ROWID;
CREATE TABLE voids(
  position INTEGER PRIMARY KEY,
  voided INTEGER NOT NULL UNIQUE REFERENCES shipments(position),
  run INTEGER NOT NULL REFERENCES runs(run),
  at INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE VIEW uses AS
  SELECT position, 0 AS seq, key, amount, before FROM shipments WHERE key IS NOT NULL
  UNION ALL SELECT position, seq, key, amount, before FROM more_uses;
CREATE VIEW consumptions AS
  SELECT s.position, s.shipment, r.policy_id, r.policy_version, r.policy_hash, r.edict_version,
         k.quota, k.label, k.period, u.amount, u.before, s.at, s.voided_by
  FROM uses u JOIN shipments s ON s.position = u.position JOIN runs r ON r.run = s.run
       JOIN quota_keys k ON k.key = u.key;
)sql";

constexpr const char* kV1Postgres = R"sql(
CREATE TABLE ledger_state(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  schema_version INTEGER NOT NULL,
  next_position BIGINT NOT NULL,
  generation BIGINT NOT NULL);
INSERT INTO ledger_state VALUES (1, 1, 1, 0);
CREATE TABLE runs(
  run BIGINT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  command TEXT NOT NULL,
  policy_id TEXT, policy_version TEXT, policy_hash TEXT,
  edict_version TEXT NOT NULL,
  input_name TEXT, input_format TEXT, csv_header TEXT);
CREATE TABLE outcomes(
  outcome BIGINT PRIMARY KEY,
  decision TEXT NOT NULL UNIQUE);
CREATE TABLE quota_keys(
  key BIGINT PRIMARY KEY,
  ledger_key TEXT NOT NULL UNIQUE,
  quota TEXT NOT NULL,
  label TEXT NOT NULL,
  period TEXT NOT NULL,
  limit_amount TEXT,
  unit TEXT NOT NULL);
CREATE TABLE totals(
  key BIGINT PRIMARY KEY REFERENCES quota_keys(key),
  consumed TEXT NOT NULL,
  generation BIGINT NOT NULL);
CREATE INDEX totals_generation ON totals(generation);
CREATE TABLE shipments(
  position BIGINT PRIMARY KEY,
  shipment TEXT NOT NULL,
  content BIGINT NOT NULL,
  run BIGINT NOT NULL REFERENCES runs(run),
  outcome BIGINT NOT NULL REFERENCES outcomes(outcome),
  at BIGINT NOT NULL,
  input TEXT,
  key BIGINT REFERENCES quota_keys(key),
  amount TEXT,
  before TEXT,
  voided_by BIGINT);
CREATE UNIQUE INDEX shipments_live_id ON shipments(shipment) WHERE voided_by IS NULL;
CREATE TABLE more_uses(
  position BIGINT NOT NULL REFERENCES shipments(position),
  seq INTEGER NOT NULL,
  key BIGINT NOT NULL REFERENCES quota_keys(key),
  amount TEXT NOT NULL,
  before TEXT NOT NULL,
  PRIMARY KEY (position, seq));
CREATE TABLE voids(
  position BIGINT PRIMARY KEY,
  voided BIGINT NOT NULL UNIQUE REFERENCES shipments(position),
  run BIGINT NOT NULL REFERENCES runs(run),
  at BIGINT NOT NULL,
  reason TEXT NOT NULL);
CREATE VIEW uses AS
  SELECT position, 0 AS seq, key, amount, before FROM shipments WHERE key IS NOT NULL
  UNION ALL SELECT position, seq, key, amount, before FROM more_uses;
CREATE VIEW consumptions AS
  SELECT s.position, s.shipment, r.policy_id, r.policy_version, r.policy_hash, r.edict_version,
         k.quota, k.label, k.period, u.amount, u.before, s.at, s.voided_by
  FROM uses u JOIN shipments s ON s.position = u.position JOIN runs r ON r.run = s.run
       JOIN quota_keys k ON k.key = u.key;
)sql";

constexpr Migration kMigrations[] = {
    {1, "runs, outcomes, quota keys, totals, shipments with their quota uses, voids", kV1Sqlite, kV1Postgres},
};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

int CurrentSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

const char* MigrationSql(const Migration& m, Dialect d) {
  return d == Dialect::kSqlite ? m.sqlite : m.postgres;
}

}  // namespace edict::ledger
