#!/usr/bin/env bash
# Helpers shared by the benchmark scripts: tools (installed from Debian when missing), free
# loopback ports, throwaway PostgreSQL and Redis servers, starting and stopping every process a
# benchmark launches, and reading a process's memory and CPU time from /proc.
#
# Sourced, never run. Call bench_init first and bench_cleanup from an EXIT trap: everything
# started through these helpers lives below one temporary directory and is stopped by its pid.

# shellcheck disable=SC2034  # some of these are for the scripts that source this file
BENCH_DIR=""          # the throwaway directory; everything lives below it
BENCH_PIDS=()         # background processes started with bench_spawn (each leads its own group)
BENCH_PORTS=()        # ports handed out in this run
BENCH_PG_DATA=""      # set once PostgreSQL runs
BENCH_REDIS_PID=""
BENCH_CLK_TCK=100

bench_log() { echo "bench: $*" >&2; }
bench_die() {
  echo "bench: ERROR: $*" >&2
  exit 1
}

# bench_cmd CMD...: prints a command as one would type it (single quotes where needed), so that
# every figure can be traced to what produced it. bench_show TEXT prints TEXT as a command line.
bench_cmd() {
  local arg line=""
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      line+=" $arg"
    else
      line+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  echo "  \$${line}" >&2
}
bench_show() { echo "  \$ $*" >&2; }

bench_init() {
  BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/agent-bench.XXXXXXXX") || bench_die "mktemp failed"
  # PostgreSQL runs as another user and must reach its folder below this one.
  chmod 0755 "$BENCH_DIR"
  BENCH_CLK_TCK=$(getconf CLK_TCK)
}

# --- tools -----------------------------------------------------------------------------------

