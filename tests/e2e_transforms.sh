#!/usr/bin/env bash
# tests/e2e_transforms.sh - data transforms end to end (docs/model-language.md,
# "Transforms"), through generated trainers on Fashion-MNIST:
#   1. tests/e2e/pix2pix_edges.yaml: photos (downsampled to 14x14) and their
#      Sobel edges, two paired sources of ONE file.  A batch drawn as training
#      draws it (train --dump-data) must hold, for each photo, numpy's
#      downsample of a row of the file and, beside it, numpy's edges of that
#      photo (pixels whose magnitude lies within 1e-4 of the threshold may
#      round either way).  G(edges) -> photo trained with L1 alone for 300
#      steps must end far lower than the same model with `paired: false`
#      (0.28 against 0.58 measured): the L1 falls only when pairs are aligned.
#      The trainer's pictures of both: 8 rows of input | output | target
#      (paired), input | output (unpaired).
#   2. tests/e2e/inpaint_mask.yaml: a random 6x6 mask at each draw: each
#      drawn sample differs from its photo in one 6x6 box at most, which is
#      -1, and not all in one place; a run stopped at step 20 and resumed
#      ends bit-identical to a straight run of 40 (weights and checkpoint).
#   3. tests/e2e/sneaker_boot.yaml: two unpaired domains of one labelled file
#      (classes 7 and 9): 6,000 rows each, said on the trainer's first line,
#      and a drawn batch of each holds its class only.
#   4. refusals (exit 2, naming what to fix): --data2 for a source `from`
#      another, labels that leave keep_classes no row.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_transforms
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_transforms: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
FM=/usr/share/datasets/fashion-mnist
[ -r "$FM/train-images-idx3-ubyte.gz" ] || fail "no Fashion-MNIST in $FM (Debian package dataset-fashion-mnist)"

# ---- 1. paired edges and photos from one file --------------------------------
build/ganc build tests/e2e/pix2pix_edges.yaml -o "$dir/p2p" > /dev/null
sed 's/paired: true/paired: false/; s/^name: pix2pix_edges/name: pix2pix_unpaired/' \
    tests/e2e/pix2pix_edges.yaml > "$dir/unpaired.yaml"
build/ganc build "$dir/unpaired.yaml" -o "$dir/unp" > /dev/null
"$dir/p2p/train" --dump-data "$dir/p2p-batch" --seed 4 > "$dir/dump.log" ||
    fail "--dump-data: $(cat "$dir/dump.log")"
grep -q "edges: the file of 'photos', .* -> downsample to 14x14, edges over 0.25" "$dir/dump.log" ||
    fail "the dump does not describe the edges source: $(cat "$dir/dump.log")"
$PY - "$dir/p2p-batch" "$FM/train-images-idx3-ubyte.gz" <<'PY'
import gzip, sys
import numpy as np
d, path = sys.argv[1], sys.argv[2]
raw = np.frombuffer(gzip.open(path).read()[16:], np.uint8).reshape(-1, 28, 28)
img = raw.astype(np.float32) / np.float32(127.5) - 1
small = img.reshape(-1, 14, 2, 14, 2).mean((2, 4), dtype=np.float64)
x, y = np.load(d + "/x.npy")[:, 0], np.load(d + "/y.npy")[:, 0]   # edges, photos
flat = small.reshape(len(small), -1)
bad = 0
for b in range(len(y)):
    dist = np.abs(flat - y[b].reshape(-1)).max(1)
    row = int(dist.argmin())
    if dist[row] > 1e-5:
        sys.exit("e2e_transforms: FAIL: photo %d of the batch is no downsampled row of the file "
                 "(nearest %d, %.2g off)" % (b, row, dist[row]))
    p = np.pad(small[row], 1, mode="edge")       # the border repeated
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    mag = np.sqrt(gx ** 2 + gy ** 2) / 8
    want = np.where(mag > 0.25, 1.0, -1.0)
    off = (want != x[b]) & (np.abs(mag - 0.25) > 1e-4)
    bad += int(off.sum())
    if b == 0:
        print("e2e_transforms: photo 0 is row %d; %d of its 196 pixels are edges"
              % (row, int((x[b] > 0).sum())))
if bad:
    sys.exit("e2e_transforms: FAIL: %d edge pixels differ from numpy's Sobel edges" % bad)
print("e2e_transforms: %d drawn pairs: each photo a downsampled row, its edges numpy's" % len(y))
PY
"$dir/p2p/train" --out "$dir/paired-run" > "$dir/paired.log" 2>&1 ||
    fail "paired training: $(tail -3 "$dir/paired.log")"
grep -q "photos: .* paired with edges: the file of 'photos'" "$dir/paired.log" ||
    fail "the trainer's first line does not name both sources: $(head -3 "$dir/paired.log")"
"$dir/unp/train" --out "$dir/unpaired-run" > "$dir/unpaired.log" 2>&1 ||
    fail "unpaired training: $(tail -3 "$dir/unpaired.log")"
$PY - "$dir/paired-run/log.csv" "$dir/unpaired-run/log.csv" <<'PY'
import csv, sys
def end(path):   # the mean L1 of the last two log rows (steps 201..300)
    rows = list(csv.DictReader(open(path)))
    return sum(float(r["G_loss"]) for r in rows[-2:]) / 2
p, u = end(sys.argv[1]), end(sys.argv[2])
print("e2e_transforms: L1 of G(edges) against photos after 300 steps: paired %.3f, "
      "unpaired %.3f" % (p, u))
sys.exit("e2e_transforms: FAIL: the paired L1 is not far below the unpaired one: the pairs "
         "are not aligned" if p > 0.7 * u else 0)
PY

