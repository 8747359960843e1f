#!/usr/bin/env bash
# tests/resume.sh - training that loses nothing (checkpoints, resume,
# signals, divergence, corrupt and mismatched files), end to end through the
# generated trainers and samplers:
#   1. a run stopped at step k and resumed ends bit-identical (weights and
#      the whole checkpoint: optimizer, rng, data position) to one never
#      stopped: ring8_mlp, csv_small (epochs end every few steps, batchnorm,
#      dropout), dcgan_fashion (IDX data, convolutions), one thread;
#      wgan_gp_grid25 (the general form: five critic steps, gradient penalty
#      noise, G's moving average), cgan_ring8 (labels read with the rows) and
#      hinge_sn_fashion (spectral normalization's vectors, EMA), anomaly_tiny
#      (schedule phases: resumed across the iteration where E starts);
#   2. SIGINT and SIGTERM finish the step, checkpoint, exit 130/143, and the
#      run resumes bit-identically; kill -9 at random moments never leaves a
#      newest checkpoint that does not load;
#   3. divergence stops the run naming step and cause, nothing saved after;
#   4. truncated, bit-flipped and foreign checkpoints and weights, and a
#      model edited since training, are refused with a message naming the
#      file and the first mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
ganc=build/ganc
dir=build/tests/resume
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "resume: FAIL: $*" >&2; exit 1; }

# expect STATUS TEXT CMD...: runs CMD, wants exit STATUS and TEXT in stderr
expect() {
    local want=$1 text=$2 rc=0
    shift 2
    "$@" > "$dir/out.txt" 2> "$dir/err.txt" || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$dir/err.txt" >&2; fail "$* exited $rc, expected $want"; }
    [ -z "$text" ] || grep -qF -- "$text" "$dir/err.txt" ||
        { cat "$dir/err.txt" >&2; fail "$*: expected '$text' in its messages"; }
}

# same_run A B STEP: the two runs ended with identical files
same_run() {
    cmp "$1/weights.safetensors" "$2/weights.safetensors" ||
        fail "$1 and $2: weights differ"
    local ck
    ck=$(printf "checkpoints/step_%09d.safetensors" "$3")
    cmp "$1/$ck" "$2/$ck" || fail "$1 and $2: checkpoints at step $3 differ"
}

/usr/bin/python3 - "$dir/rows.csv" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for _ in range(50):
        f.write(",".join("%.4f" % random.gauss(0, 1) for _ in range(3)) + "\n")
PY

# ---- 1. resume is bit-identical ------------------------------------------
$ganc build models/ring8_mlp.yaml -o "$dir/ring8" > /dev/null
$ganc build tests/resume/csv_small.yaml -o "$dir/csv" > /dev/null
$ganc build models/dcgan_fashion.yaml -o "$dir/dcgan" > /dev/null

check_resume() {   # NAME TRAIN STOP TOTAL FLAGS...
    local name=$1 train=$2 stop=$3 total=$4
    shift 4
    "$train" "$@" --steps "$total" --out "$dir/$name-full" > /dev/null 2>&1
    "$train" "$@" --steps "$stop" --out "$dir/$name-part" > /dev/null 2>&1
    expect 0 "resuming" "$train" --resume "$dir/$name-part" --steps "$total"
    same_run "$dir/$name-full" "$dir/$name-part" "$total"
    echo "resume: $name stopped at $stop of $total and resumed: bit-identical"
}
check_resume ring8 "$dir/ring8/train" 300 700 --checkpoint-every 100 --sample-every 0
check_resume csv "$dir/csv/train" 7 40 --data "$dir/rows.csv" --checkpoint-every 10
check_resume dcgan "$dir/dcgan/train" 2 5 --checkpoint-every 1 --sample-every 0 --threads 1
$ganc build models/wgan_gp_grid25.yaml -o "$dir/wgan" > /dev/null
$ganc build tests/e2e/cgan_ring8.yaml -o "$dir/cgan" > /dev/null
/usr/bin/python3 - "$dir/labelled.csv" <<'PY'
import math, random, sys
random.seed(3)
with open(sys.argv[1], "w") as f:
    for _ in range(90):
        k = random.randrange(8)
        f.write("%.4f,%.4f,%d\n" % (math.cos(k * math.pi / 4), math.sin(k * math.pi / 4), k))
