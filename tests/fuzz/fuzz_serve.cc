// The body of `edict serve`'s POST /v1/decide and /v1/explain (tools/serve/service.h), under the timeline
// policy, by a JIT snapshot and an interpreter snapshot: every answer is 200, 400 or 422 with a JSON body,
// both engines answer alike byte for byte, and a 200 has one decision per shipment.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/fuzz/fuzz_common.h"
#include "tools/serve/service.h"

namespace {

using namespace edict;

struct Services {
  std::unique_ptr<serve::Service> jit, interp;
};

const Services& Get() {
  static Services* services = [] {
    auto* s = new Services;
    for (const char* engine : {"jit", "interp"}) {
      serve::LoadOptions options;
      options.stdlib_dir = fuzz::kStdlib;
      options.engine = engine;
      std::string diagnostics;
      auto snapshot = serve::Snapshot::Load(fuzz::kSourceDir + "/policies/us_ear_timeline.edict", options,
                                            &diagnostics, nullptr);
      if (!snapshot) fuzz::Fail("the shipped policy does not compile:\n" + diagnostics);
      if (std::string(engine) == "jit" && !snapshot->jit())
        fuzz::Fail("the JIT cannot compile the shipped policy");
      (std::string(engine) == "jit" ? s->jit : s->interp) =
          std::make_unique<serve::Service>(snapshot, nullptr);
    }
    return s;
  }();
  return *services;
}

void Check(const serve::Reply& r, const char* what) {
  if (r.status != 200 && r.status != 400 && r.status != 422)
    fuzz::Fail(std::string(what) + ": status " + std::to_string(r.status) + ": " + r.body);
  if (!nlohmann::json::accept(r.body)) fuzz::Fail(std::string(what) + ": the reply is not JSON: " + r.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;
  const Services& s = Get();
  std::string_view body = fuzz::AsText(data, size);
  serve::Reply a = s.jit->Decide(body, "fuzz"), b = s.interp->Decide(body, "fuzz");
  Check(a, "decide (jit)");
  Check(b, "decide (interp)");
  if (a.status != b.status || a.body != b.body)
    fuzz::Fail("the engines answer differently:\n  jit    " + std::to_string(a.status) + " " + a.body +
               "\n  interp " + std::to_string(b.status) + " " + b.body);
  if (a.status == 200) {
    auto reply = nlohmann::json::parse(a.body);
    auto request = nlohmann::json::parse(body, nullptr, false);
    if (request.is_object() && request.contains("shipments") &&
        reply["decisions"].size() != request["shipments"].size())
      fuzz::Fail("a 200 without one decision per shipment: " + a.body);
  }
  Check(s.interp->Explain(body), "explain");
  return 0;
}
