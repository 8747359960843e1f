#!/usr/bin/env bash
# tests/e2e_ring8.sh - end to end: compile models/ring8_mlp.yaml, train it
# with a fixed seed for its default 25,000 steps, sample 2,500 points with the
# sampler and score them by the PacGAN protocol: at least 7 of 8 modes and
# 80% of samples within 3 std of a mode centre.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_ring8
rm -rf "$dir"
build/ganc build models/ring8_mlp.yaml -o "$dir"
"$dir/train" --seed 1 --out "$dir/run" --sample-every 0 --log-every 5000
"$dir/sample" --weights "$dir/run/weights.safetensors" -n 2500 --seed 7 -o "$dir/samples.csv"
build/tests/mixture_eval ring8 "$dir/samples.csv" 7 0.80

# the same weights built into a sampler: the generator's tensors only, the
# same samples; weights of another model refused at build time (exit 2)
build/ganc build models/ring8_mlp.yaml -o "$dir/embedded" \
    --embed-weights "$dir/run/weights.safetensors" 2>/dev/null
"$dir/embedded/sample" -n 2500 --seed 7 -o "$dir/embedded.csv" >/dev/null
cmp "$dir/samples.csv" "$dir/embedded.csv"
/usr/bin/python3 - "$dir/embedded/embedded.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
names = [k for k in json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]]) if k != "__metadata__"]
assert names and all(n.startswith("generator.") for n in names), names
PY
rc=0
build/ganc build models/grid25_mlp.yaml -o "$dir/other" --no-compile \
    --embed-weights "$dir/run/weights.safetensors" 2>"$dir/other.err" || rc=$?
[ $rc -eq 2 ] && grep -q "a weights file of model 'ring8_mlp', expected 'grid25_mlp'" "$dir/other.err" ||
    { echo "e2e_ring8: another model's weights not refused (exit $rc)"; cat "$dir/other.err"; exit 1; }
echo "e2e_ring8: embedded weights: generator only, same samples; another model's refused"
# and the sampler of another model names the weights' model (exit 2)
build/ganc build models/grid25_mlp.yaml -o "$dir/grid25" >/dev/null 2>&1
rc=0
"$dir/grid25/sample" --weights "$dir/run/weights.safetensors" -n 1 -o "$dir/x.csv" \
    2>"$dir/grid25.err" || rc=$?
[ $rc -eq 2 ] && grep -q "a weights file of model 'ring8_mlp', expected 'grid25_mlp'" \
    "$dir/grid25.err" || { echo "e2e_ring8: another model's sampler: exit $rc"; cat "$dir/grid25.err"; exit 1; }
echo "e2e_ring8: the grid25 sampler names ring8's weights as such"
