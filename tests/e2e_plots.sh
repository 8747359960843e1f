#!/usr/bin/env bash
# tests/e2e_plots.sh - pictures of training runs, end to end:
#   - the trainer draws RUN/curves.png (models/ring8_mlp.yaml, 400 steps,
#     a log row every 50): a deflated PNG of the expected size (five panels,
#     three to a row, 400x260 each, under a 28-pixel title) that is not one
#     flat colour, with no temporary file left beside it;
#   - curves.png is a run file: a fresh run refuses a folder holding one,
#     --overwrite removes it;
#   - `ganc plot RUN1 RUN2 -o x.png` draws both runs (and --columns picks
#     panels), and each error exits non-zero with a message naming the
#     problem: no RUN, a RUN without log.csv, a malformed log.csv (its file
#     and line), no column shared by the runs, a bad flag, an unwritable or
#     missing OUT, a column a run lacks.
# About 10 s.
set -uo pipefail
cd "$(dirname "$0")/.."
W=build/tests/e2e_plots
rm -rf "$W" && mkdir -p "$W"
failed=0
check() {   # check WHAT COMMAND...: passes when COMMAND succeeds
    local what=$1; shift
    if "$@"; then echo "  ok  $what"; else echo "  FAIL $what"; failed=1; fi
}

# png_is FILE WIDTH HEIGHT: decodes FILE (zlib, every PNG row filter), checks
# its size, that it is deflated (at most a fifth of its pixels' bytes) and
# that it holds at least 6 colours
png_is() {
    /usr/bin/python3 - "$@" <<'PY'
import struct, sys, zlib
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, colour = ihdr[:4]
assert (w, h) == (want_w, want_h), "%s is %dx%d, expected %dx%d" % (path, w, h, want_w, want_h)
assert depth == 8 and colour == 2, "expected 8-bit RGB"
raw = zlib.decompress(idat)
stride = 3 * w
assert len(raw) == h * (stride + 1)
assert len(data) * 5 < len(raw), "not compressed: %d bytes for %d" % (len(data), len(raw))
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - 3] if i >= 3 else 0
        b, c = prev[i], prev[i - 3] if i >= 3 else 0
        p = a + b - c
        pred = [0, a, b, (a + b) // 2,
                a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else
                b if abs(p - b) <= abs(p - c) else c][f]
        line[i] = (line[i] + pred) & 255
    rows.append(bytes(line))
    prev = line
colours = {r[i:i + 3] for r in rows for i in range(0, stride, 3)}
assert len(colours) >= 6, "%d colours: a flat picture" % len(colours)
PY
}

quietly() { "$@" > /dev/null; }
# fails COMMAND... --- STATUS TEXT: COMMAND exits with STATUS and says TEXT
fails() {
    local args=() status text out rc=0
    while [ "$1" != "---" ]; do args+=("$1"); shift; done
    status=$2 text=$3
    out=$("${args[@]}" 2>&1 >/dev/null) || rc=$?
    [ "$rc" -eq "$status" ] && grep -qF -- "$text" <<<"$out" ||
        { echo "    exit $rc, said: $out (expected exit $status and '$text')"; return 1; }
}

make -s build/ganc build/libganc_train.a || exit 1
build/ganc build models/ring8_mlp.yaml -o "$W/ring8" > "$W/build.log" 2>&1 ||
    { cat "$W/build.log"; exit 1; }
for seed in 1 2; do
    "$W/ring8/train" --steps 400 --log-every 50 --seed $seed --out "$W/run$seed" \
        > "$W/train$seed.log" 2>&1 || { cat "$W/train$seed.log"; exit 1; }
done

echo "the trainer's curves.png"
check "run1/curves.png: 1200x548, deflated, not flat" png_is "$W/run1/curves.png" 1200 548
check "run2/curves.png: 1200x548, deflated, not flat" png_is "$W/run2/curves.png" 1200 548
check "no temporary file left" test -z "$(ls "$W/run1" | grep tmp)"
mkdir -p "$W/only_curves" && cp "$W/run1/curves.png" "$W/only_curves/"
check "a fresh run refuses a folder holding curves.png" \
    fails "$W/ring8/train" --steps 0 --out "$W/only_curves" --- 2 "curves.png"
"$W/ring8/train" --steps 0 --out "$W/only_curves" --overwrite > /dev/null 2>&1
check "--overwrite removes curves.png" test ! -e "$W/only_curves/curves.png"

echo "ganc plot"
check "ganc plot RUN1 RUN2 -o x.png" quietly build/ganc plot "$W/run1" "$W/run2/" -o "$W/x.png"
check "x.png: five panels, 1200x548" png_is "$W/x.png" 1200 548
check "--columns d_loss,g_loss: two panels, 800x288" \
    quietly build/ganc plot "$W/run1" "$W/run2" -o "$W/two.png" --columns d_loss,g_loss
check "two.png: 800x288" png_is "$W/two.png" 800 288
check "ganc plot --help" grep -q "^usage: ganc plot RUN" <(build/ganc plot --help)

mkdir -p "$W/empty" "$W/bad" "$W/other"
cp "$W/run1/log.csv" "$W/bad/log.csv" && echo "450,1.2,oops,9.1,,," >> "$W/bad/log.csv"
printf 'step,x_loss,seconds\n50,1.5,0.1\n' > "$W/other/log.csv"
check "no RUN" fails build/ganc plot -o "$W/y.png" --- 2 "missing RUN"
check "a RUN that does not exist" fails build/ganc plot "$W/nope" -o "$W/y.png" --- 2 "$W/nope"
check "a RUN without log.csv" fails build/ganc plot "$W/empty" -o "$W/y.png" --- 2 \
    "$W/empty: no log.csv"
check "a malformed log.csv: file and line" fails build/ganc plot "$W/run1" "$W/bad" \
    -o "$W/y.png" --- 2 "$W/bad/log.csv:10: column 3 (g_loss): 'oops' is not a finite number"
check "no column shared" fails build/ganc plot "$W/run1" "$W/other" -o "$W/y.png" --- 2 \
    "share no column"
check "a bad flag" fails build/ganc plot "$W/run1" --bogus -o "$W/y.png" --- 2 "'--bogus'"
check "an unwritable OUT" fails build/ganc plot "$W/run1" -o "$W/no/such/dir/y.png" --- 1 \
    "cannot write $W/no/such/dir/y.png"
check "no -o" fails build/ganc plot "$W/run1" --- 2 "missing -o OUT.png"
check "OUT not a .png" fails build/ganc plot "$W/run1" -o "$W/y.jpg" --- 2 "ending in .png"
check "a column a run lacks" fails build/ganc plot "$W/run1" "$W/other" --columns x_loss \
    -o "$W/y.png" --- 2 "$W/run1/log.csv: no column 'x_loss'"
check "nothing written by the failures" test ! -e "$W/y.png"
[ $failed -eq 0 ] && echo "e2e_plots: all checks passed"
exit $failed
