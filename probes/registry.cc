#include "probes/registry.h"

#include "probes/dns/dns_probe.h"
#include "probes/http/http_probe.h"
#include "probes/postgres/postgres_probe.h"
#include "probes/redis/redis_probe.h"
#include "probes/resource/resource_probes.h"
#include "probes/tcp/tcp_probe.h"

namespace sidecar::probes {
namespace {

// Adding a probe type: a folder under probes/, one line here, tests under tests/probes/.
constexpr ProbeType kProbeTypes[] = {
    {"postgres", &postgres::CreatePostgresProbe, /*critical_by_default=*/true},
    {"redis", &redis::CreateRedisProbe, /*critical_by_default=*/true},
    {"cpu", &resource::CreateCpuProbe, /*critical_by_default=*/false},
    {"memory", &resource::CreateMemoryProbe, /*critical_by_default=*/false},
    {"disk", &resource::CreateDiskProbe, /*critical_by_default=*/false},
    {"http", &http::CreateHttpProbe, /*critical_by_default=*/false},
    {"dns", &dns::CreateDnsProbe, /*critical_by_default=*/false},
    {"tcp", &tcp::CreateTcpProbe, /*critical_by_default=*/false},
};

}  // namespace

const ProbeType* FindProbeType(std::string_view name) {
  for (const ProbeType& type : kProbeTypes) {
    if (type.name == name) {
      return &type;
    }
  }
  return nullptr;
}

std::vector<std::string_view> ProbeTypeNames() {
  std::vector<std::string_view> names;
  for (const ProbeType& type : kProbeTypes) {
    names.push_back(type.name);
  }
  return names;
}

}  // namespace sidecar::probes
