#!/usr/bin/env bash
# tests/e2e_dcgan.sh - a short DCGAN run on Fashion-MNIST: compile
# models/dcgan_fashion.yaml, train 1 and 60 steps from the same seed, and check
# that every logged loss is finite and that the generator's samples (from the
# sampler, same latents) have moved away from their initial noise, and that
# the sampler's batch-16 path gives the samples its one-at-a-time path does;
# two runs on 2 threads with one seed end with identical weights.
# Then the sampler writes a folder of PNGs, and a small model with png_dir data
# (tests/models/png_small.yaml) trains on that folder.
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ ! -r "$data" ]; then
    echo "e2e_dcgan: $data is missing (apt-get install dataset-fashion-mnist)" >&2
    exit 1
fi
dir=build/tests/e2e_dcgan
rm -rf "$dir"
build/ganc build models/dcgan_fashion.yaml -o "$dir"
for steps in 1 60; do
    "$dir/train" --steps $steps --seed 5 --out "$dir/run$steps" --log-every 10 --sample-every 0 \
        --threads 2
    "$dir/sample" --weights "$dir/run$steps/weights.safetensors" -n 64 --seed 9 -o "$dir/s$steps.npy"
done
/usr/bin/python3 - "$dir" <<'PY'
import csv, sys
import numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/run60/log.csv")))
losses = [float(r[k]) for r in rows for k in ("d_loss", "g_loss")]
assert rows and np.all(np.isfinite(losses)), f"non-finite or missing losses: {losses}"
a, b = np.load(f"{d}/s1.npy"), np.load(f"{d}/s60.npy")
assert a.shape == b.shape == (64, 1, 28, 28), (a.shape, b.shape)
assert np.all(np.isfinite(b)) and b.min() >= -1 and b.max() <= 1
change = float(np.abs(a - b).mean())
print(f"e2e_dcgan: {len(rows)} log rows, losses finite (last D {losses[-2]:.3f} G {losses[-1]:.3f}); "
      f"mean |sample change| after 60 steps {change:.3f}")
assert change > 0.05, "samples barely changed from their initial noise"
PY

# two threads: the same seed gives the same weights, bit for bit (the
# products are split the same way every run)
for r in a b; do
    "$dir/train" --steps 10 --seed 7 --out "$dir/twice_$r" --log-every 10 --sample-every 0 \
        --threads 2 > /dev/null
done
cmp "$dir/twice_a/weights.safetensors" "$dir/twice_b/weights.safetensors"
echo "e2e_dcgan: two runs on 2 threads, same seed: identical weights"

# the sampler's two paths: of 17 latents, 16 go through generate_many (batch
# 16) and 1 through generate; 15 latents go through generate one at a time
/usr/bin/python3 - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
z = np.random.default_rng(4).standard_normal((17, 100)).astype(np.float32)
np.save(f"{d}/z17.npy", z)
np.save(f"{d}/z15.npy", z[:15])
PY
for n in 17 15; do
    "$dir/sample" --weights "$dir/run60/weights.safetensors" -n $n --latent "$dir/z$n.npy" \
        -o "$dir/paths$n.npy" > /dev/null
done
/usr/bin/python3 - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
many, one = np.load(f"{d}/paths17.npy"), np.load(f"{d}/paths15.npy")
diff = float(np.abs(many[:15] - one).max())
print(f"e2e_dcgan: batch-16 and one-at-a-time samples differ by at most {diff:.2e}")
assert diff < 1e-4, diff
PY

# png_dir: the sampler's folder of PNGs is training data for another model
"$dir/sample" --weights "$dir/run60/weights.safetensors" -n 40 --seed 9 -o "$dir/pngs/"
build/ganc build tests/models/png_small.yaml -o "$dir/png_small"
"$dir/png_small/train" --data "$dir/pngs" --steps 20 --out "$dir/png_run" --sample-every 0 \
    > "$dir/png_run.txt" 2>&1 || { cat "$dir/png_run.txt"; exit 1; }
grep -q "pngs (40 images)" "$dir/png_run.txt" || { cat "$dir/png_run.txt"; exit 1; }
test -s "$dir/png_run/weights.safetensors"
echo "e2e_dcgan: png_small trained 20 steps on the sampler's 40 PNGs"

# a weights file cut short by another program while the sampler reads it in
# place (mapped): reported with the path, exit 1, no crash.  The cut comes
# once the file is mapped (seen in /proc/PID/maps) and its checksum done,
# while 20000 samples are being generated (seconds)
cp "$dir/run60/weights.safetensors" "$dir/cut.safetensors"
"$dir/sample" --weights "$dir/cut.safetensors" -n 20000 --seed 3 -o "$dir/cut.npy" \
    > "$dir/cut.txt" 2>&1 &
pid=$!
for _ in $(seq 200); do
    grep -q cut.safetensors "/proc/$pid/maps" 2>/dev/null && break
    sleep 0.01
done
sleep 0.2
truncate -s 8 "$dir/cut.safetensors"
rc=0; wait $pid || rc=$?
if [ $rc -ne 1 ] || ! grep -q "cut.safetensors: the weights file was cut short while the sampler read it" \
        "$dir/cut.txt"; then
    echo "e2e_dcgan: FAIL: a weights file cut while mapped gave exit $rc:"; cat "$dir/cut.txt"; exit 1
fi
test ! -e "$dir/cut.npy" || { echo "e2e_dcgan: FAIL: output written from cut weights"; exit 1; }
echo "e2e_dcgan: weights cut while the sampler ran: reported, exit 1, nothing written"
