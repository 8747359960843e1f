#!/usr/bin/env bash
# scripts/deps.sh - installs the Debian packages ganc needs, only those missing.
#   deps.sh build    compiler, libyaml, OpenBLAS (to build and train)
#   deps.sh test     + CMocka, PyTorch, numpy, PyYAML, clang with libFuzzer (to run the tests)
# Needs root (apt-get) when something is missing.
set -euo pipefail

build_pkgs=(gcc make libc6-dev libyaml-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist)
test_pkgs=(libcmocka-dev python3 python3-numpy python3-yaml python3-torch clang libclang-rt-14-dev)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ganc: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
    echo "ganc: run as root (or install them yourself: apt-get install ${missing[*]})" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
