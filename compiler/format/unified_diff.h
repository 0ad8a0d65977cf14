// A unified diff of two texts, line by line, as `diff -u` prints it (for `edict fmt --check`).
#pragma once

#include <string>
#include <string_view>

namespace edict::format {

// Empty when the texts are equal. `label` names both sides (`--- label`, `+++ label (formatted)`).
std::string UnifiedDiff(std::string_view before, std::string_view after, const std::string& label,
                        int context = 3);

}  // namespace edict::format
