#!/usr/bin/env bash
# The push exporters' benchmark (issue 4), on loopback only:
#
#  1. Encoding cost per 10,000 samples for each exporter, through the real encode functions
#     (bench/encode_bench.cc, built with -DAGENT_BUILD_BENCH=ON): OTLP protobuf and JSON (each
#     including the aggregation into the OTLP model, which the exporter does before encoding),
#     OTLP protobuf + gzip, StatsD lines packed into datagrams, EMF documents. CPU time of the
#     encoding thread; medians.
#  2. The agent's memory with each exporter on, all on, and all off, same probes, read after a
#     settling time that includes the first OTLP export (default interval 60 s) with the queue
#     at its default size (256 runs) and full (probes every second): StatsD to a UDP port nobody
#     reads, OTLP to a local receiver that answers 200 (bench/http_target.js --otlp), EMF to a
#     file. Several instances of each variant run side by side; medians of RssAnon and RssFile,
#     and the difference to "all off". Two probe sets: one without any http probe (no libcurl in
#     the process: OTLP reaches the http:// receiver with the agent's own client) and one with
#     10 http probes (libcurl loaded and initialised by the probes). For any exporter above 1 MiB, the
#     anonymous memory is broken down by mapping (/proc/PID/smaps: main heap, thread arenas,
#     thread stacks, other) to show where it goes.
#
#   bash bench/exporters_bench.sh
#
# Installs nothing: needs what deploy/install-deps.sh --test provides (node, curl, cmake,
# ninja). Builds agent and encode_bench into build-bench/ (Release, -DAGENT_BUILD_BENCH=ON)
# unless AGENT_BIN and ENCODE_BENCH_BIN name them. Stops every process it started on exit.
# Exits 0 when every measurement ran (whatever the targets say), 1 otherwise.
#
# Environment: AGENT_BIN, ENCODE_BENCH_BIN, BENCH_RUNS (instances per variant and encode_bench
# processes, default 5), BENCH_SETTLE (seconds before memory is read, default 75),
# BENCH_TIME_LIMIT (default 900).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"

RUNS=${BENCH_RUNS:-5}
SETTLE=${BENCH_SETTLE:-75}
TIME_LIMIT=${BENCH_TIME_LIMIT:-900}
ENCODE_REPS=25
VARIANTS=(off statsd otlp emf all otlp_q16)   # otlp_q16: OTLP with queue_size 16 (diagnostic)
HTTP_PROBES=10

declare -A R=()
NOTES=()
START_NS=$(date +%s%N)
STEP=""

step() {
  STEP=$1
  echo >&2
  echo "==> $1 ($(elapsed)s, load average $(bench_loadavg))" >&2
}
elapsed() { echo $((($(date +%s%N) - START_NS) / 1000000000)); }
note() { NOTES+=("$*"); }

on_exit() {
  local rc=$?
  set +e
  trap '' INT TERM
  bench_cleanup
  [[ $rc -eq 0 ]] || echo "bench: FAILED during '${STEP:-start}' (exit status $rc) after $(elapsed)s" >&2
  exit "$rc"
}
trap on_exit EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'echo "bench: terminated (time limit ${TIME_LIMIT}s or signal)" >&2; exit 143' TERM

setup() {
  step "tools and binaries"
  local ok=1 what
  for what in node:nodejs curl:curl ss:iproute2; do
    bench_have "${what%%:*}" "${what#*:}" || ok=0
  done
  if [[ -z "${AGENT_BIN:-}" || -z "${ENCODE_BENCH_BIN:-}" ]]; then
    for what in cmake:cmake ninja:ninja-build; do bench_have "${what%%:*}" "${what#*:}" || ok=0; done
  fi
  [[ $ok -eq 1 ]] || bench_die "required tools are missing (see above)"
  if [[ -n "${AGENT_BIN:-}" && -n "${ENCODE_BENCH_BIN:-}" ]]; then
    AGENT=$AGENT_BIN ENCODE_BENCH=$ENCODE_BENCH_BIN
  else
    bench_build agent encode_bench
    AGENT=${AGENT_BIN:-$BENCH_BUILD/bin/agent}
    ENCODE_BENCH=${ENCODE_BENCH_BIN:-$BENCH_BUILD/bin/encode_bench}
  fi
  [[ -x "$AGENT" ]] || bench_die "no agent binary at $AGENT"
  [[ -x "$ENCODE_BENCH" ]] || bench_die "no encode_bench binary at $ENCODE_BENCH"
  AGENT_VERSION=$("$AGENT" --version 2>&1 | head -n 1)
  bench_log "$AGENT_VERSION ($AGENT)"
}

