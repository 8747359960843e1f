#!/usr/bin/env bash
# tests/e2e_general.sh - end to end through the general model form
# (docs/model-language.md): labels read with the data, a conditional
# generator, a loss of several terms in the log, a moving average of the
# weights in the sampler, a sampled network that reads images.
#   1. tests/e2e/cgan_ring8.yaml, a conditional GAN on ring8 points labelled
#      by their mode (a CSV column), trained 3,000 steps: `sample --class K`
#      must draw mode K (at least 90% of 500 samples nearest to centre K,
#      80% within 3 std of it), for every K;
#   2. models/wgan_gp_grid25.yaml for 300 steps: log.csv's D_loss is
#      D_adversarial + 10 D_gradient_penalty on every row; the weights hold
#      G's moving average (ema.*), which the sampler uses unless --raw, and a
#      sampler with the weights embedded draws the same samples both ways;
#   3. tests/e2e/translator_png.yaml, an image-to-image network trained 20
#      steps on a folder of PNGs: its sampler's `--input` of those PNGs (a
#      folder, a file) gives the samples of a .npy of their pixels.
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

# ---- 3. a data input read from PNG images -----------------------------------
# tests/e2e/translator_png.yaml maps 8x8 RGB images to images.  Python writes
# a folder of PNGs (RGB, gray, RGBA, 16-bit; zlib at levels 0, 1 and 9, fixed
# Huffman codes only, several IDAT chunks; filters none and sub) and a .npy
# of the same pixels as the trainer converts them (x / 127.5 - 1 in float32,
# gray repeated, alpha dropped, 16-bit to its high byte).  The trainer
# trains on the folder (zlib's inflate); the sampler, which links no zlib,
# must give the same samples from `--input FOLDER/` as from `--input X.npy`,
# and from `--input FILE.png` the sample of that file.
img="$dir/images"
/usr/bin/python3 - "$img" "$dir/pixels.npy" <<'PY'
import numpy as np, os, struct, sys, zlib
out, npy = sys.argv[1], sys.argv[2]
os.makedirs(out)
rng = np.random.default_rng(4)

def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

def write(name, px, colour, depth=8, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, sub=False,
          idats=1):
    h, w = px.shape[:2]
    rows = px.astype(">u2" if depth == 16 else "u1").reshape(h, -1).view("u1")
    bpp = rows.shape[1] // w
    raw = b""
    for r in rows:
        line = r.astype(np.int16)
        if sub:   # filter 1: each byte minus the one a pixel before it
            line = line - np.concatenate([np.zeros(bpp, np.int16), line[:-bpp]])
        raw += bytes([1 if sub else 0]) + (line % 256).astype("u1").tobytes()
    c = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
    z = c.compress(raw) + c.flush()
    cuts = np.linspace(0, len(z), idats + 1).astype(int)
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)))
        for a, b in zip(cuts[:-1], cuts[1:]):
            f.write(chunk(b"IDAT", z[a:b]))
        f.write(chunk(b"IEND", b""))

rgb = lambda: rng.integers(0, 256, (8, 8, 3))
samples = {}
p = rgb(); write("a_stored.png", p, 2, level=0); samples["a"] = p
p = rgb(); write("b_fast.png", p, 2, level=1, sub=True); samples["b"] = p
p = np.repeat(np.arange(64).reshape(8, 8, 1) * 3, 3, 2); write("c_best.png", p, 2, level=9, idats=3); samples["c"] = p
p = rgb(); write("d_fixed.png", p, 2, strategy=zlib.Z_FIXED, sub=True); samples["d"] = p
g = rng.integers(0, 256, (8, 8, 1)); write("e_gray.png", g, 0); samples["e"] = np.repeat(g, 3, 2)
p = rgb(); write("f_rgba.png", np.concatenate([p, rng.integers(0, 256, (8, 8, 1))], 2), 6, level=9); samples["f"] = p
p = rng.integers(0, 65536, (8, 8, 3)); write("g_16bit.png", p, 2, depth=16, level=9); samples["g"] = p >> 8
x = np.stack([samples[k] for k in sorted(samples)]).astype(np.float32).transpose(0, 3, 1, 2)
np.save(npy, x / np.float32(127.5) - np.float32(1))
PY
build/ganc build tests/e2e/translator_png.yaml -o "$dir/translator" > /dev/null
"$dir/translator/train" --data "$img" --steps 20 --out "$dir/translator-run" > /dev/null
t="$dir/translator/sample --weights $dir/translator-run/weights.safetensors"
$t --input "$img/" -o "$dir/from_pngs.npy" 2> /dev/null || fail "sample --input FOLDER/"
$t --input "$dir/pixels.npy" -o "$dir/from_npy.npy" 2> /dev/null || fail "sample --input X.npy"
cmp "$dir/from_pngs.npy" "$dir/from_npy.npy" ||
    fail "--input FOLDER/ and --input X.npy of the same pixels give other samples"
$t --input "$img/c_best.png" -o "$dir/from_png.npy" 2> /dev/null || fail "sample --input FILE.png"
/usr/bin/python3 - "$dir" <<'PY'
import numpy as np, sys
d = sys.argv[1]
one, all7 = np.load(d + "/from_png.npy"), np.load(d + "/from_pngs.npy")
assert one.shape == (1, 3, 8, 8) and all7.shape == (7, 3, 8, 8), (one.shape, all7.shape)
assert np.array_equal(one[0], all7[2]), "--input c_best.png is not the third sample"
assert np.abs(all7 - np.load(d + "/pixels.npy")).max() > 0, "the network is the identity"
PY
needed=$(readelf -d "$dir/translator/sample" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
[ "$needed" = "libc.so.6 libm.so.6 " ] || fail "the translator's sampler needs $needed"
echo "e2e_general: translator_png: 7 PNGs (stored, fixed, dynamic; gray, RGBA, 16-bit) as" \
     "--input give the samples of their pixels as .npy; the sampler links libc and libm only"
