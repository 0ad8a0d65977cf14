#include "bench/hand_written.h"

namespace edict::bench {

namespace {

inline bool In(const std::vector<uint64_t>& set, unsigned i) {
  return (i >> 6) < set.size() && ((set[i >> 6] >> (i & 63)) & 1);
}

// Outcome kinds and their severity, as in ir::Program::Severity.
enum { kNlr = 0, kException = 1, kLicense = 2, kProhibited = 3 };

int Severity(const HandTables& t, const HandDecision& d) {
  if (d.kind == kLicense) return 2 + (d.review == t.denial ? 2 : d.review == t.approval ? 0 : 1);
  return d.kind == kProhibited ? 10 : d.kind;
}

HandDecision Make(int kind, int symbol, int review, bool notify) {
  HandDecision d;
  d.kind = kind;
  d.symbol = symbol;
  d.review = review;
  d.notify = notify;
  return d;
}

bool Same(const HandDecision& a, const HandDecision& b) {
  return a.kind == b.kind && a.symbol == b.symbol && a.review == b.review && a.notify == b.notify;
}

// Applicable exceptions replace the rule; two that disagree are a conflict.
struct Overrides {
  HandDecision first;
  int count = 0;
  bool conflict = false;
  void Add(const HandDecision& d) {
    if (count++ == 0)
      first = d;
    else if (!Same(first, d))
      conflict = true;
  }
};

}  // namespace

HandDecision HandDecide(const HandTables& t, const HandShipment& s) {
  HandDecision none;
  if (s.date < t.in_force_from) return none;
  static const __int128 k1e26 = static_cast<__int128>(100000000000000000LL) * 1000000000LL;
  uint8_t eccn = s.item == t.weights_item
                     ? static_cast<uint8_t>(s.training_ops >= k1e26 && !s.open_weights ? k4E091 : kNone)
                     : t.eccn[s.item];
  bool dc = t.datacenter[s.item];
  bool dest_t1 = In(t.tier1, s.destination), dest_t3 = In(t.tier3, s.destination);
  bool hq_t1 = In(t.tier1, s.consignee_hq), hq_t3 = In(t.tier3, s.consignee_hq);
  bool tier2 = !dest_t1 && !dest_t3;
  HandDecision results[3];
  int n = 0;
  if (eccn == kA && s.destination != t.us) {  // worldwide_license
    Overrides o;
    if (dest_t3 || hq_t3)  // tier3_denial, with its exception tier3_nac
      o.Add(!dc ? Make(kException, t.nac, -1, true) : Make(kLicense, -1, t.denial, false));
    if (!dc && !dest_t3 && !hq_t3) o.Add(Make(kException, t.aca, -1, false));   // aca_non_datacenter
    if (dc && dest_t1 && hq_t1) o.Add(Make(kException, t.aia, -1, true));       // aia
    if (dc && tier2 && s.veu == 1 && hq_t1) o.Add(Make(kNlr, -1, -1, false));   // uveu
    if (dc && tier2 && s.veu == 2 && !hq_t3) o.Add(Make(kNlr, -1, -1, false));  // nveu
    if (o.conflict) return HandDecision{0, -1, -1, false, true};
    results[n++] = o.count ? o.first : Make(kLicense, -1, t.approval, false);
  }
  if (eccn == kB && (In(t.scope_2023, s.destination) || hq_t3)) {  // b_license
    Overrides o;
    if (dest_t3 || hq_t3) o.Add(Make(kException, t.nac, -1, true));
    if (!dest_t3 && !hq_t3) o.Add(Make(kException, t.aca, -1, false));
    results[n++] = o.count ? o.first : Make(kLicense, -1, t.approval, false);
  }
  if (eccn == k4E091 && s.destination != t.us)  // weights_license, with weights_aia
    results[n++] = dest_t1 && hq_t1 ? Make(kException, t.aia, -1, true) : Make(kLicense, -1, t.denial, false);
  if (n == 0) return none;
  HandDecision worst = results[0];
  for (int i = 1; i < n; ++i)
    if (Severity(t, results[i]) > Severity(t, worst)) worst = results[i];
  for (int i = 0; i < n; ++i)
    if (Severity(t, results[i]) == Severity(t, worst) && !Same(results[i], worst)) worst.conflict = true;
  return worst;
}

}  // namespace edict::bench
