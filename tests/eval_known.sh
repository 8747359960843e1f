#!/usr/bin/env bash
# tests/eval_known.sh - the quality metrics on cases whose answer is known
# (issue 15), through `ganc eval` and the trainer's --eval-every:
#   1. image sets judged against the 10,000 test images: 10,000 training
#      images (the floor: fd under 2, precision and recall over 0.75, class
#      entropy near log 10); the first five classes only (recall under 0.6,
#      class entropy under 1.75, near log 5); 50 images repeated 200 times
#      (recall under 0.05); the training images with N(0, 0.3) pixel noise
#      (fd over 20 times the floor's).  Each other case's fd is above the
#      floor's.  Translations (--target, --class): the noisy images against
#      their clean selves (PSNR as numpy computes it, SSIM well below 1),
#      the images against themselves (PSNR capped at 100, SSIM 1, l1 0),
#      the sneakers (class 7) judged as class 7 (over 0.9) and as class 9
#      (under 0.1), and with --labels of 7 each (the same share).
#   2. a trained generator: tests/e2e/mlp_fashion.yaml 400 steps, evaluated
#      by the trainer at 200 and 400 (log.csv's fd columns, best.safetensors,
#      the best in each checkpoint), resumed to 600 (the best over the
#      whole run is kept), then `ganc eval RUN` and `RUN --best`;
#      models/ring8_mlp.yaml briefly: `ganc eval` prints its mode scores.
#   3. refusals: a missing target, a model without a metric, a bad -n, an
#      .npy that is not (N, 1, 28, 28) images: non-zero, naming the problem.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/eval_known
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "eval_known: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3

# ---- 1. known image sets --------------------------------------------------------
$PY - "$dir" <<'PY'
import gzip, struct, sys
import numpy as np
d, F = sys.argv[1], "/usr/share/datasets/fashion-mnist"
def idx(p):
    raw = gzip.open(p).read()
    dims = struct.unpack(">" + "I" * raw[3], raw[4:4 + 4 * raw[3]])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(dims)
x = idx(F + "/train-images-idx3-ubyte.gz").astype(np.float32) / 127.5 - 1
y = idx(F + "/train-labels-idx1-ubyte.gz")
r = np.random.default_rng(0)
real = x[r.permutation(len(x))[:10000]]
np.save(d + "/real.npy", real[:, None])
np.save(d + "/half.npy", x[y < 5][:10000, None])
np.save(d + "/repeat50.npy", np.repeat(real[:50], 200, 0)[:, None])
noisy = np.clip(real + 0.3 * r.standard_normal(real.shape), -1, 1).astype(np.float32)
np.save(d + "/noise.npy", noisy[:, None])
np.save(d + "/sneakers.npy", x[y == 7][:1000, None])
np.save(d + "/sneaker_labels.npy", np.full(1000, 7, np.float32))
np.save(d + "/bad_labels.npy", np.full(1000, 10, np.float32))
mse = (((noisy - real) / 2).astype(np.float64) ** 2).mean((1, 2))
open(d + "/noise_psnr.txt", "w").write("%.6f\n" % (-10 * np.log10(mse)).mean())
np.save(d + "/points.npy", r.standard_normal((100, 2)).astype(np.float32))
p = r.uniform(-1, 1, (200, 2))
np.savetxt(d + "/before.csv", p, fmt="%.5f", delimiter=",")
np.savetxt(d + "/after.csv", p[:, ::-1], fmt="%.5f", delimiter=",")
PY
for c in real half repeat50 noise; do
    build/ganc eval "$dir/$c.npy" > "$dir/$c.json" 2> "$dir/$c.err" ||
        fail "ganc eval $c.npy: $(cat "$dir/$c.err")"
    echo "eval_known: $c: $(cat "$dir/$c.json")"
