#!/usr/bin/env bash
# scripts/test.sh - the whole test suite on a fresh Debian machine:
# installs what is missing, builds, runs `make test`, then a one-minute
# round of every fuzz target (tests/fuzz/run.sh; about 4 minutes in all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
make -j2 all
make test
make fuzz FUZZ_SECONDS=60
