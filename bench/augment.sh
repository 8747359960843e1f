#!/usr/bin/env bash
# bench/augment.sh - does a conditional GAN's output help a classifier that
# has few real images?  (issue 16: labelled samples for augmentation)
#
#   1. 100 real training images per class (REAL, the first of each class in
#      Fashion-MNIST's training file) are written as PNGs in a folder per
#      class, OUT/real/0/ ... OUT/real/9/;
#   2. a class-conditional GAN (models/acgan_fashion.yaml by default, trained
#      GAN_STEPS steps on the whole training set, or the run --gan-run RUN)
#      makes GEN images of every class with `sample --class all -n GEN -o
#      OUT/aug/`, which writes OUT/aug/K/000000.png ...; the real images are
#      copied in beside them;
#   3. bench/augment_classifier.yaml (models/fmnist_classifier.yaml's network
#      reading png_dir with `labels: folders`) is trained CLF_STEPS steps on
#      OUT/real alone and, from the same seed, on OUT/aug;
#   4. both classify Fashion-MNIST's 10,000 test images (the classifier's
#      sampler, --input of a .npy), and the accuracies are printed and
#      written to OUT/results.csv.
#
# usage: bench/augment.sh [--gan-run RUN] [--gan-model MODEL.yaml] [--out OUT]
#   environment: REAL (100), GEN (100), GAN_STEPS (2000), CLF_STEPS (800),
#   SEEDS ("1 2": classifier seeds, each trained both ways), THREADS (1)
# A --gan-run RUN must hold weights.safetensors and model.yaml (every run
# folder does); without it the GAN is trained into OUT/gan-run, or reused
# from there when that run finished before.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
FM=/usr/share/datasets/fashion-mnist
REAL=${REAL:-100} GEN=${GEN:-100} GAN_STEPS=${GAN_STEPS:-2000} CLF_STEPS=${CLF_STEPS:-800}
SEEDS=${SEEDS:-1 2} THREADS=${THREADS:-1}
out=build/bench/augment gan_run= gan_model=models/acgan_fashion.yaml
while [ $# -gt 0 ]; do
    case "$1" in
        --gan-run) gan_run=$2; shift 2 ;;
        --gan-model) gan_model=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "augment.sh: unknown flag '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x build/ganc ] || make -s -j2
mkdir -p "$out"
t0=$(date +%s)

# ---- 1. real images: REAL per class as PNGs, the test set as .npy ------------
rm -rf "$out/real" "$out/aug"
$PY - "$FM" "$out" "$REAL" <<'PY'
import gzip, os, struct, sys, zlib
import numpy as np
fm, out, real = sys.argv[1], sys.argv[2], int(sys.argv[3])
def idx(path):
    raw = gzip.open(path).read()
    n = struct.unpack(">I", raw[4:8])[0]
    return np.frombuffer(raw, np.uint8, offset=16 if raw[3] == 3 else 8).reshape(n, -1)
def png(path, img):   # 8-bit gray, as png_dir reads it
    h, w = img.shape
    rows = b"".join(b"\0" + img[y].tobytes() for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
x, y = idx(fm + "/train-images-idx3-ubyte.gz"), idx(fm + "/train-labels-idx1-ubyte.gz")[:, 0]
for k in range(10):
    os.makedirs("%s/real/%d" % (out, k))
    for i, row in enumerate(np.flatnonzero(y == k)[:real]):
        png("%s/real/%d/real_%05d.png" % (out, k, i), x[row].reshape(28, 28))
tx, ty = idx(fm + "/t10k-images-idx3-ubyte.gz"), idx(fm + "/t10k-labels-idx1-ubyte.gz")[:, 0]
np.save(out + "/test.npy", (tx.reshape(-1, 1, 28, 28) / 127.5 - 1).astype(np.float32))
np.save(out + "/test_labels.npy", ty.astype(np.int64))
PY

# ---- 2. the GAN: trained (or reused), then GEN images of every class -------------
if [ -z "$gan_run" ]; then
    gan_run=$out/gan-run
    if [ -f "$gan_run/weights.safetensors" ] && grep -q "\"steps\": $GAN_STEPS\b" "$gan_run/settings.json" 2>/dev/null; then
        echo "augment: reusing the GAN run $gan_run"
    else
        build/ganc build "$gan_model" -o "$out/gan" > /dev/null
        echo "augment: training $gan_model for $GAN_STEPS steps into $gan_run"
        "$out/gan/train" --steps "$GAN_STEPS" --out "$gan_run" --overwrite --eval-every 0 \
            --threads "$THREADS" > "$out/gan-train.log" 2>&1
    fi
fi
build/ganc build "$gan_run/model.yaml" -o "$out/gan-sampler" > /dev/null
"$out/gan-sampler/sample" --weights "$gan_run/weights.safetensors" --class all -n "$GEN" \
    --seed 7 -o "$out/aug/" > /dev/null
for k in 0 1 2 3 4 5 6 7 8 9; do cp "$out"/real/$k/*.png "$out/aug/$k/"; done
"$out/gan-sampler/sample" --weights "$gan_run/weights.safetensors" --class all -n 8 \
    --seed 7 -o "$out/generated.png" > /dev/null
t_gan=$(date +%s)

# ---- 3, 4. the classifier, without and with the generated images ---------------
build/ganc build bench/augment_classifier.yaml -o "$out/clf" > /dev/null
echo "set,seed,images,steps,test_accuracy" > "$out/results.csv"
for seed in $SEEDS; do
    for set in real aug; do
        run=$out/clf-$set-$seed
        "$out/clf/train" --data "$out/$set" --steps "$CLF_STEPS" --seed "$seed" --out "$run" \
            --overwrite --threads "$THREADS" > "$out/clf-$set-$seed.log" 2>&1
        "$out/clf/sample" --weights "$run/weights.safetensors" --input "$out/test.npy" \
            -o "$run/logits.npy" > /dev/null
        $PY - "$out" "$set" "$seed" "$CLF_STEPS" "$run/logits.npy" <<'PY'
import glob, sys
import numpy as np
out, s, seed, steps, logits = sys.argv[1:]
acc = (np.load(logits).argmax(1) == np.load(out + "/test_labels.npy")).mean()
n = len(glob.glob("%s/%s/*/*.png" % (out, s)))
open(out + "/results.csv", "a").write("%s,%s,%d,%s,%.4f\n" % (s, seed, n, steps, acc))
PY
    done
done
t_end=$(date +%s)
$PY - "$out" "$gan_run" "$((t_gan - t0))" "$((t_end - t_gan))" <<'PY'
import csv, sys
out, run, tg, tc = sys.argv[1:]
rows = list(csv.DictReader(open(out + "/results.csv")))
print("augment: GAN run %s; %s s for data and GAN, %s s for the classifiers" % (run, tg, tc))
for s in ("real", "aug"):
    acc = [float(r["test_accuracy"]) for r in rows if r["set"] == s]
    n = [r["images"] for r in rows if r["set"] == s][0]
    print("  %-4s %5s images: test accuracy %s (mean %.2f%%)"
          % (s, n, " ".join("%.2f%%" % (100 * a) for a in acc), 100 * sum(acc) / len(acc)))
PY
