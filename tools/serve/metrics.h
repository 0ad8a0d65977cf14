// What `GET /metrics` shows (Prometheus text format 0.0.4): requests by endpoint and status, a latency
// histogram per endpoint, decisions by outcome, evaluation errors, invalid shipments, recorded shipments,
// reloads, requests in flight and the policy being served. Counters are atomics: requests never wait on them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"

namespace edict::serve {

enum class Endpoint : uint8_t { kDecide, kExplain, kPolicy, kHealth, kMetrics, kOther };
constexpr size_t kEndpoints = 6;
const char* EndpointName(Endpoint e);  // "/v1/decide", ..., "other"

// The statuses the server answers with, each counted on its own; anything else is counted as "other".
constexpr std::array<int, 13> kStatuses = {200, 400, 401, 404, 405, 409, 413, 415, 422, 500, 503, 408, 414};

// Upper bounds of the latency buckets, in seconds (the last bucket, +Inf, is implicit).
constexpr std::array<double, 14> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

// The policy a server answers with, for the edict_policy_info gauge.
struct PolicyLabels {
  std::string id, version, hash;
};

class Metrics {
 public:
  void Request(Endpoint e, int status, double seconds);
  void Decisions(ir::OutcomeIR::Kind kind, uint64_t n = 1);
  void EvaluationErrors(uint64_t n) { evaluation_errors_ += n; }
  void InvalidShipments(uint64_t n) { invalid_shipments_ += n; }
  void Recorded(uint64_t n) { recorded_ += n; }
  void Reload(bool ok) { (ok ? reloads_ok_ : reloads_refused_) += 1; }
  void LedgerError() { ledger_errors_ += 1; }
  void DecisionLogError() { decision_log_errors_ += 1; }
  // Requests being handled (from routing to the reply written).
  void Enter() { in_flight_ += 1; }
  void Leave() { in_flight_ -= 1; }
  int64_t in_flight() const { return in_flight_; }

  std::string Render(const PolicyLabels& policy) const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // not cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};
  };
  std::array<std::array<std::atomic<uint64_t>, kStatuses.size() + 1>, kEndpoints> requests_{};
  std::array<Histogram, kEndpoints> latency_{};
  std::array<std::atomic<uint64_t>, 4> decisions_{};  // by ir::OutcomeIR::Kind
  std::atomic<uint64_t> evaluation_errors_{0}, invalid_shipments_{0}, recorded_{0};
  std::atomic<uint64_t> reloads_ok_{0}, reloads_refused_{0}, ledger_errors_{0}, decision_log_errors_{0};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace edict::serve
