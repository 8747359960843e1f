#!/usr/bin/env bash
# bench/model_table.sh - README's table of models: each model of models/
# trained to its default steps (its own seed, batch and schedule) and judged
# by `ganc eval` (10,000 samples against the 10,000 test images; the 2D
# mixtures: 2,500 points), printed as a Markdown table.
#
#   bash bench/model_table.sh [MODEL...]     (default: every image and 2D model)
#   RUNS=DIR THREADS=N                        where the runs go [runs/table], threads [2]
#
# A run whose weights are already at the model's default steps is judged
# again, not trained again, so the table can be finished in several sittings.
# Times are this machine's (2 cores); a model of Fashion-MNIST takes 5 to 30
# minutes, the whole table about two hours.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-runs/table}
threads=${THREADS:-2}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(ring8_mlp grid25_mlp wgan_gp_grid25 dcgan_fashion cgan_fashion
                                   acgan_fashion wgan_gp_fashion hinge_sn_fashion)
make -s all
mkdir -p "$runs"
rows=()
for name in "${models[@]}"; do
    yaml=models/$name.yaml
    [ -f "$yaml" ] || yaml=models/$name
    run=$runs/$(basename "$yaml" .yaml)
    steps=$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["train"]["steps"])' "$yaml")
    done_at=$(/usr/bin/python3 - "$run/weights.safetensors" <<'PY' 2>/dev/null || echo 0
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
print(json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])["__metadata__"]["step"])
PY
)
    if [ "$done_at" != "$steps" ]; then
        build/ganc build "$yaml" -o "$runs/build-$(basename "$run")" --native > /dev/null
        start=$(date +%s)
        env -u OPENBLAS_CORETYPE "$runs/build-$(basename "$run")/train" --out "$run" \
            --threads "$threads" --overwrite > "$run.log" 2>&1
        echo "model_table: $name: $steps steps in $(( $(date +%s) - start )) s" >&2
    fi
    json=$(build/ganc eval "$run" 2>/dev/null)
    echo "model_table: $name: $json" >&2
    rows+=("$(/usr/bin/python3 - "$name" "$steps" "$json" <<'PY'
import json, sys
name, steps, m = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if "fd" in m:
    acc = "%.1f%%" % (100 * m["class_accuracy"]) if "class_accuracy" in m else "-"
    print("| `%s` | %s | %.1f | %.3f | %.3f | %.2f | %s |" % (name, steps, m["fd"],
          m["precision"], m["recall"], m["class_entropy"], acc))
else:
    print("| `%s` | %s | modes %d of %d (%d with 20 points) | HQ %.1f%% | reverse KL %.3f | | |"
          % (name, steps, m["modes"], m["n_modes"], m["modes_20"], 100 * m["high_quality"],
             m["reverse_kl"]))
PY
)")
done
echo "| model | steps | FD | precision | recall | class entropy | class accuracy |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
