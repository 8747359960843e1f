#!/usr/bin/env bash
# tests/difftest/controls.sh - negative controls of the differential test:
# defects it must catch.
#
#   tests/difftest/controls.sh [REV]
#
# (a) the planner's 64-read defect (issue 13, defect 1): ganc at REV
#     (default b4924b2, the commit before the fix 2717782) is exported with
#     git archive into a temporary folder, built there, and
#     tests/models/wide_heads.yaml (one dense layer read by 40 heads) is run
#     through tests/difftest.sh with that ganc: the comparison must fail;
# (b) one value changed: in this ganc's wide_heads dumps, the largest element
#     of each of the outputs, losses, largest gradients of each network and
#     step, a running statistic and an updated parameter of each network,
#     moved by 1e-3 of its value, must fail tests/difftest/compare.py
#     (compare.py --controls).  tests/difftest.sh runs (b) on every run that
#     includes wide_heads.
# Prints what the comparison printed; exits 1 if a control passes.
set -uo pipefail
cd "$(dirname "$0")/../.."
rev=${1:-b4924b2}
old=$(mktemp -d /tmp/ganc-old-XXXXXX)
trap 'rm -rf "$old"' EXIT
failed=0

echo "== (a) ganc at $rev (the planner's fixed list of 64 reads) on wide_heads"
git archive "$rev" | tar -x -C "$old" && make -s -C "$old" -j2 >/dev/null || exit 1
if GANC_HOME=$old bash tests/difftest.sh --count 0 >"$old/difftest.log" 2>&1; then
    echo "control (a) NOT detected: wide_heads passes with ganc $rev"
    failed=1
else
    grep -A 8 '^== difftest summary' "$old/difftest.log"
    grep -h '^compare ' build/tests/difftest/wide_heads/compare.log
    echo "control (a): detected"
fi

echo "== (b) one value changed by 1e-3 of itself, in this ganc's wide_heads dumps"
if ! bash tests/difftest.sh --count 0 --keep >"$old/this.log" 2>&1; then
    echo "wide_heads fails with this ganc:"; tail -5 "$old/this.log"; exit 1
fi
dir=build/tests/difftest/wide_heads
/usr/bin/python3 tests/difftest/compare.py "$dir/ref.safetensors" "$dir/out.safetensors" \
    "$dir/twin.safetensors" --controls || failed=1
[ $failed = 0 ] && echo "controls.sh: (a) and (b) detected"
exit $failed