done
$PY - "$dir" <<'PY'
import json, math, sys
d = sys.argv[1]
m = {c: json.load(open("%s/%s.json" % (d, c))) for c in ("real", "half", "repeat50", "noise")}
checks = [
    ("the floor's fd is under 2", m["real"]["fd"] < 2),
    ("the floor's precision and recall are over 0.75",
     m["real"]["precision"] > 0.75 and m["real"]["recall"] > 0.75),
    ("the floor's class entropy is near log 10", m["real"]["class_entropy"] > 2.2),
    ("half the classes: recall under 0.6", m["half"]["recall"] < 0.6),
    ("half the classes: class entropy under 1.75 (log 5 = %.3f)" % math.log(5),
     m["half"]["class_entropy"] < 1.75),
    ("50 images repeated: recall under 0.05", m["repeat50"]["recall"] < 0.05),
    ("pixel noise: fd over 20 times the floor's", m["noise"]["fd"] > 20 * m["real"]["fd"]),
    ("every other case's fd is above the floor's",
     all(m[c]["fd"] > m["real"]["fd"] for c in ("half", "repeat50", "noise"))),
]
bad = [name for name, ok in checks if not ok]
sys.exit("eval_known: FAIL: " + "; ".join(bad) if bad else 0)
PY
build/ganc eval "$dir/noise.npy" --target "$dir/real.npy" > "$dir/noise_pairs.json"
build/ganc eval "$dir/real.npy" --target "$dir/real.npy" --class 3 > "$dir/same.json"
build/ganc eval "$dir/sneakers.npy" --class 7 > "$dir/sneakers7.json"
build/ganc eval "$dir/sneakers.npy" --class 9 > "$dir/sneakers9.json"
build/ganc eval "$dir/sneakers.npy" --labels "$dir/sneaker_labels.npy" > "$dir/sneaker_labels.json"
echo "eval_known: noisy against clean: $(cat "$dir/noise_pairs.json")"
$PY - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
m = {c: json.load(open("%s/%s.json" % (d, c)))
     for c in ("noise_pairs", "same", "sneakers7", "sneakers9", "sneaker_labels")}
want_psnr = float(open(d + "/noise_psnr.txt").read())
checks = [
    ("noisy vs clean: psnr %.3f as numpy's %.3f" % (m["noise_pairs"]["psnr"], want_psnr),
     abs(m["noise_pairs"]["psnr"] - want_psnr) < 1e-3),
    ("noisy vs clean: ssim under 0.9", m["noise_pairs"]["ssim"] < 0.9),
    ("same images: l1 0, psnr 100, ssim 1",
     m["same"]["l1"] == 0 and m["same"]["psnr"] == 100 and m["same"]["ssim"] == 1),
    ("sneakers as class 7: over 0.9", m["sneakers7"]["class_share"] > 0.9),
    ("sneakers as class 9: under 0.1", m["sneakers9"]["class_share"] < 0.1),
    ("sneakers labelled 7: class accuracy as their share of class 7",
     m["sneaker_labels"]["class_accuracy"] == m["sneakers7"]["class_share"]),
]
bad = [name for name, ok in checks if not ok]
sys.exit("eval_known: FAIL: " + "; ".join(bad) if bad else 0)
PY

# ---- 2. the trainer's metrics, the best weights, ganc eval of a run --------------
build/ganc build tests/e2e/mlp_fashion.yaml -o "$dir/mlp" > /dev/null 2>&1
[ -x "$dir/mlp/judge" ] || fail "ganc build put no judge beside the trainer of a (1, 28, 28) model"
"$dir/mlp/train" --out "$dir/run" > "$dir/train.log" 2>&1 || fail "training: $(tail -3 "$dir/train.log")"
grep -q "step 200: fd .*best so far: best.safetensors" "$dir/train.log" ||
    fail "no metrics on the progress line: $(cat "$dir/train.log")"
[ -f "$dir/run/best.safetensors" ] || fail "no best.safetensors"
grep -q '"best_by": "fd (lowest)"' "$dir/run/settings.json" || fail "settings.json: no best_by"
grep -q "^| best (\`best.safetensors\`) | [24]00 |" "$dir/run/report.md" &&
    grep -q "!\[samples at step 400\](samples_000400.png)" "$dir/run/report.md" ||
    fail "report.md lacks the best metrics or the pictures: $(cat "$dir/run/report.md")"
"$dir/mlp/train" --resume "$dir/run" --steps 600 > "$dir/resume.log" 2>&1 ||
    fail "resume: $(tail -3 "$dir/resume.log")"