# --- 1. encoding cost --------------------------------------------------------------------------

measure_encoding() {
  step "1. encoding cost per 10,000 samples: $RUNS runs of encode_bench $ENCODE_REPS"
  bench_cmd "$ENCODE_BENCH" "$ENCODE_REPS"
  local i name med bytes
  declare -gA ENC_MED=() ENC_BYTES=()
  local -A all=()
  for ((i = 0; i < RUNS; i++)); do
    "$ENCODE_BENCH" "$ENCODE_REPS" >"$BENCH_DIR/encode-$i.txt" || bench_die "encode_bench failed"
    while read -r name med _ _ bytes; do
      all[$name]+="$med "
      ENC_BYTES[$name]=$bytes
    done <"$BENCH_DIR/encode-$i.txt"
    bench_log "encode_bench run $((i + 1)): $(awk '{printf "%s %s ms; ", $1, $2}' "$BENCH_DIR/encode-$i.txt")"
  done
  for name in "${!all[@]}"; do
    # shellcheck disable=SC2086
    ENC_MED[$name]=$(bench_median ${all[$name]})
    # shellcheck disable=SC2086
    ENC_MED[${name}_min]=$(bench_min ${all[$name]})
    # shellcheck disable=SC2086
    ENC_MED[${name}_max]=$(bench_max ${all[$name]})
  done
}

# --- 2. memory with and without exporters -------------------------------------------------------

# write_config FILE SET VARIANT INDEX: probes of SET (local | http) and the exporters of VARIANT.
write_config() {
  local file=$1 set=$2 variant=$3 idx=$4 i
  {
    echo "# bench/exporters_bench.sh: probe set $set, exporters $variant"
    echo "startup_grace: 0s"
    echo "log: {level: error}"
    echo "defaults: {interval: 1s, timeout: 1s}"
    echo "probes:"
    for ((i = 1; i <= 6; i++)); do
      echo "  - {name: cpu_$i, type: cpu}"
      echo "  - {name: memory_$i, type: memory}"
    done
    if [[ $set == http ]]; then
      for ((i = 1; i <= HTTP_PROBES; i++)); do
        echo "  - {name: http_$i, type: http, url: \"http://127.0.0.1:$TARGET_PORT/h/$i\"}"
      done
    fi
    case $variant in
      off) echo "exporters: []" ;;
      *)
        echo "exporters:"
        if [[ $variant == statsd || $variant == all ]]; then
          echo "  - {type: statsd, host: 127.0.0.1, port: $STATSD_PORT}"
        fi
        if [[ $variant == otlp || $variant == all ]]; then
          echo "  - {type: otlp, endpoint: \"http://127.0.0.1:$OTLP_PORT\"}"
        fi
        if [[ $variant == otlp_q16 ]]; then
          echo "  - {type: otlp, endpoint: \"http://127.0.0.1:$OTLP_PORT\", queue_size: 16}"
        fi
        if [[ $variant == emf || $variant == all ]]; then
          echo "  - {type: emf, output: \"$BENCH_DIR/emf-$set-$variant-$idx.ndjson\"}"
        fi
        ;;
    esac
  } >"$file"
}

