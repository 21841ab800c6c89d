#!/usr/bin/env bash
# The http probe's benchmark (issue 3), on loopback only:
#
#  1. CPU time per 1,000 HTTPS probes, the agent side by side with Debian's
#     prometheus-blackbox-exporter probing the same local HTTPS target (bench/http_target.js,
#     Node.js, a throwaway P-256 certificate): against a target that closes every connection
#     (`Connection: close`: a new TCP and TLS connection per probe) and one that keeps them
#     alive. blackbox_exporter opens a new connection (full TLS handshake) for every probe
#     whatever the server allows; the target counts connections and new/resumed TLS sessions,
#     so the table shows what each side really did.
#  2. Scale: 2,000 plain-HTTP targets every 10 s (20 local ports x 100 paths), the agent pinned
#     to one core (taskset -c 0, the target server on the other): CPU share, RSS and the jitter
#     of probe start times, measured at the target (see "Jitter" below).
#
#   bash bench/http_bench.sh
#
# Installs nothing: needs what deploy/install-deps.sh --test provides (node, curl, openssl,
# taskset, cmake, ninja); without prometheus-blackbox-exporter its rows are skipped (it says how
# to install it). Builds the agent into build-bench/ (Release) unless AGENT_BIN names one. Stops
# every process it started on exit, also on failure or Ctrl-C. Exits 0 when every measurement
# ran (whatever the target says), 1 otherwise.
#
# Environment: AGENT_BIN (skip the build), BENCH_RUNS (repetitions, default 5 for CPU, and
# BENCH_SCALE_RUNS 3 for the scale run), BENCH_SCALE_WINDOW (seconds measured per scale run,
# default 40), BENCH_PARTS (default "cpu scale": which measurements run), BENCH_NICE (nice
# level of the processes under test when root, default -10; 0 to leave it), BENCH_BLACKBOX
# (blackbox_exporter binary), BENCH_TIME_LIMIT (seconds before giving up, default 1200).
#
# Jitter: the scheduler runs each probe at a fixed rate, the next start one interval after the
# previous start, so a late start shows as an interval longer than 10 s between two requests
# of one target. The target logs the arrival time of every request (each of the 2,000 probes
# has its own path); for every target, each interval between two consecutive arrivals minus
# 10 s is one jitter sample. This measures what a target sees (the agent's timer lateness plus
# any queueing in its loop, HTTP layer and the kernel), independently of the agent's own
# accounting. The width of the burst (the scheduler spreads first runs over min(1 s, interval),
# so the 2,000 starts of a cycle fall within about 1 s of each 10 s) is printed as well.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"

RUNS=${BENCH_RUNS:-5}
SCALE_RUNS=${BENCH_SCALE_RUNS:-3}
SCALE_WINDOW=${BENCH_SCALE_WINDOW:-40}
TIME_LIMIT=${BENCH_TIME_LIMIT:-1200}
PARTS=${BENCH_PARTS:-cpu scale}
# The processes under test (agent, blackbox_exporter, targets) run at this nice level when root
# (default -10), so that other users' jobs on a shared machine do not starve them: priority does
# not change the CPU time a probe costs, but starvation turns probes into timeouts.
NICE=${BENCH_NICE:--10}
PRIO=()
[[ $(id -u) -ne 0 || $NICE -eq 0 ]] || PRIO=(nice -n "$NICE")
CPU_PROBES=200         # https probes in the agent
CPU_INTERVAL=1s        # ... each every second: 200 probes/s
CPU_WARMUP=2           # seconds before the window (first runs, first connections)
CPU_WINDOW=5           # seconds per window: about 1,000 probes
BLACKBOX_PER_WINDOW=1000
BUNDLE_PROBES=5        # probes in the SSL_CERT_FILE run (each new connection trusts the bundle too)
SYSTEM_BUNDLE=/etc/ssl/certs/ca-certificates.crt
SCALE_TARGETS=2000
SCALE_PORTS=20
SCALE_INTERVAL_S=10
SCALE_SETTLE=15        # seconds before the window: mid-cycle, after the first bursts
BLACKBOX=${BENCH_BLACKBOX:-/usr/bin/prometheus-blackbox-exporter}

declare -A R=()
NOTES=()
START_NS=$(date +%s%N)
STEP=""
HAVE_BLACKBOX=1

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

# --- setup -----------------------------------------------------------------------------------

