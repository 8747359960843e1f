#!/usr/bin/env bash
# tests/e2e_cgan.sh - a conditional model makes the class asked for:
# models/cgan_fashion.yaml trained briefly (STEPS, 1,500 by default, two
# threads), 100 samples of each class drawn with `sample --class K`, judged
# by a small classifier trained in the test (tests/judge/class_judge.py):
# at least MIN (60% by default; chance is 10%) must be of the class asked for.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${STEPS:-1500}
min=${MIN:-0.6}
dir=build/tests/e2e_cgan
rm -rf "$dir"
mkdir -p "$dir"
# the trainer's own warning about OPENBLAS_CORETYPE is for users; the test
# runs at full speed without it
env -u OPENBLAS_CORETYPE build/ganc build models/cgan_fashion.yaml -o "$dir/bin" > /dev/null
env -u OPENBLAS_CORETYPE "$dir/bin/train" --steps "$steps" --threads 2 --log-every 500 \
    --sample-every "$steps" --checkpoint-every "$steps" --out "$dir/run"
for k in 0 1 2 3 4 5 6 7 8 9; do
    "$dir/bin/sample" --weights "$dir/run/weights.safetensors" --class $k -n 100 --seed 5 \
        -o "$dir/class$k.npy" > /dev/null
done
/usr/bin/python3 tests/judge/class_judge.py "$dir" "$min"
