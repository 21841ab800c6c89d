#!/usr/bin/env bash
# The agent's core benchmark, against the tools it replaces, on loopback only, in about five
# minutes: memory (idle, default probe set, blackbox_exporter), CPU time per 1,000 probes by
# type, /health under load (wrk, agent versus a Node.js in-app health endpoint) and `agent
# --check` versus curl (hyperfine). Prints every command it runs, then one table of medians
# over repeated runs with ratios and targets (met / not met). See bench/README.md.
#
#   bash bench/core_bench.sh
#
# Installs what is missing (Debian packages with apt-get, as root; npm packages in
# bench/node_health), builds the agent into build-bench/ unless AGENT_BIN names one, starts
# throwaway PostgreSQL and Redis servers, and stops every process it started on exit, also on
# failure or Ctrl-C. Exits 0 when every measurement ran (whatever the targets say), 1 otherwise.
#
# Environment: AGENT_BIN (skip the build), BENCH_RUNS (repetitions, default 5),
# BENCH_WRK_DURATION (default 10s), BENCH_TIME_LIMIT (seconds before giving up, default 900).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"

RUNS=${BENCH_RUNS:-5}
WRK_DURATION=${BENCH_WRK_DURATION:-10s}
TIME_LIMIT=${BENCH_TIME_LIMIT:-900}
MEMORY_AFTER=20        # seconds of running before memory is read
CPU_WARMUP=2           # seconds before the first CPU window (start jitter settles)
CPU_WINDOW=3           # seconds per CPU window
BLACKBOX_PER_WINDOW=2000
BLACKBOX=/usr/bin/prometheus-blackbox-exporter

declare -A R=()        # results by key
NOTES=()               # remarks printed under the table
START_NS=$(date +%s%N)
STEP=""

step() {
  STEP=$1
  echo >&2
  echo "==> $1 ($(elapsed)s)" >&2
}
elapsed() { echo $((($(date +%s%N) - START_NS) / 1000000000)); }
note() { NOTES+=("$*"); }

on_exit() {
  local rc=$?
  set +e
  trap '' INT TERM
  bench_cleanup
  if [[ $rc -ne 0 ]]; then
    echo "bench: FAILED during '${STEP:-start}' (exit status $rc) after $(elapsed)s" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'echo "bench: terminated (time limit ${TIME_LIMIT}s or signal)" >&2; exit 143' TERM

# --- setup -----------------------------------------------------------------------------------

setup_tools() {
  step "tools"
  bench_require "$BLACKBOX:prometheus-blackbox-exporter" wrk:wrk hyperfine:hyperfine \
    redis-server:redis-server redis-cli:redis-tools '/usr/lib/postgresql/*/bin/postgres:postgresql' \
    curl:curl jq:jq node:nodejs npm:npm openssl:openssl ss:iproute2 cmake:cmake ninja:ninja-build
}

setup_agent() {
  step "agent binary"
  if [[ -n "${AGENT_BIN:-}" ]]; then
    AGENT=$AGENT_BIN
  else
    local build=$ROOT/build-bench
    AGENT=$build/bin/agent
    # Warnings are the CI's business (GCC 12 reports false -Wrestrict errors at -O2 in some
    # std::string code); the benchmark measures the Release code, so -Werror is off here.
    bench_cmd cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DAGENT_BUILD_TESTS=OFF -DAGENT_WERROR=OFF
    bench_cmd ninja -C "$build" agent
    { cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGENT_BUILD_TESTS=OFF \
      -DAGENT_WERROR=OFF >"$BENCH_DIR/build.log" 2>&1 &&
      timeout 900 ninja -C "$build" agent >>"$BENCH_DIR/build.log" 2>&1; } || {
      grep -E "error|FAILED" "$BENCH_DIR/build.log" | head -n 20 >&2
      bench_die "building the agent failed (log above)"
    }
  fi
  [[ -x "$AGENT" ]] || bench_die "no agent binary at $AGENT"
  AGENT_VERSION=$("$AGENT" --version 2>&1 | head -n 1)
  bench_log "$AGENT_VERSION ($AGENT)"
  # The default probe interval, which the blackbox_exporter driver loop must match.
  DEFAULT_INTERVAL=$("$AGENT" --print-default-config |
    awk '/^defaults:/ {d = 1} d && $1 == "interval:" {print $2; exit}')
  case "$DEFAULT_INTERVAL" in
    *ms) DEFAULT_INTERVAL_S=$(awk -v v="${DEFAULT_INTERVAL%ms}" 'BEGIN {print v / 1000}') ;;
    *s) DEFAULT_INTERVAL_S=${DEFAULT_INTERVAL%s} ;;
    *m) DEFAULT_INTERVAL_S=$((${DEFAULT_INTERVAL%m} * 60)) ;;
    *) DEFAULT_INTERVAL_S=15 ;;
  esac
}