setup() {
  step "tools and agent binary"
  local ok=1 what
  for what in node:nodejs curl:curl openssl:openssl taskset:util-linux ss:iproute2; do
    bench_have "${what%%:*}" "${what#*:}" || ok=0
  done
  [[ -n "${AGENT_BIN:-}" ]] || for what in cmake:cmake ninja:ninja-build; do
    bench_have "${what%%:*}" "${what#*:}" || ok=0
  done
  [[ $ok -eq 1 ]] || bench_die "required tools are missing (see above)"
  if ! bench_have "$BLACKBOX" prometheus-blackbox-exporter; then
    HAVE_BLACKBOX=0
    note "prometheus-blackbox-exporter is not installed: its rows are skipped (apt-get install -y prometheus-blackbox-exporter)"
  fi
  if [[ -n "${AGENT_BIN:-}" ]]; then
    AGENT=$AGENT_BIN
  else
    bench_build agent
    AGENT=$BENCH_BUILD/bin/agent
  fi
  [[ -x "$AGENT" ]] || bench_die "no agent binary at $AGENT"
  AGENT_VERSION=$("$AGENT" --version 2>&1 | head -n 1)
  bench_log "$AGENT_VERSION ($AGENT)"
  bench_make_cert
}

# start_target VAR_PID PORTS LOG ARGS...: bench/http_target.js on PORTS (comma-separated).
start_target() {
  local -n _st_pid=$1
  local ports=$2 log=$3
  shift 3
  bench_cmd node bench/http_target.js --ports "$ports" "$@"
  bench_spawn _st_pid "$log" "${PRIO[@]}" node "$BENCH/http_target.js" --ports "$ports" "$@"
  local first=${ports%%,*} scheme=http i
  [[ " $* " != *" --tls-cert "* ]] || scheme=https
  for ((i = 0; i < 100; i++)); do
    [[ -n "$(target_stats "$scheme" "$first" 2>/dev/null)" ]] && break
    sleep 0.1
  done
  [[ -n "$(target_stats "$scheme" "$first" 2>/dev/null)" ]] || {
    cat "$log" >&2
    bench_die "http_target.js does not answer on $scheme://127.0.0.1:$first"
  }
}

# target_stats SCHEME PORT: "connections tls_new tls_resumed requests" of a target.
target_stats() {
  local json f out=()
  json=$(curl -s --max-time 5 --cacert "$BENCH_TLS_CERT" "$1://127.0.0.1:$2/__stats") || return 1
  [[ -n "$json" ]] || return 1
  for f in connections tls_new tls_resumed requests; do out+=("$(bench_json_num "$f" <<<"$json")"); done
  echo "${out[*]}"
}

# start_agent VAR_PID VAR_PORT CONFIG [taskset -c N]: the agent with CONFIG.
start_agent() {
  local -n _sa_pid=$1 _sa_port=$2
  local config=$3 log
  shift 3
  bench_pick_port _sa_port
  log="$BENCH_DIR/agent-$_sa_port.log"
  bench_spawn _sa_pid "$log" "${PRIO[@]}" "$@" "$AGENT" --config "$config" --listen "127.0.0.1:$_sa_port"
  bench_wait_http "http://127.0.0.1:$_sa_port/livez" 20 || {
    cat "$log" >&2
    bench_die "the agent does not answer on 127.0.0.1:$_sa_port"
  }
}

# --- 1. CPU per 1,000 HTTPS probes -------------------------------------------------------------

write_https_config() {
  local file=$1 port=$2 count=${3:-$CPU_PROBES} i
  {
    echo "# $count https probes every $CPU_INTERVAL (written by bench/http_bench.sh)"
    echo "startup_grace: 0s"
    echo "log: {level: error}"
    echo "defaults: {interval: $CPU_INTERVAL, timeout: $CPU_INTERVAL}"
    echo "probes:"
    for ((i = 1; i <= count; i++)); do
      echo "  - {name: https_$i, type: http, url: \"https://127.0.0.1:$port/p/$i\", tls: {ca_file: \"$BENCH_TLS_CERT\"}}"
    done
  } >"$file"
}

