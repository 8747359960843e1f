#!/usr/bin/env bash
# tests/sanitize.sh - the suite under AddressSanitizer (with LeakSanitizer)
# and UndefinedBehaviorSanitizer (make test-sanitize; one suite of make test).
#
# Builds ganc, the runtime, every unit test and the runtime's fake models in
# build/san/ with gcc's -fsanitize=address,undefined and runs the unit tests.
# Then the sanitized ganc compiles real models with the same flags (so the
# generated trainer and sampler are checked too, not only the runtime) and
# they train a few steps, resume, sample, and are fed bad inputs:
#   - models/dcgan_fashion.yaml: 3 steps on Fashion-MNIST with pictures and
#     checkpoints, a resume on 2 OpenBLAS threads, .npy / .png / folder samples;
#   - models/ring8_mlp.yaml: 300 steps, samples, --latent, embedded weights,
#     `ganc plot` of its run and the DCGAN's (and of a malformed log.csv);
#   - both again in the plain emission (rolled loops, no BLAS; 1 and 50 steps
#     because ASan makes them slow), and the small models of tests/models/;
#   - the sampler's several networks, --grid with --target and class
#     folders (tests/e2e/cycle_sample.yaml and cgan_tiny.yaml, 4 steps each);
#   - missing, truncated and damaged files and wrong flags: each must exit
#     with the documented status and a message, and without a report;
#   - tests/hostile.sh with these builds: FIFOs, huge sizes, shared and
#     reused run folders (its ulimit -v cases left out: ASan's shadow memory
#     needs more address space than they allow).
# Any report fails: -fno-sanitize-recover=all and halt_on_error stop the
# program, and exitcode=99 tells a report apart from the programs' own exit
# statuses 1 and 2.  OpenBLAS is not instrumented (its own memory errors
# would go unseen); it needs no LeakSanitizer suppression at 1 or 2 threads.
# About two minutes on 2 cores (three on a busy machine).
#
# build/san (not build-san) so that .gitignore and `make clean` cover it; ganc
# looks for its templates two folders above itself, hence GANC_HOME.
set -euo pipefail
cd "$(dirname "$0")/.."

B=build/san
W=$B/work
SAN_FLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS_SAN="-O1 -g $SAN_FLAGS"
FASHION=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=99:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"
export GANC_HOME=$PWD
REPORT='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: .*Sanitizer'
t_start=$SECONDS

die() { echo "sanitize: $*" >&2; exit 1; }

[ -r "$FASHION" ] || die "$FASHION is missing (apt-get install dataset-fashion-mnist)"

# --- build and unit tests ------------------------------------------------------
echo "sanitize: building ganc, the runtime and the unit tests in $B"
# make does not see a change of flags: start afresh when they differ from
# those the objects in $B were built with
if [ "$(cat "$B/flags" 2>/dev/null)" != "$CFLAGS_SAN" ]; then
    rm -rf "$B" && mkdir -p "$B" && echo "$CFLAGS_SAN" >"$B/flags"
fi
# the fake models of tests/tests.mk (FAKES), all of them: the smoke test runs each
FAKES=(fake_train fake_sample fake_image_train fake_image_sample fake_embed_sample
       fake_multi_train fake_multi_sample fake_data_train fake_data_sample)
# without MAKEFLAGS: under `make test` the parent's command-line variables
# (CFLAGS=..., B=...) would reach this make through it
env -u MAKEFLAGS -u MFLAGS make -s -j2 B=$B CFLAGS="$CFLAGS_SAN" SAN_FLAGS="$SAN_FLAGS" sanitize-build \
    "${FAKES[@]/#/$B/tests/}" || die "building with the sanitizers failed"
rm -rf "$W"
mkdir -p "$W/logs"

n_ok=0
# ok NAME COMMAND...: must exit 0 without a report; on failure shows the log
ok() {
    local name=$1 log=$W/logs/$1.log rc=0 t0=$SECONDS; shift
    "$@" >"$log" 2>&1 || rc=$?
    if [ $rc -ne 0 ] || grep -Eq "$REPORT" "$log"; then
        tail -n 60 "$log" >&2
        die "$name: exit status $rc (expected 0; 99 is a sanitizer report): $*  (log: $log)"
    fi
    n_ok=$((n_ok + 1))
    echo "  ok  $name ($((SECONDS - t0)) s)"
}

