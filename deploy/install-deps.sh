#!/usr/bin/env bash
# Installs, from Debian 12 packages only, what the agent needs. The one list of packages for
# deploy/run.sh, tests/run.sh, CI and the Dockerfile.
#
#   deploy/install-deps.sh            build and run the agent
#   deploy/install-deps.sh --test     ... and run the test suite (real servers, promtool, ...)
#   deploy/install-deps.sh --runtime  only the shared libraries the built binary loads (image)
#
# Does nothing (and does not touch apt) when every package is already installed, so a second
# run costs a fraction of a second. Needs root; falls back to sudo when it is available.
set -euo pipefail

BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config
  prometheus-cpp-dev libcurl4-openssl-dev libpq-dev libhiredis-dev libspdlog-dev libfmt-dev
  catch2 libyaml-cpp-dev nlohmann-json3-dev libre2-dev libcli11-dev zlib1g-dev libssl-dev
  ca-certificates
)
# Real peers and tools the integration tests use.
TEST_PACKAGES=(
  postgresql redis-server redis-tools prometheus prometheus-alertmanager
  openssl curl clang-format procps iproute2 util-linux
)
# The OTLP tests decode with the OpenTelemetry project's JavaScript decoder. A machine that
# already has node and npm (Debian's or another build, which may bundle npm and conflict with
# Debian's npm package) keeps them; otherwise Debian's are installed.
NODE_PACKAGES=(nodejs npm)
# Runtime libraries behind each -dev package above (Debian 12 names); the image installs only
# these. The Dockerfile checks with ldd that nothing the binary loads is missing.
RUNTIME_PACKAGES=(
  libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libprometheus-cpp-push1.0 libcivetweb1
  libcurl4 libpq5 libhiredis0.14 libspdlog1.10 libfmt9 libyaml-cpp0.7 libre2-9 zlib1g libssl3
  libstdc++6 ca-certificates
)

usage() { echo "usage: $0 [--test | --runtime]" >&2; exit 2; }

packages=()
case "${1:-}" in
  "") packages=("${BUILD_PACKAGES[@]}") ;;
  --test)
    packages=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
      packages+=("${NODE_PACKAGES[@]}")
    fi
    ;;
  --runtime) packages=("${RUNTIME_PACKAGES[@]}") ;;
  -h | --help) usage ;;
  *) echo "install-deps: unknown argument '$1'" >&2; usage ;;
esac
[[ $# -le 1 ]] || usage

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root, using sudo for apt-get"
    as_root=(sudo)
  else
    echo "install-deps: not root and sudo is not available: as root, run" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

apt_opts=(-y -q -o Dpkg::Use-Pty=0 --no-install-recommends)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install "${apt_opts[@]}" "${missing[@]}"
echo "install-deps: done"
