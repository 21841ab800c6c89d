// EncodeJson writes text directly: strings that need escaping, and numbers, still parse back.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "exporters/otlp/otlp_encode.h"

namespace sidecar::exporters::otlp {
namespace {

TEST_CASE("EncodeJson: quotes, control characters, non-ASCII and invalid UTF-8 stay valid JSON",
          "[exporters][otlp]") {
  ExportRequest request;
  request.resource = {{"service.name", "a \"quoted\"\\name\n\ttab\x01"}, {"city", "Z\xc3\xbcrich"}};
  Metric gauge;
  gauge.name = "probe_success";
  gauge.points.push_back({});
  gauge.points[0].attributes = {{"bad", "x\xff\xfey"}};
  gauge.points[0].time_unix_nano = 18446744073709551615ull;
  gauge.points[0].value = 0.1;
  request.metrics.push_back(gauge);
  Metric sum;
  sum.name = "probe_total";
  sum.kind = MetricKind::kSum;
  sum.points.push_back({});
  sum.points[0].value = 1e300;
  request.metrics.push_back(sum);

  const auto json = nlohmann::json::parse(EncodeJson(request));
  const auto& resource = json["resourceMetrics"][0]["resource"]["attributes"];
  CHECK(resource[0]["value"]["stringValue"] == "a \"quoted\"\\name\n\ttab\x01");
  CHECK(resource[1]["value"]["stringValue"] == "Z\xc3\xbcrich");
  const auto& metrics = json["resourceMetrics"][0]["scopeMetrics"][0]["metrics"];
  const auto& point = metrics[0]["gauge"]["dataPoints"][0];
  CHECK(point["timeUnixNano"] == "18446744073709551615");
  CHECK(point["asDouble"].get<double>() == 0.1);
  CHECK(point["attributes"][0]["value"]["stringValue"] == "x\xef\xbf\xbd\xef\xbf\xbdy");
  CHECK(metrics[1]["sum"]["dataPoints"][0]["asDouble"].get<double>() == 1e300);
  CHECK(metrics[1]["sum"]["isMonotonic"] == true);
  CHECK(metrics[1]["sum"]["aggregationTemporality"] == 2);
}

}  // namespace
}  // namespace sidecar::exporters::otlp