# refuses NAME STATUS MESSAGE COMMAND...: a bad input must exit STATUS with a
# message containing MESSAGE (an extended regex) and without a report
refuses() {
    local name=$1 want=$2 msg=$3 log=$W/logs/$1.log rc=0; shift 3
    "$@" >"$log" 2>&1 || rc=$?
    if [ $rc -ne "$want" ] || grep -Eq "$REPORT" "$log" || ! grep -Eq -- "$msg" "$log"; then
        tail -n 60 "$log" >&2
        die "$name: exit status $rc (expected $want and a message matching '$msg'): $*  (log: $log)"
    fi
    n_ok=$((n_ok + 1))
    echo "  ok  $name (exit $rc: $(grep -Em1 -- "$msg" "$log" | cut -c1-100))"
}

# canaries: a heap overflow, a signed overflow and a leak must each be
# reported with exit status 99, or a clean run below would prove nothing
canary() {   # canary NAME REPORT C-BODY
    local name=$1 want=$2 rc=0
    printf '#include <stdlib.h>\nint main(int argc, char **argv) { (void)argv; %s }\n' "$3" \
        >"$W/$name.c"
    cc $SAN_FLAGS -O0 -o "$W/$name" "$W/$name.c" || die "canary $name: cannot compile"
    "$W/$name" >"$W/logs/$name.log" 2>&1 || rc=$?
    [ $rc -eq 99 ] && grep -q "$want" "$W/logs/$name.log" ||
        die "canary $name: expected exit 99 and '$want', found exit $rc (see $W/logs/$name.log)"
}
canary heap-overflow "heap-buffer-overflow" \
    'volatile char *p = malloc(4); int r = p[argc + 3]; free((void *)p); return r;'
canary signed-overflow "signed integer overflow" \
    'volatile int i = 2147483647; return (i + argc) & 1;'
# (a hundred blocks: a stale copy of the last pointer left in a register or
# on the stack hides one from the leak scan, as it once did here)
canary leak "detected memory leaks" \
    'static void *volatile keep; for (int i = 0; i < 100; i++) keep = malloc(9 + i); keep = 0; return argc - 1;'
echo "  ok  canaries: overflow, undefined behaviour and a leak are each reported"

for t in "$B"/tests/test_gen_* "$B"/tests/test_rt_*; do
    ok "$(basename "$t")" "$t"
done

# the runtime's smoke test drives rt_train_main / rt_sample_main through the
# fake models; its one check that cannot hold here is that the sampler links
# libc and libm only (a sanitized one also links libasan and libubsan)
smoke() {
    local out others rc=0
    out=$(/usr/bin/python3 tests/test_rt_smoke.py "$B/tests" 2>&1) || rc=$?
    echo "$out"
    [ $rc -eq 0 ] && return 0
    others=$(grep '^FAIL:' <<<"$out" | grep -v '^FAIL: sampler links libc and libm only:' || true)
    [ -z "$others" ] && grep -q '^1 smoke check(s) failed$' <<<"$out"
}
ok runtime-smoke smoke

# --- generated code ------------------------------------------------------------
# gbuild DIR MODEL [ganc build options]: the sanitized ganc, the same flags for
# the generated trainer and sampler (after ganc's -O3, so -O1 wins)
gbuild() {
    local dir=$1 model=$2; shift 2
    ok "build-$(basename "$dir")" "$B/ganc" build "$model" -o "$W/$dir" --cflags "$CFLAGS_SAN" "$@"
}