PY
check_resume wgan "$dir/wgan/train" 30 70 --checkpoint-every 10 --sample-every 0
$ganc build models/hinge_sn_fashion.yaml -o "$dir/sn" > /dev/null
check_resume sn "$dir/sn/train" 2 5 --checkpoint-every 1 --sample-every 0 --threads 1
# schedule phases: D and G run until iteration 20, E from 20 on; stopped
# before the boundary and resumed past it, and stopped exactly at it
$ganc build tests/e2e/anomaly_tiny.yaml -o "$dir/anomaly" > /dev/null
check_resume anomaly "$dir/anomaly/train" 15 30 --checkpoint-every 5 --sample-every 0 --threads 1
check_resume anomaly20 "$dir/anomaly/train" 20 27 --checkpoint-every 1 --sample-every 0 \
    --threads 1
check_resume cgan "$dir/cgan/train" 13 40 --data "$dir/labelled.csv" --checkpoint-every 13 \
    --sample-every 0
/usr/bin/python3 - "$dir/wgan-part/weights.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
names = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])
assert "ema.G.h1.weight" in names and "G.h1.weight" in names and "D.h1.weight" in names, names
PY

# the run folder records the run: model.yaml as compiled, settings.json
cmp "$dir/ring8-part/model.yaml" models/ring8_mlp.yaml || fail "model.yaml is not the model"
/usr/bin/python3 - "$dir/ring8-part/settings.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["model"] == "ring8_mlp" and s["steps"] == 700 and s["checkpoint_every"] == 100, s
assert s["threads"] == 1 and s["seed"] == 1 and "--steps 700" in s["repeat"], s
PY
# --keep-checkpoints: only the newest K stay
ls "$dir/ring8-full/checkpoints" | grep -c safetensors | grep -qx 3 || fail "keep 3 by default"
# a finished run has nothing left to do
expect 0 "" "$dir/ring8/train" --resume "$dir/ring8-full"
grep -q "already at step 700 of 700" "$dir/out.txt" || fail "finished run: no 'already at'"
expect 2 "--out: not with --resume" "$dir/ring8/train" --resume "$dir/ring8-full" --out x
expect 2 "no checkpoint to resume from" "$dir/ring8/train" --resume "$dir/nothing-here"

# ---- 2. signals and kill -9 -----------------------------------------------
for sig in INT TERM; do
    run="$dir/sig$sig"
    "$dir/ring8/train" --steps 100000000 --checkpoint-every 0 --sample-every 0 --out "$run" \
        > /dev/null 2> "$dir/sig.txt" &
    pid=$!
    sleep 1.5
    kill -s "$sig" $pid
    rc=0
    wait $pid || rc=$?
    want=$([ $sig = INT ] && echo 130 || echo 143)
    [ "$rc" -eq "$want" ] || { cat "$dir/sig.txt"; fail "SIG$sig: exit $rc, expected $want"; }
    grep -q "stopped by SIG$sig after step" "$dir/sig.txt" || { cat "$dir/sig.txt"; fail "SIG$sig message"; }
    step=$(sed -n "s/.*stopped by SIG$sig after step \([0-9]*\).*/\1/p" "$dir/sig.txt")
    [ -n "$step" ] && [ "$step" -gt 0 ] || fail "SIG$sig: no step in the message"
    # the interrupted run continues exactly like one that never stopped
    "$dir/ring8/train" --resume "$run" --steps $((step + 50)) > /dev/null 2>&1
    "$dir/ring8/train" --steps $((step + 50)) --checkpoint-every 0 --sample-every 0 \
        --out "$run-straight" > /dev/null 2>&1
    same_run "$run" "$run-straight" $((step + 50))
    echo "resume: SIG$sig at step $step: checkpoint written, exit $rc, resumed bit-identical"
done

