#!/usr/bin/env bash
# tests/calibrate.sh - `ganc calibrate` end to end, in a cache folder of its
# own: the probe (templates/calibrate.c) compiles, runs and fills the cache
# with every grid point; `ganc check` then reads it without measuring again,
# measures the model's own products once, and shows the predictions; a damaged cache is named with its
# line, measured again and replaced; two ganc at once measure once; wrong
# flags are refused.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/calibrate
rm -rf "$dir" && mkdir -p "$dir"
export GANC_CACHE_DIR=$dir/cache
unset GANC_GEMM GANC_CALIBRATION
fail() { echo "calibrate: FAIL: $*" >&2; exit 1; }

build/ganc calibrate >"$dir/out.txt" 2>"$dir/err.txt" || fail "ganc calibrate exited $?"
cache=$(ls "$GANC_CACHE_DIR"/calibration-*.txt)
[ "$(grep -c '^gemm ' "$cache")" -eq 512 ] || fail "$cache: not 512 gemm lines"
grep -q '^key cpu=' "$cache" || fail "$cache: no key line"
grep -q '^implicit [0-9.]' "$cache" || fail "$cache: no implicit GEMM ratio"
grep -q 'GEMM, GFLOP/s' "$dir/out.txt" || fail "no table printed"
grep -q 'measuring this machine' "$dir/err.txt" || fail "no note that it measured"

# read from the cache: no second measurement of the grid, but the model's
# own products measured once (shape lines added to the cache), predictions
# in the report
build/ganc check models/dcgan_fashion.yaml >"$dir/check.txt" 2>"$dir/check.err"
grep -q 'measuring this machine' "$dir/check.err" && fail "check measured again despite the cache"
grep -q "measuring this model's matrix products" "$dir/check.err" ||
    fail "check did not measure the model's products"
[ "$(grep -c '^shape openblas ' "$cache")" -ge 8 ] || fail "$cache: no shape lines for the DCGAN"
[ "$(grep -c '^shape ganc ' "$cache")" -eq "$(grep -c '^shape openblas ' "$cache")" ] ||
    fail "$cache: shape lines not for both engines"
grep -q '^shape ganc 0 0 128 3136 1024 [0-9.]' "$cache" || fail "$cache: conv2's product missing"
build/ganc check models/dcgan_fashion.yaml >"$dir/check2.txt" 2>"$dir/check2.err"
grep -q 'measuring' "$dir/check2.err" && fail "second check measured again"
cmp -s "$dir/check.txt" "$dir/check2.txt" || fail "the second check chose differently"
grep -q "^cost model: $cache" "$dir/check.txt" || fail "check does not name the cache"
grep -q 'cost model: loops [0-9]* OpenBLAS [0-9]* ganc [0-9]* us' "$dir/check.txt" ||
    fail "check shows no predictions"

# a damaged cache: an error naming file and line, then a fresh measurement
sed -i '5s/.*/gemm ganc 0 0 17 16 16 nine/' "$cache"
build/ganc check models/ring8_mlp.yaml >/dev/null 2>"$dir/damaged.err" ||
    fail "check failed on a damaged cache instead of measuring again"
grep -q "$cache:5: expected" "$dir/damaged.err" || fail "damaged cache: line 5 not named"
grep -q 'measuring this machine' "$dir/damaged.err" || fail "damaged cache not measured again"
[ "$(grep -c '^gemm ' "$cache")" -eq 512 ] || fail "damaged cache not replaced"

# two at once (make -j): one measures, the other waits and reads its numbers
for i in 1 2; do
    GANC_CACHE_DIR=$dir/cache2 build/ganc check models/ring8_mlp.yaml >/dev/null \
        2>"$dir/par$i.err" &
done
wait %1 || fail "first concurrent check failed"
wait %2 || fail "second concurrent check failed"
[ "$(cat "$dir/par1.err" "$dir/par2.err" | grep -c 'measuring this machine')" -eq 1 ] ||
    fail "two concurrent checks both measured"

# off: the size rules, said so
GANC_CALIBRATION=off build/ganc check models/ring8_mlp.yaml >"$dir/off.txt"
grep -q '^cost model: none' "$dir/off.txt" || fail "GANC_CALIBRATION=off not reported"
# documented where users look
build/ganc --help >"$dir/help.txt"
grep -q '^  calibrate ' "$dir/help.txt" || fail "ganc --help does not list calibrate"
build/ganc calibrate --help >"$dir/help.txt"
grep -q '^usage: ganc calibrate' "$dir/help.txt" || fail "no ganc calibrate --help"
# refused: an unknown flag, an unknown engine
if build/ganc calibrate --bogus 2>/dev/null; then fail "--bogus accepted"; fi
rc=0; GANC_GEMM=mkl build/ganc build models/ring8_mlp.yaml -o "$dir/mkl" 2>"$dir/mkl.err" || rc=$?
[ $rc -eq 2 ] || fail "GANC_GEMM=mkl: exit $rc, expected 2"
grep -q "GANC_GEMM must be \`openblas\`, \`ganc\` or \`implicit\`, found 'mkl'" "$dir/mkl.err" ||
    fail "GANC_GEMM=mkl not explained"
echo "calibrate: ok (cache $cache)"
