#!/usr/bin/env bash
# tests/parity.sh - two training iterations of generated trainers against
# PyTorch: tests/parity/dump_step.c (linked with the model's train.c) runs
# them as the trainer does (every update of the schedule, its repetitions,
# clip and moving average) and dumps every value, tests/parity/torch_step.py
# replays them in float32 and compares every value (see its header for the
# tolerances), for shorthand and general-form models alike.  The per-tensor
# tables are kept in build/tests/parity/*/torch_step.log (shown on failure).
#
#   tests/parity.sh                     models/ring8_mlp.yaml and every
#                                       tests/models/*.yaml, optimized and --plain;
#                                       ring8 and the DCGAN also with every GEMM
#                                       on one engine (GANC_GEMM=ganc, =openblas;
#                                       the DCGAN also =implicit), whatever this
#                                       machine's cost model picks
#   tests/parity.sh [--plain] MODEL.yaml...   the given models in one emission
#
# The first run is followed by negative controls: the comparison of that dump
# with one value changed by 0.1% (the sampler's output, the first loss, the
# first gradient, an update of another network) must fail.  Builds under
# build/tests/parity/NAME[-plain|-ganc|-openblas|-implicit]/; exits 1 on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
# -fopenmp and two OpenMP threads, as `ganc build` and `train --threads 2`
# run the trainer: the products split among threads and the parallel loops
# are what is compared (the plain emission has neither); -O3 and the
# floating-point flags are gan_gen_cflags of gen/host.c
CFLAGS="-std=c11 -O3 -fno-trapping-math -fno-math-errno -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -fopenmp"
export OMP_NUM_THREADS=2

plain_only=0
models=()
for a in "$@"; do
    case "$a" in
    --plain) plain_only=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "parity.sh: unknown option $a (expected --plain, --help or MODEL.yaml)" >&2
        exit 2 ;;
    *) [ -f "$a" ] || { echo "parity.sh: $a: no such model file" >&2; exit 2; }
       models+=("$a") ;;
    esac