setup_servers() {
  step "servers: PostgreSQL, Redis, HTTPS API stand-in, Node.js health app"
  bench_start_postgres
  bench_start_redis
  bench_log "postgres on 127.0.0.1:$BENCH_PG_PORT, redis on 127.0.0.1:$BENCH_REDIS_PORT" \
    "(passwords in \$BENCH_PG_URL / \$BENCH_REDIS_URL)"
  bench_make_cert
  sed "s/@REDIS_PASSWORD@/$BENCH_REDIS_PASSWORD/" "$BENCH/configs/blackbox.yml.in" \
    >"$BENCH_DIR/blackbox.yml"
  chmod 0600 "$BENCH_DIR/blackbox.yml"
  "$BLACKBOX" --config.file "$BENCH_DIR/blackbox.yml" --config.check >"$BENCH_DIR/bbcheck.log" 2>&1 ||
    {
      cat "$BENCH_DIR/bbcheck.log" >&2
      bench_die "blackbox_exporter refuses its config"
    }

  bench_show "(cd bench/node_health && npm install --no-audit --no-fund)"
  (cd "$BENCH/node_health" && timeout 300 npm install --no-audit --no-fund) \
    >"$BENCH_DIR/npm.log" 2>&1 || {
    tail -n 20 "$BENCH_DIR/npm.log" >&2
    bench_die "npm install failed in bench/node_health"
  }
}

# --- agents and blackbox instances ------------------------------------------------------------

# start_agent VAR_PID VAR_PORT KIND [CONFIG]: KIND idle (configs/idle.yaml), default (the
# built-in default config with DATABASE_URL and REDIS_URL set) or file (CONFIG).
start_agent() {
  local -n _sa_pid=$1 _sa_port=$2
  local kind=$3 config=${4:-} log
  bench_pick_port _sa_port
  log="$BENCH_DIR/agent-$_sa_port.log"
  case "$kind" in
    idle) bench_spawn _sa_pid "$log" "$AGENT" --config "$BENCH/configs/idle.yaml" \
      --listen "127.0.0.1:$_sa_port" ;;
    default) bench_spawn _sa_pid "$log" env DATABASE_URL="$BENCH_PG_URL" \
      REDIS_URL="$BENCH_REDIS_URL" AGENT_STARTUP_GRACE=0s "$AGENT" --listen "127.0.0.1:$_sa_port" ;;
    file) bench_spawn _sa_pid "$log" env BENCH_PG_URL="$BENCH_PG_URL" \
      BENCH_REDIS_URL="$BENCH_REDIS_URL" "$AGENT" --config "$config" --listen "127.0.0.1:$_sa_port" ;;
  esac
  bench_wait_http "http://127.0.0.1:$_sa_port/livez" 10 || {
    cat "$log" >&2
    bench_die "the agent ($kind) does not answer on 127.0.0.1:$_sa_port"
  }
}

start_blackbox() {
  local -n _sb_pid=$1 _sb_port=$2
  bench_pick_port _sb_port
  bench_spawn _sb_pid "$BENCH_DIR/blackbox-$_sb_port.log" "$BLACKBOX" \
    --config.file "$BENCH_DIR/blackbox.yml" --web.listen-address "127.0.0.1:$_sb_port" \
    --log.level warn
  bench_wait_http "http://127.0.0.1:$_sb_port/metrics" 10 || {
    cat "$BENCH_DIR/blackbox-$_sb_port.log" >&2
    bench_die "blackbox_exporter does not answer on 127.0.0.1:$_sb_port"
  }
}

probe_url() { echo "http://127.0.0.1:$1/probe?module=$2&target=127.0.0.1:$3"; }

# write_probe_config FILE TYPE COUNT INTERVAL: COUNT probes of TYPE, secrets from the environment.
write_probe_config() {
  local file=$1 type=$2 count=$3 interval=$4 i
  {
    echo "# $count $type probes every $interval (written by bench/core_bench.sh)"
    echo "startup_grace: 0s"
    echo "log: {level: error}"
    echo "defaults: {interval: $interval, timeout: $interval}"
    echo "probes:"
    for ((i = 1; i <= count; i++)); do
      case "$type" in
        redis) echo "  - {name: redis_$i, type: redis, url: \"\${BENCH_REDIS_URL}\"}" ;;
        postgres) echo "  - {name: postgres_$i, type: postgres, url: \"\${BENCH_PG_URL}\"}" ;;
        *) echo "  - {name: ${type}_$i, type: $type}" ;;
      esac
    done
  } >"$file"
}

# --- 1. memory -------------------------------------------------------------------------------

# summarize PREFIX NAME...: R[PREFIX_NAME] and R[PREFIX_NAME_min], R[PREFIX_NAME_max] from the
# caller's array NAME: its median and range.
summarize() {
  local prefix=$1 name
  shift
  for name in "$@"; do
    local -n values=$name
    R[${prefix}_$name]=$(bench_median "${values[@]}")
    R[${prefix}_${name}_min]=$(bench_min "${values[@]}")
    R[${prefix}_${name}_max]=$(bench_max "${values[@]}")
    unset -n values
  done
}