echo "sanitize: generated code (each step's log is in $W/logs)"
ok ganc-check "$B/ganc" check models/dcgan_fashion.yaml
# instrumented() DIR: ganc passed --cflags on to both compilations
instrumented() {
    local exe syms
    for exe in "$1/train" "$1/sample"; do
        syms=$(nm "$exe")   # not nm | grep -q: grep's early exit would fail nm under pipefail
        grep -q __asan_report <<<"$syms" && grep -q __ubsan_handle <<<"$syms" ||
            die "$exe is not instrumented: ganc build --cflags did not reach the compiler"
    done
}

# (a) the DCGAN: pictures every 2 steps, checkpoints, a resume, every output kind
D=$W/dcgan
gbuild dcgan models/dcgan_fashion.yaml
instrumented "$D"
ok dcgan-train "$D/train" --steps 3 --seed 1 --data "$FASHION" --out "$D/run" \
    --log-every 1 --sample-every 2 --checkpoint-every 2 --threads 1
ok dcgan-resume "$D/train" --resume "$D/run" --steps 5 --threads 2
# 70 > the compiled batch of 64: a full chunk and a partial one
ok dcgan-sample-npy "$D/sample" --weights "$D/run/weights.safetensors" -n 70 -o "$D/s.npy"
ok dcgan-sample-png "$D/sample" --weights "$D/run/weights.safetensors" -n 16 -o "$D/s.png"
ok dcgan-sample-dir "$D/sample" --weights "$D/run/weights.safetensors" -n 5 -o "$D/pngs/"
for f in run/samples_000002.png run/samples_000005.png run/checkpoints/step_000000004.safetensors \
         run/weights.safetensors s.npy s.png pngs/000004.png; do
    [ -s "$D/$f" ] || die "dcgan: $D/$f was not written"
done

# (b) ring8: a few hundred steps, latents from a file, embedded weights
R=$W/ring8
gbuild ring8 models/ring8_mlp.yaml
ok ring8-train "$R/train" --steps 300 --seed 1 --out "$R/run" --log-every 100 \
    --sample-every 100 --checkpoint-every 100
ok ring8-sample-npy "$R/sample" --weights "$R/run/weights.safetensors" -n 300 -o "$R/s.npy"
ok ring8-sample-png "$R/sample" --weights "$R/run/weights.safetensors" -n 300 -o "$R/s.png"
ok ring8-sample-latent "$R/sample" --weights "$R/run/weights.safetensors" -n 300 \
    --latent "$R/s.npy" -o "$R/z.csv"
gbuild ring8_embed models/ring8_mlp.yaml --embed-weights "$R/run/weights.safetensors"
ok ring8-embedded-sample "$W/ring8_embed/sample" -n 10 -o "$R/e.csv"
[ -s "$R/run/curves.png" ] || die "ring8: $R/run/curves.png was not drawn"
# the pictures of runs drawn by the sanitized ganc, and a malformed log refused
mkdir -p "$R/bad" && printf 'step,d_loss\n1,0.5\n2,x\n' > "$R/bad/log.csv"
ok ring8-plot "$B/ganc" plot "$R/run" "$D/run" -o "$R/plot.png"
refuses plot-malformed-log 2 "bad/log.csv:3: column 2" "$B/ganc" plot "$R/bad" -o "$R/no.png"

# (c) the plain emission (the reference the optimized code is tested against)
gbuild plain_ring8 models/ring8_mlp.yaml --plain
ok plain-ring8-train "$W/plain_ring8/train" --steps 50 --out "$W/plain_ring8/run" \
    --log-every 25 --sample-every 25 --checkpoint-every 25
ok plain-ring8-sample "$W/plain_ring8/sample" --weights "$W/plain_ring8/run/weights.safetensors" \
    -n 100 -o "$W/plain_ring8/s.npy"
gbuild plain_dcgan models/dcgan_fashion.yaml --plain
ok plain-dcgan-train "$W/plain_dcgan/train" --steps 1 --data "$FASHION" \
    --out "$W/plain_dcgan/run" --sample-every 1 --checkpoint-every 1 --threads 1
ok plain-dcgan-sample "$W/plain_dcgan/sample" --weights "$W/plain_dcgan/run/weights.safetensors" \
    -n 4 -o "$W/plain_dcgan/s.png"

