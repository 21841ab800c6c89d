#include "probes/probe.h"

namespace sidecar::probes {

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHealthy:
      return "healthy";
    case Verdict::kDegraded:
      return "degraded";
    case Verdict::kUnhealthy:
      return "unhealthy";
  }
  return "unhealthy";
}

}  // namespace sidecar::probes