measure_memory() {
  step "1. memory: $RUNS idle agents, $RUNS agents with the default probes, $RUNS blackbox_exporters, read after ${MEMORY_AFTER}s"
  local i pid port started idle=() dflt=() dflt_ports=() bb=() drivers=() floor=() line
  local floor_bin="$BENCH_DIR/pq_floor"
  bench_cmd cc -O2 bench/pq_floor.c $(pkg-config --cflags --libs libpq) -o "$floor_bin"
  # shellcheck disable=SC2046  # pkg-config prints separate flags
  cc -O2 "$BENCH/pq_floor.c" $(pkg-config --cflags --libs libpq) -o "$floor_bin" ||
    bench_die "cannot build bench/pq_floor.c"
  bench_show "$AGENT --config bench/configs/idle.yaml --listen 127.0.0.1:PORT"
  bench_show "env DATABASE_URL=\$BENCH_PG_URL REDIS_URL=\$BENCH_REDIS_URL AGENT_STARTUP_GRACE=0s" \
    "$AGENT --listen 127.0.0.1:PORT    # the built-in default config"
  bench_show "$BLACKBOX --config.file $BENCH_DIR/blackbox.yml --web.listen-address 127.0.0.1:PORT" \
    "--log.level warn    # blackbox.yml: bench/configs/blackbox.yml.in with the Redis password"
  bench_show "env GNUTLS_NO_IMPLICIT_INIT=1 BENCH_PG_URL=\$BENCH_PG_URL $floor_bin $DEFAULT_INTERVAL_S    # libpq alone: the floor"
  echo "  \$ while :; do curl -s '$(probe_url PORT tcp_connect "$BENCH_PG_PORT")';" \
    "curl -s '$(probe_url PORT redis_ping "$BENCH_REDIS_PORT")'; sleep $DEFAULT_INTERVAL_S; done" >&2
  started=$(date +%s%N)
  for ((i = 0; i < RUNS; i++)); do
    start_agent pid port idle && idle+=("$pid")
    start_agent pid port default && dflt+=("$pid") && dflt_ports+=("$port")
    start_blackbox pid port && bb+=("$pid")
    bench_spawn pid "$BENCH_DIR/pq_floor-$i.log" env GNUTLS_NO_IMPLICIT_INIT=1 \
      BENCH_PG_URL="$BENCH_PG_URL" "$floor_bin" \
      "$DEFAULT_INTERVAL_S" && floor+=("$pid")
    # Blackbox only probes when asked: one request per target per default interval.
    bench_spawn pid "$BENCH_DIR/driver-$port.log" bash -c "while :; do
      curl -s --max-time 10 '$(probe_url "$port" tcp_connect "$BENCH_PG_PORT")' | grep '^probe_success'
      curl -s --max-time 10 '$(probe_url "$port" redis_ping "$BENCH_REDIS_PORT")' | grep '^probe_success'
      sleep $DEFAULT_INTERVAL_S
    done"
    drivers+=("$pid")
  done
  sleep "$(awk -v s="$started" -v now="$(date +%s%N)" -v w="$MEMORY_AFTER" \
    'BEGIN {d = w - (now - s) / 1e9; print (d > 0 ? d : 0)}')"
  local -a idle_anon=() idle_file=() idle_rss=() dflt_anon=() dflt_file=() dflt_rss=()
  local -a bb_anon=() bb_file=() bb_rss=() floor_anon=() floor_file=() floor_rss=()
  local anon file rss runs fails
  for pid in "${idle[@]}"; do
    read -r anon file rss <<<"$(bench_mem "$pid")"
    idle_anon+=("$anon") idle_file+=("$file") idle_rss+=("$rss")
  done
  for pid in "${dflt[@]}"; do
    read -r anon file rss <<<"$(bench_mem "$pid")"
    dflt_anon+=("$anon") dflt_file+=("$file") dflt_rss+=("$rss")
  done
  for pid in "${bb[@]}"; do
    read -r anon file rss <<<"$(bench_mem "$pid")"
    bb_anon+=("$anon") bb_file+=("$file") bb_rss+=("$rss")
  done
  for pid in "${floor[@]}"; do
    read -r anon file rss <<<"$(bench_mem "$pid")"
    floor_anon+=("$anon") floor_file+=("$file") floor_rss+=("$rss")
  done
  [[ $(cat "$BENCH_DIR"/pq_floor-*.log | grep -c '^ok') -ge $RUNS ]] ||
    bench_die "bench/pq_floor.c did not run its queries: $(cat "$BENCH_DIR"/pq_floor-*.log)"
  # Every instance must have done its job, or the figures mean nothing.
  for port in "${dflt_ports[@]}"; do
    read -r runs fails <<<"$(bench_agent_runs "$port")"
    [[ ${runs:-0} -ge 4 ]] || bench_die "an agent with the default probes ran only ${runs:-0} probes in ${MEMORY_AFTER}s"
    [[ ${fails:-0} -eq 0 ]] || note "memory: an agent with the default probes had $fails failed runs"
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]] ||
      note "memory: an agent with the default probes is not ready (/health is not 200)"
  done
  line=$(cat "$BENCH_DIR"/driver-*.log | sort | uniq -c | tr -s ' ' | paste -sd, -)
  grep -q '^probe_success 0' "$BENCH_DIR"/driver-*.log &&
    bench_die "blackbox_exporter probes failed during the memory run: $line"
  [[ $(cat "$BENCH_DIR"/driver-*.log | wc -l) -ge $((RUNS * 2)) ]] ||
    bench_die "the blackbox_exporter drivers did not probe ($line)"
  bench_stop "${drivers[@]}" "${idle[@]}" "${dflt[@]}" "${bb[@]}" "${floor[@]}"
  summarize mem idle_anon idle_file idle_rss dflt_anon dflt_file dflt_rss bb_anon bb_file bb_rss \
    floor_anon floor_file floor_rss
}

# --- 2. CPU per 1,000 probes -------------------------------------------------------------------