# smaps_anon PID: "heap arenas stacks other" anonymous Rss in kB: [heap] is the main malloc
# arena; thread malloc arenas are anonymous mappings that start on a 64 MiB boundary (glibc
# reserves and aligns 64 MiB per arena heap); thread stacks are the 8 MiB anonymous mappings
# (glibc's default pthread stack size); other is every other anonymous mapping.
smaps_anon() {
  awk '
    /^[0-9a-f]+-[0-9a-f]+ / {
      split($1, a, "-"); name = $6; start = a[1]
      kind = (name == "[heap]") ? "heap" : (name == "" ? "anon" : (name ~ /^\[stack/ ? "stack" : "file"))
      aligned = (length(start) >= 7 && substr(start, length(start) - 5) == "000000" &&
                 index("048c", substr(start, length(start) - 6, 1)) > 0)
      next
    }
    /^Size:/ {size = $2; next}
    /^Rss:/ {
      if (kind == "heap") heap += $2
      else if (kind == "anon" && size == 8192) stacks += $2
      else if (kind == "anon" && aligned) arenas += $2
      else if (kind == "anon" || kind == "stack") other += $2
    }
    END {printf "%d %d %d %d\n", heap, arenas, stacks, other}' "/proc/$1/smaps"
}

# smaps_files PID: "kB path" of every file-backed mapping's Rss, summed by file.
smaps_files() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6; next}
       /^Rss:/ {if (name ~ /^\//) rss[name] += $2}
       END {for (n in rss) print rss[n], n}' "/proc/$1/smaps"
}

# exporter_sent PORT NAME: agent_exporter_sent_total of exporter NAME.
exporter_sent() {
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
    awk -v n="$2" '$1 ~ /^agent_exporter_sent_total[{]/ && $1 ~ "exporter=\"" n "\"" {s += $NF} END {printf "%d\n", s}'
}

measure_memory_set() {
  local set=$1 v i pid port config
  step "2. memory, probe set '$set': $RUNS agents per variant (${VARIANTS[*]}), read after ${SETTLE}s"
  local -A pids=() ports=()
  write_config "$BENCH_DIR/show-$set.yaml" "$set" all 0
  bench_show "$AGENT --config CONFIG --listen 127.0.0.1:PORT    # CONFIG for 'all':"
  sed 's/^/      /' "$BENCH_DIR/show-$set.yaml" | grep -v -e '_[2-9]' -e '_10' >&2
  for ((i = 0; i < RUNS; i++)); do
    for v in "${VARIANTS[@]}"; do
      config="$BENCH_DIR/$set-$v-$i.yaml"
      write_config "$config" "$set" "$v" "$i"
      bench_pick_port port
      bench_spawn pid "$BENCH_DIR/agent-$set-$v-$i.log" "$AGENT" --config "$config" --listen "127.0.0.1:$port"
      pids[$v-$i]=$pid ports[$v-$i]=$port
    done
  done
  local k
  for k in "${!ports[@]}"; do
    bench_wait_http "http://127.0.0.1:${ports[$k]}/livez" 20 || {
      cat "$BENCH_DIR/agent-$set-$k.log" >&2
      bench_die "agent $set/$k does not answer"
    }
  done
  sleep "$SETTLE"
  bench_log "reading memory (load average $(bench_loadavg))"
  local anon file rss heap arenas stacks other
  for v in "${VARIANTS[@]}"; do
    local -a a=() f=() t=() h=() ar=() st=() ot=()
    for ((i = 0; i < RUNS; i++)); do
      pid=${pids[$v-$i]}
      bench_alive "$pid" || bench_die "agent $set/$v-$i died: $(tail -n 5 "$BENCH_DIR/agent-$set-$v-$i.log")"
      read -r anon file rss <<<"$(bench_mem "$pid")"
      read -r heap arenas stacks other <<<"$(smaps_anon "$pid")"
      [[ $i -ne 0 ]] || smaps_files "$pid" >"$BENCH_DIR/files-$set-$v.txt"
      a+=("$anon") f+=("$file") t+=("$rss") h+=("$heap") ar+=("$arenas") st+=("$stacks") ot+=("$other")
    done
    R[$set-$v-anon]=$(bench_median "${a[@]}") R[$set-$v-file]=$(bench_median "${f[@]}")
    R[$set-$v-rss]=$(bench_median "${t[@]}")
    R[$set-$v-anon-range]="$(bench_min "${a[@]}")-$(bench_max "${a[@]}")"
    R[$set-$v-file-range]="$(bench_min "${f[@]}")-$(bench_max "${f[@]}")"
    R[$set-$v-heap]=$(bench_median "${h[@]}") R[$set-$v-arenas]=$(bench_median "${ar[@]}")
    R[$set-$v-stacks]=$(bench_median "${st[@]}") R[$set-$v-other]=$(bench_median "${ot[@]}")
    R[$set-$v-threads]=$(awk '/^Threads:/ {print $2}' "/proc/${pids[$v-0]}/status")
    bench_log "$set/$v: RssAnon ${a[*]} kB; RssFile ${f[*]} kB; threads ${R[$set-$v-threads]}"
  done
  # Every exporter must have delivered during the settling time (OTLP: its first export).
  local e sent
  for v in statsd otlp emf; do
    for ((i = 0; i < RUNS; i++)); do
      sent=$(exporter_sent "${ports[$v-$i]}" "$v")
      [[ ${sent:-0} -gt 0 ]] || note "$set/$v-$i: agent_exporter_sent_total{exporter=\"$v\"} is 0 after ${SETTLE}s"
    done
  done
  for e in statsd otlp emf; do
    R[$set-$e-dropped]=$(curl -s "http://127.0.0.1:${ports[$e-0]}/metrics" |
      awk -v n="$e" '$1 ~ /^agent_exporter_dropped_total[{]/ && $1 ~ "exporter=\"" n "\"" {s += $NF} END {printf "%d", s}')
  done
  # Freed but kept: ask glibc to give back what the OTLP instance's heaps hold free (gdb calls
  # malloc_trim(0) in it; skipped without gdb or ptrace rights). Done last: it changes the process.
  R[$set-trim]=""
  if command -v gdb >/dev/null 2>&1; then
    local before after
    read -r before _ _ <<<"$(bench_mem "${pids[otlp-0]}")"
    if timeout 30 gdb -p "${pids[otlp-0]}" -batch -ex 'call (int) malloc_trim(0)' >"$BENCH_DIR/gdb-$set.log" 2>&1; then
      read -r after _ _ <<<"$(bench_mem "${pids[otlp-0]}")"
      R[$set-trim]="$before $after"
      bench_log "$set/otlp-0: RssAnon $before kB, after malloc_trim(0) $after kB"
    fi
  fi
  local stop_pids=() k
  for k in "${!pids[@]}"; do stop_pids+=("${pids[$k]}"); done
  bench_stop "${stop_pids[@]}"
}

measure_memory() {
  bench_pick_port STATSD_PORT
  bench_pick_port OTLP_PORT
  bench_pick_port TARGET_PORT
  bench_cmd node bench/http_target.js --ports "$OTLP_PORT" --otlp
  bench_spawn OTLP_PID "$BENCH_DIR/otlp-receiver.log" node "$BENCH/http_target.js" --ports "$OTLP_PORT" --otlp
  bench_cmd node bench/http_target.js --ports "$TARGET_PORT"
  bench_spawn TARGET_PID "$BENCH_DIR/http-target.log" node "$BENCH/http_target.js" --ports "$TARGET_PORT"
  bench_wait_http "http://127.0.0.1:$OTLP_PORT/__stats" 10 || bench_die "the OTLP receiver does not start"
  bench_wait_http "http://127.0.0.1:$TARGET_PORT/__stats" 10 || bench_die "the http target does not start"
  bench_log "StatsD to udp 127.0.0.1:$STATSD_PORT (nobody reads), OTLP to http://127.0.0.1:$OTLP_PORT (200)"
  measure_memory_set local
  measure_memory_set http
  local stats
  stats=$(curl -s "http://127.0.0.1:$OTLP_PORT/__stats")
  R[otlp_requests]=$(bench_json_num requests <<<"$stats")
  R[otlp_body_max]=$(bench_json_num post_bytes_max <<<"$stats")
  bench_stop "$OTLP_PID" "$TARGET_PID"
}

# --- the table -------------------------------------------------------------------------------

num() { awk -v v="$1" -v f="$2" 'BEGIN {printf f, v}'; }
kib_mib() { awk -v k="$1" 'BEGIN {printf "%.2f", k / 1024}'; }
diff_mib() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", (a - b) / 1024}'; }
rule() { printf '%s\n' "$(printf '%.0s-' {1..132})"; }
verdict() { if "$@"; then echo "met"; else echo "NOT MET"; fi; }

# diagnose: for every exporter above 1 MiB, where its memory is: anonymous memory by kind and
# file-backed pages by file (instance 0 of the variant against instance 0 of 'off').
diagnose() {
  local set e
  for set in local http; do
    for e in statsd otlp emf; do
      awk -v a="${R[$set-$e-anon]}" -v b="${R[$set-off-anon]}" -v c="${R[$set-$e-file]}" -v d="${R[$set-off-file]}" \
        'BEGIN {exit !((a - b) + (c - d) > 1024)}' || continue
      echo "Where the $e exporter's memory goes, probe set '$set' (kB, +: more than 'off'):"
      printf "  anonymous: main heap %+d, thread arenas %+d, thread stacks %+d, other %+d\n" \
        $((R[$set-$e-heap] - R[$set-off-heap])) $((R[$set-$e-arenas] - R[$set-off-arenas])) \
        $((R[$set-$e-stacks] - R[$set-off-stacks])) $((R[$set-$e-other] - R[$set-off-other]))
      if [[ $e == otlp && -n "${R[$set-trim]}" ]]; then
        local b a
        read -r b a <<<"${R[$set-trim]}"
        echo "  freed but kept by malloc: instance 0 went from RssAnon $b to $a kB ($((a - b)) kB) when gdb called malloc_trim(0) in it"
      fi
      echo "  file-backed pages, largest increases (instance 0):"
      awk 'NR == FNR {off[$2] = $1; next} {d = $1 - off[$2]; if (d > 0) printf "%d %s\n", d, $2}' \
        "$BENCH_DIR/files-$set-off.txt" "$BENCH_DIR/files-$set-$e.txt" | sort -rn | head -n 8 |
        awk '{printf "    %+6d  %s\n", $1, $2}'
    done
  done
}

print_table() {
  local name set v
  echo
  echo "== bench/exporters_bench.sh: $AGENT_VERSION; $(nproc) CPUs; load average $(bench_loadavg) at the end; $(date -u '+%Y-%m-%d %H:%M UTC') =="
  rule
  printf "%-44s | %-26s | %-12s | %-12s | %s\n" "1 encoding, per 10,000 samples" "CPU ms, median (min-max)" "us / sample" "bytes" "bytes / sample"
  rule
  for name in otlp_protobuf otlp_json otlp_protobuf_gzip statsd emf otlp_aggregate_only; do
    local label=$name bytes=${ENC_BYTES[$name]} per
    case $name in
      otlp_protobuf) label="OTLP protobuf (aggregation + encoding)" ;;
      otlp_json) label="OTLP JSON (aggregation + encoding)" ;;
      otlp_protobuf_gzip) label="OTLP protobuf + gzip (compression: gzip)" ;;
      statsd) label="StatsD/DogStatsD lines, packed in 1432 B" ;;
      emf) label="CloudWatch EMF documents" ;;
      otlp_aggregate_only) label="  of which OTLP aggregation alone" bytes="" ;;
    esac
    per=""
    [[ -z "$bytes" ]] || per=$(num "$bytes" "%.0f" | awk '{printf "%.1f", $1 / 10000}')
    printf "%-44s | %-26s | %-12s | %-12s | %s\n" "$label" \
      "$(num "${ENC_MED[$name]}" %.2f) ($(num "${ENC_MED[${name}_min]}" %.2f)-$(num "${ENC_MED[${name}_max]}" %.2f))" \
      "$(num "${ENC_MED[$name]}" %.3f | awk '{printf "%.2f", $1 * 1000 / 10000}')" "$bytes" "$per"
  done
  rule
  printf "%-30s | %-8s | %-22s | %-22s | %-10s | %-10s | %-8s | %s\n" "2 memory (MiB), median of $RUNS" "exporter" "RssAnon (range kB)" "RssFile (range kB)" "+RssAnon" "+RssFile" "<= 1 MiB" "threads"
  rule
  for set in local http; do
    for v in "${VARIANTS[@]}"; do
      local da df res=""
      da=$(diff_mib "${R[$set-$v-anon]}" "${R[$set-off-anon]}")
      df=$(diff_mib "${R[$set-$v-file]}" "${R[$set-off-file]}")
      if [[ $v != off && $v != all && $v != otlp_q16 ]]; then
        res=$(verdict awk -v a="${R[$set-$v-anon]}" -v b="${R[$set-off-anon]}" -v c="${R[$set-$v-file]}" -v d="${R[$set-off-file]}" \
          'BEGIN {exit !((a - b) + (c - d) <= 1024)}')
      fi
      [[ $v != off ]] || { da=""; df=""; }
      printf "%-30s | %-8s | %-22s | %-22s | %-10s | %-10s | %-8s | %s\n" \
        "$([[ $set == local ]] && echo "cpu+memory probes (no http)" || echo "same + $HTTP_PROBES http probes")" "$v" \
        "$(kib_mib "${R[$set-$v-anon]}") (${R[$set-$v-anon-range]})" "$(kib_mib "${R[$set-$v-file]}") (${R[$set-$v-file-range]})" \
        "$da" "$df" "$res" "${R[$set-$v-threads]}"
    done
    rule
  done
  echo "Where the anonymous memory is (kB, medians; /proc/PID/smaps): main heap / thread arenas / thread stacks / other"
  for set in local http; do
    for v in "${VARIANTS[@]}"; do
      printf "  %-6s %-7s %6d / %6d / %5d / %5d\n" "$set" "$v" "${R[$set-$v-heap]}" "${R[$set-$v-arenas]}" "${R[$set-$v-stacks]}" "${R[$set-$v-other]}"
    done
  done
  diagnose
  echo "How to read it:"
  echo "- 1: encode_bench, $RUNS processes x $ENCODE_REPS rounds (after 3 warm-ups), encoders interleaved; CPU time of the thread"
  echo "  (CLOCK_THREAD_CPUTIME_ID). 10,000 samples = 1,000 runs of 100 http probes x 10 points (probe_success,"
  echo "  probe_duration_seconds, status code, 5 phase durations, cert expiry, 1 counter), 2 constant labels; for OTLP,"
  echo "  whose export holds one point per series, the same runs under 1,000 probe names. OTLP rows include the aggregation"
  echo "  into the OTLP model (last gauge value, cumulative sum, cumulative histogram per series), which the exporter does"
  echo "  as runs arrive; the StatsD row includes packing into datagrams, the EMF row one JSON document per run and label group."
  echo "- 2: probes every 1 s (12 cpu/memory probes, plus $HTTP_PROBES http probes to a local keep-alive target in the second"
  echo "  set); exporters at their defaults (queue_size 256, OTLP every 60 s, protobuf, no gzip); memory read after ${SETTLE}s,"
  echo "  i.e. after the first OTLP export. +RssAnon/+RssFile = median of the variant - median of"
  echo "  'off'; the 1 MiB target is checked on their sum. otlp_q16 (a diagnostic, not a target row) is OTLP with queue_size 16."
  echo "  The OTLP receiver got ${R[otlp_requests]} exports in all, the largest body ${R[otlp_body_max]} bytes. Points dropped"
  echo "  by each exporter (instance 0, all variants' queues): local statsd ${R[local-statsd-dropped]}, otlp ${R[local-otlp-dropped]}, emf ${R[local-emf-dropped]};"
  echo "  http statsd ${R[http-statsd-dropped]}, otlp ${R[http-otlp-dropped]}, emf ${R[http-emf-dropped]} (a queue drops its oldest runs when full, i.e. while"
  echo "  a delivery is under way; OTLP aggregates runs as they arrive, so its queue fills only behind a slow collector;"
  echo "  StatsD's sends to a port nobody reads may fail with ECONNREFUSED and count as dropped)."
  local n
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
}

bench_init
bench_spawn WATCHDOG_PID /dev/null bash -c "sleep $TIME_LIMIT; kill -TERM $$"
setup
echo "bench: load average at the start: $(bench_loadavg)" >&2
measure_encoding
measure_memory
step "done"
print_table
echo
echo "bench: finished in $(elapsed)s"
