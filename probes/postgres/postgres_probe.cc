#include "probes/postgres/postgres_probe.h"
namespace sidecar::probes::postgres {
ProbePtr CreatePostgresProbe(config::ConfigNode& node) {
  node.ErrorHere("probe type 'postgres' is not built yet");
  return nullptr;
}
}  // namespace sidecar::probes::postgres
