#!/usr/bin/env bash
# The real servers the integration tests talk to, started in one throwaway directory on free
# loopback ports, and the AGENT_TEST_* variables that tell the tests where they are.
#
# Sourced by tests/run.sh (servers_start, servers_check, servers_stop). Run on its own, it starts
# the servers, runs a command with the variables set, and stops them again:
#
#   tests/scripts/servers.sh build-x/bin/agent_tests "[redis]"
#   tests/scripts/servers.sh                 # an interactive shell with the servers up
#
# Ports are picked below 32768 (the ephemeral range starts there and tests bind port 0) from a
# random offset, so two runs on one machine do not collide. Needs the packages of
# deploy/install-deps.sh --test. As root, PostgreSQL runs as the `postgres` user.

SERVERS_DIR=""         # the throwaway directory; everything lives below it
SERVERS_PORTS=()       # ports handed out in this run

servers_log() { echo "servers: $*"; }
servers_die() {
  echo "servers: ERROR: $*" >&2
  return 1
}

# Newest PostgreSQL server installed by Debian (15 on Debian 12).
servers_pg_bin() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [[ -n "$dir" && -x "$dir/postgres" ]] || servers_die "PostgreSQL server not found under /usr/lib/postgresql" || return 1
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its tools as `postgres`.
servers_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

servers_port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# servers_pick_port VAR: a loopback port in 20000-31999 nobody listens on, not handed out yet.
servers_pick_port() {
  local -n _pp_out=$1
  local _pp_attempt _pp_port _pp_used _pp_p
  for ((_pp_attempt = 0; _pp_attempt < 200; _pp_attempt++)); do
    _pp_port=$((20000 + RANDOM % 12000))
    _pp_used=0
    for _pp_p in "${SERVERS_PORTS[@]}"; do [[ $_pp_p -ne $_pp_port ]] || _pp_used=1; done
    [[ $_pp_used -eq 0 ]] || continue
    ! servers_port_in_use "$_pp_port" || continue
    SERVERS_PORTS+=("$_pp_port")
    _pp_out=$_pp_port
    return 0
  done
  servers_die "no free port found in 20000-31999"
}

servers_secret() { openssl rand -hex 16; }

# A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it.
servers_make_tls() {
  local dir="$SERVERS_DIR/tls"
  mkdir -p "$dir" && chmod 0755 "$dir" || return 1
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "/CN=agent test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$dir/openssl.log" || {
    cat "$dir/openssl.log" >&2
    return 1
  }
  openssl req -new -newkey rsa:2048 -nodes -sha256 \
    -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" \
    2>>"$dir/openssl.log" || {
    cat "$dir/openssl.log" >&2
    return 1
  }
  cat >"$dir/server.ext" <<'EOF'
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
  openssl x509 -req -sha256 -days 30 -in "$dir/server.csr" -CA "$dir/ca.crt" \
    -CAkey "$dir/ca.key" -CAcreateserial -extfile "$dir/server.ext" -out "$dir/server.crt" \
    2>>"$dir/openssl.log" || {
    cat "$dir/openssl.log" >&2
    return 1
  }
  chmod 0600 "$dir/ca.key" "$dir/server.key"
  export AGENT_TEST_TLS_CA="$dir/ca.crt"
  export AGENT_TEST_TLS_CA_KEY="$dir/ca.key"
  export AGENT_TEST_TLS_CERT="$dir/server.crt"
  export AGENT_TEST_TLS_KEY="$dir/server.key"
}

