#!/usr/bin/env bash
# tests/difftest.sh - differential testing: random models (and given ones)
# built in the plain emission (the reference) and the optimized one, two
# full adversarial iterations of each compared tensor by tensor.
#
#   tests/difftest.sh [--count N] [--seed S] [--torch K] [--jobs J] [--only] [--keep]
#                     [MODEL.yaml...]
#
# Models: tests/models/wide_heads.yaml (the planner's 64-read defect) unless
# --only (to run or reduce one case), the MODEL.yaml given, and N random
# models (default 24, or 0 when models are given) that
# tests/difftest/randmodel.py writes from seeds S, S+1, ... (default 1),
# leaving out the constructs of tests/difftest/known.txt (bugs found and not
# fixed yet).  The first K random models (default 6) are drawn without
# dropout (randmodel.py --torch), and those whose float32 rounding is small
# enough for tests/parity/torch_step.py's tolerances are also replayed in
# float64 PyTorch (gradients to 1e-2 of their scale: see below).  J cases run at a time (default 2).  Each case, in
# build/tests/difftest/NAME/:
#   ganc build --plain, and ganc build with the GANC_GEMM that a line
#     "# difftest: GANC_GEMM=X native" of the model asks for, both
#     --no-compile (native: the optimized code compiled -march=native);
#   plain/train.c + tests/parity/dump_step.c --once -> ref.safetensors (reference);
#   opt/train.c + tests/difftest/replay_step.c, replayed against it ->
#     out.safetensors;
#   plain/train.c in double + tests/difftest/twin_step.c, replayed against
#     it -> twin.safetensors (the float32 rounding error of the reference);
#   tests/difftest/compare.py ref out twin (its header gives the tolerances
#     and why); for wide_heads, negative controls (compare.py --controls:
#     one value moved by 1e-3 of itself must fail); for the PyTorch cases,
#     torch_step.py MODEL ref --float64 --grad-rtol 1e-2: its own tolerances
#     (1e-4) hold for forward values, losses and updates, but the gradients of
#     random models are sums that cancel, which the tiny differences between
#     ganc's function and PyTorch's (float constants, rt_math.h's tanh
#     within 1.3 ulp) move by up to 1e-3 of their scale; a gradient computed
#     wrongly is off by its own size.
# A passing case's folder is removed (--keep keeps it); a failing one keeps
# the model, the generated code, the dumps and the logs, and the summary
# names the command that runs the case again.  To shrink a failing model:
#   tests/difftest/reduce.py build/tests/difftest/NAME/model.yaml -o small.yaml \
#       --expect 'FAIL \(compare\)'
# GANC=PATH and GANC_HOME=DIR test another ganc (its runtime headers and
# build/libganc_train.a).  Exits 1 if any case fails.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
GANC_HOME=${GANC_HOME:-$ROOT}
GANC=${GANC:-$GANC_HOME/build/ganc}
export GANC_HOME
# The optimized emission as tests/parity.sh compiles it (gen/build.h's
# flags, OpenMP, 2 threads).  The plain one at -O0: without -ffast-math
# (and with -ffp-contract off, ISO C's default) GCC keeps every float
# operation as written at any level, so its results are the same bit for
# bit (checked on random models), and it compiles ten times faster (a
# model of 30 layers: 3 s at -O3, 0.3 s at -O0)
CFLAGS="-std=c11 -O3 -fno-trapping-math -fno-math-errno -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -fopenmp"
CFLAGS_PLAIN="${CFLAGS/-O3/-O0}"
# The twin (tests/difftest/twin_step.c): the plain emission in double
TWIN_FLAGS="-std=c11 -O0 -D_POSIX_C_SOURCE=200809L -fopenmp -Dfloat=double -DRT_MATH_H
  -Drt_tanhf=tanh -Dtanhf=tanh -Dexpf=exp -Dlogf=log -Dlog1pf=log1p -Dsqrtf=sqrt -Dfabsf=fabs
  -Dcopysignf=copysign -Dfmaxf=fmax -Dfminf=fmin -Dpowf=pow"
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1
OUT=build/tests/difftest

count= seed=1 torch=6 jobs=2 only=0 keep=0 models=()
usage() { sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
    --count|--seed|--torch|--jobs)
        [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "difftest.sh: $1 needs a number" >&2; exit 2; }
        declare "${1#--}=$2"; shift ;;
    --only) only=1 ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "difftest.sh: unknown option $1 (expected --count, --seed, --torch, --jobs, --only," \
             "--keep, --help or MODEL.yaml)" >&2; exit 2 ;;
    *) [ -f "$1" ] || { echo "difftest.sh: $1: no such model file" >&2; exit 2; }
       models+=("$1") ;;
    esac
    shift
