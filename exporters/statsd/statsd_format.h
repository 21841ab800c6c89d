// StatsD / DogStatsD lines and datagrams: pure formatting, no I/O.
//
//   DogStatsD  probe_success:1|g|#env:prod,probe:db,type:postgres
//   influx     probe_success,env=prod,probe=db,type=postgres:1|g
//   graphite   probe_success;env=prod;probe=db;type=postgres:1|g
//   none       probe_success:1|g
//
// Plain StatsD reads a gauge with a leading '-' as a decrement, so outside DogStatsD a negative
// gauge is sent as "name:0|g\nname:-5|g" (one unit that is never split across datagrams).
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporters/counter_deltas.h"
#include "exporters/exporter.h"

namespace sidecar::exporters::statsd {

enum class TagStyle { kDogStatsd, kNone, kInflux, kGraphite };
enum class DurationAs { kTiming, kHistogram, kDistribution };

bool ParseTagStyle(std::string_view text, TagStyle* out);      // dogstatsd|none|influx|graphite
bool ParseDurationAs(std::string_view text, DurationAs* out);  // timing|histogram|distribution

struct Format {
  std::string prefix;  // "devbrainai."; prepended to every name
  TagStyle tags = TagStyle::kDogStatsd;
  DurationAs durations = DurationAs::kTiming;
  Labels constant_tags;  // env:production, service:..., on every line
};

// One line without its trailing newline. `type` is "g", "c", "ms", "h" or "d". Characters a
// dialect cannot carry in a name or tag are replaced by '_'.
std::string FormatLine(const Format& format, std::string_view name, double value,
                       std::string_view type, const Labels& tags);

// The lines of one probe run: gauges as g, counters as c of the increase since the last run,
// durations as ms (milliseconds, name ending _ms instead of _seconds), h or d (seconds).
// Values that are not finite are left out.
std::vector<std::string> FormatRun(const Format& format, const ProbeRun& run,
                                   CounterDeltas* deltas);

struct Datagram {
  std::string payload;  // lines joined by '\n', at most max_size bytes
  uint64_t points = 0;  // lines in it
};

// Packs `lines` in order into as few datagrams as fit `max_size`. A line longer than
// `max_size` cannot be sent and is counted in `*too_long`.
std::vector<Datagram> Pack(const std::vector<std::string>& lines, size_t max_size,
                           uint64_t* too_long);

}  // namespace sidecar::exporters::statsd
