#!/usr/bin/env bash
# The run command: installs the build dependencies (Debian packages only), builds the agent in
# Release into build/, and replaces this shell with it, on config/agent.yaml. Extra arguments go
# to the agent:
#
#   bash deploy/run.sh
#   bash deploy/run.sh --check
#
# AGENT_BUILD_DIR overrides the build directory (default: build/ in the checkout).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${AGENT_BUILD_DIR:-$ROOT/build}
STEP=""
# shellcheck disable=SC2317  # runs from the EXIT trap
report_failure() {
  local rc=$?
  [[ $rc -eq 0 ]] || echo "deploy/run.sh: FAILED at step '$STEP' (exit status $rc)" >&2
}
trap report_failure EXIT

STEP="install dependencies"
echo "==> deploy/run.sh: $STEP" >&2
bash "$ROOT/deploy/install-deps.sh" >&2

STEP="configure"
echo "==> deploy/run.sh: $STEP" >&2
# Tests off for speed; warnings stay visible but do not stop a deployment build.
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DAGENT_BUILD_TESTS=OFF -DAGENT_SANITIZE=OFF -DAGENT_WERROR=OFF >&2

STEP="build"
echo "==> deploy/run.sh: $STEP" >&2
cmake --build "$BUILD_DIR" --target agent -j "$(nproc 2>/dev/null || echo 2)" >&2

echo "==> deploy/run.sh: exec $BUILD_DIR/bin/agent --config $ROOT/config/agent.yaml $*" >&2
trap - EXIT
exec "$BUILD_DIR/bin/agent" --config "$ROOT/config/agent.yaml" "$@"