# cpu_agent_window MODE PORT: one agent, one window; appends to the arrays of MODE (close,
# keep, bundle). The agent never sees this shell's CA variables, except in mode bundle, where
# SSL_CERT_FILE names the system bundle (as in many images and corporate setups).
cpu_agent_window() {
  local mode=$1 port=$2 config="$BENCH_DIR/https-$1.yaml" pid aport
  local t0 t1 r0 r1 f0 f1 c0 n0 s0 q0 c1 n1 s1 q1
  local envs=(env -u SSL_CERT_FILE -u SSL_CERT_DIR -u CURL_CA_BUNDLE)
  [[ $mode != bundle ]] || envs+=("SSL_CERT_FILE=$SYSTEM_BUNDLE")
  start_agent pid aport "$config" "${envs[@]}"
  sleep "$CPU_WARMUP"
  read -r c0 n0 s0 q0 <<<"$(target_stats https "$port")"
  t0=$(bench_cpu_ticks "$pid")
  read -r r0 f0 <<<"$(bench_agent_runs "$aport")"
  sleep "$CPU_WINDOW"
  t1=$(bench_cpu_ticks "$pid")
  read -r r1 f1 <<<"$(bench_agent_runs "$aport")"
  read -r c1 n1 s1 q1 <<<"$(target_stats https "$port")"
  bench_stop "$pid"
  local n=$((r1 - r0))
  [[ $n -gt 0 ]] || bench_die "the agent ran no https probe in ${CPU_WINDOW}s ($mode)"
  # shellcheck disable=SC2178  # namerefs to the caller's arrays and counters
  local -n _per=cpu_a_${mode} _ticks=cpu_a_${mode}_ticks _runs=cpu_a_${mode}_runs _fails=cpu_a_${mode}_fails
  local -n _conn=cpu_a_${mode}_conn _new=cpu_a_${mode}_new _res=cpu_a_${mode}_res _req=cpu_a_${mode}_req
  _per+=("$(awk -v t=$((t1 - t0)) -v n=$n -v hz="$BENCH_CLK_TCK" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')")
  _ticks=$((_ticks + t1 - t0)) _runs=$((_runs + n)) _fails=$((_fails + f1 - f0))
  # The stats requests themselves: one connection (and one new TLS session) each, subtracted.
  _conn=$((_conn + c1 - c0 - 1)) _new=$((_new + n1 - n0 - 1)) _res=$((_res + s1 - s0)) _req=$((_req + q1 - q0))
  bench_log "agent, $mode target: ${_per[-1]} ms per 1000 ($n probes, $((f1 - f0)) failed," \
    "$((t1 - t0)) ticks; target saw $((c1 - c0 - 1)) connections, $((n1 - n0 - 1)) full and" \
    "$((s1 - s0)) resumed TLS handshakes, $((q1 - q0)) requests)"
}

# cpu_blackbox_window MODE PORT BBPORT BBPID: RUNS x BLACKBOX_PER_WINDOW /probe requests.
cpu_blackbox_window() {
  local mode=$1 port=$2 bbport=$3 bbpid=$4 url t0 t1 ok c0 n0 s0 q0 c1 n1 s1 q1
  url="http://127.0.0.1:$bbport/probe?module=https_2xx&target=https%3A%2F%2F127.0.0.1%3A$port%2Fbb&n=[1-$BLACKBOX_PER_WINDOW]"
  read -r c0 n0 s0 q0 <<<"$(target_stats https "$port")"
  t0=$(bench_cpu_ticks "$bbpid")
  ok=$(curl -s --max-time 300 --parallel --parallel-max 4 "$url" 2>/dev/null | grep -c '^probe_success 1')
  t1=$(bench_cpu_ticks "$bbpid")
  read -r c1 n1 s1 q1 <<<"$(target_stats https "$port")"
  [[ $ok -eq $BLACKBOX_PER_WINDOW ]] ||
    bench_die "blackbox_exporter ($mode target): $ok of $BLACKBOX_PER_WINDOW probes succeeded"
  # shellcheck disable=SC2178  # namerefs to the caller's arrays and counters
  local -n _per=cpu_b_${mode} _ticks=cpu_b_${mode}_ticks _runs=cpu_b_${mode}_runs
  local -n _conn=cpu_b_${mode}_conn _new=cpu_b_${mode}_new _res=cpu_b_${mode}_res _req=cpu_b_${mode}_req
  _per+=("$(awk -v t=$((t1 - t0)) -v n="$ok" -v hz="$BENCH_CLK_TCK" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')")
  _ticks=$((_ticks + t1 - t0)) _runs=$((_runs + ok))
  _conn=$((_conn + c1 - c0 - 1)) _new=$((_new + n1 - n0 - 1)) _res=$((_res + s1 - s0)) _req=$((_req + q1 - q0))
  bench_log "blackbox, $mode target: ${_per[-1]} ms per 1000 ($ok probes, $((t1 - t0)) ticks;" \
    "target saw $((c1 - c0 - 1)) connections, $((n1 - n0 - 1)) full and $((s1 - s0)) resumed TLS handshakes)"
}

