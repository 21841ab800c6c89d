#include "exporters/registry.h"

#include "exporters/emf/emf_exporter.h"
#include "exporters/otlp/otlp_exporter.h"
#include "exporters/statsd/statsd_exporter.h"

namespace sidecar::exporters {
namespace {

const ExporterType kExporterTypes[] = {
    {"statsd", statsd::CreateStatsdExporter},
    {"emf", emf::CreateEmfExporter},
    {"otlp", otlp::CreateOtlpExporter},
};

}  // namespace

const ExporterType* FindExporterType(std::string_view name) {
  for (const ExporterType& type : kExporterTypes) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::vector<std::string_view> ExporterTypeNames() {
  std::vector<std::string_view> names;
  for (const ExporterType& type : kExporterTypes) names.push_back(type.name);
  return names;
}

}  // namespace sidecar::exporters
