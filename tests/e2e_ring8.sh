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