done
if [ ${#models[@]} -eq 0 ]; then
    # dropout draws its masks from ganc's own hash, which PyTorch cannot
    # reproduce: those models are covered by the gradient checks instead
    models=(models/ring8_mlp.yaml models/dcgan_fashion.yaml
            $(grep -L 'type: dropout' tests/models/*.yaml))
    emissions=("" "--plain")
elif [ $plain_only -eq 1 ]; then
    emissions=("--plain")
else
    emissions=("")
fi

if ! "$PYTHON" -c 'import torch, numpy, yaml' 2>/dev/null; then
    echo "parity: $PYTHON lacks torch, numpy or yaml (apt-get install python3-torch python3-yaml)" >&2
    exit 1
fi
make -s build/ganc build/libganc_train.a build/libganc_sample.a || exit 1
export OPENBLAS_NUM_THREADS=1

summary=()
failed=0
controls_done=0
# Gradient tolerance and reference per model (default: float32 PyTorch,
# 1e-4 of the tensor's largest value).  dcgan_fashion: batchnorm over 64
# samples cancels large terms in G's gradients, so their float32 error
# depends on the order of the sums and is up to a few 1e-2 of max in any
# implementation: on the dumped inputs PyTorch's float32 G gradients are
# 2.9e-2 of max from its float64 ones; ganc's plain emission (long
# sequential sums) 6.1e-3; the optimized emission, whose sums keep one
# partial sum per vector lane, 3.1e-4 built for any x86-64 (4 lanes) but
# 2.9e-2 (fc.weight, as PyTorch) built with -march=native (16 lanes).  So
# dcgan_fashion is checked against float64 PyTorch with gradients to 5e-2;
# forward values, losses, running statistics and updates keep their strict
# bounds.
grad_rtol() {
    case "$(basename "$1")" in
        dcgan_fashion.yaml) echo --grad-rtol 5e-2 --float64 ;;
    esac
}

for model in "${models[@]}"; do
    variants=("${emissions[@]}")
    case "$model:${#emissions[@]}" in
    models/ring8_mlp.yaml:2) variants+=(GANC_GEMM=ganc GANC_GEMM=openblas) ;;
    models/dcgan_fashion.yaml:2)
        variants+=(GANC_GEMM=ganc GANC_GEMM=openblas GANC_GEMM=implicit) ;;
    esac
    for emission in "${variants[@]}"; do
        case "$emission" in
        --plain) suffix=-plain; flags=--plain; gemm= ;;
        GANC_GEMM=*) suffix=-${emission#GANC_GEMM=}; flags=; gemm=${emission#GANC_GEMM=} ;;
        *) suffix=; flags=; gemm= ;;
        esac
        name=$(basename "$model" .yaml)$suffix
        dir=build/tests/parity/$name
        rm -rf "$dir" && mkdir -p "$dir"
        echo "== parity $model ${emission:-(optimized)}"
        status=ok
        if ! GANC_GEMM=$gemm build/ganc build "$model" -o "$dir" --no-compile $flags \
                >"$dir/ganc.log" 2>&1; then
            status="FAIL (ganc build)"
            cat "$dir/ganc.log"
        elif ! $CC $CFLAGS -Iruntime -Itests/parity -DGANC_NO_MAIN -o "$dir/dump_step" \
                "$dir/train.c" tests/parity/dump_step.c build/libganc_train.a \
                -lopenblas -lz -lm >"$dir/cc.log" 2>&1; then
            status="FAIL (compile)"
            head -20 "$dir/cc.log"
        elif ! "$dir/dump_step" "$dir/step.safetensors" 1; then
            status="FAIL (dump_step)"
        elif ! "$PYTHON" tests/parity/torch_step.py "$model" "$dir/step.safetensors" \
                $(grad_rtol "$model") >"$dir/torch_step.log" 2>&1; then
            status=FAIL
        fi
        # the per-tensor table in full on failure, else its last line
        if [ -f "$dir/torch_step.log" ]; then
            if [ "$status" = ok ]; then tail -1 "$dir/torch_step.log"; else cat "$dir/torch_step.log"; fi
        fi
        summary+=("$(printf '  %-28s %s  %s' "$name" "$status" \
            "$(grep -o 'largest differences.*' "$dir/torch_step.log" 2>/dev/null)")")
        [ "$status" = ok ] || failed=1

        if [ "$status" = ok ] && [ $controls_done -eq 0 ]; then
            controls_done=1
            # output.fake, the first loss and gradient, and the first
            # update of another network than that gradient's (classic: a
            # D gradient and a G update); each must make the comparison
            # fail (exit 1: exit 2 would be a bad key, not a detection)
            l1=$(grep -o '^  loss\.[^ ]*' "$dir/torch_step.log" | head -1 | sed 's/^  //')
            d1=$(grep -o '^  grad\.[^ ]*' "$dir/torch_step.log" | head -1 | sed 's/^  //')
            dnet=$(echo "$d1" | cut -d. -f2)
            g1=$(grep -o '^  after\.[^ ]*' "$dir/torch_step.log" | sed 's/^  //' |
                 grep -v "^after\.$dnet\." | head -1)
            for key in output.fake "$l1" "$d1" "$g1"; do
                "$PYTHON" tests/parity/torch_step.py "$model" "$dir/step.safetensors" \
                    --corrupt "$key" $(grad_rtol "$model") >"$dir/control.log" 2>&1
                rc=$?
                if [ $rc -ne 1 ]; then
                    echo "negative control NOT detected: '$key' changed by 0.1% (exit $rc)"
                    summary+=("$(printf '  %-28s %s' "control $key" "FAIL (not detected)")")
                    failed=1
                else
                    echo "negative control: $key changed by 0.1% -> detected"
                fi
            done
        fi
    done
done
echo "== parity summary"
printf '%s\n' "${summary[@]}"
exit $failed
