#!/usr/bin/env bash
# tests/e2e_general.sh - end to end through the general model form
# (docs/model-language.md): labels read with the data, a conditional
# generator, a loss of several terms in the log, a moving average of the
# weights in the sampler.
#   1. tests/e2e/cgan_ring8.yaml, a conditional GAN on ring8 points labelled
#      by their mode (a CSV column), trained 3,000 steps: `sample --class K`
#      must draw mode K (at least 90% of 500 samples nearest to centre K,
#      80% within 3 std of it), for every K;
#   2. models/wgan_gp_grid25.yaml for 300 steps: log.csv's D_loss is
#      D_adversarial + 10 D_gradient_penalty on every row; the weights hold
#      G's moving average (ema.*), which the sampler uses unless --raw, and a
#      sampler with the weights embedded draws the same samples both ways.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_general
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_general: FAIL: $*" >&2; exit 1; }

# ---- 1. conditional ring8 ---------------------------------------------------
/usr/bin/python3 - "$dir/ring8_labelled.csv" <<'PY'
import numpy as np, sys
r = np.random.default_rng(0)
k = r.integers(0, 8, 20000)
a = 2 * np.pi * k / 8
p = np.stack([np.cos(a), np.sin(a)], 1) + 0.01 * r.standard_normal((20000, 2))
np.savetxt(sys.argv[1], np.column_stack([p, k]), fmt=["%.5f", "%.5f", "%d"], delimiter=",")
PY
build/ganc build tests/e2e/cgan_ring8.yaml -o "$dir/cgan" > /dev/null
"$dir/cgan/train" --data "$dir/ring8_labelled.csv" --out "$dir/cgan-run" --log-every 1000
for k in 0 1 2 3 4 5 6 7; do
    "$dir/cgan/sample" --weights "$dir/cgan-run/weights.safetensors" --class $k -n 500 \
        --seed 9 -o "$dir/class$k.npy" > /dev/null
done
/usr/bin/python3 - "$dir" <<'PY'
import numpy as np, sys
centres = np.array([[np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)] for k in range(8)])
bad = []
for k in range(8):
    s = np.load("%s/class%d.npy" % (sys.argv[1], k))
    d = np.sqrt(((s[:, None, :] - centres[None]) ** 2).sum(-1))
    nearest, close = (d.argmin(1) == k).mean(), (d[:, k] < 0.03).mean()
    print("e2e_general: class %d: %.1f%% nearest to its centre, %.1f%% within 3 std"
          % (k, 100 * nearest, 100 * close))
    if nearest < 0.9 or close < 0.8:
        bad.append(k)
sys.exit("e2e_general: FAIL: classes %s not drawn where asked" % bad if bad else 0)
PY
# a CSV's labels are a column: --labels (an IDX label file) is refused
rc=0
"$dir/cgan/train" --labels x.idx --out "$dir/no" 2> "$dir/labels.err" || rc=$?
[ $rc -eq 2 ] && grep -q "labels from the data itself" "$dir/labels.err" ||
    fail "--labels on CSV labels: exit $rc, $(cat "$dir/labels.err")"

# ---- 2. WGAN-GP's terms and G's moving average ------------------------------
build/ganc build models/wgan_gp_grid25.yaml -o "$dir/wgan" > /dev/null
"$dir/wgan/train" --steps 300 --log-every 50 --sample-every 0 --out "$dir/wgan-run" > /dev/null
/usr/bin/python3 - "$dir/wgan-run/log.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, rows
for r in rows:
    total = float(r["D_adversarial"]) + 10 * float(r["D_gradient_penalty"])
    assert abs(float(r["D_loss"]) - total) <= 1e-5 * max(1.0, abs(total)), r
assert "G_adversarial" not in rows[0], "a loss of one term has no term columns"
print("e2e_general: wgan_gp: D_loss = D_adversarial + 10 D_gradient_penalty on %d rows" % len(rows))
PY
w="$dir/wgan-run/weights.safetensors"
build/ganc build models/wgan_gp_grid25.yaml -o "$dir/wgan-embedded" --embed-weights "$w" > /dev/null
"$dir/wgan/sample" --weights "$w" -n 100 -o "$dir/ema.npy" > /dev/null
"$dir/wgan/sample" --weights "$w" --raw -n 100 -o "$dir/raw.npy" > /dev/null
"$dir/wgan-embedded/sample" -n 100 -o "$dir/ema-embedded.npy" > /dev/null
"$dir/wgan-embedded/sample" --raw -n 100 -o "$dir/raw-embedded.npy" > /dev/null
cmp "$dir/ema.npy" "$dir/ema-embedded.npy" || fail "embedded EMA weights draw other samples"
cmp "$dir/raw.npy" "$dir/raw-embedded.npy" || fail "embedded raw weights draw other samples"
! cmp -s "$dir/ema.npy" "$dir/raw.npy" || fail "the moving average is the raw weights"
echo "e2e_general: wgan_gp: EMA and raw weights differ; embedded, each draws the same samples"
