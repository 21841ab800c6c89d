#!/usr/bin/env bash
# The test command: installs what the suite needs (Debian packages only), builds it with
# ASan+UBSan and warnings as errors into build-test/, starts real PostgreSQL and Redis servers
# (TLS, passwords, an ACL user) in a throwaway directory on free ports, runs the whole CTest
# suite against them, then stops every server and removes the directory, also on failure or
# Ctrl-C. Exits with ctest's status.
#
#   bash tests/run.sh                  # everything
#   bash tests/run.sh -R Redis         # extra arguments go to ctest
#
# AGENT_TEST_BUILD_DIR overrides the build directory (default: build-test/ in the checkout).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${AGENT_TEST_BUILD_DIR:-$ROOT/build-test}
JOBS=$(nproc 2>/dev/null || echo 2)

# shellcheck source=tests/scripts/servers.sh
source "$ROOT/tests/scripts/servers.sh"

STEP=""
STEP_START=0
RUN_START=$(date +%s%N)
TIMINGS=()
CTEST_PID=""
INTERRUPTED=""
CTEST_LOG="$BUILD_DIR/Testing/run-sh-ctest.log"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }

step_done() {
  if [[ -n "$STEP" ]]; then
    TIMINGS+=("$(printf '%-22s %8s' "$STEP" "$(fmt_ms "$(ms_since "$STEP_START")")")")
  fi
  STEP=""
}

step() {
  step_done
  STEP=$1
  STEP_START=$(date +%s%N)
  echo
  echo "==> tests/run.sh: $STEP"
}

# shellcheck disable=SC2317  # runs from the EXIT trap
on_exit() {
  local rc=$? failed=$STEP line
  set +e
  trap '' INT TERM
  if [[ -n "$CTEST_PID" ]] && kill -0 "$CTEST_PID" 2>/dev/null; then
    kill -TERM -- "-$CTEST_PID" 2>/dev/null || kill -TERM "$CTEST_PID" 2>/dev/null
    wait "$CTEST_PID" 2>/dev/null
  fi
  step_done
  if [[ -n "$SERVERS_DIR" ]]; then
    local stop_start
    stop_start=$(date +%s%N)
    servers_stop
    TIMINGS+=("$(printf '%-22s %8s' "stop servers" "$(fmt_ms "$(ms_since "$stop_start")")")")
  fi
  echo
  echo "==> tests/run.sh: timings"
  for line in "${TIMINGS[@]}"; do echo "    $line"; done
  printf '    %-22s %8s\n' "total" "$(fmt_ms "$(ms_since "$RUN_START")")"
  if [[ $rc -eq 0 ]]; then
    echo "==> tests/run.sh: PASSED"
    # ctest's own summary last, where CI looks for the runner's closing line.
    grep -E '^[0-9]+% tests passed' "$CTEST_LOG" 2>/dev/null | tail -n 1
  elif [[ -n "$INTERRUPTED" ]]; then
    echo "==> tests/run.sh: $INTERRUPTED during step '${failed:-?}'" >&2
  elif [[ "$failed" == "run the suite (ctest)" ]]; then
    echo "==> tests/run.sh: FAILED: ctest exited with status $rc (see the failures above)" >&2
  else
    echo "==> tests/run.sh: FAILED at step '${failed:-?}' (exit status $rc)" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'INTERRUPTED="INTERRUPTED (SIGINT)"; exit 130' INT
trap 'INTERRUPTED="TERMINATED (SIGTERM)"; exit 143' TERM

cd "$ROOT"

step "install dependencies"
bash "$ROOT/deploy/install-deps.sh" --test

step "configure"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DAGENT_SANITIZE=ON -DAGENT_WERROR=ON -DAGENT_BUILD_TESTS=ON

step "build"
cmake --build "$BUILD_DIR" -j "$JOBS"

step "start servers"
servers_start

step "check servers"
servers_check

step "run the suite (ctest)"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
# Files the tests create land in the throwaway directory and go with it.
mkdir -p "$SERVERS_DIR/tmp" && chmod 1777 "$SERVERS_DIR/tmp"
# Own process group, so an interrupt or a timeout stops ctest and every test it started.
rm -f "$CTEST_LOG"
TMPDIR="$SERVERS_DIR/tmp" setsid ctest --test-dir "$BUILD_DIR" --output-on-failure \
  -j "$JOBS" --timeout 300 --no-tests=error --output-log "$CTEST_LOG" "$@" </dev/null &
CTEST_PID=$!
rc=0
wait "$CTEST_PID" || rc=$?
CTEST_PID=""
exit "$rc"