$PY - "$dir/run" <<'PY'
import csv, json, struct, sys
run = sys.argv[1]
rows = [r for r in csv.DictReader(open(run + "/log.csv")) if r["fd"]]
steps = [int(r["step"]) for r in rows]
if steps != [200, 400, 600]:
    sys.exit("eval_known: FAIL: evaluated at %s, expected 200, 400, 600" % steps)
best = min(rows, key=lambda r: float(r["fd"]))
def meta(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n])["__metadata__"]
m = meta(run + "/checkpoints/step_000000600.safetensors")
if int(m["eval.best_step"]) != int(best["step"]) or abs(float(m["eval.best_fd"]) -
                                                        float(best["fd"])) > 1e-3:
    sys.exit("eval_known: FAIL: the checkpoint's best is %s at %s; log.csv's is %s at %s"
             % (m["eval.best_fd"], m["eval.best_step"], best["fd"], best["step"]))
if int(meta(run + "/best.safetensors")["step"]) != int(best["step"]):
    sys.exit("eval_known: FAIL: best.safetensors is not of step %s" % best["step"])
print("eval_known: the trainer evaluated at %s; best fd %s at step %s, kept across the resume"
      % (steps, best["fd"], best["step"]))
PY
for w in "" --best; do
    build/ganc eval "$dir/run" $w -n 1000 > "$dir/run$w.json" 2> "$dir/run.err" ||
        fail "ganc eval RUN $w: $(cat "$dir/run.err")"
    grep -q '"fd": ' "$dir/run$w.json" || fail "ganc eval RUN $w: $(cat "$dir/run$w.json")"
done
build/ganc build models/ring8_mlp.yaml -o "$dir/ring8" > /dev/null 2>&1
"$dir/ring8/train" --steps 1000 --out "$dir/ring8-run" > /dev/null 2>&1
build/ganc eval "$dir/ring8-run" > "$dir/ring8.json" 2> "$dir/ring8.err" ||
    fail "ganc eval of ring8: $(cat "$dir/ring8.err")"
grep -q '"modes": [0-9]*, "modes_20": [0-9]*, "n_modes": 8' "$dir/ring8.json" || fail "ring8: $(cat "$dir/ring8.json")"
echo "eval_known: ring8 after 1,000 steps: $(cat "$dir/ring8.json")"

# ---- 3. refusals ---------------------------------------------------------------------
expect() {   # expect STATUS TEXT COMMAND...: the exit status and a message containing TEXT
    local want=$1 text=$2 rc=0
    shift 2
    "$@" > /dev/null 2> "$dir/refusal.err" || rc=$?
    [ $rc -eq "$want" ] && grep -q -- "$text" "$dir/refusal.err" ||
        fail "$* exited $rc (expected $want), said: $(cat "$dir/refusal.err")"
}
expect 2 "no such file or folder" build/ganc eval "$dir/none"
expect 2 "takes a number from 2" build/ganc eval "$dir/real.npy" -n 1
expect 2 "unknown option" build/ganc eval "$dir/real.npy" --bogus
build/ganc build tests/e2e/paired_rot.yaml -o "$dir/paired" > /dev/null 2>&1
"$dir/paired/train" --data "$dir/before.csv" --data2 "$dir/after.csv" --steps 10 \
    --out "$dir/paired-run" > /dev/null 2>&1
expect 2 "translates an input" build/ganc eval "$dir/paired-run"
expect 1 "expected" build/ganc eval "$dir/points.npy"
expect 2 "one target per output" build/ganc eval "$dir/sneakers.npy" --target "$dir/real.npy"
expect 2 "judge an IMAGES.npy" build/ganc eval "$dir/run" --class 7
expect 2 "takes a class of the judge" build/ganc eval "$dir/real.npy" --class 10
expect 2 "label of row 0 is 10" build/ganc eval "$dir/sneakers.npy" --labels "$dir/bad_labels.npy"
expect 2 "expected 10000 class numbers" build/ganc eval "$dir/real.npy" --labels "$dir/sneaker_labels.npy"
echo "eval_known: ok"
