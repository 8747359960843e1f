#!/usr/bin/env bash
# tests/gradcheck.sh - finite-difference check of the gradients of generated
# trainers (tests/gradcheck.c linked with each model's train.c).
#
#   tests/gradcheck.sh                     every tests/models/*.yaml, optimized and --plain
#   tests/gradcheck.sh [--plain] MODEL.yaml...   the given models in one emission
#
# Builds under build/tests/gradcheck/NAME[-plain]/, prints each model's
# per-tensor table and a summary; exits 1 if any model fails to generate,
# compile or check.
set -uo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L"

plain_only=0
models=()
for a in "$@"; do
    case "$a" in
    --plain) plain_only=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "gradcheck.sh: unknown option $a (expected --plain, --help or MODEL.yaml)" >&2
        exit 2 ;;
    *) [ -f "$a" ] || { echo "gradcheck.sh: $a: no such model file" >&2; exit 2; }
       models+=("$a") ;;
    esac
done
if [ ${#models[@]} -eq 0 ]; then
    models=(tests/models/*.yaml)
    emissions=("" "--plain")
elif [ $plain_only -eq 1 ]; then
    emissions=("--plain")
else
    emissions=("")
fi

make -s build/ganc build/libganc_train.a build/libganc_sample.a || exit 1
export OPENBLAS_NUM_THREADS=1

summary=()
failed=0
for model in "${models[@]}"; do
    for emission in "${emissions[@]}"; do
        name=$(basename "$model" .yaml)${emission:+-plain}
        dir=build/tests/gradcheck/$name
        rm -rf "$dir" && mkdir -p "$dir"
        echo "== gradcheck $model ${emission:-(optimized)}"
        status=ok
        if ! build/ganc build "$model" -o "$dir" --no-compile $emission >"$dir/ganc.log" 2>&1; then
            status="FAIL (ganc build)"
        elif ! $CC $CFLAGS -Iruntime -Itests -DGANC_NO_MAIN -o "$dir/gradcheck" \
                "$dir/train.c" tests/gradcheck.c build/libganc_train.a \
                -lcmocka -lopenblas -lz -lm >"$dir/cc.log" 2>&1; then
            status="FAIL (compile)"
            head -20 "$dir/cc.log"
        elif ! "$dir/gradcheck" >"$dir/gradcheck.log" 2>&1; then
            status=FAIL
        fi
        if [ -f "$dir/gradcheck.log" ]; then
            # the per-tensor table; CMocka's RUN/OK lines only on failure
            if [ "$status" = ok ]; then
                grep -v '^\[ *\(RUN\|OK\) *\]' "$dir/gradcheck.log"
            else
                cat "$dir/gradcheck.log"
            fi
        fi
        [ "$status" = ok ] || failed=1
        summary+=("$(printf '  %-28s %s' "$name" "$status")")
    done
done
echo "== gradcheck summary"
printf '%s\n' "${summary[@]}"
exit $failed
