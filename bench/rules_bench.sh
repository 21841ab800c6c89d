#!/usr/bin/env bash
# The rule engine's benchmark (issue 5): CPU per evaluation of the bundled rules over the agent's
# own series (the target: under 1% of one core at a 15 s interval), CPU per evaluation of 1,000
# rules over 10,000 series, and the sample ring's memory per series. The work is done by the
# agent's real code in bench/rules_bench.cc (built with -DAGENT_BUILD_BENCH=ON, Release);
# this script runs it BENCH_RUNS times and prints medians with their range.
#
#   bash bench/rules_bench.sh
#
# Installs nothing beyond what deploy/install-deps.sh provides. Environment: RULES_BENCH_BIN
# (skip the build), BENCH_RUNS (default 5), BENCH_REPS (evaluations timed per run, default 25).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

RUNS=${BENCH_RUNS:-5}
REPS=${BENCH_REPS:-25}

bench_init
trap 'rm -rf "$BENCH_DIR"' EXIT

BIN=${RULES_BENCH_BIN:-}
if [[ -z "$BIN" ]]; then
  bench_build rules_bench
  BIN=$BENCH_BUILD/bin/rules_bench
fi
[[ -x "$BIN" ]] || bench_die "no rules_bench at $BIN"

echo "load average before: $(bench_loadavg)" >&2
for run in $(seq 1 "$RUNS"); do
  bench_cmd "$BIN" "$REPS"
  "$BIN" "$REPS" >"$BENCH_DIR/run$run.txt" || bench_die "rules_bench failed"
done

# figure NAME: "median (min-max) unit" over the runs.
figure() {
  local values unit
  mapfile -t values < <(awk -v k="$1" '$1 == k {print $2}' "$BENCH_DIR"/run*.txt)
  unit=$(awk -v k="$1" '$1 == k {print $3; exit}' "$BENCH_DIR/run1.txt")
  echo "$(bench_median "${values[@]}") ($(bench_min "${values[@]}")-$(bench_max "${values[@]}")) $unit"
}

share=$(figure bundled_core_share_15s)
verdict="NOT MET"
if bench_le "${share%% *}" 1; then verdict="met"; fi

echo
echo "rule engine, $RUNS runs, medians (min-max); load average after: $(bench_loadavg)"
printf '%-62s | %s\n' \
  "bundled rules ($(figure bundled_rules | cut -d' ' -f1) rules), series of the default probes" \
  "$(figure bundled_series)" \
  "  CPU per evaluation (scrape of the agent's series + all groups)" \
  "$(figure bundled_cpu_per_eval)" \
  "  share of one core at a 15 s interval (target < 1 %: $verdict)" "$share" \
  "  sample ring per series" "$(figure bundled_ring_bytes_per_series)" \
  "1,000 rules over 10,000 series: CPU per evaluation" "$(figure thousand_cpu_per_eval)" \
  "  share of one core at a 15 s interval" "$(figure thousand_core_share_15s)" \
  "  sample ring, 10 min at 15 s: points per series" "$(figure ring_points_per_series)" \
  "  sample ring: heap bytes per series (points + labels)" "$(figure ring_bytes_per_series)" \
  "  sample ring: RSS growth per series" "$(figure ring_rss_per_series)"