run="$dir/kill9"
for round in 1 2 3 4 5 6; do
    if [ -d "$run/checkpoints" ]; then
        args=(--resume "$run" --steps 100000000)
    else
        args=(--steps 100000000 --checkpoint-every 1 --keep-checkpoints 2 --sample-every 0
              --log-every 1 --out "$run")
    fi
    "$dir/ring8/train" "${args[@]}" > /dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 7 + 3))"
    kill -9 $pid
    wait $pid 2> /dev/null || true
    newest=$(ls "$run/checkpoints" | grep -v '\.tmp$' | sort | tail -1)
    step=$((10#$(echo "$newest" | tr -dc 0-9)))
    # the newest checkpoint loads: resuming one step further works
    expect 0 "resuming ring8_mlp at step $step" "$dir/ring8/train" --resume "$run" \
        --steps $((step + 1))
done
echo "resume: kill -9 six times while checkpointing every step: newest always loads"

# ---- 3. divergence --------------------------------------------------------
$ganc build tests/resume/diverge.yaml -o "$dir/diverge" > /dev/null
expect 1 "training diverged" "$dir/diverge/train" --data "$dir/rows.csv" --out "$dir/dv" \
    --checkpoint-every 1
grep -q "step 3: the .* loss is" "$dir/err.txt" || fail "divergence names step and loss"
grep -q "last good checkpoint is $dir/dv/checkpoints/step_000000002.safetensors" \
    "$dir/err.txt" || fail "divergence names the last good checkpoint"
[ "$(ls "$dir/dv/checkpoints" | sort | tail -1)" = step_000000002.safetensors ] ||
    fail "a checkpoint was written after the bad step"
# the last good checkpoint loads, and the run diverges at the same step again
expect 1 "step 3: the" "$dir/diverge/train" --resume "$dir/dv" --steps 10
echo "resume: divergence stops at step 3 naming the cause; step 2 checkpoint kept and loads"

# ---- 4. broken and mismatched files -----------------------------------------
good="$dir/ring8-full"
ck="$good/checkpoints/step_000000700.safetensors"
broken() {   # NAME: a copy of the good run whose newest checkpoint we damage
    rm -rf "$dir/$1"
    cp -r "$good" "$dir/$1"
    echo "$dir/$1/checkpoints/step_000000700.safetensors"
}
f=$(broken trunc)
head -c $(($(stat -c %s "$ck") - 100)) "$ck" > "$f"
expect 2 "step_000000700.safetensors: tensor 'optimizer.discriminator.exp_avg_sq': data_offsets" "$dir/ring8/train" --resume "$dir/trunc" \
    --steps 800
f=$(broken flip)
/usr/bin/python3 -c "
import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-1000] ^= 0x04
open(sys.argv[1], 'wb').write(b)" "$f"
expect 2 "step_000000700.safetensors: checksum mismatch" "$dir/ring8/train" --resume "$dir/flip" \
    --steps 800
f=$(broken foreign)
cp "$good/weights.safetensors" "$f"
expect 2 "not a ganc checkpoint" "$dir/ring8/train" --resume "$dir/foreign" --steps 800
f=$(broken othermodel)
cp "$dir/csv-full/checkpoints/step_000000040.safetensors" "$f"
expect 2 "a checkpoint of model 'csv_small', expected 'ring8_mlp'" "$dir/ring8/train" \
    --resume "$dir/othermodel" --steps 800
# nothing was changed by the refusals: the log still ends at step 700
tail -1 "$dir/flip/log.csv" | grep -q "^700," || fail "a refused resume changed the log"

# the model edited since training: a layer resized, then only an activation
sed 's/units: 128}/units: 64}/' models/ring8_mlp.yaml > "$dir/resized.yaml"
sed '0,/relu/s//tanh/' models/ring8_mlp.yaml > "$dir/tanh.yaml"
$ganc build "$dir/resized.yaml" -o "$dir/resized" > /dev/null
$ganc build "$dir/tanh.yaml" -o "$dir/tanh" > /dev/null
expect 2 "tensor 'generator.h1.weight': expected F32 [64, 2], found F32 [128, 2]" \
    "$dir/resized/train" --resume "$good" --steps 800
expect 2 "architecture hash" "$dir/tanh/train" --resume "$good" --steps 800
expect 2 "expected shape [64, 2], found [128, 2]" "$dir/resized/sample" \
    --weights "$good/weights.safetensors" -n 4 -o "$dir/s.npy"
expect 2 "architecture hash" "$dir/tanh/sample" --weights "$good/weights.safetensors" -n 4 \
    -o "$dir/s.npy"
head -c 5000 "$good/weights.safetensors" > "$dir/cut.safetensors"
expect 2 "cut.safetensors" "$dir/ring8/sample" --weights "$dir/cut.safetensors" -n 4 \
    -o "$dir/s.npy"
[ ! -e "$dir/s.npy" ] || fail "a refused sampler wrote output"
echo "resume: truncated, bit-flipped, foreign and edited-model files refused, naming the problem"