done
[ -n "$count" ] || { [ ${#models[@]} -eq 0 ] && count=24 || count=0; }
[ "$torch" -le "$count" ] || torch=$count
[ "$jobs" -ge 1 ] || jobs=1

if [ "$GANC_HOME" = "$ROOT" ]; then
    make -s build/ganc build/libganc_train.a || exit 1
fi
if [ "$torch" -gt 0 ] && ! "$PYTHON" -c 'import torch, numpy, yaml' 2>/dev/null; then
    echo "difftest: $PYTHON lacks torch, numpy or yaml (apt-get install python3-torch python3-yaml)" >&2
    exit 1
fi
mkdir -p "$OUT"
# the twin's float32 side, compiled once
$CC $CFLAGS_PLAIN -I"$GANC_HOME/runtime" -c -o "$OUT/twin_io.o" tests/difftest/twin_io.c || exit 1
# constructs of known, unfixed bugs, which the random models leave out
avoid=$(sed -n 's/^\([a-z0-9-]\{1,\}\) .*/\1/p' tests/difftest/known.txt | paste -sd, -)

# step NAME LOG COMMAND...: runs it with its output in LOG (120 s at most);
# on failure the case's status says which step failed and its exit status
step() {
    local what=$1 log=$2; shift 2
    local rc=0
    timeout 120 "$@" >"$log" 2>&1 || rc=$?
    if [ $rc != 0 ]; then
        # 124: the time limit; over 128: killed by a signal (134: abort)
        echo "FAIL ($what, exit $rc)" >"$dir/status"
        echo "$log" >"$dir/faillog"
        return 1
    fi
}

# well_conditioned COMPARE.LOG: the plain emission's float32 error, which
# compare.py measures against the twin and scales as torch_step.py does, is
# under a third of torch_step's tolerances (1e-5 of a loss, 1e-4 of other
# values, 1e-2 of gradients here), so that a replay in float64 PyTorch can
# pass: not so where a network's gradients are all 0 in exact arithmetic
# (its floor is then rounding noise) or batchnorm amplifies rounding
well_conditioned() {
    sed -n 's/.*losses \([^;]*\); as torch_step scales them: values \([^,]*\), gradients \(.*\)/\1 \2 \3/p' \
        "$1" | awk '{ exit !($1 <= 3e-6 && $2 <= 3e-5 && $3 <= 3e-3) }'
}

# controls: negative controls on the case in $dir (wide_heads): the
# comparison must fail with any one of its outputs, losses, largest
# gradients, running statistics or updated parameters moved by 1e-3 of
# itself (compare.py --controls; tests/difftest/controls.sh also runs the
# planner's 64-read defect)
controls() {
    "$PYTHON" tests/difftest/compare.py "$dir/ref.safetensors" "$dir/out.safetensors" \
        "$dir/twin.safetensors" --controls >"$dir/controls.log" 2>&1 ||
        { echo "FAIL (negative controls: $(grep -c 'NOT detected' "$dir/controls.log")" \
               "not detected)" >"$dir/status"; echo "$dir/controls.log" >"$dir/faillog"; false; }
}

# run_case NAME MODEL TORCH(0|1) AGAIN: one case, in $OUT/NAME.  MODEL is a
# file, or rand:SEED:FLAGS for randmodel.py --seed SEED FLAGS (- for none);
# AGAIN is the command that runs the case again
run_case() {
    local name=$1 model=$2 with_torch=$3 again=$4
    dir=$OUT/$name
    rm -rf "$dir" && mkdir -p "$dir/plain" "$dir/opt"
    echo "$again" >"$dir/again"
    case "$model" in
    rand:*)
        local s=${model#rand:}
        local flags=${s#*:}
        [ "$flags" != - ] || flags=
        step "randmodel.py" "$dir/randmodel.log" "$PYTHON" tests/difftest/randmodel.py \
            --seed "${s%%:*}" $flags ${avoid:+--avoid "$avoid"} -o "$dir/model.yaml" || return ;;
    *) cp "$model" "$dir/model.yaml" ;;
    esac
    local options gemm native=
    options=$(sed -n 's/^# difftest: //p' "$dir/model.yaml")
    gemm=$(echo "$options" | sed -n 's/.*GANC_GEMM=\([a-z]*\).*/\1/p')
    case " $options " in *" native "*) native=-march=native ;; esac
    local rt="-I$GANC_HOME/runtime -Itests/parity -DGANC_NO_MAIN"
    local lib="$GANC_HOME/build/libganc_train.a -lopenblas -lz -lm"
    step "ganc build --plain" "$dir/plain/ganc.log" \
        "$GANC" build "$dir/model.yaml" -o "$dir/plain" --no-compile --plain &&
    step "ganc build${options:+ ($options)}" "$dir/opt/ganc.log" \
        env GANC_GEMM="$gemm" "$GANC" build "$dir/model.yaml" -o "$dir/opt" --no-compile &&
    step "compile plain" "$dir/plain/cc.log" $CC $CFLAGS_PLAIN $rt -o "$dir/plain/dump_step" \
        "$dir/plain/train.c" tests/parity/dump_step.c $lib &&
    step "compile twin" "$dir/plain/twin_cc.log" $CC $TWIN_FLAGS $rt -Itests/difftest \
        -o "$dir/plain/twin_step" "$dir/plain/train.c" tests/difftest/twin_step.c \
        "$OUT/twin_io.o" $lib &&
    step "compile optimized" "$dir/opt/cc.log" $CC $CFLAGS $native $rt -o "$dir/opt/replay_step" \
        "$dir/opt/train.c" tests/difftest/replay_step.c $lib &&
    step "run plain" "$dir/plain/run.log" "$dir/plain/dump_step" --once "$dir/ref.safetensors" 1 &&
    step "run optimized" "$dir/opt/run.log" \
        "$dir/opt/replay_step" "$dir/ref.safetensors" "$dir/out.safetensors" 1 &&
    step "run twin" "$dir/plain/twin.log" \
        "$dir/plain/twin_step" "$dir/ref.safetensors" "$dir/twin.safetensors" &&
    step "compare" "$dir/compare.log" "$PYTHON" tests/difftest/compare.py \
        "$dir/ref.safetensors" "$dir/out.safetensors" "$dir/twin.safetensors" &&
    if [ "$with_torch" = 1 ] && well_conditioned "$dir/compare.log"; then
        step "PyTorch" "$dir/torch.log" "$PYTHON" tests/parity/torch_step.py \
            "$dir/model.yaml" "$dir/ref.safetensors" --float64 --grad-rtol 1e-2
    elif [ "$with_torch" = 1 ]; then
        echo "PyTorch not run: the reference's float32 error is too large for" \
             "torch_step's tolerances ($(grep -o 'losses.*' "$dir/compare.log"))" >"$dir/torch.log"
    fi &&
    if [ "$name" = wide_heads ]; then
        controls
    fi &&
    echo ok >"$dir/status"
    local line
    line=$(printf '%-22s %s  %s%s' "$name" "$(cat "$dir/status")" \
        "$(grep -o 'largest difference .*' "$dir/compare.log" 2>/dev/null)" \
        "$([ "$with_torch" = 1 ] && grep -o '; largest differences.*\|PyTorch not run' \
           "$dir/torch.log" 2>/dev/null | sed 's/^; largest differences/; PyTorch/;s/^P/; P/')")
    echo "$line"
    echo "$line" >"$dir/line"
    if [ "$(cat "$dir/status")" = ok ] && [ $keep = 0 ]; then
        rm -rf "$dir"
        mkdir -p "$dir" && echo "$line" >"$dir/line" && echo ok >"$dir/status"
    fi
}

# the cases: NAME MODEL TORCH AGAIN, one per line; AGAIN names another ganc
env=
[ "$GANC_HOME" = "$ROOT" ] || env="GANC_HOME=$GANC_HOME "
[ "$GANC" = "$GANC_HOME/build/ganc" ] || env="${env}GANC=$GANC "
cases=()
[ $only = 1 ] || cases+=("wide_heads tests/models/wide_heads.yaml 0 ${env}tests/difftest.sh --count 0")
# the reproducers of bugs found and fixed, as regression cases
if [ $only = 0 ]; then
    for m in tests/difftest/cases/*.yaml; do
        [ -e "$m" ] || continue
        grep -q "$m" tests/difftest/known.txt && continue
        cases+=("$(basename "$m" .yaml) $m 0 ${env}tests/difftest.sh --only $m")
    done
fi
for m in "${models[@]}"; do
    n=$(basename "$m" .yaml)
    cases+=("$n $m 0 ${env}tests/difftest.sh --only $m")
done
for ((i = 0; i < count; i++)); do
    s=$((seed + i)) t=0 flags=-
    [ $i -lt "$torch" ] && t=1 flags=--torch
    cases+=("rand_$s rand:$s:$flags $t ${env}tests/difftest.sh --only --count 1 --seed $s --torch $t")
done

echo "== difftest: ${#cases[@]} models ($([ $only = 1 ] || echo 'wide_heads, ')${#models[@]} given, $count random from" \
     "seed $seed, $torch also against PyTorch), $jobs at a time"
t0=$SECONDS
running=0
for c in "${cases[@]}"; do
    read -r name model with_torch again <<<"$c"
    run_case "$name" "$model" "$with_torch" "$again" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

failed=0 passed=0
echo "== difftest summary ($((SECONDS - t0)) s)"
for c in "${cases[@]}"; do
    read -r name model with_torch again <<<"$c"
    if [ "$(cat "$OUT/$name/status" 2>/dev/null)" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "  $name: $(cat "$OUT/$name/status" 2>/dev/null || echo 'FAIL (no status)')"
        echo "    kept in $OUT/$name/ (model.yaml, logs, dumps); again: $again"
        log=$(cat "$OUT/$name/faillog" 2>/dev/null)
        case "$log" in
        *compare.log|*torch.log) grep -m 6 'FAIL' "$log" | sed 's/^/    /' ;;
        ?*) head -5 "$log" | sed 's/^/    /' ;;
        esac
    fi
done
echo "difftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