# (d) schedule phases and the anomaly scorer (tests/e2e/anomaly_tiny.yaml):
# across the iteration where E starts, resumed, and its scorer on a .npy and
# on a folder of PNGs (the DCGAN's samples are 28x28; the tiny model reads
# 7x7, so its PNGs are refused with a message)
A=$W/anomaly
gbuild anomaly tests/e2e/anomaly_tiny.yaml
ok anomaly-train "$A/train" --steps 15 --out "$A/run" --checkpoint-every 5 --sample-every 40
ok anomaly-resume "$A/train" --resume "$A/run" --steps 25
ok anomaly-dump "$A/train" --dump-data "$A/dump" --out "$A/dump-run"
ok anomaly-score "$A/score" --weights "$A/run/weights.safetensors" "$A/dump/x.npy" -o "$A/s.csv"
refuses anomaly-score-pngs 2 "expected a 7x7 image" "$A/score" --weights "$A/run/weights.safetensors" "$D/pngs" \
    -o "$A/p.csv"
refuses anomaly-score-usage 2 "expected one IMAGES argument" "$A/score" \
    --weights "$A/run/weights.safetensors" a.npy b.npy -o "$A/p.csv"

# the small test models: skip connections, fan-out, concat, dropout, hinge and
# LSGAN losses, and PNG-folder data (the DCGAN's samples above)
for m in chain_ns dropout_ns fanout_ns hinge skip_lsgan png_small; do
    data=()
    [ $m = png_small ] && data=(--data "$D/pngs")
    gbuild "$m" "tests/models/$m.yaml"
    ok "$m-train" "$W/$m/train" --steps 20 --out "$W/$m/run" --log-every 10 \
        --sample-every 10 --checkpoint-every 10 "${data[@]}"
    ok "$m-sample" "$W/$m/sample" --weights "$W/$m/run/weights.safetensors" -n 10 -o "$W/$m/s.png"
done

# the sampler's translators and labelled samples (tests/e2e_sampler.sh): a
# sampler of two networks (--network, --grid with --target, embedded
# weights, the class model's 14x14 samples as its input) and a class
# model's folders, X_labels.npy and class grid
T=$W/cgan_tiny
gbuild cgan_tiny tests/e2e/cgan_tiny.yaml
ok cgan-tiny-train "$T/train" --steps 4 --out "$T/run"
ok cgan-tiny-folders "$T/sample" --weights "$T/run/weights.safetensors" -n 2 -o "$T/classes/"
ok cgan-tiny-labels "$T/sample" --weights "$T/run/weights.safetensors" --class all -n 2 \
    -o "$T/all.npy"
ok cgan-tiny-grid "$T/sample" --weights "$T/run/weights.safetensors" --class all -n 2 \
    -o "$T/grid.png"
refuses cgan-tiny-class 2 "expected a class or 'all'" \
    "$T/sample" --weights "$T/run/weights.safetensors" --class x -o "$T/x/"
C=$W/cycle_sample
gbuild cycle_sample tests/e2e/cycle_sample.yaml
ok cycle-train "$C/train" --steps 4 --out "$C/run"
ok cycle-sample-ba "$C/sample" --weights "$C/run/weights.safetensors" --network G_ba \
    --input "$T/classes/0" -o "$C/ba.npy"
ok cycle-sample-grid "$C/sample" --weights "$C/run/weights.safetensors" --input "$C/ba.npy" \
    --grid --target "$C/ba.npy" -o "$C/grid.png"
refuses cycle-sample-network 2 "expected one of this sampler's networks" \
    "$C/sample" --weights "$C/run/weights.safetensors" --network G_x -o "$C/x.npy"
gbuild cycle_embedded tests/e2e/cycle_sample.yaml --embed-weights "$C/run/weights.safetensors"
ok cycle-sample-embedded "$W/cycle_embedded/sample" --network=G_ba --input "$C/ba.npy" \
    -o "$C/ba2.npy"