servers_start_postgres() {
  local bin dir="$SERVERS_DIR/pg" port password attempt
  bin=$(servers_pg_bin) || return 1
  mkdir -p "$dir" || return 1
  chmod 0700 "$dir"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$dir" || return 1
  servers_as_pg "$bin/initdb" -D "$dir/data" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale --no-sync --no-instructions >"$SERVERS_DIR/initdb.log" 2>&1 || {
    cat "$SERVERS_DIR/initdb.log" >&2
    servers_die "initdb failed"
    return 1
  }
  # The server key must belong to the server's user with mode 0600.
  cp "$AGENT_TEST_TLS_CERT" "$dir/data/server.crt" && cp "$AGENT_TEST_TLS_KEY" "$dir/data/server.key"
  chmod 0600 "$dir/data/server.key"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$dir/data/server.crt" "$dir/data/server.key"

  for ((attempt = 1; attempt <= 3; attempt++)); do
    servers_pick_port port || return 1
    # Fast and disposable: nothing here has to survive a crash.
    servers_as_pg tee "$dir/data/conf.d.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 100
logging_collector = off
EOF
    grep -q "^include = 'conf.d.conf'" "$dir/data/postgresql.conf" ||
      echo "include = 'conf.d.conf'" | servers_as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
    if servers_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      >"$SERVERS_DIR/pg_ctl.log" 2>&1; then
      break
    fi
    if [[ $attempt -lt 3 ]] && grep -q "could not bind\|Address already in use" "$dir/postgres.log"; then
      servers_log "postgres: port $port taken meanwhile, trying another"
      continue
    fi
    cat "$SERVERS_DIR/pg_ctl.log" "$dir/postgres.log" >&2
    servers_die "postgres failed to start"
    return 1
  done

  password=$(servers_secret)
  # Through the Unix socket as the superuser (peer auth); the password never reaches argv.
  servers_as_pg "$bin/psql" -h "$dir" -p "$port" -d postgres -X -q -v ON_ERROR_STOP=1 \
    >"$SERVERS_DIR/psql.log" 2>&1 <<EOF || {
CREATE ROLE agent_test LOGIN PASSWORD '$password';
CREATE DATABASE agent_test OWNER agent_test;
GRANT pg_monitor TO agent_test;
EOF
    cat "$SERVERS_DIR/psql.log" >&2
    servers_die "creating role and database agent_test failed"
    return 1
  }

  export AGENT_TEST_PG_HOST=127.0.0.1
  export AGENT_TEST_PG_PORT=$port
  export AGENT_TEST_PG_USER=agent_test
  export AGENT_TEST_PG_PASSWORD=$password
  export AGENT_TEST_PG_DB=agent_test
  export AGENT_TEST_PG_PID
  AGENT_TEST_PG_PID=$(head -n 1 "$dir/data/postmaster.pid")
  export AGENT_TEST_PG_URL="postgresql://agent_test:$password@127.0.0.1:$port/agent_test"
  export AGENT_TEST_PG_SOCKET_DIR=$dir
  servers_as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$port" -t 10 >/dev/null ||
    servers_die "postgres does not accept connections on 127.0.0.1:$port"
}

