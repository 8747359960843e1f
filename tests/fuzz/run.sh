#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] - builds the libFuzzer targets (clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for SECONDS
# (default 300), two at a time, from the seed corpus tests/fuzz/corpus/TARGET
# (written by tests/fuzz/make_corpus.py) plus what earlier runs of this
# checkout found (build/fuzz/corpus/TARGET).
# Every file under tests/fuzz/regressions/TARGET/ (inputs that once crashed)
# is replayed first.  A crash, leak, timeout or sanitizer report fails the
# run; libFuzzer leaves the input in build/fuzz/TARGET/crash-* (replay it:
# build/fuzz/fuzz_TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
out=build/fuzz
mkdir -p "$out"
targets=(yaml png inflate safetensors idx csv npy)
if ! command -v clang > /dev/null; then
    echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi

flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iruntime -Igen -Itests/fuzz)
# ganc's sources with the trainer's runtime, as ganc links it (its eval
# and plot read test images, compute metrics and draw deflated charts), and
# the other targets with the trainer's runtime alone (libganc_train.a:
# every folder but sample/ and score/: the sampler's rt_zlib_stored.c and
# rt_inflate.c are its own implementation of what train/ gets from zlib,
# and the scorer is built on the sampler; fuzz_inflate.c compiles
# rt_inflate.c in under another name, to compare the two)
rt_src=$(ls runtime/*/*.c | grep -v '^runtime/\(sample\|score\)/')
gen_src=$(ls gen/*.c gen/layers/*.c | grep -v '^gen/main.c$')
for t in "${targets[@]}"; do
    if [ "$t" = yaml ]; then
        src=(tests/fuzz/fuzz_yaml.c $gen_src $rt_src)
        libs=(-lyaml -lz -lm)
    else
        src=(tests/fuzz/fuzz_$t.c $rt_src)
        libs=(-lz -lm)
    fi
    clang -std=c11 "${flags[@]}" -DGANC_DATADIR='"/nonexistent"' -o "$out/fuzz_$t" \
        "${src[@]}" "${libs[@]}"
done


run_one() {   # TARGET
    local t=$1 dict=()
    mkdir -p "$out/corpus/$t" "$out/$t"
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    if [ -d "tests/fuzz/regressions/$t" ]; then
        "$out/fuzz_$t" "${dict[@]}" tests/fuzz/regressions/$t/* > "$out/$t/replay.log" 2>&1 ||
            { tail -30 "$out/$t/replay.log"; echo "fuzz $t: a regression input fails again"; return 1; }
    fi
    ( cd "$out/$t" && "../fuzz_$t" "${dict[@]/#-dict=/-dict=../../../}" -max_total_time="$seconds" \
          -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
          ../corpus/$t ../../../tests/fuzz/corpus/$t > run.log 2>&1 ) ||
        { tail -40 "$out/$t/run.log"; echo "fuzz $t: FAILED (input in $out/$t/)"; return 1; }
    echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t/run.log" |
         grep -o '[0-9]*$') runs in $seconds s, no crash"
}

# two targets at a time: this machine kind has two cores
failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pids=()
    for t in "${targets[@]:i:2}"; do
        run_one "$t" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        wait "$p" || failed=1
    done
done
[ $failed -eq 0 ] && echo "fuzz: all ${#targets[@]} targets ran $seconds s each without a crash"
exit $failed