# (d) bad inputs: the documented exit status (2 for input errors, 1 for
# others) and a message, never a report
echo "sanitize: bad inputs"
X=$W/bad
mkdir -p "$X"
head -c 5000 "$D/run/weights.safetensors" >"$X/truncated.safetensors"
head -c 4 "$D/run/weights.safetensors" >"$X/tiny.safetensors"
head -c 100000 "$FASHION" >"$X/truncated.gz"
printf 'not an idx file' >"$X/junk.idx"
cp -r "$R/run" "$X/run"
newest=$X/run/checkpoints/step_000000300.safetensors
head -c 3000 "$newest" >"$X/cut" && mv "$X/cut" "$newest"

refuses train-missing-data 2 "x.gz: cannot open" \
    "$D/train" --data "$X/missing/x.gz" --steps 1 --out "$X/r1" --threads 1
refuses train-truncated-data 2 "truncated" \
    "$D/train" --data "$X/truncated.gz" --steps 1 --out "$X/r2" --threads 1
refuses train-junk-data 2 "not an IDX file" \
    "$D/train" --data "$X/junk.idx" --steps 1 --out "$X/r3" --threads 1
refuses train-unknown-flag 2 "--bogus: unknown flag" "$D/train" --bogus
refuses train-bad-number 2 "--steps: expected a whole number" "$D/train" --steps abc
refuses train-missing-value 2 "--steps: expected a value" "$R/train" --steps
refuses train-data-for-builtin 2 "reads no file" "$R/train" --data "$X/junk.idx"
refuses train-resume-truncated 2 "step_000000300.safetensors: .*outside the data section" \
    "$R/train" --resume "$X/run" --steps 400
refuses train-resume-nothing 2 "no checkpoint to resume from" "$R/train" --resume "$X/none"
refuses sample-truncated-weights 2 "truncated.safetensors: .*outside the data section" \
    "$D/sample" --weights "$X/truncated.safetensors" -n 2 -o "$X/a.npy"
refuses sample-tiny-weights 2 "expected at least 8 bytes" \
    "$D/sample" --weights "$X/tiny.safetensors" -n 2 -o "$X/a.npy"
refuses sample-missing-weights 2 "missing.safetensors: cannot open" \
    "$D/sample" --weights "$X/missing.safetensors" -n 2 -o "$X/a.npy"
refuses sample-other-model 2 "a weights file of model 'ring8_mlp', expected 'dcgan_fashion'" \
    "$D/sample" --weights "$R/run/weights.safetensors" -n 2 -o "$X/a.npy"
refuses sample-wrong-latent 2 "expected latents of shape \(N, 100\)" \
    "$D/sample" --weights "$D/run/weights.safetensors" --latent "$R/s.npy" -o "$X/a.npy"
refuses sample-bad-n 2 "-n: expected a whole number" \
    "$R/sample" --weights "$R/run/weights.safetensors" -n -3 -o "$X/a.npy"
refuses sample-bad-output 2 "expected a file ending in .npy" \
    "$R/sample" --weights "$R/run/weights.safetensors" -n 2 -o "$X/a.txt"
refuses sample-unwritable 1 "cannot create" \
    "$R/sample" --weights "$R/run/weights.safetensors" -n 2 -o "$X/missing/a.npy"
refuses sample-unknown-flag 2 "--bogus: unknown flag" "$R/sample" --bogus
refuses ganc-bad-model 2 "cycle.yaml:[0-9]+:[0-9]+: error" \
    "$B/ganc" build tests/bad/cycle.yaml -o "$X/cycle"
refuses ganc-unknown-option 2 "unknown or incomplete option '--bogus'" \
    "$B/ganc" build --bogus models/ring8_mlp.yaml

# (e) the hostile cases (tests/hostile.sh) with the sanitized ganc, programs
# built with the same flags; a report in any case's output fails it
echo "sanitize: hostile inputs (tests/hostile.sh)"
ok hostile env HOSTILE_B="$B" HOSTILE_CFLAGS="$CFLAGS_SAN" HOSTILE_SAN=1 bash tests/hostile.sh

echo "sanitize: $n_ok checks passed under ASan+UBSan in $((SECONDS - t_start)) s"