# cpu_agent TYPE COUNT INTERVAL: RUNS windows of CPU_WINDOW seconds on one agent.
cpu_agent() {
  local type=$1 count=$2 interval=$3 config="$BENCH_DIR/cpu-$1.yaml" pid port w
  local t0 t1 r0 r1 f0 f1 per=() all_ticks=0 all_runs=0 all_fails=0
  write_probe_config "$config" "$type" "$count" "$interval"
  start_agent pid port file "$config"
  bench_show "env BENCH_PG_URL=... BENCH_REDIS_URL=... $AGENT --config $config --listen 127.0.0.1:$port" \
    "    # $count probes like: $(sed -n '6p' "$config" | sed 's/^ *- //')"
  sleep "$CPU_WARMUP"
  read -r r0 f0 <<<"$(bench_agent_runs "$port")"
  t0=$(bench_cpu_ticks "$pid")
  for ((w = 0; w < RUNS; w++)); do
    sleep "$CPU_WINDOW"
    read -r r1 f1 <<<"$(bench_agent_runs "$port")"
    t1=$(bench_cpu_ticks "$pid")
    [[ $((r1 - r0)) -gt 0 ]] || bench_die "the agent ran no $type probe in ${CPU_WINDOW}s"
    per+=("$(awk -v t=$((t1 - t0)) -v n=$((r1 - r0)) -v hz="$BENCH_CLK_TCK" \
      'BEGIN {printf "%.1f", t * 1000 / hz / n * 1000}')")
    all_ticks=$((all_ticks + t1 - t0))
    all_runs=$((all_runs + r1 - r0))
    all_fails=$((all_fails + f1 - f0))
    t0=$t1 r0=$r1 f0=$f1
  done
  bench_stop "$pid"
  R[cpu_$type]=$(bench_median "${per[@]}")
  R[cpu_${type}_min]=$(bench_min "${per[@]}")
  R[cpu_${type}_max]=$(bench_max "${per[@]}")
  R[cpu_${type}_rate]=$(awk -v n=$all_runs -v s=$((RUNS * CPU_WINDOW)) 'BEGIN {printf "%.0f", n / s}')
  R[cpu_${type}_ticks]=$all_ticks
  bench_log "$type: ${per[*]} ms per 1000 ($all_runs runs, $all_fails failed, $all_ticks ticks)"
  if [[ $all_fails -gt 0 ]]; then
    note "cpu: $all_fails of $all_runs $type runs failed (timeouts included); they are counted as probes."
  fi
}

# cpu_blackbox MODULE PORT: RUNS windows of BLACKBOX_PER_WINDOW probes asked with curl.
cpu_blackbox() {
  local module=$1 target=$2 pid port w t0 t1 ok per=() all_ticks=0
  start_blackbox pid port
  local url
  url="$(probe_url "$port" "$module" "$target")&n=[1-$BLACKBOX_PER_WINDOW]"
  bench_cmd curl -s --parallel --parallel-max 4 "$url"
  curl -s "$(probe_url "$port" "$module" "$target")" >/dev/null # warm-up
  for ((w = 0; w < RUNS; w++)); do
    t0=$(bench_cpu_ticks "$pid")
    ok=$(curl -s --max-time 120 --parallel --parallel-max 4 "$url" 2>/dev/null | grep -c '^probe_success 1')
    t1=$(bench_cpu_ticks "$pid")
    [[ $ok -eq $BLACKBOX_PER_WINDOW ]] ||
      bench_die "blackbox_exporter $module: $ok of $BLACKBOX_PER_WINDOW probes succeeded"
    per+=("$(awk -v t=$((t1 - t0)) -v n="$ok" -v hz="$BENCH_CLK_TCK" \
      'BEGIN {printf "%.1f", t * 1000 / hz / n * 1000}')")
    all_ticks=$((all_ticks + t1 - t0))
  done
  bench_stop "$pid"
  R[cpu_bb_$module]=$(bench_median "${per[@]}")
  R[cpu_bb_${module}_min]=$(bench_min "${per[@]}")
  R[cpu_bb_${module}_max]=$(bench_max "${per[@]}")
  R[cpu_bb_${module}_ticks]=$all_ticks
  bench_log "blackbox $module: ${per[*]} ms per 1000 ($((RUNS * BLACKBOX_PER_WINDOW)) probes, $all_ticks ticks)"
}

measure_cpu() {
  step "2. CPU per 1,000 probes: utime+stime from /proc/PID/stat over $RUNS windows of ${CPU_WINDOW}s"
  cpu_agent redis 100 100ms
  cpu_agent postgres 10 250ms
  cpu_agent cpu 100 100ms
  cpu_agent memory 100 100ms
  # The TCP probe connects to the Redis port: on blackbox_exporter's side a connect costs the
  # same whatever listens, and Postgres forks a backend per connection, which slows the run.
  cpu_blackbox tcp_connect "$BENCH_REDIS_PORT"
  cpu_blackbox redis_ping "$BENCH_REDIS_PORT"
}

# --- 3. /health under load -------------------------------------------------------------------

# wrk_run URL [THREADS]: "requests_per_s p50_ms p99_ms requests non2xx socket_errors" from one
# wrk run with 50 connections on THREADS threads (default 2).
wrk_run() {
  local out
  out=$(wrk -t"${2:-2}" -c50 -d"$WRK_DURATION" --latency "$1" 2>&1) || {
    echo "$out" >&2
    return 1
  }
  echo "$out" >>"$BENCH_DIR/wrk.log"
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist = 1}
    dist && $1 == "50%" {p50 = ms($2)}
    dist && $1 == "99%" {p99 = ms($2)}
    / requests in / {n = $1}
    /^Requests\/sec:/ {rps = $2}
    /Non-2xx or 3xx responses:/ {bad = $NF}
    /Socket errors:/ {gsub(",", ""); errs = $4 + $6 + $8 + $10}
    END {printf "%s %s %s %d %d %d\n", rps, p50, p99, n, bad, errs}' <<<"$out"
}

