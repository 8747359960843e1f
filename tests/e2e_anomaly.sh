#!/usr/bin/env bash
# tests/e2e_anomaly.sh - f-AnoGAN's pieces end to end on
# tests/e2e/anomaly_tiny.yaml (a WGAN-GP for 20 iterations, then the encoder
# E from iteration 20: schedule phases; a `score` section):
#   1. log.csv: D and G losses on the rows up to step 20 only, E's after;
#   2. DIR/score on a .npy of the images as the networks see them (a batch
#      written by `train --dump-data`): one row per sample, in order (the
#      file reversed gives the scores reversed, a sample given twice the
#      same score);
#   3. the score of every sample computed again in numpy from the saved
#      weights (the networks' layers by hand, inference mode) agrees;
#   4. the same images as a folder of PNGs score as their .npy; usage
#      errors are named.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_anomaly
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_anomaly: FAIL: $*" >&2; exit 1; }

build/ganc build tests/e2e/anomaly_tiny.yaml -o "$dir/b" > /dev/null 2>&1 ||
    fail "ganc build tests/e2e/anomaly_tiny.yaml"
[ -x "$dir/b/score" ] || fail "no $dir/b/score built"
"$dir/b/train" --out "$dir/run" --threads 1 > /dev/null 2>&1 || fail "training"
"$dir/b/train" --dump-data "$dir/dump" --out "$dir/dump-run" > /dev/null 2>&1 ||
    fail "train --dump-data"

# ---- 1. phases in log.csv ----------------------------------------------------
/usr/bin/python3 - "$dir/run/log.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "empty log"
for r in rows:
    s = int(r["step"])
    gan, enc = s <= 20, s > 20
    assert (r["D_loss"] != "") == gan and (r["G_loss"] != "") == gan, r
    assert (r["E_loss"] != "") == enc and (r["E_pixels"] != "") == enc, r
print("e2e_anomaly: log.csv: D, G logged to step 20, E after")
PY

# ---- 2. order ------------------------------------------------------------------
/usr/bin/python3 - "$dir" <<'PY'
import numpy as np, sys
d = sys.argv[1]
x = np.load(d + "/dump/x.npy")
np.save(d + "/x.npy", x)
np.save(d + "/rev.npy", np.ascontiguousarray(x[::-1]))
np.save(d + "/twice.npy", np.concatenate([x[:3], x[:3]]))
PY
w="$dir/run/weights.safetensors"
for f in x rev twice; do
    "$dir/b/score" --weights "$w" "$dir/$f.npy" -o "$dir/$f.csv" 2> "$dir/err.txt" ||
        { cat "$dir/err.txt"; fail "score $f.npy"; }
done

# ---- 3. against numpy ------------------------------------------------------------
/usr/bin/python3 - "$dir" <<'PY'
import json, struct, sys
import numpy as np
d = sys.argv[1]
def scores(f):
    lines = open(d + "/" + f).read().split("\n")
    assert lines[0] == "index,score", lines[0]
    rows = [l.split(",") for l in lines[1:] if l]
    assert [int(r[0]) for r in rows] == list(range(len(rows))), "rows out of order"
    return np.array([float(r[-1]) for r in rows])
