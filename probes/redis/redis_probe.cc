#include "probes/redis/redis_probe.h"
namespace sidecar::probes::redis {
ProbePtr CreateRedisProbe(config::ConfigNode& node) {
  node.ErrorHere("probe type 'redis' is not built yet");
  return nullptr;
}
}  // namespace sidecar::probes::redis