measure_http() {
  step "3. /health under load: wrk -t2 -c50 -d$WRK_DURATION --latency, $RUNS runs each, alternating"
  local agent_pid agent_port api_pid api_port node_pid node_port i out
  start_agent agent_pid agent_port default
  bench_wait_status "http://127.0.0.1:$agent_port/health" 200 15 ||
    bench_die "the agent with the default probes is not ready: $(curl -s "http://127.0.0.1:$agent_port/readyz?verbose")"

  bench_pick_port api_port
  bench_show "env PORT=$api_port TLS_CERT=$BENCH_TLS_CERT TLS_KEY=$BENCH_TLS_KEY node bench/node_health/api_server.js"
  bench_spawn api_pid "$BENCH_DIR/api.log" env PORT="$api_port" TLS_CERT="$BENCH_TLS_CERT" \
    TLS_KEY="$BENCH_TLS_KEY" node "$BENCH/node_health/api_server.js"
  bench_pick_port node_port
  bench_show "env PORT=$node_port DATABASE_URL=\$BENCH_PG_URL REDIS_URL=\$BENCH_REDIS_URL" \
    "API_URL=https://127.0.0.1:$api_port/v1/models API_CA=$BENCH_TLS_CERT node bench/node_health/server.js"
  bench_spawn node_pid "$BENCH_DIR/node.log" env PORT="$node_port" DATABASE_URL="$BENCH_PG_URL" \
    REDIS_URL="$BENCH_REDIS_URL" API_URL="https://127.0.0.1:$api_port/v1/models" \
    API_CA="$BENCH_TLS_CERT" node "$BENCH/node_health/server.js"
  bench_wait_status "http://127.0.0.1:$node_port/health" 200 20 || {
    cat "$BENCH_DIR/api.log" "$BENCH_DIR/node.log" >&2
    curl -s "http://127.0.0.1:$node_port/health" >&2
    bench_die "the Node.js health app does not answer 200 on /health"
  }
  AGENT_HEALTH_PORT=$agent_port
  AGENT_HEALTH_PID=$agent_pid

  bench_cmd wrk -t2 -c50 -d"$WRK_DURATION" --latency "http://127.0.0.1:$agent_port/health"
  bench_cmd wrk -t2 -c50 -d"$WRK_DURATION" --latency "http://127.0.0.1:$node_port/health"
  # shellcheck disable=SC2034  # filled through the namerefs w_* below
  local -a a_rps=() a_p50=() a_p99=() a_cpu=() n_rps=() n_p50=() n_p99=() n_cpu=()
  local a_bad=0 n_bad=0 rps p50 p99 n bad errs t0 t1 who url pid
  for ((i = 0; i < RUNS; i++)); do
    for who in a n; do
      if [[ $who == a ]]; then url="http://127.0.0.1:$agent_port/health" pid=$agent_pid
      else url="http://127.0.0.1:$node_port/health" pid=$node_pid; fi
      t0=$(bench_cpu_ticks "$pid")
      out=$(wrk_run "$url") || bench_die "wrk against $url failed"
      t1=$(bench_cpu_ticks "$pid")
      read -r rps p50 p99 n bad errs <<<"$out"
      local -n w_rps=${who}_rps w_p50=${who}_p50 w_p99=${who}_p99 w_cpu=${who}_cpu w_bad=${who}_bad
      w_rps+=("$rps") w_p50+=("$p50") w_p99+=("$p99") w_bad=$((w_bad + bad + errs))
      # The server process's own CPU per request (its peers, e.g. Postgres, not included).
      w_cpu+=("$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$BENCH_CLK_TCK" \
        'BEGIN {printf "%.1f", n ? t * 1e6 / hz / n : 0}')")
      unset -n w_rps w_p50 w_p99 w_cpu w_bad
      bench_log "$([[ $who == a ]] && echo "agent" || echo "node ") run $((i + 1)): $rps req/s," \
        "p50 $p50 ms, p99 $p99 ms, $n requests, non-2xx $bad, socket errors $errs"
    done
  done
  [[ $a_bad -eq 0 ]] || note "wrk: the agent answered $a_bad non-2xx responses or socket errors in all"
  [[ $n_bad -eq 0 ]] || note "wrk: Node.js answered $n_bad non-2xx responses or socket errors in all"
  summarize http a_rps a_p50 a_p99 a_cpu n_rps n_p50 n_p99 n_cpu
  # The floor this machine puts under any latency figure: the same load on /livez, which
  # answers "ok" without reading any state.
  bench_cmd wrk -t2 -c50 -d"$WRK_DURATION" --latency "http://127.0.0.1:$agent_port/livez"
  out=$(wrk_run "http://127.0.0.1:$agent_port/livez") || bench_die "wrk against /livez failed"
  read -r rps p50 p99 n bad errs <<<"$out"
  R[http_livez_rps]=$rps R[http_livez_p50]=$p50 R[http_livez_p99]=$p99
  bench_log "agent /livez: ${R[http_livez_rps]} req/s, p50 ${R[http_livez_p50]} ms, p99 ${R[http_livez_p99]} ms"
  # The same 50 connections from one wrk thread: wrk's two threads and the agent's loop thread
  # are three busy threads on this machine's 2 CPUs, so above the agent waits for a CPU for
  # several ms now and then (the p99 of /livez shows it). A load balancer is on another host.
  bench_cmd wrk -t1 -c50 -d"$WRK_DURATION" --latency "http://127.0.0.1:$agent_port/health"
  local -a t1_rps=() t1_p50=() t1_p99=()
  for ((i = 0; i < RUNS; i++)); do
    out=$(wrk_run "http://127.0.0.1:$agent_port/health" 1) || bench_die "wrk -t1 against /health failed"
    read -r rps p50 p99 n bad errs <<<"$out"
    t1_rps+=("$rps") t1_p50+=("$p50") t1_p99+=("$p99")
    bench_log "agent -t1 run $((i + 1)): $rps req/s, p50 $p50 ms, p99 $p99 ms, $n requests"
  done
  summarize http t1_rps t1_p50 t1_p99
  bench_stop "$node_pid" "$api_pid"
}

