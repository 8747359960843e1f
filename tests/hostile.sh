#!/usr/bin/env bash
# tests/hostile.sh - nothing hangs, nothing is clobbered (issue 17; suite
# `hostile` of make test, and again under the sanitizers from
# tests/sanitize.sh).  Every case of the hostile round is run against ganc
# and the programs it builds, each under a time limit (a hang fails the
# case), and must end with the documented exit status and message:
#   1. inputs that are not regular files (a FIFO, /dev/zero, a folder) are
#      refused at once with exit 2 naming the path and its type: sample
#      --weights and --latent, a checkpoint to --resume, CSV and IDX --data,
#      ganc check, ganc build --embed-weights;
#   2. long names (a 112-character layer, a 10,000-character model) and a
#      NUL in a model name are refused by ganc check and build;
#   3. sizes from files and flags are checked before they are allocated:
#      sample -n streams in bounded memory (a -n the disk cannot hold is
#      refused at once, a huge .png picture too), an IDX header claiming a
#      million images is refused under ulimit -v and one claiming 4 million
#      over a small file takes little memory, --max-memory refuses a CSV;
#   4. silent data changes are loud: a NUL or a non-UTF-8 byte in a CSV
#      (line and column), a BOM (the first row is data), a header (said),
#      a gzip cut inside its trailer, with bytes after it, or with a bad
#      CRC; an npy dimension of 2^62 quoted whole;
#   5. run folders: a fresh run into a folder that holds a run refuses and
#      changes nothing, also by default (runs/NAME); --overwrite replaces it
#      and keeps other files; two trainers on one folder, started together
#      or one after the other: one runs, the other refuses naming its PID;
#      kill -9 before the first log row leaves log.csv with its header, and
#      resume continues it; a deleted log.csv, settings.json and model.yaml
#      are rebuilt on resume; a checkpoint named with 10 digits resumes;
#      pruning leaves other files and removes dead temporaries; a run
#      refused before it started leaves no folder;
#   6. ganc runs no shell: -o with quotes and --cflags '; touch X #' run
#      nothing but the compiler.
# Environment: HOSTILE_B (build folder with ganc and the libraries: build),
# HOSTILE_CFLAGS (extra --cflags for the programs ganc builds), HOSTILE_SAN=1
# (under the sanitizers: skips the ulimit -v cases, which AddressSanitizer's
# address space cannot meet, and any sanitizer report fails a case).
# About 25 s on 2 cores (40 s with the sanitizers).
set -uo pipefail
cd "$(dirname "$0")/.."
B=${HOSTILE_B:-build}
XCFLAGS=${HOSTILE_CFLAGS:-}
SAN=${HOSTILE_SAN:-0}
ROOT=$PWD
case $B in /*) ;; *) B=$ROOT/$B ;; esac
ganc=$B/ganc
W=$B/tests/hostile
LIMIT=30   # seconds: a case still running then is a hang
REPORT='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: .*Sanitizer'
export GANC_HOME=$PWD
rm -rf "$W" && mkdir -p "$W/logs" || exit 1
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "  ok  $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }

# expect NAME STATUS TEXT CMD...: CMD ends within LIMIT seconds with exit
# STATUS, its output matches TEXT (an extended regex; "" for any) and holds
# no sanitizer report
expect() {
    local name=$1 want=$2 text=$3 log=$W/logs/$1.log rc=0
    shift 3
    timeout -k 5 $LIMIT "$@" >"$log" 2>&1 </dev/null || rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        fail "$name: still running after $LIMIT s (a hang): $*"
    elif [ $rc -ne "$want" ]; then
        tail -n 5 "$log" | sed 's/^/      /'
        fail "$name: exit status $rc, expected $want: $*"
    elif [ -n "$text" ] && ! grep -Eq -- "$text" "$log"; then
        tail -n 5 "$log" | sed 's/^/      /'
        fail "$name: expected a message matching '$text': $*"
    elif grep -Eq "$REPORT" "$log"; then
        grep -Em3 "$REPORT" "$log" | sed 's/^/      /'
        fail "$name: a sanitizer report: $*"
    else
        pass "$name (exit $rc${text:+: $(grep -Eom1 -- "$text" "$log" | cut -c1-120)})"
    fi
}
check() {   # check NAME COMMAND...: passes when COMMAND succeeds
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
build() {   # build DIR MODEL [ganc flags]
    local dir=$1 model=$2
    shift 2
    local flags=()
    [ -z "$XCFLAGS" ] || flags=(--cflags "$XCFLAGS")
    "$ganc" build "$model" -o "$W/$dir" "${flags[@]}" "$@" >"$W/logs/build-$dir.log" 2>&1 ||
        { cat "$W/logs/build-$dir.log"; echo "hostile: cannot build $model"; exit 1; }
}
lines() { wc -l <"$1" | tr -d ' '; }

echo "hostile: building ring8_mlp, csv_small and conv_bn in $W"
build ring8 models/ring8_mlp.yaml
build csv tests/resume/csv_small.yaml
build conv tests/models/conv_bn.yaml
R=$W/ring8 C=$W/csv X=$W/conv D=$W/data
mkdir -p "$D"
cd "$W" || exit 1

# ---- data files -----------------------------------------------------------------
/usr/bin/python3 - "$D" <<'PY'
import gzip, random, struct, sys, zlib
d = sys.argv[1]
random.seed(3)
rows = "".join(",".join("%.4f" % random.gauss(0, 1) for _ in range(3)) + "\n" for _ in range(50))
open(d + "/rows.csv", "w").write(rows)
open(d + "/header.csv", "w").write("x,y,z\n" + rows)
open(d + "/bom.csv", "wb").write(b"\xef\xbb\xbf" + rows.encode())
open(d + "/nul.csv", "wb").write(b"1,2,3\n4,5\x006\n7,8,9\n")
open(d + "/latin1.csv", "wb").write(b"x,y,z\n1,2,3\n4,5,6 \xe9\n")
open(d + "/big.csv", "w").write("1,2,3\n" * 100000)
def idx(claim, real, h=10, w=10):
    return struct.pack(">BBBBIII", 0, 0, 8, 3, claim, h, w) + bytes((i * 7) % 256 for i in range(real * h * w))
good = gzip.compress(idx(20, 20))
open(d + "/good.idx.gz", "wb").write(good)
open(d + "/cut_trailer.idx.gz", "wb").write(good[:-3])        # 5 of the 8 trailer bytes
open(d + "/no_trailer.idx.gz", "wb").write(good[:-8])
open(d + "/garbage_after.idx.gz", "wb").write(good + b"garbage")
bad_crc = bytearray(good); bad_crc[-8] ^= 1
open(d + "/bad_crc.idx.gz", "wb").write(bytes(bad_crc))
open(d + "/two_members.idx.gz", "wb").write(gzip.compress(idx(20, 20)[:1000]) + gzip.compress(idx(20, 20)[1000:]))
open(d + "/million.idx.gz", "wb").write(gzip.compress(idx(1000000, 1000000)))
open(d + "/claims4m.idx.gz", "wb").write(gzip.compress(idx(4000000, 20000)))
def npy(shape, data=b""):
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data
open(d + "/huge_dim.npy", "wb").write(npy("(4611686018427387904, 2)"))
open(d + "/z.npy", "wb").write(npy("(300, 2)", struct.pack("<600f", *[random.gauss(0, 1) for _ in range(600)])))
PY
mkfifo "$D/fifo" "$D/fifo.csv" "$D/fifo.idx" "$D/fifo.npy" "$D/fifo.safetensors" "$D/fifo.yaml"

# a trained ring8 run to sample from and resume
"$R/train" --steps 400 --out "$W/base" --sample-every 0 --checkpoint-every 200 \
    >"$W/logs/base.log" 2>&1 || { cat "$W/logs/base.log"; echo "hostile: cannot train"; exit 1; }
WEIGHTS=$W/base/weights.safetensors

# ---- 1. not a regular file: refused at once, exit 2 --------------------------------
echo "hostile: inputs that are not regular files"
expect sample-weights-fifo 2 "fifo.safetensors: expected a regular file, found a FIFO" \
    "$R/sample" --weights "$D/fifo.safetensors" -n 3 -o "$W/a.npy"
expect sample-latent-fifo 2 "fifo.npy: expected a regular file, found a FIFO" \
    "$R/sample" --weights "$WEIGHTS" --latent "$D/fifo.npy" -o "$W/a.npy"
cp -r "$W/base" "$W/fiforun"
mkfifo "$W/fiforun/checkpoints/step_000000999.safetensors"
expect resume-checkpoint-fifo 2 "step_000000999.safetensors: expected a regular file, found a FIFO" \
    "$R/train" --resume "$W/fiforun" --steps 1200
expect csv-data-fifo 2 "fifo.csv: expected a regular file, found a FIFO" \
    "$C/train" --data "$D/fifo.csv" --steps 2 --out "$W/r-fifo-csv"
expect idx-data-fifo 2 "fifo.idx: expected a regular file, found a FIFO" \
    "$X/train" --data "$D/fifo.idx" --steps 2 --out "$W/r-fifo-idx"
expect csv-data-dev-zero 2 "/dev/zero: expected a regular file, found a character device" \
    "$C/train" --data /dev/zero --steps 2 --out "$W/r-zero"
expect idx-data-folder 2 "data: expected a regular file, found a directory" \
    "$X/train" --data "$D" --steps 2 --out "$W/r-folder"
expect ganc-check-fifo 2 "fifo.yaml: error: expected a regular file, found a FIFO" \
    "$ganc" check "$D/fifo.yaml"
expect ganc-check-folder 2 "/tmp: error: expected a regular file, found a directory" \
    "$ganc" check /tmp
expect ganc-embed-fifo 2 "--embed-weights .*fifo.safetensors: expected a regular file, found a FIFO" \
    "$ganc" build "$ROOT/models/ring8_mlp.yaml" -o "$W/embed" --no-compile \
    --embed-weights "$D/fifo.safetensors"
check "a refused run leaves no folder" test ! -e "$W/r-fifo-csv" -a ! -e "$W/r-zero"

# ---- 2. names ---------------------------------------------------------------------
echo "hostile: names"
/usr/bin/python3 - "$ROOT/models/ring8_mlp.yaml" "$D" <<'PY'
import sys
s, d = open(sys.argv[1]).read(), sys.argv[2]
open(d + "/long_layer.yaml", "w").write(s.replace("{name: h1,", "{name: " + "h" * 112 + ",", 1))
open(d + "/long_model.yaml", "w").write(s.replace("name: ring8_mlp", "name: " + "a" * 10000))
open(d + "/nul_name.yaml", "w").write(s.replace("name: ring8_mlp", 'name: "ring8\\0evil"'))
PY
expect long-layer-name 2 "a layer name is 112 characters long; it may have at most 32" \
    "$ganc" check "$D/long_layer.yaml"
expect long-layer-name-build 2 "a layer name is 112 characters long" \
    "$ganc" build "$D/long_layer.yaml" -o "$W/ll" --no-compile
expect long-model-name 2 "the model name is 10000 characters long; it may have at most 64" \
    "$ganc" check "$D/long_model.yaml"
expect long-model-name-build 2 "the model name is 10000 characters long" \
    "$ganc" build "$D/long_model.yaml" -o "$W/lm" --no-compile
expect nul-in-model-name 2 "nul_name.yaml:3:[0-9]+: error: .*NUL" "$ganc" check "$D/nul_name.yaml"

# ---- 3. sizes -----------------------------------------------------------------------
echo "hostile: sizes taken from files and flags"
expect sample-n-beyond-disk 1 "999999999999999 samples take at least [0-9]+ bytes, the file system has" \
    "$R/sample" --weights "$WEIGHTS" -n 999999999999999 -o "$W/huge.npy"
check "a refused -n leaves no file" test ! -e "$W/huge.npy"
expect sample-n-huge-picture 2 "expected at most 16384 samples in one picture" \
    "$R/sample" --weights "$WEIGHTS" -n 99999999999 -o "$W/huge.png"
expect sample-n-large-npy 0 "wrote 300000 samples" \
    "$R/sample" --weights "$WEIGHTS" -n 300000 -o "$W/many.npy"
check "300000 samples: a .npy of 2,400,128 bytes" test "$(stat -c %s "$W/many.npy")" = 2400128
expect sample-n-large-csv 0 "wrote 300000 samples" \
    "$R/sample" --weights "$WEIGHTS" -n 300000 --seed 4 -o "$W/many.csv"
check "300000 samples: 300000 CSV rows" test "$(lines "$W/many.csv")" = 300000
expect huge-npy-dim 2 "huge_dim.npy: npy header: expected a dimension below 2\^40, found '4611686018427387904" \
    "$R/sample" --weights "$WEIGHTS" --latent "$D/huge_dim.npy" -o "$W/a.npy"
expect max-memory-csv 2 "big.csv: [0-9]+ rows take [0-9]+ bytes .* of memory, more than .* \(--max-memory\)" \
    "$C/train" --data "$D/big.csv" --steps 2 --out "$W/r-mm" --max-memory 1M
expect max-memory-bad 2 "--max-memory: expected a size such as 512M" \
    "$C/train" --data "$D/big.csv" --steps 2 --out "$W/r-mm2" --max-memory 12X
expect max-memory-enough 0 "100000 rows" \
    "$C/train" --data "$D/big.csv" --steps 2 --out "$W/r-mm3" --max-memory 64M
# a header claiming 4 million images over 20,000: "truncated", in little memory
maxrss() {   # maxrss KB CMD...: CMD's peak resident memory stays under KB
    local kb=$1
    shift
    /usr/bin/python3 - "$kb" "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("      peak memory %d KB" % peak)
sys.exit(0 if peak < int(sys.argv[1]) else 1)
PY
}
expect idx-claims-4m 2 "claims4m.idx.gz: truncated: expected 400000000 bytes of image pixels, found 2000000" \
    "$X/train" --data "$D/claims4m.idx.gz" --steps 2 --out "$W/r-4m"
if [ "$SAN" = 0 ]; then
    check "an IDX claiming 4 million images takes under 100 MB" \
        maxrss 100000 "$X/train" --data "$D/claims4m.idx.gz" --steps 2 --out "$W/r-4m"
    # the sampler streams: 3 million 2D samples in 16 MB of address space
    # (holding them would take 48 MB)
    expect sample-n-ulimit 0 "wrote 3000000 samples" \
        bash -c 'ulimit -v 16000 && exec "$@"' - "$R/sample" --weights "$WEIGHTS" -n 3000000 \
        -o "$W/ulimit.npy"
    expect idx-million-ulimit 2 "million.idx.gz: 1000000 images take 400000000 bytes .*\(ulimit -v\)" \
        bash -c 'ulimit -v 300000 && exec "$@"' - "$X/train" --data "$D/million.idx.gz" --steps 2 \
        --out "$W/r-million"
fi

# ---- 4. data changed silently ----------------------------------------------------
echo "hostile: data that must not change silently"
expect csv-nul 2 "nul.csv:2:4: a NUL byte" "$C/train" --data "$D/nul.csv" --steps 2 --out "$W/r-nul"
expect csv-not-utf8 2 "latin1.csv:3:7: byte 0xe9 is not UTF-8" \
    "$C/train" --data "$D/latin1.csv" --steps 2 --out "$W/r-latin1"
expect csv-bom 0 "bom.csv \(50 rows\)" "$C/train" --data "$D/bom.csv" --steps 2 --out "$W/r-bom"
expect csv-header-said 0 "header.csv \(50 rows; line 1 skipped as a header\)" \
    "$C/train" --data "$D/header.csv" --steps 2 --out "$W/r-header"
expect idx-good 0 "good.idx.gz \(20 images\)" "$X/train" --data "$D/good.idx.gz" --steps 2 \
    --out "$W/r-good"
expect idx-two-members 0 "two_members.idx.gz \(20 images\)" \
    "$X/train" --data "$D/two_members.idx.gz" --steps 2 --out "$W/r-two"
expect gzip-cut-trailer 2 "cut_trailer.idx.gz: truncated: the gzip data is cut short" \
    "$X/train" --data "$D/cut_trailer.idx.gz" --steps 2 --out "$W/r-cut"
expect gzip-no-trailer 2 "no_trailer.idx.gz: truncated: the gzip data is cut short" \
    "$X/train" --data "$D/no_trailer.idx.gz" --steps 2 --out "$W/r-notrailer"
expect gzip-garbage-after 2 "garbage_after.idx.gz: 7 bytes after the end of the gzip data" \
    "$X/train" --data "$D/garbage_after.idx.gz" --steps 2 --out "$W/r-garbage"
expect gzip-bad-crc 2 "bad_crc.idx.gz: corrupt compressed data .*incorrect data check" \
    "$X/train" --data "$D/bad_crc.idx.gz" --steps 2 --out "$W/r-crc"

# ---- 5. run folders ----------------------------------------------------------------
echo "hostile: run folders"
cp -r "$W/base" "$W/keep"
sum_before=$(cat "$W/keep"/*.* "$W/keep"/checkpoints/* | cksum)
expect fresh-into-run 2 "keep holds a run \(.*\): continue it with --resume .*, start a new one with another --out, or replace it with --overwrite" \
    "$R/train" --steps 50 --out "$W/keep"
check "the refused run changed nothing" test "$(cat "$W/keep"/*.* "$W/keep"/checkpoints/* | cksum)" = "$sum_before"
mkdir -p "$W/cwd" && cd "$W/cwd" || exit 1
expect default-out-first 0 "run runs/ring8_mlp" "$R/train" --steps 20
expect default-out-second 2 "runs/ring8_mlp holds a run" "$R/train" --steps 20
cd "$W" || exit 1
echo "my notes" >"$W/keep/notes.txt"
echo "mine too" >"$W/keep/checkpoints/notes.txt"
expect overwrite 0 "run .*keep" "$R/train" --steps 30 --out "$W/keep" --overwrite \
    --checkpoint-every 10 --sample-every 0
check "--overwrite: the new run's checkpoints only (10, 20, 30), other files kept" \
    test "$(ls "$W/keep/checkpoints" | tr '\n' ' ')" = \
    "notes.txt step_000000010.safetensors step_000000020.safetensors step_000000030.safetensors " \
    -a -f "$W/keep/notes.txt"
check "--overwrite: log.csv has the new run's rows only" test "$(tail -n1 "$W/keep/log.csv" | cut -d, -f1)" = 30
expect overwrite-with-resume 2 "--overwrite: not with --resume" \
    "$R/train" --resume "$W/keep" --overwrite

# two trainers on one folder: one after the other, and both at once
"$R/train" --steps 200000 --out "$W/busy" --sample-every 0 --checkpoint-every 0 \
    >"$W/logs/busy-first.log" 2>&1 &
first=$!
for _ in $(seq 100); do [ -e "$W/busy/log.csv" ] && break; sleep 0.1; done
expect second-trainer 2 "busy: another trainer \(PID $first\) is working in this run folder" \
    "$R/train" --steps 10 --out "$W/busy"
expect second-trainer-resume 2 "another trainer \(PID $first\)" "$R/train" --resume "$W/busy"
expect second-trainer-overwrite 2 "another trainer \(PID $first\)" \
    "$R/train" --steps 10 --out "$W/busy" --overwrite
kill -INT $first
wait $first
check "the first trainer stopped by SIGINT with exit 130" test $? = 130
check "its run is whole: header, then steps in order" /usr/bin/python3 -c '
import sys
rows = open(sys.argv[1]).read().split("\n")
steps = [int(r.split(",")[0]) for r in rows[1:] if r]
sys.exit(not (rows[0].startswith("step,") and steps == sorted(steps)))' "$W/busy/log.csv"
both() {   # two trainers started together into a new folder: one runs (the
           # other meets its lock, or its finished run on a slow machine)
    local a b ra=0 rb=0
    "$R/train" --steps 300 --out "$W/race" --sample-every 0 --checkpoint-every 0 \
        >"$W/logs/race-a.log" 2>&1 &
    a=$!
    "$R/train" --steps 300 --out "$W/race" --sample-every 0 --checkpoint-every 0 \
        >"$W/logs/race-b.log" 2>&1 &
    b=$!
    wait $a || ra=$?
    wait $b || rb=$?
    echo "      exit statuses $ra and $rb"
    [ $((ra + rb)) -eq 2 ] &&
        grep -Eq "another trainer \(PID|holds a run" "$W/logs/race-a.log" "$W/logs/race-b.log" &&
        [ "$(ls "$W/race/checkpoints")" = step_000000300.safetensors ]
}
check "two trainers started together: one runs, the other refuses" both

# kill -9 before the first log row: log.csv holds its header; resume goes on
"$R/train" --steps 1000000 --out "$W/killed" --log-every 1000000 --sample-every 0 \
    --checkpoint-every 100 >"$W/logs/killed.log" 2>&1 &
victim=$!
# (up to 2 minutes: a loaded machine starts and steps slowly)
for _ in $(seq 2400); do
    ls "$W/killed/checkpoints" 2>/dev/null | grep -q '^step_[0-9]*\.safetensors$' && break
    sleep 0.05
done
kill -9 $victim
wait $victim 2>/dev/null
ls "$W/killed/checkpoints" 2>/dev/null | grep -q '^step_[0-9]*\.safetensors$' ||
    { echo "hostile: no checkpoint within 2 minutes of starting the trainer" >&2; exit 1; }
check "kill -9 before the first row: log.csv is its header" \
    test "$(cat "$W/killed/log.csv")" = "step,d_loss,g_loss,seconds,modes,hq_fraction,reverse_kl"
newest=$(ls "$W/killed/checkpoints" | grep '^step_[0-9]*\.safetensors$' | tail -n1)
step=$((10#$(echo "$newest" | tr -dc 0-9)))
expect resume-after-kill 0 "resuming ring8_mlp at step $step" \
    "$R/train" --resume "$W/killed" --steps $((step + 20)) --log-every 10
check "after resume: the header, then the new rows" \
    test "$(head -n1 "$W/killed/log.csv" | cut -d, -f1)/$(tail -n1 "$W/killed/log.csv" | cut -d, -f1)" = "step/$((step + 20))"
rm "$W/killed/log.csv" "$W/killed/settings.json" "$W/killed/model.yaml"
expect resume-without-log 0 "resuming" "$R/train" --resume "$W/killed" --steps $((step + 40)) \
    --log-every 10
check "a deleted log.csv is rebuilt: header and rows from the checkpoint on" \
    test "$(cut -d, -f1 "$W/killed/log.csv" | tr '\n' ' ')" = "step $((step + 30)) $((step + 40)) "
check "settings.json and model.yaml are written again" \
    test -s "$W/killed/settings.json" -a -s "$W/killed/model.yaml"
# checkpoint names are read, not rebuilt: a 10-digit one resumes
cp -r "$W/base" "$W/renamed"
mv "$W/renamed/checkpoints/step_000000400.safetensors" "$W/renamed/checkpoints/step_0000000400.safetensors"
expect resume-10-digits 0 "at step 400 of 450 from .*step_0000000400.safetensors" \
    "$R/train" --resume "$W/renamed" --steps 450 --checkpoint-every 25
echo "stale" >"$W/renamed/checkpoints/step_000000001.safetensors.999999.tmp"
echo "mine" >"$W/renamed/checkpoints/keep.me"
expect prune-own-files 0 "" "$R/train" --resume "$W/renamed" --steps 500 --checkpoint-every 25
check "pruning: the newest 3 checkpoints and keep.me stay, the dead temporary goes" \
    test "$(ls "$W/renamed/checkpoints" | tr '\n' ' ')" = \
    "keep.me step_000000450.safetensors step_000000475.safetensors step_000000500.safetensors "
check "no temporary file is left in a run folder" test -z "$(find "$W/keep" "$W/killed" "$W/renamed" -name '*.tmp')"

# ---- 6. no shell -------------------------------------------------------------------
echo "hostile: ganc runs no shell"
xflags=()
[ -z "$XCFLAGS" ] || xflags=(--cflags "$XCFLAGS")
expect quotes-in-o 0 "built" "$ganc" build "$ROOT/models/ring8_mlp.yaml" -o "$W/x';touch PWNED;'" \
    "${xflags[@]}"
check "-o with quotes: nothing ran, the programs are in the folder so named" \
    test ! -e "$W/PWNED" -a ! -e "$W/x';touch PWNED;'/PWNED" -a -x "$W/x';touch PWNED;'/sample"
expect cflags-semicolon 1 "" "$ganc" build "$ROOT/models/ring8_mlp.yaml" -o "$W/cf" \
    --cflags '; touch X #'
check "--cflags '; touch X #': X was not made" test ! -e "$W/X" -a ! -e "$W/cf/X"

echo "hostile: $passed passed, $failed failed"
[ $failed -eq 0 ]