# bench_require WHAT:PACKAGE...: installs (apt-get, as root) the packages whose WHAT is
# missing; WHAT is a command name, or a path (glob) when it starts with "/".
bench_require() {
  local pair what missing=()
  for pair in "$@"; do
    what=${pair%%:*}
    if [[ $what == /* ]]; then
      compgen -G "$what" >/dev/null || missing+=("${pair#*:}")
    else
      command -v "$what" >/dev/null 2>&1 || missing+=("${pair#*:}")
    fi
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  [[ $(id -u) -eq 0 ]] || bench_die "missing packages ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root"
  bench_log "installing ${missing[*]}"
  bench_cmd apt-get install -y "${missing[@]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$BENCH_DIR/apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$BENCH_DIR/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$BENCH_DIR/apt.log" 2>&1 || {
      tail -n 20 "$BENCH_DIR/apt.log" >&2
      bench_die "apt-get install ${missing[*]} failed"
    }
  fi
}

bench_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" && -x "$dir/postgres" ]] || bench_die "PostgreSQL server not found under /usr/lib/postgresql"
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its tools as `postgres`.
bench_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# --- ports -----------------------------------------------------------------------------------

bench_port_in_use() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

# bench_pick_port VAR: a loopback port in 20000-31999 (below the ephemeral range) nobody uses.
bench_pick_port() {
  local -n _bp_out=$1
  local _bp_try _bp_port _bp_p _bp_taken
  for ((_bp_try = 0; _bp_try < 200; _bp_try++)); do
    _bp_port=$((20000 + RANDOM % 12000))
    _bp_taken=0
    for _bp_p in "${BENCH_PORTS[@]}"; do [[ $_bp_p -ne $_bp_port ]] || _bp_taken=1; done
    [[ $_bp_taken -eq 0 ]] || continue
    ! bench_port_in_use "$_bp_port" || continue
    BENCH_PORTS+=("$_bp_port")
    _bp_out=$_bp_port
    return 0
  done
  bench_die "no free port found in 20000-31999"
}

# bench_wait_http URL [SECONDS]: waits until URL answers at all (any status).
bench_wait_http() {
  local url=$1 seconds=${2:-10} i
  for ((i = 0; i < seconds * 20; i++)); do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.05
  done
  return 1
}

# bench_wait_status URL STATUS [SECONDS]: waits until URL answers with STATUS.
bench_wait_status() {
  local url=$1 want=$2 seconds=${3:-10} i
  for ((i = 0; i < seconds * 10; i++)); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url")" == "$want" ]] && return 0
    sleep 0.1
  done
  return 1
}

# --- processes -------------------------------------------------------------------------------

# bench_spawn VAR LOG CMD...: starts CMD in the background in its own process group (so a
# stop reaches its children too), output to LOG; its pid goes to VAR and to BENCH_PIDS.
bench_spawn() {
  local -n _bs_out=$1
  local log=$2
  shift 2
  setsid "$@" </dev/null >"$log" 2>&1 &
  _bs_out=$!
  BENCH_PIDS+=("$_bs_out")
}

bench_alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# bench_stop PID...: SIGTERM to each process group, SIGKILL after 3 s, then reaps them.
bench_stop() {
  local pid i
  for pid in "$@"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  for pid in "$@"; do
    for ((i = 0; i < 60; i++)); do
      bench_alive "$pid" || break
      sleep 0.05
    done
    if bench_alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  local keep=() p s
  for p in "${BENCH_PIDS[@]}"; do
    s=0
    for pid in "$@"; do [[ $p -ne $pid ]] || s=1; done
    [[ $s -eq 1 ]] || keep+=("$p")
  done
  BENCH_PIDS=("${keep[@]}")
}

# --- servers ---------------------------------------------------------------------------------

# Starts PostgreSQL on a free loopback port with a password (scram-sha-256) login, as most
# deployments have; exports BENCH_PG_PORT and BENCH_PG_URL.
bench_start_postgres() {
  local bin dir="$BENCH_DIR/pg" port password
  bin=$(bench_pg_bin)
  mkdir -p "$dir" && chmod 0700 "$dir"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$dir"
  bench_as_pg "$bin/initdb" -D "$dir/data" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale --no-sync --no-instructions >"$BENCH_DIR/initdb.log" 2>&1 || {
    cat "$BENCH_DIR/initdb.log" >&2
    bench_die "initdb failed"
  }
  bench_pick_port port
  bench_as_pg tee "$dir/data/conf.d.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 200
logging_collector = off
EOF
  echo "include = 'conf.d.conf'" | bench_as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
  bench_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
    >"$BENCH_DIR/pg_ctl.log" 2>&1 || {
    cat "$BENCH_DIR/pg_ctl.log" "$dir/postgres.log" >&2
    bench_die "postgres failed to start"
  }
  BENCH_PG_DATA="$dir/data"
  password=$(openssl rand -hex 16)
  bench_as_pg "$bin/psql" -h "$dir" -p "$port" -d postgres -X -q -v ON_ERROR_STOP=1 \
    >"$BENCH_DIR/psql.log" 2>&1 <<EOF || {
CREATE ROLE bench LOGIN PASSWORD '$password';
CREATE DATABASE bench OWNER bench;
GRANT pg_monitor TO bench;
EOF
    cat "$BENCH_DIR/psql.log" >&2
    bench_die "creating role and database bench failed"
  }
  export BENCH_PG_PORT=$port
  export BENCH_PG_URL="postgresql://bench:$password@127.0.0.1:$port/bench"
}

# Starts Redis on a free loopback port with a password; exports BENCH_REDIS_PORT,
# BENCH_REDIS_PASSWORD and BENCH_REDIS_URL.
bench_start_redis() {
  local dir="$BENCH_DIR/redis" port password i
  mkdir -p "$dir" && chmod 0700 "$dir"
  password=$(openssl rand -hex 16)
  bench_pick_port port
  (
    umask 077
    cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
requirepass $password
save ""
appendonly no
daemonize no
maxclients 10000
dir $dir
EOF
  )
  bench_spawn BENCH_REDIS_PID "$dir/redis.log" redis-server "$dir/redis.conf"
  for ((i = 0; i < 100; i++)); do
    [[ "$(REDISCLI_AUTH=$password redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]] &&
      break
    sleep 0.1
  done
  [[ "$(REDISCLI_AUTH=$password redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]] || {
    cat "$dir/redis.log" >&2
    bench_die "redis-server does not answer PING on 127.0.0.1:$port"
  }
  export BENCH_REDIS_PORT=$port
  export BENCH_REDIS_PASSWORD=$password
  export BENCH_REDIS_URL="redis://:$password@127.0.0.1:$port/0"
}

# A throwaway self-signed certificate for 127.0.0.1 / localhost (P-256: cheap handshakes).
bench_make_cert() {
  local dir="$BENCH_DIR/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 2 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$dir/openssl.log" 2>&1 || {
    cat "$dir/openssl.log" >&2
    bench_die "openssl could not make a certificate"
  }
  export BENCH_TLS_CERT="$dir/cert.pem" BENCH_TLS_KEY="$dir/key.pem"
}

# Stops everything this run started and removes the directory. Safe to call twice.
bench_cleanup() {
  local -
  set +e
  [[ ${#BENCH_PIDS[@]} -eq 0 ]] || bench_stop "${BENCH_PIDS[@]}"
  if [[ -n "$BENCH_PG_DATA" && -s "$BENCH_PG_DATA/postmaster.pid" ]]; then
    bench_as_pg "$(bench_pg_bin)/pg_ctl" -D "$BENCH_PG_DATA" -m immediate -w -t 20 stop \
      >/dev/null 2>&1
  fi
  BENCH_PG_DATA=""
  [[ -z "$BENCH_DIR" || ! -d "$BENCH_DIR" ]] || rm -rf "$BENCH_DIR"
  BENCH_DIR=""
}

# --- measurements ----------------------------------------------------------------------------

# bench_mem PID: "RssAnon RssFile VmRSS" in kB, from /proc/PID/status.
bench_mem() {
  awk '/^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} /^VmRSS:/ {r=$2} END {print a, f, r}' \
    "/proc/$1/status"
}

# bench_cpu_ticks PID: utime + stime of the whole process (all threads), in clock ticks.
bench_cpu_ticks() {
  # Fields 14 and 15 counted after the ")" that ends the command name (which may hold spaces).
  local stat
  stat=$(<"/proc/$1/stat") || return 1
  stat=${stat##*) }
  awk '{print $12 + $13}' <<<"$stat"
}

# bench_agent_runs PORT: sum of agent_probe_runs_total over every probe (and the failures).
bench_agent_runs() {
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
    awk '/^agent_probe_runs_total[{ ]/ {r += $NF} /^agent_probe_failures_total[{ ]/ {f += $NF}
         END {printf "%d %d\n", r, f}'
}

# bench_median NUMBER...: the median (mean of the middle two for an even count).
bench_median() {
  printf '%s\n' "$@" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
         else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# bench_min / bench_max NUMBER...
bench_min() { printf '%s\n' "$@" | sort -g | head -n 1; }
bench_max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# bench_div A B [FORMAT]: A / B, or "n/a" when B is zero or either is not a number.
bench_div() {
  awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {
    if (a !~ /^-?[0-9.eE+-]+$/ || b !~ /^-?[0-9.eE+-]+$/ || b + 0 == 0) print "n/a";
    else printf f "\n", a / b }'
}

# bench_le A B: true when A <= B (numbers); false when either is not a number.
bench_le() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    exit !(a ~ /^-?[0-9.eE+-]+$/ && b ~ /^-?[0-9.eE+-]+$/ && a + 0 <= b + 0) }'
}

# --- additions for http_bench.sh and exporters_bench.sh ----------------------------------------

# bench_have COMMAND PACKAGE: true when COMMAND (or a path, when it starts with "/") exists;
# otherwise says how to install PACKAGE and returns 1. Installs nothing.
bench_have() {
  if [[ $1 == /* ]]; then
    [[ -x $1 ]] && return 0
  else
    command -v "$1" >/dev/null 2>&1 && return 0
  fi
  bench_log "$1 not found: install it with 'apt-get install -y $2'"
  return 1
}

# bench_build TARGET...: configures ROOT/build-bench (Release, no tests, -Werror off as in
# core_bench.sh, -DAGENT_BUILD_BENCH=ON) and builds TARGETs; sets BENCH_BUILD. Needs ROOT.
bench_build() {
  BENCH_BUILD=$ROOT/build-bench
  bench_cmd cmake -S "$ROOT" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DAGENT_BUILD_TESTS=OFF -DAGENT_WERROR=OFF -DAGENT_BUILD_BENCH=ON
  bench_cmd ninja -C "$BENCH_BUILD" "$@"
  { cmake -S "$ROOT" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DAGENT_BUILD_TESTS=OFF -DAGENT_WERROR=OFF -DAGENT_BUILD_BENCH=ON >"$BENCH_DIR/build.log" 2>&1 &&
    timeout 1200 ninja -C "$BENCH_BUILD" "$@" >>"$BENCH_DIR/build.log" 2>&1; } || {
    grep -E "error|Error|FAILED" "$BENCH_DIR/build.log" | head -n 20 >&2
    bench_die "building $* in $BENCH_BUILD failed (log above)"
  }
}

# bench_percentile P: the P-th percentile (nearest rank, 0-100) of the numbers on stdin.
bench_percentile() {
  sort -g | awk -v p="$1" '{v[NR] = $1} END {
    if (NR == 0) {print "nan"; exit}
    i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i]}'
}

# bench_loadavg: the 1, 5 and 15 minute load averages, as in uptime.
bench_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_mem_hwm PID: VmHWM (peak resident set) in kB.
bench_mem_hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# bench_json_num FIELD: the number of "FIELD" in the flat JSON object on stdin (no jq needed).
bench_json_num() {
  sed -n "s/.*\"$1\":\([-0-9.eE+]*\).*/\1/p"
}
