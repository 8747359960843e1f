#!/usr/bin/env bash
# tests/difftest/controls.sh - negative controls of the differential test:
# defects it must catch.
#
#   tests/difftest/controls.sh [REV]
#
# (a) the planner's 64-read defect (issue 13, defect 1, fixed in 2717782),
#     put back: ganc at REV (default HEAD) is exported with git archive into
#     a temporary folder, gen/plan_memory.c there is changed to drop a
#     node's reads past the 64th quietly, as the old planner's fixed list
#     did, and built; tests/models/wide_heads.yaml (one dense layer read by
#     40 heads) is run through tests/difftest.sh with that ganc: its
#     comparison must fail (a failure at another step, say a harness that
#     does not compile against that ganc, does not count).  The commit
#     before the fix (b4924b2) is on the runtime contract before v2, which
#     this tree's harnesses no longer compile against: hence the mutation;
# (b) one value changed: in this ganc's wide_heads dumps, the largest element
#     of each of the outputs, losses, largest gradients of each network and
#     step, a running statistic and an updated parameter of each network,
#     moved by 1e-3 of its value, must fail tests/difftest/compare.py
#     (compare.py --controls).  tests/difftest.sh runs (b) on every run that
#     includes wide_heads.
# Prints what the comparison printed; exits 1 if a control passes.
set -uo pipefail
cd "$(dirname "$0")/../.."
rev=${1:-HEAD}
old=$(mktemp -d /tmp/ganc-old-XXXXXX)
trap 'rm -rf "$old"' EXIT
failed=0

echo "== (a) ganc at $rev with the planner's fixed list of 64 reads put back, on wide_heads"
git archive "$rev" | tar -x -C "$old" || exit 1
mem=$old/gen/plan_memory.c
# after the line that adds the fused product's reads, one level out (that
# line is an if's body): the list cut to its first 64 entries
sed -i 's|^\( *\)    nr += gan_plan_reads(pl, pl->gemm\[x\], reads + nr, pl->n);$|&\n\1nr = nr < 64 ? nr : 64;   /* controls.sh: the defect */|' "$mem"
if [ "$(grep -c 'controls.sh: the defect' "$mem")" != 1 ]; then
    echo "controls.sh: gen/plan_memory.c at $rev has no single place for the defect" \
         "(its read list changed?): update control (a)" >&2
    exit 1
fi
make -s -C "$old" -j2 >/dev/null || exit 1
GANC_HOME=$old bash tests/difftest.sh --count 0 >"$old/difftest.log" 2>&1
status=$(cat build/tests/difftest/wide_heads/status 2>/dev/null)
case "$status" in
"FAIL (compare"*)
    grep -A 8 '^== difftest summary' "$old/difftest.log"
    grep -h '^compare ' build/tests/difftest/wide_heads/compare.log
    echo "control (a): detected" ;;
*)
    echo "control (a) NOT detected: wide_heads with the defect: ${status:-no status}"
    tail -5 "$old/difftest.log"
    failed=1 ;;
esac

echo "== (b) one value changed by 1e-3 of itself, in this ganc's wide_heads dumps"
if ! bash tests/difftest.sh --count 0 --keep >"$old/this.log" 2>&1; then
    echo "wide_heads fails with this ganc:"; tail -5 "$old/this.log"; exit 1
fi
dir=build/tests/difftest/wide_heads
/usr/bin/python3 tests/difftest/compare.py "$dir/ref.safetensors" "$dir/out.safetensors" \
    "$dir/twin.safetensors" --controls || failed=1
[ $failed = 0 ] && echo "controls.sh: (a) and (b) detected"
exit $failed
