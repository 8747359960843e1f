#!/usr/bin/env bash
# scripts/demo.sh - the main job: installs what is missing, builds ganc,
# compiles models/ring8_mlp.yaml into a trainer and a sampler, trains it and
# samples from the trained generator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
make -j2 all
model=models/ring8_mlp.yaml
build/ganc check "$model"
build/ganc build "$model" -o build/ring8_mlp
build/ring8_mlp/train --out runs/ring8_mlp
build/ring8_mlp/sample --weights runs/ring8_mlp/weights.safetensors -n 2500 -o runs/ring8_mlp/samples.png
build/ring8_mlp/sample --weights runs/ring8_mlp/weights.safetensors -n 2500 -o runs/ring8_mlp/samples.npy
echo
echo "Done. Pictures of training: runs/ring8_mlp/samples_*.png; log: runs/ring8_mlp/log.csv"
echo "Samples from the sampler: runs/ring8_mlp/samples.png and samples.npy"
