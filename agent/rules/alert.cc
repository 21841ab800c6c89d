#include "agent/rules/rule_group.h"

namespace sidecar::rules {

std::string_view AlertStateName(Alert::State state) {
  switch (state) {
    case Alert::State::kInactive:
      return "inactive";
    case Alert::State::kPending:
      return "pending";
    case Alert::State::kFiring:
      return "firing";
  }
  return "inactive";
}

}  // namespace sidecar::rules
