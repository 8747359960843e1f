#!/usr/bin/env bash
# tests/e2e_sampler.sh - the sampler's translators and labelled samples
# (issue 16), on two tiny models trained 20 steps each:
#   1. tests/e2e/cycle_sample.yaml, a CycleGAN whose sampler runs both
#      translators (sample: {networks: [G_ab, G_ba]}): --help lists them;
#      --network G_ba runs G_ba (its output checked against numpy's
#      convolutions of G_ba's weights), no --network runs G_ab, so does
#      --network=G_ab, and embedded weights give the same; an unknown or
#      missing name exits 2 listing the valid ones; --grid writes rows of
#      input | output (| --target) whose PNG size says so; --target of
#      another count, --target without --grid and --grid of a .npy exit 2.
#   2. tests/e2e/cgan_tiny.yaml, a conditional GAN: -o DIR/ writes -n
#      samples of every class into DIR/0/ ... DIR/9/, --class K only DIR/K/;
#      a png_dir source with `labels: folders` reads DIR back with each
#      image under the class the sampler drew it for; --class all -o X.npy
#      writes X_labels.npy; the grid has a column per class; bad --class
#      values exit 2 naming the flag.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_sampler
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_sampler: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk
png_size() { $PY -c "import struct,sys; print(*struct.unpack('>II', open(sys.argv[1],'rb').read()[16:24]))" "$1"; }
# refuses CODE_WANTED TEXT_WANTED CMD...: the command exits 2 saying TEXT
refuses() {
    local want=$1; shift
    local rc=0
    "$@" > /dev/null 2> "$dir/err" || rc=$?
    [ $rc -eq 2 ] && grep -q -- "$want" "$dir/err" ||
        fail "$* : exit $rc, expected 2 and '$want', said: $(cat "$dir/err")"
}

# ---- 1. several networks: --network, --grid, --target ----------------------------
build/ganc build tests/e2e/cycle_sample.yaml -o "$dir/cycle" > /dev/null 2>&1
"$dir/cycle/train" --out "$dir/cycle-run" > "$dir/cycle.log" 2>&1 ||
    fail "cycle_sample training: $(tail -3 "$dir/cycle.log")"
S=$dir/cycle/sample W=$dir/cycle-run/weights.safetensors
"$S" --help > "$dir/help.txt"
grep -q -- "--network NAME .*G_ab, G_ba \[G_ab\]" "$dir/help.txt" ||
    fail "--help does not list the networks: $(tail -3 "$dir/help.txt")"
grep -q "input x: data" "$dir/help.txt" && "$S" --network G_ba --help | grep -q "input y: data" ||
    fail "--help does not show each network's own inputs"
$PY - "$dir" <<'PY'
import numpy as np, sys
r = np.random.default_rng(5)
np.save(sys.argv[1] + "/in.npy", r.uniform(-1, 1, (5, 1, 14, 14)).astype(np.float32))
np.save(sys.argv[1] + "/target.npy", r.uniform(-1, 1, (5, 1, 14, 14)).astype(np.float32))
np.save(sys.argv[1] + "/target4.npy", r.uniform(-1, 1, (4, 1, 14, 14)).astype(np.float32))
PY
"$S" --weights "$W" --input "$dir/in.npy" -o "$dir/default.npy" 2> /dev/null
"$S" --weights "$W" --input "$dir/in.npy" --network=G_ab -o "$dir/ab.npy" 2> /dev/null
"$S" --weights "$W" --network G_ba --input "$dir/in.npy" -o "$dir/ba.npy" 2> /dev/null
build/ganc build tests/e2e/cycle_sample.yaml -o "$dir/cycle-embedded" --embed-weights "$W" > /dev/null 2>&1
"$dir/cycle-embedded/sample" --network G_ba --input "$dir/in.npy" -o "$dir/ba-embedded.npy" 2> /dev/null
$PY - "$dir" "$W" <<'PY'
import json, struct, sys
import numpy as np
d, w = sys.argv[1], sys.argv[2]
raw = open(w, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
def t(name):
    e = head[name]
    a, b = e["data_offsets"]
    return np.frombuffer(raw[8 + n + a:8 + n + b], np.float32).reshape(e["shape"])
def conv3(x, k, b):   # 3x3, stride 1, padding 1 (zeros)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((x.shape[0], k.shape[0]) + x.shape[2:], np.float64)
    for i in range(3):
        for j in range(3):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i:i + 14, j:j + 14], k[:, :, i, j])
    return out + b[None, :, None, None]
x = np.load(d + "/in.npy")
names = sorted(k for k in head if k.startswith("G_ba."))
want = np.tanh(conv3(np.maximum(conv3(x, t("G_ba.c1.weight"), t("G_ba.c1.bias")), 0),
                     t("G_ba.out.weight"), t("G_ba.out.bias")))
ba, ab, df, emb = (np.load(d + f) for f in ("/ba.npy", "/ab.npy", "/default.npy", "/ba-embedded.npy"))
err = np.abs(ba - want).max()
print("e2e_sampler: --network G_ba against numpy's G_ba: largest difference %.2g" % err)
assert err < 1e-4, "--network G_ba does not run G_ba"
assert np.abs(ab - ba).max() > 1e-3, "G_ab and G_ba gave the same outputs"
assert np.array_equal(ab, df), "no --network does not run the first network, G_ab"
assert np.array_equal(ba, emb), "embedded weights give another G_ba"
PY
refuses "--network G_x: expected one of this sampler's networks: G_ab, G_ba" \
    "$S" --weights "$W" --network G_x --input "$dir/in.npy" -o "$dir/x.npy"