measure_cpu() {
  step "1. CPU per 1,000 HTTPS probes: utime+stime from /proc/PID/stat, $RUNS rounds, alternating"
  local close_pid close_port keep_pid keep_port bbpid bbport i mode
  bench_pick_port close_port
  bench_pick_port keep_port
  start_target close_pid "$close_port" "$BENCH_DIR/target-close.log" \
    --tls-cert "$BENCH_TLS_CERT" --tls-key "$BENCH_TLS_KEY" --close
  start_target keep_pid "$keep_port" "$BENCH_DIR/target-keep.log" \
    --tls-cert "$BENCH_TLS_CERT" --tls-key "$BENCH_TLS_KEY"
  write_https_config "$BENCH_DIR/https-close.yaml" "$close_port"
  write_https_config "$BENCH_DIR/https-keep.yaml" "$keep_port"
  write_https_config "$BENCH_DIR/https-bundle.yaml" "$close_port" "$BUNDLE_PROBES"
  bench_show "env -u SSL_CERT_FILE -u SSL_CERT_DIR -u CURL_CA_BUNDLE $AGENT --config $BENCH_DIR/https-{close,keep}.yaml --listen 127.0.0.1:PORT" \
    "    # $CPU_PROBES probes like: $(sed -n '6p' "$BENCH_DIR/https-close.yaml" | sed 's/^ *- //')"
  [[ ! -s "$SYSTEM_BUNDLE" ]] ||
    bench_show "env SSL_CERT_FILE=$SYSTEM_BUNDLE $AGENT --config $BENCH_DIR/https-bundle.yaml ...    # $BUNDLE_PROBES of the same probes, close target"
  # shellcheck disable=SC2034  # filled through namerefs
  local -a cpu_a_close=() cpu_a_keep=() cpu_a_bundle=() cpu_b_close=() cpu_b_keep=()
  local m k
  for m in a_close a_keep a_bundle b_close b_keep; do
    for k in ticks runs fails conn new res req; do local "cpu_${m}_$k=0"; done
  done
  if [[ $HAVE_BLACKBOX -eq 1 ]]; then
    cat >"$BENCH_DIR/blackbox.yml" <<EOF
modules:
  https_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      tls_config:
        ca_file: $BENCH_TLS_CERT
EOF
    bench_pick_port bbport
    bench_cmd "$BLACKBOX" --config.file "$BENCH_DIR/blackbox.yml" --web.listen-address "127.0.0.1:$bbport" --log.level warn
    bench_spawn bbpid "$BENCH_DIR/blackbox.log" "${PRIO[@]}" "$BLACKBOX" --config.file "$BENCH_DIR/blackbox.yml" \
      --web.listen-address "127.0.0.1:$bbport" --log.level warn
    bench_wait_http "http://127.0.0.1:$bbport/metrics" 10 || {
      cat "$BENCH_DIR/blackbox.log" >&2
      bench_die "blackbox_exporter does not answer on 127.0.0.1:$bbport"
    }
    bench_cmd curl -s --parallel --parallel-max 4 \
      "http://127.0.0.1:$bbport/probe?module=https_2xx&target=https%3A%2F%2F127.0.0.1%3APORT%2Fbb&n=[1-$BLACKBOX_PER_WINDOW]"
    curl -s "http://127.0.0.1:$bbport/probe?module=https_2xx&target=https%3A%2F%2F127.0.0.1%3A$close_port%2Fbb" |
      grep -q '^probe_success 1' || bench_die "blackbox_exporter cannot probe https://127.0.0.1:$close_port/bb"
  fi
  for ((i = 0; i < RUNS; i++)); do
    bench_log "round $((i + 1)) of $RUNS (load average $(bench_loadavg))"
    cpu_agent_window close "$close_port"
    cpu_agent_window keep "$keep_port"
    [[ ! -s "$SYSTEM_BUNDLE" ]] || cpu_agent_window bundle "$close_port"
    if [[ $HAVE_BLACKBOX -eq 1 ]]; then
      cpu_blackbox_window close "$close_port" "$bbport" "$bbpid"
      cpu_blackbox_window keep "$keep_port" "$bbport" "$bbpid"
    fi
  done
  [[ $HAVE_BLACKBOX -eq 0 ]] || bench_stop "$bbpid"
  bench_stop "$close_pid" "$keep_pid"
  for m in a_close a_keep a_bundle b_close b_keep; do
    local -n arr=cpu_$m
    if [[ ${#arr[@]} -gt 0 ]]; then
      R[cpu_$m]=$(bench_median "${arr[@]}")
      R[cpu_${m}_min]=$(bench_min "${arr[@]}")
      R[cpu_${m}_max]=$(bench_max "${arr[@]}")
    fi
    unset -n arr
    for k in ticks runs fails conn new res req; do
      local -n v=cpu_${m}_$k
      R[cpu_${m}_$k]=$v
      unset -n v
    done
  done
}

# --- 2. scale: 2,000 HTTP targets every 10 s on one core -------------------------------------------

# jitter LOG T0 T1: "p50 p99 max n width_ms mean" of |interval - 10 s| in ms over the arrivals
# in [T0, T1] (unix ms), the width of the burst (the phase range of the starts in a cycle), and
# the mean of the signed interval - 10 s (the drift per cycle).
jitter() {
  local log=$1 t0=$2 t1=$3
  awk -v t0="$t0" -v t1="$t1" -v iv=$((SCALE_INTERVAL_S * 1000)) '
    $1 >= t0 && $1 <= t1 {
      if ($2 in last) print "d", $1 - last[$2] - iv
      last[$2] = $1
      if (!ref) ref = $1
      ph = ($1 - ref) % iv; if (ph < 0) ph += iv
      print "p", ph
    }' "$log" >"$BENCH_DIR/jitter.txt"
  local p50 p99 max n hi mean
  n=$(grep -c '^d' "$BENCH_DIR/jitter.txt")
  p50=$(awk '$1 == "d" {print ($2 < 0 ? -$2 : $2)}' "$BENCH_DIR/jitter.txt" | bench_percentile 50)
  p99=$(awk '$1 == "d" {print ($2 < 0 ? -$2 : $2)}' "$BENCH_DIR/jitter.txt" | bench_percentile 99)
  max=$(awk '$1 == "d" {print ($2 < 0 ? -$2 : $2)}' "$BENCH_DIR/jitter.txt" | bench_percentile 100)
  mean=$(awk '$1 == "d" {s += $2; n++} END {printf "%.1f", n ? s / n : 0}' "$BENCH_DIR/jitter.txt")
  # The phases, with the first arrival of the window as 0: the burst spans [0, width] unless
  # the window started mid-burst, so take the smallest arc that holds all phases.
  read -r _ hi <<<"$(awk '$1 == "p" {print $2}' "$BENCH_DIR/jitter.txt" | sort -g |
    awk -v iv=$((SCALE_INTERVAL_S * 1000)) '{v[NR] = $1} END {
      best = v[NR] - v[1]; s = 1
      for (i = 2; i <= NR; i++) if (v[i - 1] + iv - v[i] < best) {best = v[i - 1] + iv - v[i]; s = i}
      print s, best}')"
  printf '%.1f %.1f %.1f %d %.0f %s\n' "$p50" "$p99" "$max" "$n" "$hi" "$mean"
}

measure_scale() {
  step "2. scale: $SCALE_TARGETS HTTP targets every ${SCALE_INTERVAL_S}s, agent on one core (taskset -c 0), $SCALE_RUNS runs of ${SCALE_WINDOW}s"
  local ports=() p i list config="$BENCH_DIR/scale.yaml" tpid
  for ((i = 0; i < SCALE_PORTS; i++)); do
    bench_pick_port p
    ports+=("$p")
  done
  list=$(IFS=,; echo "${ports[*]}")
  {
    echo "# $SCALE_TARGETS http probes every ${SCALE_INTERVAL_S}s (written by bench/http_bench.sh)"
    echo "startup_grace: 0s"
    echo "log: {level: error}"
    echo "defaults: {interval: ${SCALE_INTERVAL_S}s, timeout: 5s}"
    echo "probes:"
    for ((i = 0; i < SCALE_TARGETS; i++)); do
      echo "  - {name: t_$i, type: http, url: \"http://127.0.0.1:${ports[i % SCALE_PORTS]}/t/$i\"}"
    done
  } >"$config"
  local cores
  cores=$(nproc)
  local pin_target=() pin_agent=(taskset -c 0)
  [[ $cores -lt 2 ]] || pin_target=(taskset -c 1)
  # shellcheck disable=SC2034
  local -a s_cpu=() s_anon=() s_file=() s_rss=() s_hwm=() s_p50=() s_p99=() s_max=() s_width=() s_rate=() s_mean=() s_perprobe=()
  local apid aport t0 t1 r0 r1 f0 f1 w0 w1 out anon file rss hwm all_fails=0 all_n=0
  bench_show "${pin_target[*]} node bench/http_target.js --ports PORT1,...,PORT$SCALE_PORTS --log ARRIVALS"
  bench_show "${pin_agent[*]} $AGENT --config $config --listen 127.0.0.1:PORT" \
    "    # $SCALE_TARGETS probes like: $(sed -n '6p' "$config" | sed 's/^ *- //')"
  for ((i = 0; i < SCALE_RUNS; i++)); do
    rm -f "$BENCH_DIR/arrivals.log"
    bench_spawn tpid "$BENCH_DIR/target-scale.log" "${PRIO[@]}" "${pin_target[@]}" node "$BENCH/http_target.js" \
      --ports "$list" --log "$BENCH_DIR/arrivals.log"
    bench_wait_http "http://127.0.0.1:${ports[0]}/__stats" 10 || bench_die "the scale target does not start"
    start_agent apid aport "$config" "${pin_agent[@]}"
    # An idle agent (probes: []) beside it: the floor the per-probe memory is counted from.
    local ipid _iport
    start_agent ipid _iport "$BENCH/configs/idle.yaml"
    sleep "$SCALE_SETTLE"
    t0=$(bench_cpu_ticks "$apid")
    w0=$(date +%s%3N)
    read -r r0 f0 <<<"$(bench_agent_runs "$aport")"
    sleep "$SCALE_WINDOW"
    t1=$(bench_cpu_ticks "$apid")
    w1=$(date +%s%3N)
    read -r anon file rss <<<"$(bench_mem "$apid")"
    hwm=$(bench_mem_hwm "$apid")
    local idle_anon
    read -r idle_anon _ _ <<<"$(bench_mem "$ipid")"
    bench_stop "$ipid"
    read -r r1 f1 <<<"$(bench_agent_runs "$aport")"
    # Why runs failed, by reason, over the whole run (for the notes).
    curl -s --max-time 10 "http://127.0.0.1:$aport/metrics" | awk '/^agent_probe_failures_total[{]/ {
      r = $1; sub(/.*reason="/, "", r); sub(/".*/, "", r); n[r] += $NF} END {for (k in n) printf "%s %d, ", k, n[k]}' \
      >"$BENCH_DIR/reasons-$i.txt"
    bench_stop "$apid"
    bench_stop "$tpid"
    out=$(jitter "$BENCH_DIR/arrivals.log" "$w0" "$w1")
    local p50 p99 max n width mean
    read -r p50 p99 max n width mean <<<"$out"
    s_cpu+=("$(awk -v t=$((t1 - t0)) -v hz="$BENCH_CLK_TCK" -v w=$((w1 - w0)) 'BEGIN {printf "%.1f", t / hz / (w / 1000) * 100}')")
    s_perprobe+=("$(awk -v a="$anon" -v i="$idle_anon" -v n="$SCALE_TARGETS" 'BEGIN {printf "%.1f", (a - i) / n}')")
    s_anon+=("$anon") s_file+=("$file") s_rss+=("$rss") s_hwm+=("$hwm")
    s_p50+=("$p50") s_p99+=("$p99") s_max+=("$max") s_width+=("$width") s_mean+=("$mean")
    s_rate+=("$(awk -v n=$((r1 - r0)) -v w=$((w1 - w0)) 'BEGIN {printf "%.1f", n / (w / 1000)}')")
    all_fails=$((all_fails + f1 - f0)) all_n=$((all_n + r1 - r0))
    if [[ $n -eq 0 ]]; then
      bench_log "arrivals logged: $(wc -l <"$BENCH_DIR/arrivals.log"), window $w0-$w1 ms; target log:"
      cat "$BENCH_DIR/target-scale.log" >&2
      bench_die "no probe interval seen at the target in run $((i + 1))"
    fi
    [[ ! -s "$BENCH_DIR/reasons-$i.txt" ]] || note "scale run $((i + 1)): failed runs since start by reason: $(cat "$BENCH_DIR/reasons-$i.txt")"
    bench_log "scale run $((i + 1)): CPU ${s_cpu[-1]}% of one core, ${s_rate[-1]} probes/s" \
      "($((r1 - r0)) runs, $((f1 - f0)) failed), RssAnon ${anon} kB, RssFile ${file} kB, VmHWM ${hwm} kB;" \
      "jitter |interval - 10 s| p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, mean signed ${mean} ms ($n intervals);" \
      "burst ${width} ms; failures since start: $(cat "$BENCH_DIR/reasons-$i.txt")" \
      "(load average $(bench_loadavg))"
  done
  local k
  for k in cpu anon file rss hwm p50 p99 max width rate mean perprobe; do
    local -n arr=s_$k
    R[scale_$k]=$(bench_median "${arr[@]}")
    R[scale_${k}_min]=$(bench_min "${arr[@]}")
    R[scale_${k}_max]=$(bench_max "${arr[@]}")
    unset -n arr
  done
  R[scale_fails]=$all_fails R[scale_runs]=$all_n
  [[ $all_fails -eq 0 ]] || note "scale: $all_fails of $all_n probe runs failed in the windows"
}

# --- the table -------------------------------------------------------------------------------

num() { awk -v v="$1" -v f="$2" 'BEGIN {printf f, v}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
ROW_FMT="%-46s | %-22s | %-22s | %-7s | %-7s | %s\n"
# shellcheck disable=SC2059  # the format is a constant
row() { printf "$ROW_FMT" "$@"; }
rule() { printf '%s\n' "$(printf '%.0s-' {1..140})"; }
mr() { echo "$(num "${R[$1]}" "$2") ($(num "${R[${1}_min]}" "$2")-$(num "${R[${1}_max]}" "$2"))"; }
verdict() { if "$@"; then echo "met"; else echo "NOT MET"; fi; }
per_probe() { awk -v a="$1" -v n="$2" 'BEGIN {printf (n > 0 ? "%.2f" : "n/a"), (n > 0 ? a / n : 0)}'; }

print_table() {
  echo
  echo "== bench/http_bench.sh: $AGENT_VERSION; $(nproc) CPUs; load average $(bench_loadavg) at the end; $(date -u '+%Y-%m-%d %H:%M UTC') =="
  rule
  row "measurement" "agent" "blackbox_exporter" "ratio" "target" "result"
  rule
  [[ " $PARTS " != *" cpu "* ]] || table_cpu
  [[ " $PARTS " != *" scale "* ]] || table_scale
  echo "How to read it:"
  echo "- medians of $RUNS rounds (1) and $SCALE_RUNS runs (2), (min-max); ratio = agent / blackbox_exporter."
  echo "  Processes under test ran with: ${PRIO[*]:-default priority}."
  [[ " $PARTS " != *" cpu "* ]] || notes_cpu
  [[ " $PARTS " != *" scale "* ]] || notes_scale
  local n
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
}

table_cpu() {
  local r m
  if [[ $HAVE_BLACKBOX -eq 1 ]]; then
    r=$(bench_div "${R[cpu_a_close]}" "${R[cpu_b_close]}")
    row "1 CPU ms / 1000 HTTPS probes, new connection" "$(mr cpu_a_close %.0f)" "$(mr cpu_b_close %.0f)" "$r" "<= 0.50" "$(verdict bench_le "$r" 0.5)"
    r=$(bench_div "${R[cpu_a_keep]}" "${R[cpu_b_keep]}")
    row "1 CPU ms / 1000 HTTPS probes, keep-alive" "$(mr cpu_a_keep %.0f)" "$(mr cpu_b_keep %.0f)" "$r" "<= 0.50" "$(verdict bench_le "$r" 0.5)"
  else
    row "1 CPU ms / 1000 HTTPS probes, new connection" "$(mr cpu_a_close %.0f)" "(not installed)" "" "<= 0.50" ""
    row "1 CPU ms / 1000 HTTPS probes, keep-alive" "$(mr cpu_a_keep %.0f)" "(not installed)" "" "<= 0.50" ""
  fi
  if [[ -n "${R[cpu_a_bundle]:-}" ]]; then
    if [[ $HAVE_BLACKBOX -eq 1 ]]; then
      row "1 same, new connection, SSL_CERT_FILE=bundle" "$(mr cpu_a_bundle %.0f)" "$(mr cpu_b_close %.0f)" \
        "$(bench_div "${R[cpu_a_bundle]}" "${R[cpu_b_close]}")" "" ""
    else
      row "1 same, new connection, SSL_CERT_FILE=bundle" "$(mr cpu_a_bundle %.0f)" "" "" "" ""
    fi
  fi
  for m in close keep; do
    local label="new connection" bb=""
    [[ $m == close ]] || label="keep-alive"
    [[ $HAVE_BLACKBOX -eq 0 ]] ||
      bb="$(per_probe "${R[cpu_b_${m}_conn]}" "${R[cpu_b_${m}_runs]}") / $(per_probe "${R[cpu_b_${m}_new]}" "${R[cpu_b_${m}_runs]}") / $(per_probe "${R[cpu_b_${m}_res]}" "${R[cpu_b_${m}_runs]}")"
    row "  per probe, $label: conn / full TLS / resumed" \
      "$(per_probe "${R[cpu_a_${m}_conn]}" "${R[cpu_a_${m}_req]}") / $(per_probe "${R[cpu_a_${m}_new]}" "${R[cpu_a_${m}_req]}") / $(per_probe "${R[cpu_a_${m}_res]}" "${R[cpu_a_${m}_req]}")" \
      "$bb" "" "" ""
  done
  rule
}

table_scale() {
  row "2 CPU, % of one core (taskset -c 0)" "$(mr scale_cpu %.1f)" "" "" "" ""
  row "2 probes/s achieved (2000 / 10 s = 200)" "$(mr scale_rate %.1f)" "" "" "" ""
  row "2 RssAnon" "$(mib "${R[scale_anon]}") ($(num "${R[scale_anon_min]}" %.0f)-$(num "${R[scale_anon_max]}" %.0f) kB)" "" "" "" ""
  row "2 RssFile" "$(mib "${R[scale_file]}") ($(num "${R[scale_file_min]}" %.0f)-$(num "${R[scale_file_max]}" %.0f) kB)" "" "" "" ""
  row "2 RssAnon per probe, above an idle agent, kB" "$(mr scale_perprobe %.1f)" "" "" "" ""
  row "2 VmRSS / VmHWM (peak)" "$(mib "${R[scale_rss]}") / $(mib "${R[scale_hwm]}")" "" "" "" ""
  row "2 start jitter |interval - 10 s| p50, ms" "$(mr scale_p50 %.1f)" "" "" "" ""
  row "2 start jitter p99, ms" "$(mr scale_p99 %.1f)" "" "" "" ""
  row "2 start jitter max, ms" "$(mr scale_max %.1f)" "" "" "" ""
  row "2 mean interval - 10 s (drift per cycle), ms" "$(mr scale_mean %.1f)" "" "" "" ""
  row "2 burst: starts of one cycle fall within, ms" "$(mr scale_width %.0f)" "" "" "" ""
  rule
}

notes_cpu() {
  echo "- 1: the agent runs $CPU_PROBES https probes every $CPU_INTERVAL against bench/http_target.js (Node.js, P-256 certificate),"
  echo "  one ${CPU_WINDOW}s window after ${CPU_WARMUP}s per round and target; its utime+stime (all threads) / agent_probe_runs_total"
  echo "  (one /metrics scrape per window included). blackbox_exporter: $BLACKBOX_PER_WINDOW /probe requests per round (curl, 4 in"
  echo "  parallel), counted from the answers that say probe_success 1; its CPU includes serving each /probe request and"
  echo "  rendering its metrics, as it is always used. The target counts what happened on the wire: connections, full and"
  echo "  resumed TLS handshakes per request. blackbox_exporter makes a new connection with a full handshake per probe even"
  echo "  when the server allows keep-alive; the agent keeps one connection per probe when allowed, and when the server closes"
  echo "  it, reconnects resuming its TLS session (libcurl's session cache) where the server allows."
  echo "  The agent runs without this shell's SSL_CERT_FILE/SSL_CERT_DIR/CURL_CA_BUNDLE, except in the 'SSL_CERT_FILE=bundle' row:"
  echo "  $BUNDLE_PROBES probes every $CPU_INTERVAL with SSL_CERT_FILE=$SYSTEM_BUNDLE ($(grep -c 'BEGIN CERT' "$SYSTEM_BUNDLE" 2>/dev/null) certificates), parsed once per process"
  echo "  and added to the trust store of every new connection (${R[cpu_a_bundle_runs]:-0} probes, ${R[cpu_a_bundle_ticks]:-0} ticks, ${R[cpu_a_bundle_fails]:-0} failed)."
  echo "  Ticks (${BENCH_CLK_TCK} Hz) behind the figures: agent ${R[cpu_a_close_ticks]} / ${R[cpu_a_keep_ticks]}," \
    "blackbox ${R[cpu_b_close_ticks]} / ${R[cpu_b_keep_ticks]} (new / keep-alive); probes ${R[cpu_a_close_runs]} / ${R[cpu_a_keep_runs]}," \
    "${R[cpu_b_close_runs]} / ${R[cpu_b_keep_runs]}; failed agent runs ${R[cpu_a_close_fails]} / ${R[cpu_a_keep_fails]}."
}

notes_scale() {
  echo "- 2: $SCALE_TARGETS http probes (${SCALE_PORTS} ports x $((SCALE_TARGETS / SCALE_PORTS)) paths of one Node.js target, keep-alive) every ${SCALE_INTERVAL_S}s; the"
  echo "  agent pinned to CPU 0, the target to CPU 1; ${SCALE_WINDOW}s windows after ${SCALE_SETTLE}s. CPU = utime+stime / wall time."
  echo "  Memory read at the end of the window. Jitter: per target, |interval between two consecutive request arrivals"
  echo "  at the target - ${SCALE_INTERVAL_S} s| (the scheduler starts each run one interval after the previous start);"
  echo "  the burst is the smallest arc of the ${SCALE_INTERVAL_S}-s cycle holding every arrival (first runs are spread over 1 s)."
  echo "  ${R[scale_runs]} probe runs in the windows, ${R[scale_fails]} failed."
}

# --- main ------------------------------------------------------------------------------------

bench_init
bench_spawn WATCHDOG_PID /dev/null bash -c "sleep $TIME_LIMIT; kill -TERM $$"
setup
echo "bench: load average at the start: $(bench_loadavg)" >&2
[[ " $PARTS " != *" cpu "* ]] || measure_cpu
[[ " $PARTS " != *" scale "* ]] || measure_scale
step "done"
print_table
echo
echo "bench: finished in $(elapsed)s"
