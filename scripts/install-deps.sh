#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the tools and the benchmarks use.
# Idempotent and quiet: apt runs only when a package is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain and checks
  cmake ninja-build pkg-config g++ clang libclang-rt-14-dev clang-format clang-tidy python3 make git
  # libraries
  libasio-dev libssl-dev libprotobuf-dev protobuf-compiler librdkafka-dev prometheus-cpp-dev
  libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev
  libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev
  # peers measured by `hollywood bench --vs caf` (never linked into the library)
  libcaf-dev
  # real components the tests start
  etcd-server kcat openssl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
