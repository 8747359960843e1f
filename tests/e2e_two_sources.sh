#!/usr/bin/env bash
# tests/e2e_two_sources.sh - models of two data sources (docs/model-language.md,
# "Two data sources"), trained end to end:
#   1. tests/e2e/paired_rot.yaml: paired CSV sources, row i of `after` is row
#      i of `before` turned by 90 degrees; after 1,500 steps the sampler's
#      G(x) on 500 new points (--input X.npy) must be the turned points (mean
#      distance under 0.1: 0.012 measured; the same model with `paired:
#      false`, its rows unaligned, ends 0.80 away).  The run is stopped at step 500 and resumed,
#      and must end bit-identical to a straight run (both sources' places
#      are in the checkpoint).
#   2. tests/e2e/unpaired_shift.yaml: two domains of different sizes, each
#      shuffled on its own: G must move the blob of `left` onto `right`
#      (mean of 500 translated points within 0.5 of right's centre, 4.1 from
#      left's: a GAN circles its target, 0.3 off at 1,500 steps).
#   3. the trainer's refusals: paired sources of different lengths, --data2
#      for a model of one source (exit 2, naming what to fix).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_two_sources
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_two_sources: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3

$PY - "$dir" <<'PY'
import numpy as np, sys
d, r = sys.argv[1], np.random.default_rng(0)
p = r.uniform(-1, 1, (4000, 2))
turned = np.stack([-p[:, 1], p[:, 0]], 1)
np.savetxt(d + "/before.csv", p, fmt="%.6f", delimiter=",")
np.savetxt(d + "/after.csv", turned, fmt="%.6f", delimiter=",")
np.savetxt(d + "/after_short.csv", turned[:3999], fmt="%.6f", delimiter=",")
np.save(d + "/probe.npy", r.uniform(-1, 1, (500, 2)).astype(np.float32))
np.savetxt(d + "/left.csv", r.normal([-2, 0], 0.2, (3000, 2)), fmt="%.6f", delimiter=",")
np.savetxt(d + "/right.csv", r.normal([2, 1], 0.2, (2000, 2)), fmt="%.6f", delimiter=",")
np.save(d + "/left_probe.npy", r.normal([-2, 0], 0.2, (500, 2)).astype(np.float32))
PY

# ---- 1. paired ---------------------------------------------------------------
build/ganc build tests/e2e/paired_rot.yaml -o "$dir/paired" > /dev/null
train=("$dir/paired/train" --data "$dir/before.csv" --data2 "$dir/after.csv")
"${train[@]}" --out "$dir/paired-run" > "$dir/paired.log" 2>&1 || fail "paired training: $(tail -3 "$dir/paired.log")"
grep -q "before: .* paired with after: " "$dir/paired.log" || fail "the trainer does not name both sources: $(head -2 "$dir/paired.log")"
"$dir/paired/sample" --weights "$dir/paired-run/weights.safetensors" --input "$dir/probe.npy" \
    -o "$dir/turned.npy" > /dev/null
$PY - "$dir" <<'PY'
import numpy as np, sys
d = sys.argv[1]
x, g = np.load(d + "/probe.npy"), np.load(d + "/turned.npy")
err = np.sqrt(((g - np.stack([-x[:, 1], x[:, 0]], 1)) ** 2).sum(1)).mean()
print("e2e_two_sources: paired: mean distance of G(x) from x turned: %.3f" % err)
sys.exit("e2e_two_sources: FAIL: G did not learn the pairing" if err > 0.1 else 0)
PY
# stopped at 500 (a checkpoint), resumed to 1,500: the same weights
"${train[@]}" --out "$dir/paired-half" --steps 500 > /dev/null 2>&1
"$dir/paired/train" --resume "$dir/paired-half" --steps 1500 > /dev/null 2>&1
cmp -s "$dir/paired-run/weights.safetensors" "$dir/paired-half/weights.safetensors" ||
    fail "paired: a run resumed at step 500 differs from a straight one"
grep -q '"data2": ".*after.csv"' "$dir/paired-run/settings.json" ||
    fail "settings.json does not keep --data2"

# ---- 2. unpaired domains -----------------------------------------------------
build/ganc build tests/e2e/unpaired_shift.yaml -o "$dir/unpaired" > /dev/null
"$dir/unpaired/train" --data "$dir/left.csv" --data2 "$dir/right.csv" \
    --out "$dir/unpaired-run" > "$dir/unpaired.log" 2>&1 || fail "unpaired training: $(tail -3 "$dir/unpaired.log")"
"$dir/unpaired/sample" --weights "$dir/unpaired-run/weights.safetensors" \
    --input "$dir/left_probe.npy" -o "$dir/moved.npy" > /dev/null
$PY - "$dir" <<'PY'
import numpy as np, sys
m = np.load(sys.argv[1] + "/moved.npy").mean(0)
off = np.sqrt(((m - [2, 1]) ** 2).sum())
print("e2e_two_sources: unpaired: translated points centre on (%.2f, %.2f), %.3f from (2, 1)"
      % (m[0], m[1], off))
sys.exit("e2e_two_sources: FAIL: G(a) is not on domain right" if off > 0.5 else 0)
PY

# ---- 3. refusals -------------------------------------------------------------
rc=0
"$dir/paired/train" --data "$dir/before.csv" --data2 "$dir/after_short.csv" --out "$dir/no" \
    2> "$dir/short.err" || rc=$?
[ $rc -eq 2 ] && grep -q "paired sources need as many rows each" "$dir/short.err" &&
    [ ! -e "$dir/no" ] || fail "paired sources of 4000 and 3999 rows: exit $rc, $(cat "$dir/short.err")"
rc=0
build/ganc build models/ring8_mlp.yaml -o "$dir/ring8" > /dev/null
"$dir/ring8/train" --data2 x.csv --out "$dir/no" 2> "$dir/data2.err" || rc=$?
[ $rc -eq 2 ] && grep -q "one data source" "$dir/data2.err" ||
    fail "--data2 on a model of one source: exit $rc, $(cat "$dir/data2.err")"
echo "e2e_two_sources: ok"