servers_start_redis() {
  local dir="$SERVERS_DIR/redis" server port tls_port password acl_password attempt i ready
  server=$(command -v redis-server) || servers_die "redis-server not found" || return 1
  mkdir -p "$dir" || return 1
  chmod 0700 "$dir"
  password=$(servers_secret)
  acl_password=$(servers_secret)
  for ((attempt = 1; attempt <= 3; attempt++)); do
    servers_pick_port port || return 1
    servers_pick_port tls_port || return 1
    rm -f "$dir/redis.pid" "$dir/redis.log"
    (
      umask 077
      cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
requirepass $password
user probe on >$acl_password -@all +ping +info +auth +hello
tls-port $tls_port
tls-cert-file $AGENT_TEST_TLS_CERT
tls-key-file $AGENT_TEST_TLS_KEY
tls-ca-cert-file $AGENT_TEST_TLS_CA
tls-auth-clients no
save ""
appendonly no
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
EOF
    )
    "$server" "$dir/redis.conf" >"$SERVERS_DIR/redis-start.log" 2>&1 || {
      cat "$SERVERS_DIR/redis-start.log" "$dir/redis.log" >&2 2>/dev/null
      servers_die "redis-server failed to start"
      return 1
    }
    ready=0
    for ((i = 0; i < 100; i++)); do
      # Only once our server wrote its pid: until then the port may be someone else's.
      if [[ -s "$dir/redis.pid" ]] && [[ "$(REDISCLI_AUTH=$password timeout 5 redis-cli \
        -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
        ready=1
        break
      fi
      # Daemonized before binding: a port taken meanwhile shows only in the log.
      grep -q "Address already in use\|Failed listening" "$dir/redis.log" 2>/dev/null && break
      sleep 0.1
    done
    [[ $ready -eq 0 ]] || break
    servers_stop_redis
    if [[ $attempt -lt 3 ]] && grep -q "Address already in use" "$dir/redis.log" 2>/dev/null; then
      servers_log "redis: port $port or $tls_port taken meanwhile, trying others"
      continue
    fi
    cat "$dir/redis.log" >&2 2>/dev/null
    servers_die "redis-server does not answer PING on 127.0.0.1:$port"
    return 1
  done

  export AGENT_TEST_REDIS_PORT=$port
  export AGENT_TEST_REDIS_TLS_PORT=$tls_port
  export AGENT_TEST_REDIS_PASSWORD=$password
  export AGENT_TEST_REDIS_ACL_USER=probe
  export AGENT_TEST_REDIS_ACL_PASSWORD=$acl_password
  export AGENT_TEST_REDIS_PID
  AGENT_TEST_REDIS_PID=$(cat "$dir/redis.pid")
  export AGENT_TEST_REDIS_URL="redis://:$password@127.0.0.1:$port/0"
  export AGENT_TEST_REDIS_SERVER=$server
}

servers_find_tools() {
  local tool var
  for var in AGENT_TEST_PROMTOOL:promtool AGENT_TEST_PROMETHEUS:prometheus \
    AGENT_TEST_ALERTMANAGER:prometheus-alertmanager; do
    tool=$(command -v "${var#*:}") || servers_die "${var#*:} not found (package $(
      [[ ${var#*:} == prometheus-alertmanager ]] && echo prometheus-alertmanager || echo prometheus))" ||
      return 1
    export "${var%%:*}=$tool"
  done
}

# Starts everything; exports AGENT_TEST_*. Call servers_stop (e.g. from a trap) in every case.
servers_start() {
  SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/agent-test.XXXXXXXX") || return 1
  # PostgreSQL runs as another user and must reach its folder below this one.
  chmod 0755 "$SERVERS_DIR"
  export AGENT_TEST_DIR=$SERVERS_DIR
  servers_make_tls || return 1
  servers_start_postgres || return 1
  servers_start_redis || return 1
  servers_find_tools || return 1
}

# Versions, ports, and one authenticated TLS round trip to each server.
servers_check() {
  local bin ssl
  bin=$(servers_pg_bin) || return 1
  servers_log "$("$bin/postgres" --version) on 127.0.0.1:$AGENT_TEST_PG_PORT (pid $AGENT_TEST_PG_PID)"
  servers_log "$(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$AGENT_TEST_REDIS_PORT," \
    "TLS on $AGENT_TEST_REDIS_TLS_PORT (pid $AGENT_TEST_REDIS_PID)"
  servers_log "$("$AGENT_TEST_PROMTOOL" --version 2>&1 | head -n 1)"
  servers_log "$("$AGENT_TEST_PROMETHEUS" --version 2>&1 | head -n 1)"
  servers_log "$("$AGENT_TEST_ALERTMANAGER" --version 2>&1 | head -n 1)"
  ssl=$(PGPASSWORD=$AGENT_TEST_PG_PASSWORD PGCONNECT_TIMEOUT=10 "$bin/psql" -X -At \
    "sslmode=verify-full sslrootcert=$AGENT_TEST_TLS_CA host=localhost hostaddr=127.0.0.1 port=$AGENT_TEST_PG_PORT user=$AGENT_TEST_PG_USER dbname=$AGENT_TEST_PG_DB" \
    -c "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()" 2>&1) ||
    servers_die "psql over TLS (verify-full) failed: $ssl" || return 1
  servers_log "postgres: password login over $ssl with verify-full: ok"
  [[ "$(REDISCLI_AUTH=$AGENT_TEST_REDIS_PASSWORD redis-cli --tls --cacert "$AGENT_TEST_TLS_CA" \
    --sni localhost -h 127.0.0.1 -p "$AGENT_TEST_REDIS_TLS_PORT" ping 2>&1)" == PONG ]] ||
    servers_die "redis-cli over TLS failed" || return 1
  servers_log "redis: password login over TLS: ok"
  [[ "$(redis-cli -h 127.0.0.1 -p "$AGENT_TEST_REDIS_PORT" --user probe \
    --pass "$AGENT_TEST_REDIS_ACL_PASSWORD" --no-auth-warning ping 2>&1)" == PONG ]] ||
    servers_die "redis ACL user probe cannot PING" || return 1
  [[ "$(redis-cli -h 127.0.0.1 -p "$AGENT_TEST_REDIS_PORT" --user probe \
    --pass "$AGENT_TEST_REDIS_ACL_PASSWORD" --no-auth-warning get some-key 2>&1)" == *NOPERM* ]] ||
    servers_die "redis ACL user probe is allowed more than PING/INFO" || return 1
  servers_log "redis: ACL user probe may PING, may not GET: ok"
}

# True while `pid` runs; an exited daemon waiting for init to reap it counts as gone.
servers_alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

servers_stop_redis() {
  local - pid="" i
  set +e
  [[ -s "$SERVERS_DIR/redis/redis.pid" ]] && pid=$(cat "$SERVERS_DIR/redis/redis.pid")
  [[ -n "$pid" ]] || return 0
  kill -CONT "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    servers_alive "$pid" || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$SERVERS_DIR/redis/redis.pid"
  return 0
}

servers_stop_postgres() {
  local - bin data="$SERVERS_DIR/pg/data" pid
  set +e
  [[ -s "$data/postmaster.pid" ]] || return 0
  pid=$(head -n 1 "$data/postmaster.pid")
  # A test may have left the server stopped (SIGSTOP); it must run to shut down.
  kill -CONT "$pid" 2>/dev/null
  bin=$(servers_pg_bin) || return 0
  servers_as_pg "$bin/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 ||
    kill -KILL "$pid" 2>/dev/null
  return 0
}

# Stops every server and removes the directory. Safe to call twice and after a partial start.
servers_stop() {
  local - pid
  set +e
  [[ -n "$SERVERS_DIR" && -d "$SERVERS_DIR" ]] || return 0
  servers_stop_redis
  servers_stop_postgres
  # Anything still running from the directory (an extra redis-server a test forgot) is ours.
  # One grep and one stat over /proc, not two processes per pid.
  for pid in $( {
    grep -laF "$SERVERS_DIR" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
    stat -c '%N' /proc/[0-9]*/cwd 2>/dev/null | grep -F -e "-> '$SERVERS_DIR'" -e "-> '$SERVERS_DIR/" | cut -d/ -f3
  } | sort -u); do
    [[ $pid -ne $$ && $pid -ne $BASHPID ]] || continue
    kill -KILL "$pid" 2>/dev/null && servers_log "killed leftover process $pid"
  done
  rm -rf "$SERVERS_DIR"
  SERVERS_DIR=""
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -uo pipefail
  trap servers_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  servers_start || exit 1
  servers_check || exit 1
  if [[ $# -eq 0 ]]; then
    servers_log "servers are up; AGENT_TEST_* are set in this shell; exit it to stop them"
    "${SHELL:-bash}" -i
  else
    "$@"
  fi
fi
