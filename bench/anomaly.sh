#!/usr/bin/env bash
# bench/anomaly.sh - f-AnoGAN one-class anomaly detection on Fashion-MNIST
# (models/anomaly_fashion.yaml; bench/README.md "Anomaly detection").
#
#   bash bench/anomaly.sh                 # the model's normal class (1, trousers)
#   bash bench/anomaly.sh --class 7       # another normal class
#   bash bench/anomaly.sh --all           # the ten classes in turn (~10 x one)
#   options: --steps N (the trainer's --steps; the phases stay as the model
#   says), --out DIR (default build/bench/anomaly), --threads N
#
# For each normal class K: a copy of the model with keep_classes [K] is
# built and trained on the training images of class K alone; its scorer
# (DIR/score) scores the 10,000 test images (t10k, converted to a .npy of
# pixels in [-1, 1], as the trainer reads IDX images); the ROC AUC has class
# K negative and every other class positive (higher score = more
# anomalous).  Beside it, a baseline measured in the same run: the raw-pixel
# L2 distance of each test image to its nearest training image of class K.
# Prints a table (AUC per class, the mean) and writes DIR/anomaly.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/anomaly_fashion.yaml
fm=/usr/share/datasets/fashion-mnist
out=build/bench/anomaly
classes=""
steps=""
threads=1
while [ $# -gt 0 ]; do
    case $1 in
        --class) classes=$2; shift 2 ;;
        --all) classes="0 1 2 3 4 5 6 7 8 9"; shift ;;
        --steps) steps=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/anomaly.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if [ -z "$classes" ]; then
    classes=$(sed -n 's/^ *keep_classes: *\[\([0-9]*\)\].*/\1/p' "$model" | head -1)
fi
mkdir -p "$out"
make -s build/ganc

# the test set as the networks see it, and the labels
/usr/bin/python3 - "$fm" "$out" <<'PY'
import gzip, os, sys
import numpy as np
fm, out = sys.argv[1:]
def idx(path, off):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=off)
if not os.path.exists(out + "/test.npy"):
    x = idx(fm + "/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    np.save(out + "/test.npy", (x.astype(np.float32) / 255 * 2 - 1))
    np.save(out + "/test_labels.npy", idx(fm + "/t10k-labels-idx1-ubyte.gz", 8))
PY

for k in $classes; do
    dir="$out/class$k"
    mkdir -p "$dir"
    sed "s/^\( *keep_classes: *\)\[[0-9]*\]/\1[$k]/" "$model" > "$dir/model.yaml"
    # the model's data paths are absolute: the copy reads the same files
    build/ganc build "$dir/model.yaml" -o "$dir/build" > "$dir/ganc.log" 2>&1 ||
        { cat "$dir/ganc.log"; exit 1; }
    start=$(date +%s)
    "$dir/build/train" --out "$dir/run" --overwrite --threads "$threads" --eval-every 0 \
        --sample-every 100000 ${steps:+--steps "$steps"} > "$dir/train.log" 2>&1 ||
        { tail -5 "$dir/train.log"; exit 1; }
    echo "class $k: trained in $(( $(date +%s) - start )) s ($(tail -1 "$dir/train.log" | cut -c1-60)...)"
    "$dir/build/score" --weights "$dir/run/weights.safetensors" "$out/test.npy" \
        -o "$dir/scores.csv" 2> "$dir/score.log" || { cat "$dir/score.log"; exit 1; }
done

/usr/bin/python3 - "$fm" "$out" $classes <<'PY'
import gzip, sys
import numpy as np
fm, out, classes = sys.argv[1], sys.argv[2], [int(c) for c in sys.argv[3:]]
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot"]
def idx(path, off):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=off)
train = idx(fm + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255 * 2 - 1
train_y = idx(fm + "/train-labels-idx1-ubyte.gz", 8)
test = np.load(out + "/test.npy").reshape(-1, 784)
y = np.load(out + "/test_labels.npy")

def auc(score, positive):
    """ROC AUC (ties counted half): the chance that a positive outscores a negative."""
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    p = positive.sum()
    n = len(positive) - p
    return (ranks[positive].sum() - p * (p + 1) / 2) / (p * n)

def nearest_l2(normal):
    """each test image's squared L2 distance to its nearest training image of the class"""
    nn = (normal ** 2).sum(1)
    best = np.empty(len(test), np.float32)
    for a in range(0, len(test), 1000):
        t = test[a:a + 1000]
        d = (t ** 2).sum(1)[:, None] + nn[None, :] - 2 * t @ normal.T
        best[a:a + 1000] = d.min(1)
    return best

rows = []
for k in classes:
    lines = open(f"{out}/class{k}/scores.csv").read().split("\n")
    assert lines[0] == "index,score", lines[0]
    s = np.array([float(l.split(",")[-1]) for l in lines[1:] if l])
    assert len(s) == len(y), (len(s), len(y))
    pos = y != k
    rows.append((k, auc(s, pos), auc(nearest_l2(train[train_y == k]), pos)))
print()
print("one-class ROC AUC on the Fashion-MNIST test set (10,000 images; normal = class K)")
print(f"{'K':>2} {'class':<12} {'f-AnoGAN (ganc)':>16} {'nearest-L2 pixels':>18}")
for k, a, b in rows:
    print(f"{k:>2} {names[k]:<12} {a:>16.4f} {b:>18.4f}")
if len(rows) > 1:
    print(f"   {'mean':<12} {np.mean([r[1] for r in rows]):>16.4f} "
          f"{np.mean([r[2] for r in rows]):>18.4f}")
print("published one-class results (Golan & El-Yaniv, NeurIPS 2018, Table 1): not")
print("reproduced here; bench/README.md says why")
with open(out + "/anomaly.csv", "w") as f:
    f.write("class,name,auc_fanogan,auc_nearest_l2\n")
    for k, a, b in rows:
        f.write(f"{k},{names[k]},{a:.6f},{b:.6f}\n")
print(f"wrote {out}/anomaly.csv")
PY