# the trainer's pictures of a translator: rows of input | output | target
# (paired: the photos are the targets), input | output unpaired; 8 rows
grep -q "samples_000300.png (input | output | target)" "$dir/paired.log" &&
    grep -q "samples_000300.png (input | output)" "$dir/unpaired.log" ||
    fail "no translator pictures named on the progress lines: $(grep samples_ "$dir/paired.log")"
$PY - "$dir/paired-run/samples_000300.png" "$dir/unpaired-run/samples_000300.png" <<'PY'
import struct, sys
for path, cols in zip(sys.argv[1:], (3, 2)):
    w, h = struct.unpack(">II", open(path, "rb").read()[16:24])
    if abs(w / h - cols / 8) > 0.05:
        sys.exit("e2e_transforms: FAIL: %s is %d x %d, not 8 rows of %d images" % (path, w, h, cols))
print("e2e_transforms: the translator's pictures hold 8 rows of 3 (paired) and 2 (unpaired) images")
PY

# ---- 2. a random mask at each draw, resumed bit-identically -------------------
build/ganc build tests/e2e/inpaint_mask.yaml -o "$dir/inpaint" > /dev/null
"$dir/inpaint/train" --dump-data "$dir/inpaint-batch" > /dev/null || fail "--dump-data of inpaint_mask"
$PY - "$dir/inpaint-batch" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
x, y = np.load(d + "/x.npy")[:, 0], np.load(d + "/y.npy")[:, 0]   # masked, photos
places = set()
for b in range(len(x)):
    ys, xs = np.nonzero(x[b] != y[b])
    if len(ys) and (ys.max() - ys.min() >= 6 or xs.max() - xs.min() >= 6 or
                    (x[b][ys, xs] != -1).any()):
        sys.exit("e2e_transforms: FAIL: sample %d differs from its photo outside one 6x6 box "
                 "of -1" % b)
    if len(ys):
        places.add((int(ys.min()), int(xs.min())))
if len(places) < 4:
    sys.exit("e2e_transforms: FAIL: the masks of 16 samples lie in %d places" % len(places))
print("e2e_transforms: 16 masked samples: each its photo but for one 6x6 box of -1, in %d "
      "places" % len(places))
PY
train=("$dir/inpaint/train" --checkpoint-every 10 --sample-every 0)
"${train[@]}" --steps 40 --out "$dir/inpaint-full" > /dev/null 2>&1 || fail "inpaint_mask training"
"${train[@]}" --steps 20 --out "$dir/inpaint-part" > /dev/null 2>&1 || fail "inpaint_mask, 20 steps"
"$dir/inpaint/train" --resume "$dir/inpaint-part" --steps 40 > /dev/null 2>&1 ||
    fail "inpaint_mask: resuming"
cmp -s "$dir/inpaint-full/weights.safetensors" "$dir/inpaint-part/weights.safetensors" ||
    fail "inpaint_mask: a run resumed at step 20 differs from a straight one (weights)"
ck=checkpoints/step_000000040.safetensors
cmp -s "$dir/inpaint-full/$ck" "$dir/inpaint-part/$ck" ||
    fail "inpaint_mask: a run resumed at step 20 differs from a straight one (checkpoint)"
echo "e2e_transforms: inpaint_mask stopped at 20 of 40 and resumed: bit-identical"

# ---- 3. two domains of one labelled file ------------------------------------
build/ganc build tests/e2e/sneaker_boot.yaml -o "$dir/sb" > /dev/null
"$dir/sb/train" --out "$dir/sb-run" > "$dir/sb.log" 2>&1 || fail "sneaker_boot: $(tail -3 "$dir/sb.log")"
grep -q "sneakers: .* -> classes 7 kept: 6000 rows and boots: the file of 'sneakers', .* -> classes 9 kept: 6000 rows" \
    "$dir/sb.log" || fail "the trainer's first line does not count the rows kept: $(head -3 "$dir/sb.log")"
"$dir/sb/train" --dump-data "$dir/sb-batch" > /dev/null || fail "--dump-data of sneaker_boot"
$PY - "$dir/sb-batch" <<'PY'
import sys
import numpy as np
a, b = np.load(sys.argv[1] + "/a_class.npy"), np.load(sys.argv[1] + "/b_class.npy")
if not ((a == 7).all() and (b == 9).all()):
    sys.exit("e2e_transforms: FAIL: drawn classes %s and %s, expected only 7 and only 9" % (a, b))
print("e2e_transforms: sneaker_boot: 6000 rows of class 7, 6000 of class 9, batches of each alone")
PY

# ---- 4. refusals --------------------------------------------------------------
rc=0
"$dir/sb/train" --data2 x.gz --out "$dir/no" 2> "$dir/data2.err" || rc=$?
[ $rc -eq 2 ] && grep -q "source 'boots' reads the file of source 'sneakers' (from: sneakers); set it with --data" \
    "$dir/data2.err" || fail "--data2 for a source from another: exit $rc, $(cat "$dir/data2.err")"
$PY - "$dir/no7.idx" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:   # 60000 labels, none of them 7
    f.write(bytes([0, 0, 8, 1]) + (60000).to_bytes(4, "big") + bytes(i % 7 for i in range(60000)))
PY
rc=0
"$dir/sb/train" --labels "$dir/no7.idx" --out "$dir/no" 2> "$dir/no7.err" || rc=$?
[ $rc -eq 2 ] && grep -q "data source 'sneakers': keep_classes keeps none of the rows of" "$dir/no7.err" &&
    [ ! -e "$dir/no" ] || fail "keep_classes that keeps nothing: exit $rc, $(cat "$dir/no7.err")"
echo "e2e_transforms: ok"