s, rev, twice = scores("x.csv"), scores("rev.csv"), scores("twice.csv")
assert len(s) == 16 and len(rev) == 16 and len(twice) == 6, (len(s), len(rev), len(twice))
assert np.array_equal(rev, s[::-1]), "reversed input: scores not reversed"
assert np.array_equal(twice[:3], twice[3:]) and np.array_equal(twice[:3], s[:3]), twice
raw = open(d + "/run/weights.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
def t(name):
    e = head[name]
    a, b = e["data_offsets"]
    return np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(e["shape"]).astype(np.float64)
lrelu = lambda v: np.where(v > 0, v, 0.2 * v)
def dense(v, net, layer):
    return v @ t(f"{net}.{layer}.weight").T + t(f"{net}.{layer}.bias")
x = np.load(d + "/x.npy").reshape(16, -1).astype(np.float64)
E = dense(lrelu(dense(x, "E", "h1")), "E", "z")
G = np.tanh(dense(lrelu(dense(E, "G", "h1")), "G", "h2"))
feat = lambda v: lrelu(dense(v, "D", "h1"))
want = ((G - x) ** 2).mean(1) + 0.5 * ((feat(G) - feat(x)) ** 2).mean(1)
err = np.abs(want - s).max()
assert err < 1e-5 * max(1.0, np.abs(want).max()), (err, want[:4], s[:4])
print("e2e_anomaly: 16 scores in order, repeated samples alike, numpy agrees "
      "(largest difference %.2g)" % err)
# the same images as 8-bit PNGs, and their pixels as a .npy
import zlib, os
os.makedirs(d + "/png", exist_ok=True)
px = np.clip(np.round((x + 1) * 127.5), 0, 255).astype(np.uint8).reshape(16, 7, 7)
def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
for i in range(16):
    rows = b"".join(b"\0" + px[i, r].tobytes() for r in range(7))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 7, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    open(d + "/png/img%02d.png" % i, "wb").write(png)
np.save(d + "/px.npy", (px.astype(np.float32) / 127.5 - 1).reshape(16, 1, 7, 7))
PY
"$dir/b/score" --weights "$w" "$dir/png" -o "$dir/png.csv" 2> /dev/null || fail "score png/"
"$dir/b/score" --weights "$w" "$dir/px.npy" -o "$dir/px.csv" 2> /dev/null || fail "score px.npy"
"$dir/b/score" --weights "$w" "$dir/png/img03.png" -o "$dir/one.csv" 2> /dev/null ||
    fail "score one .png"
/usr/bin/python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
png = [l.split(",") for l in open(d + "/png.csv").read().split("\n")[1:] if l]
npy = [l.split(",") for l in open(d + "/px.csv").read().split("\n")[1:] if l]
one = [l.split(",") for l in open(d + "/one.csv").read().split("\n")[1:] if l]
assert open(d + "/png.csv").readline().strip() == "index,file,score"
assert len(png) == 16 and png[3][1].endswith('img03.png"'), png[3]
for a, b in zip(png, npy):
    assert abs(float(a[-1]) - float(b[-1])) <= 1e-6 * max(1, abs(float(b[-1]))), (a, b)
assert len(one) == 1 and abs(float(one[0][-1]) - float(npy[3][-1])) <= 1e-6, (one, npy[3])
print("e2e_anomaly: a folder of PNGs and one PNG score as their pixels' .npy")
PY

# ---- 4. usage errors -------------------------------------------------------------------
expect_err() {   # TEXT CMD...: exit 2 and TEXT in stderr
    local text=$1 rc=0
    shift
    "$@" > /dev/null 2> "$dir/err.txt" || rc=$?
    [ "$rc" -eq 2 ] || { cat "$dir/err.txt"; fail "$* exited $rc, expected 2"; }
    grep -qF -- "$text" "$dir/err.txt" || { cat "$dir/err.txt"; fail "$*: expected '$text'"; }
}
expect_err "--weights: expected a .safetensors file" "$dir/b/score" "$dir/x.npy" -o "$dir/a.csv"
expect_err "IMAGES: expected a .npy" "$dir/b/score" --weights "$w" -o "$dir/a.csv"
expect_err "-o: expected the .csv file" "$dir/b/score" --weights "$w" "$dir/x.npy"
expect_err "missing.npy" "$dir/b/score" --weights "$w" "$dir/missing.npy" -o "$dir/a.csv"
expect_err "missing.safetensors" "$dir/b/score" --weights "$dir/missing.safetensors" "$dir/x.npy" \
    -o "$dir/a.csv"
expect_err "expected one IMAGES argument" "$dir/b/score" --weights "$w" "$dir/x.npy" \
    "$dir/rev.npy" -o "$dir/a.csv"
/usr/bin/python3 -c "import numpy as np; np.save('$dir/bad.npy', np.zeros((2, 49), np.float32))"
expect_err "expected samples of input 'x' of shape (N, 1, 7, 7)" "$dir/b/score" --weights "$w" \
    "$dir/bad.npy" -o "$dir/a.csv"
"$dir/b/score" --help | grep -q "Usage:" || fail "score --help"
[ ! -e "$dir/a.csv" ] || fail "a failed score left $dir/a.csv"
echo "e2e_anomaly: usage errors named; ok"
