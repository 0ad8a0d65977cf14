#include "tools/serve/metrics.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "runtime/interp/decide.h"

namespace edict::serve {

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kDecide:
      return "/v1/decide";
    case Endpoint::kExplain:
      return "/v1/explain";
    case Endpoint::kPolicy:
      return "/v1/policy";
    case Endpoint::kHealth:
      return "/healthz";
    case Endpoint::kMetrics:
      return "/metrics";
    case Endpoint::kOther:
      break;
  }
  return "other";
}

void Metrics::Request(Endpoint e, int status, double seconds) {
  size_t ei = static_cast<size_t>(e);
  size_t si = kStatuses.size();
  for (size_t i = 0; i < kStatuses.size(); ++i)
    if (kStatuses[i] == status) si = i;
  requests_[ei][si] += 1;
  Histogram& h = latency_[ei];
  size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  h.buckets[b] += 1;
  h.count += 1;
  h.sum_ns += static_cast<uint64_t>(seconds > 0 ? seconds * 1e9 : 0);
}

void Metrics::Decisions(ir::OutcomeIR::Kind kind, uint64_t n) {
  size_t k = static_cast<size_t>(kind);
  if (k < decisions_.size()) decisions_[k] += n;
}

namespace {

// A label value: backslash, quote and newline escaped (the text format's rules).
std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Line(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Line(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  if (n > 0) out.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
  out.push_back('\n');
}

}  // namespace

std::string Metrics::Render(const PolicyLabels& policy) const {
  std::string out;
  out.reserve(8192);
  out += "# HELP edict_http_requests_total HTTP requests answered, by endpoint and status.\n";
  out += "# TYPE edict_http_requests_total counter\n";
  for (size_t e = 0; e < kEndpoints; ++e)
    for (size_t s = 0; s <= kStatuses.size(); ++s) {
      uint64_t n = requests_[e][s];
      if (n == 0) continue;
      std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      Line(out, "edict_http_requests_total{endpoint=\"%s\",status=\"%s\"} %" PRIu64,
           EndpointName(static_cast<Endpoint>(e)), status.c_str(), n);
    }
  out +=
      "# HELP edict_http_request_duration_seconds Time from routing a request to its reply, by endpoint.\n";
  out += "# TYPE edict_http_request_duration_seconds histogram\n";
  for (size_t e = 0; e < kEndpoints; ++e) {
    const Histogram& h = latency_[e];
    uint64_t count = h.count;
    if (count == 0) continue;
    const char* name = EndpointName(static_cast<Endpoint>(e));
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b];
      Line(out, "edict_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %" PRIu64, name,
           kLatencyBuckets[b], cumulative);
    }
    cumulative += h.buckets[kLatencyBuckets.size()];
    Line(out, "edict_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %" PRIu64, name,
         cumulative);
    Line(out, "edict_http_request_duration_seconds_sum{endpoint=\"%s\"} %.9f", name,
         static_cast<double>(h.sum_ns.load()) / 1e9);
    Line(out, "edict_http_request_duration_seconds_count{endpoint=\"%s\"} %" PRIu64, name, cumulative);
  }
  out += "# HELP edict_decisions_total Shipments decided, by outcome (what-if and recorded).\n";
  out += "# TYPE edict_decisions_total counter\n";
  for (size_t k = 0; k < decisions_.size(); ++k)
    Line(out, "edict_decisions_total{outcome=\"%s\"} %" PRIu64,
         interp::DecisionName(static_cast<ir::OutcomeIR::Kind>(k)).c_str(), decisions_[k].load());
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    Line(out, "# HELP %s %s", name, help);
    Line(out, "# TYPE %s counter", name);
    Line(out, "%s %" PRIu64, name, v);
  };
  counter("edict_evaluation_errors_total", "Shipments whose decision is an evaluation error.",
          evaluation_errors_);
  counter("edict_invalid_shipments_total", "Shipments refused as invalid (status 422).", invalid_shipments_);
  counter("edict_recorded_shipments_total", "Shipments recorded in the ledger by this server.", recorded_);
  counter("edict_ledger_errors_total", "Requests that failed on the ledger (status 503).", ledger_errors_);
  counter("edict_decision_log_errors_total", "Recorded decisions the decision log could not write.",
          decision_log_errors_);
  out += "# HELP edict_policy_reloads_total Policy reloads (SIGHUP or --watch), by result.\n";
  out += "# TYPE edict_policy_reloads_total counter\n";
  Line(out, "edict_policy_reloads_total{result=\"ok\"} %" PRIu64, reloads_ok_.load());
  Line(out, "edict_policy_reloads_total{result=\"refused\"} %" PRIu64, reloads_refused_.load());
  out += "# HELP edict_http_requests_in_flight Requests being handled.\n";
  out += "# TYPE edict_http_requests_in_flight gauge\n";
  Line(out, "edict_http_requests_in_flight %" PRId64, in_flight_.load());
  out += "# HELP edict_policy_info The policy being served (value 1).\n";
  out += "# TYPE edict_policy_info gauge\n";
  out += "edict_policy_info{id=\"" + Label(policy.id) + "\",version=\"" + Label(policy.version) +
         "\",hash=\"" + Label(policy.hash) + "\"} 1\n";
  return out;
}

}  // namespace edict::serve