refuses "--network: expected a network name (G_ab, G_ba), found none" "$S" --network
"$S" --weights "$W" --network G_ba --input "$dir/in.npy" --grid -o "$dir/pairs.png" 2> /dev/null
"$S" --weights "$W" --input "$dir/in.npy" --grid --target "$dir/target.npy" -o "$dir/triples.png" 2> /dev/null
# 14x14 images enlarged 6 times (84 px), 2 px between cells: 2 or 3 columns, 5 rows
[ "$(png_size "$dir/pairs.png")" = "174 432" ] || fail "--grid: $(png_size "$dir/pairs.png"), expected 174 432"
[ "$(png_size "$dir/triples.png")" = "260 432" ] ||
    fail "--grid --target: $(png_size "$dir/triples.png"), expected 260 432"
refuses "expected the number of rows of .*target4.npy" \
    "$S" --weights "$W" --input "$dir/in.npy" --grid --target "$dir/target4.npy" -o "$dir/x.png"
refuses "--target: expected --grid" "$S" --weights "$W" --input "$dir/in.npy" --target "$dir/target.npy" -o "$dir/x.png"
refuses "--grid: expected --grid, -o X.png" "$S" --weights "$W" --input "$dir/in.npy" --grid -o "$dir/x.npy"
refuses "--class: this model's network reads no class input" \
    "$S" --weights "$W" --input "$dir/in.npy" --class all -o "$dir/x/"
[ ! -e "$dir/x.png" ] && [ ! -e "$dir/x.npy" ] && [ ! -e "$dir/x" ] || fail "a refused run left its output"

# ---- 2. labelled samples: class subfolders, read back by png_dir ---------------
build/ganc build tests/e2e/cgan_tiny.yaml -o "$dir/cgan" > /dev/null 2>&1
"$dir/cgan/train" --out "$dir/cgan-run" > "$dir/cgan.log" 2>&1 || fail "cgan_tiny training: $(tail -3 "$dir/cgan.log")"
S=$dir/cgan/sample W=$dir/cgan-run/weights.safetensors
"$S" --weights "$W" -n 3 -o "$dir/classes/" 2> /dev/null
"$S" --weights "$W" --class 4 -n 2 -o "$dir/four/" 2> /dev/null
"$S" --weights "$W" --class all -n 3 -o "$dir/all.npy" 2> /dev/null
"$S" --weights "$W" --class all -n 2 -o "$dir/grid.png" 2> /dev/null
layout=$(cd "$dir/classes" && find . -type f | sort | tr '\n' ' ')
want=$(for k in 0 1 2 3 4 5 6 7 8 9; do for i in 0 1 2; do printf './%d/00000%d.png ' $k $i; done; done)
[ "$layout" = "$want" ] || fail "-n 3 -o DIR/ wrote: $layout"
[ "$(cd "$dir/four" && find . -type f | sort | tr '\n' ' ')" = "./4/000000.png ./4/000001.png " ] ||
    fail "--class 4 -n 2 -o DIR/ wrote: $(cd "$dir/four" && find . | sort | tr '\n' ' ')"
# 10 columns (a column per class), 2 rows of 84 px images
[ "$(png_size "$dir/grid.png")" = "862 174" ] || fail "the class grid: $(png_size "$dir/grid.png"), expected 862 174"
cat > "$dir/readback.yaml" <<'YAML'
name: readback
data: {source: png_dir, path: classes, labels: folders, classes: 10, shape: [1, 14, 14]}
variables: {x: data, y: labels}
networks:
  C:
    inputs: {x: sample}
    layers: [flatten, {name: out, type: dense, units: 10}]
objective:
  C: [{cross_entropy: "C(x)", labels: y}]
schedule: [{update: C}]
train: {batch: 30, steps: 1, log_every: 1, sample_every: 1, checkpoint_every: 1, eval_every: 0}
YAML
build/ganc build "$dir/readback.yaml" -o "$dir/readback" > /dev/null 2>&1
"$dir/readback/train" --data "$dir/classes" --dump-data "$dir/dump" > /dev/null 2>&1 ||
    fail "png_dir with labels: folders does not read the sampler's folder"
$PY - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
x, y = np.load(d + "/dump/x.npy"), np.load(d + "/dump/y.npy").ravel()
s, labels = np.load(d + "/all.npy"), np.load(d + "/all_labels.npy")
assert labels.tolist() == list(range(10)) * 3, "X_labels.npy: %s" % labels
assert sorted(y.tolist()) == sorted(labels.tolist()), "png_dir read classes %s" % sorted(y)
for xi, yi in zip(x, y):   # each image read back is one the sampler drew for its class
    dist = np.abs(s[labels == yi] - xi).reshape(3, -1).max(1).min()
    assert dist <= 0.5 / 127.5 + 1e-6, "an image of class %d is none of its samples" % yi
print("e2e_sampler: 30 images in 10 class folders read back by png_dir under their classes")
PY
refuses "--class: expected a class or 'all', found 'every'" "$S" --weights "$W" --class every -o "$dir/y/"
refuses "--class 10: expected a class from 0 to 9" "$S" --weights "$W" --class 10 -o "$dir/y/"
refuses "--class all: not with --labels" "$S" --weights "$W" --class all --labels "$dir/all_labels.npy" -o "$dir/y/"
refuses "--grid: expected --grid, -o X.png" "$S" --weights "$W" --grid -o "$dir/y/"
refuses "--target: expected --grid" "$S" --weights "$W" --grid --target "$dir/all.npy" -o "$dir/y.png"
[ ! -e "$dir/y" ] && [ ! -e "$dir/y.png" ] || fail "a refused run left its output"
echo "e2e_sampler: ok"