# --- 4. agent --check versus curl --------------------------------------------------------------

measure_check() {
  step "4. agent --check versus curl /health: hyperfine --warmup 5 --runs 50 -N"
  local port=$AGENT_HEALTH_PORT json="$BENCH_DIR/hyperfine.json"
  local config="$BENCH_DIR/check.yaml"
  # Same environment as the running agent, as in an ECS task or a pod, and the shipped config
  # with the bench's port: --check finds the agent the way a health-check command does, by
  # reading the config's `listen`.
  export DATABASE_URL=$BENCH_PG_URL REDIS_URL=$BENCH_REDIS_URL
  sed "s/^listen: .*/listen: 127.0.0.1:$port/" "$ROOT/config/agent.yaml" >"$config"
  "$AGENT" --check --config "$config" >/dev/null ||
    bench_die "agent --check says the agent is not ready"
  # The third command is the floor: starting a process at all, which is much of both times.
  local -a cmds=("$AGENT --check --config $config"
    "curl -f -s -o /dev/null http://127.0.0.1:$port/health" "$AGENT --version")
  bench_cmd hyperfine --warmup 5 --runs 50 -N --export-json "$json" "${cmds[@]}"
  hyperfine --warmup 5 --runs 50 -N --style basic --export-json "$json" "${cmds[@]}" \
    >"$BENCH_DIR/hyperfine.log" 2>&1 || {
    cat "$BENCH_DIR/hyperfine.log" >&2
    bench_die "hyperfine failed"
  }
  unset DATABASE_URL REDIS_URL
  R[check_agent_mean]=$(jq '.results[0].mean * 1000' "$json")
  R[check_agent_median]=$(jq '.results[0].median * 1000' "$json")
  R[check_agent_sd]=$(jq '.results[0].stddev * 1000' "$json")
  R[check_curl_mean]=$(jq '.results[1].mean * 1000' "$json")
  R[check_curl_median]=$(jq '.results[1].median * 1000' "$json")
  R[check_curl_sd]=$(jq '.results[1].stddev * 1000' "$json")
  R[check_exec_median]=$(jq '.results[2].median * 1000' "$json")
  R[check_exec_mean]=$(jq '.results[2].mean * 1000' "$json")
  bench_stop "$AGENT_HEALTH_PID"
}

# --- the table -------------------------------------------------------------------------------

mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
range_mib() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f-%.1f", a / 1024, b / 1024}'; }
num() { awk -v v="$1" -v f="$2" 'BEGIN {printf f, v}'; }

ROW_FMT="%-40s | %-22s | %-22s | %-40s | %-7s | %-8s | %s\n"
row() { printf "$ROW_FMT" "$@"; }
rule() { printf '%s\n' "$(printf '%.0s-' {1..168})"; }

verdict() { if "$@"; then echo "met"; else echo "NOT MET"; fi; }

# spread LABEL KEY: a note when the runs behind R[KEY] differ by more than 1.5x (a noisy figure).
spread() {
  local min=${R[${2}_min]} max=${R[${2}_max]}
  if awk -v a="$min" -v b="$max" 'BEGIN {exit !(a > 0 && b / a > 1.5)}'; then
    note "noisy: $1 ranged from $min to $max across the $RUNS runs (more than 1.5x); trust the ratio more than the value."
  fi
}

