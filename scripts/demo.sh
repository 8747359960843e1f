#!/usr/bin/env bash
# scripts/demo.sh - the main job: installs what is missing (compiler, libyaml,
# OpenBLAS, zlib, Fashion-MNIST), builds ganc, compiles
# models/dcgan_fashion.yaml into a trainer and a sampler, trains the DCGAN for
# 3,000 steps on 2 threads (a few minutes on 2 cores), and samples a grid
# from the saved weights with the sampler.  The trainer is compiled for this
# machine (--native).  Some environments set OPENBLAS_CORETYPE to an older
# CPU's kernels (Haswell here), which halves OpenBLAS's speed on an AVX-512
# CPU; the trainer warns about it, and this script runs it without that
# setting when the CPU has AVX-512.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
make -j2 all
model=models/dcgan_fashion.yaml
run=runs/dcgan_fashion
build/ganc check "$model"
build/ganc build "$model" -o build/dcgan_fashion --native
blas_env=()
if [ -n "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo; then
    blas_env=(-u OPENBLAS_CORETYPE)
fi
# --overwrite: a second demo replaces the first one's run (a new run refuses a
# folder that holds one)
env "${blas_env[@]}" build/dcgan_fashion/train --out "$run" --threads 2 --overwrite
build/dcgan_fashion/sample --weights "$run/weights.safetensors" -n 64 --seed 7 -o "$run/samples.png"
build/dcgan_fashion/sample --weights "$run/weights.safetensors" -n 1000 --seed 7 -o "$run/samples.npy"
echo
echo "Done. Samples while training: $run/samples_*.png (the same 64 latents every 500 steps)"
echo "      From the sampler:       $run/samples.png (64) and $run/samples.npy (1000, 1, 28, 28)"
echo "      Losses: $run/log.csv    Weights: $run/weights.safetensors"
echo "      Sampler to deploy:      build/dcgan_fashion/sample (libc and libm only)"