print_table() {
  local r
  echo
  echo "== bench/core_bench.sh: $AGENT_VERSION; $(nproc) CPUs; medians of $RUNS runs (min-max); $(date -u '+%Y-%m-%d %H:%M UTC') =="
  rule
  row "measurement" "agent" "baseline" "baseline is" "ratio" "target" "result"
  rule
  # 1. memory
  row "1 RssAnon, idle (probes: [])" "$(mib "${R[mem_idle_anon]}") ($(range_mib "${R[mem_idle_anon_min]}" "${R[mem_idle_anon_max]}"))" "" "" "" "" ""
  row "1 RssFile, idle" "$(mib "${R[mem_idle_file]}") ($(range_mib "${R[mem_idle_file_min]}" "${R[mem_idle_file_max]}"))" "" "" "" "" ""
  row "1 RSS total, idle" "$(mib "${R[mem_idle_rss]}") ($(range_mib "${R[mem_idle_rss_min]}" "${R[mem_idle_rss_max]}"))" "" "" "" "" ""
  row "1 RssAnon, default probes, after ${MEMORY_AFTER}s" "$(mib "${R[mem_dflt_anon]}") ($(range_mib "${R[mem_dflt_anon_min]}" "${R[mem_dflt_anon_max]}"))" \
    "$(mib "${R[mem_bb_anon]}") ($(range_mib "${R[mem_bb_anon_min]}" "${R[mem_bb_anon_max]}"))" "blackbox_exporter, same targets+rate" \
    "$(bench_div "${R[mem_dflt_anon]}" "${R[mem_bb_anon]}")" "" ""
  row "1 RssFile, default probes" "$(mib "${R[mem_dflt_file]}") ($(range_mib "${R[mem_dflt_file_min]}" "${R[mem_dflt_file_max]}"))" \
    "$(mib "${R[mem_bb_file]}") ($(range_mib "${R[mem_bb_file_min]}" "${R[mem_bb_file_max]}"))" "blackbox_exporter" \
    "$(bench_div "${R[mem_dflt_file]}" "${R[mem_bb_file]}")" "" ""
  r=$(bench_div "${R[mem_dflt_rss]}" "${R[mem_bb_rss]}")
  row "1 RSS total, default probes" "$(mib "${R[mem_dflt_rss]}") ($(range_mib "${R[mem_dflt_rss_min]}" "${R[mem_dflt_rss_max]}"))" \
    "$(mib "${R[mem_bb_rss]}") ($(range_mib "${R[mem_bb_rss_min]}" "${R[mem_bb_rss_max]}"))" "blackbox_exporter" \
    "$r" "<= 0.60" "$(verdict bench_le "$r" 0.6)"
  row "1 floor: libpq alone, SELECT 1 every ${DEFAULT_INTERVAL_S}s" "$(mib "${R[mem_floor_rss]}") ($(range_mib "${R[mem_floor_rss_min]}" "${R[mem_floor_rss_max]}"))" \
    "$(mib "${R[mem_bb_rss]}")" "bench/pq_floor.c; RssAnon $(mib "${R[mem_floor_anon]}"), RssFile $(mib "${R[mem_floor_file]}")" \
    "$(bench_div "${R[mem_floor_rss]}" "${R[mem_bb_rss]}")" "" ""
  rule
  # 2. CPU
  local t label base bkey
  for t in redis postgres cpu memory; do
    case $t in
      redis) label="2 CPU ms / 1000 redis probes" base="redis_ping: AUTH+PING, +HTTP" bkey=redis_ping ;;
      postgres) label="2 CPU ms / 1000 postgres probes" base="tcp_connect only, +HTTP" bkey=tcp_connect ;;
      *) label="2 CPU ms / 1000 $t probes" base="(no equivalent)" bkey="" ;;
    esac
    if [[ -n "$bkey" ]]; then
      row "$label" "$(num "${R[cpu_$t]}" %.1f) ($(num "${R[cpu_${t}_min]}" %.1f)-$(num "${R[cpu_${t}_max]}" %.1f))" \
        "$(num "${R[cpu_bb_$bkey]}" %.1f) ($(num "${R[cpu_bb_${bkey}_min]}" %.1f)-$(num "${R[cpu_bb_${bkey}_max]}" %.1f))" \
        "blackbox $base" "$(bench_div "${R[cpu_$t]}" "${R[cpu_bb_$bkey]}")" "" ""
    else
      row "$label" "$(num "${R[cpu_$t]}" %.1f) ($(num "${R[cpu_${t}_min]}" %.1f)-$(num "${R[cpu_${t}_max]}" %.1f))" \
        "" "$base" "" "" ""
    fi
  done
  rule
  # 3. wrk
  r=$(bench_div "${R[http_a_rps]}" "${R[http_n_rps]}" %.1f)
  row "3 /health requests/s (wrk -t2 -c50)" "$(num "${R[http_a_rps]}" %.0f) ($(num "${R[http_a_rps_min]}" %.0f)-$(num "${R[http_a_rps_max]}" %.0f))" \
    "$(num "${R[http_n_rps]}" %.0f) ($(num "${R[http_n_rps_min]}" %.0f)-$(num "${R[http_n_rps_max]}" %.0f))" \
    "Node.js /health: SELECT 1+PING+HTTPS" "${r}x" ">= 20x" "$(verdict bench_le 20 "$r")"
  row "3 /health p99 latency, ms" "$(num "${R[http_a_p99]}" %.2f) ($(num "${R[http_a_p99_min]}" %.2f)-$(num "${R[http_a_p99_max]}" %.2f))" \
    "$(num "${R[http_n_p99]}" %.1f) ($(num "${R[http_n_p99_min]}" %.1f)-$(num "${R[http_n_p99_max]}" %.1f))" \
    "Node.js /health" "$(bench_div "${R[http_a_p99]}" "${R[http_n_p99]}" %.3f)" "< 1 ms" \
    "$(verdict awk -v v="${R[http_a_p99]}" 'BEGIN {exit !(v + 0 < 1)}')"
  row "3 /health p50 latency, ms" "$(num "${R[http_a_p50]}" %.2f) ($(num "${R[http_a_p50_min]}" %.2f)-$(num "${R[http_a_p50_max]}" %.2f))" \
    "$(num "${R[http_n_p50]}" %.1f) ($(num "${R[http_n_p50_min]}" %.1f)-$(num "${R[http_n_p50_max]}" %.1f))" \
    "Node.js /health" "$(bench_div "${R[http_a_p50]}" "${R[http_n_p50]}" %.3f)" "" ""
  row "3 server CPU per /health request, us" "$(num "${R[http_a_cpu]}" %.1f) ($(num "${R[http_a_cpu_min]}" %.0f)-$(num "${R[http_a_cpu_max]}" %.0f))" \
    "$(num "${R[http_n_cpu]}" %.0f) ($(num "${R[http_n_cpu_min]}" %.0f)-$(num "${R[http_n_cpu_max]}" %.0f))" \
    "Node.js process only (not pg/redis/api)" "$(bench_div "${R[http_a_cpu]}" "${R[http_n_cpu]}" %.3f)" "" ""
  row "3 /health p99, wrk -t1 -c50 (one CPU each), ms" "$(num "${R[http_t1_p99]}" %.2f) ($(num "${R[http_t1_p99_min]}" %.2f)-$(num "${R[http_t1_p99_max]}" %.2f))" \
    "" "p50 $(num "${R[http_t1_p50]}" %.2f) ms, $(num "${R[http_t1_rps]}" %.0f) req/s" "" "< 1 ms" \
    "$(verdict awk -v v="${R[http_t1_p99]}" 'BEGIN {exit !(v + 0 < 1)}')"
  row "3 floor: agent /livez, same wrk, 1 run" "$(num "${R[http_livez_rps]}" %.0f) req/s" \
    "" "p50 $(num "${R[http_livez_p50]}" %.2f) ms, p99 $(num "${R[http_livez_p99]}" %.2f) ms" "" "" ""
  rule
  # 4. hyperfine
  local r4
  r4=$(bench_div "${R[check_agent_median]}" "${R[check_curl_median]}")
  row "4 agent --check, mean +- sd, ms" "$(num "${R[check_agent_mean]}" %.2f) +- $(num "${R[check_agent_sd]}" %.2f)" \
    "$(num "${R[check_curl_mean]}" %.2f) +- $(num "${R[check_curl_sd]}" %.2f)" "curl -f -s -o /dev/null .../health" \
    "$(bench_div "${R[check_agent_mean]}" "${R[check_curl_mean]}")" "" ""
  row "4 agent --check, median, ms" "$(num "${R[check_agent_median]}" %.2f)" \
    "$(num "${R[check_curl_median]}" %.2f)" "curl" \
    "$r4" "<= 1" "$(verdict bench_le "$r4" 1)"
  row "4 floor: agent --version, median, ms" "$(num "${R[check_exec_median]}" %.2f)" "" \
    "process start-up alone" "" "" ""
  rule
  echo "How to read it:"
  echo "- ratio = agent / baseline (for requests/s: how many times the agent's throughput)."
  echo "- 1: $RUNS instances of each, read together after ${MEMORY_AFTER}s; default probes = the built-in config with DATABASE_URL and REDIS_URL"
  echo "  set (postgres, redis every ${DEFAULT_INTERVAL}, cpu, memory); blackbox_exporter asked for the same two targets every ${DEFAULT_INTERVAL_S}s."
  echo "- 2: agent: redis 100 probes/100ms, postgres 10/250ms, cpu and memory 100/100ms; ${CPU_WINDOW}s windows after ${CPU_WARMUP}s;"
  echo "  probes counted with agent_probe_runs_total (one /metrics scrape per window is included). Achieved rates:"
  echo "  redis ${R[cpu_redis_rate]}/s, postgres ${R[cpu_postgres_rate]}/s, cpu ${R[cpu_cpu_rate]}/s, memory ${R[cpu_memory_rate]}/s."
  echo "  The agent's redis probe sends AUTH, PING and INFO; its postgres probe logs in (SCRAM) and runs SELECT 1 plus server-facts"
  echo "  queries, where blackbox_exporter only connects. blackbox_exporter's CPU includes serving the HTTP /probe request and"
  echo "  rendering its metrics for each probe ($BLACKBOX_PER_WINDOW probes per window, 4 in parallel, counted from our curl answers)."
  echo "  CPU time comes in ${BENCH_CLK_TCK} Hz ticks: agent windows used ${R[cpu_redis_ticks]}/${R[cpu_postgres_ticks]}/${R[cpu_cpu_ticks]}/${R[cpu_memory_ticks]} ticks in all"
  echo "  (redis/postgres/cpu/memory), blackbox ${R[cpu_bb_tcp_connect_ticks]}/${R[cpu_bb_redis_ping_ticks]} (tcp/redis)."
  echo "- 3: wrk, the load generator and the servers share the machine's $(nproc) CPUs; Node.js is one process with a pg Pool of 10."
  echo "  With 50 connections always busy, mean latency = 50 / throughput (Little's law): p99 < 1 ms needs > 50,000 req/s."
  echo "  The /livez row shows the latency this machine gives any answer under the same load."
  echo "- 4: hyperfine -N (no shell), 5 warm-ups, 50 runs; both commands ask the same running agent."
  spread "agent CPU per 1000 redis probes (ms)" cpu_redis
  spread "agent CPU per 1000 postgres probes (ms)" cpu_postgres
  spread "agent CPU per 1000 cpu probes (ms)" cpu_cpu
  spread "agent CPU per 1000 memory probes (ms)" cpu_memory
  spread "blackbox CPU per 1000 tcp_connect probes (ms)" cpu_bb_tcp_connect
  spread "blackbox CPU per 1000 redis_ping probes (ms)" cpu_bb_redis_ping
  spread "agent /health requests/s" http_a_rps
  spread "Node.js /health requests/s" http_n_rps
  spread "agent /health p99 (ms)" http_a_p99
  spread "Node.js /health p99 (ms)" http_n_p99
  local n
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
}

# --- main ------------------------------------------------------------------------------------

bench_init
# A watchdog: the whole run is bounded even if a peer hangs.
bench_spawn WATCHDOG_PID /dev/null bash -c "sleep $TIME_LIMIT; kill -TERM $$"
setup_tools
setup_agent
setup_servers
measure_memory
measure_cpu
measure_http
measure_check
step "done"
print_table
echo
echo "bench: finished in $(elapsed)s"
