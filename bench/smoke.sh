#!/usr/bin/env bash
# bench/smoke.sh - the benchmark harness works (a suite of make test): runs
# bench/bench.py in quick mode with one repeat and no warm-up round into
# build/bench-smoke/, then checks that its CSV has the machine comment, every
# row expected, and finite positive numbers (min <= median <= max) with a
# ratio wherever a PyTorch baseline exists, and the stripped sampler within
# 64 KiB.  No timing thresholds: the machine is shared and the numbers are
# noise at this length.  About 40 s.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! grep -qw avx512f /proc/cpuinfo; then
    echo "bench-smoke: this CPU has no AVX-512F (bench/fma_peak.c needs it): skipped"
    exit 0
fi
out=build/bench-smoke
mkdir -p "$out"
make -s build/ganc build/libganc_train.a build/libganc_sample.a || exit 1
if ! /usr/bin/python3 bench/bench.py --quick --repeats 1 --warmup 0 --work "$out" \
        --csv "$out/smoke.csv" >"$out/table.txt" 2>"$out/log.txt"; then
    echo "bench-smoke: bench/bench.py failed:"
    tail -30 "$out/log.txt"
    exit 1
fi
tail -1 "$out/table.txt"
/usr/bin/python3 - "$out/smoke.csv" <<'PY'
import csv, math, sys

path = sys.argv[1]
lines = open(path).read().splitlines()
if not lines or not lines[0].startswith("# ") or "cores" not in lines[0]:
    sys.exit(f"{path}: the first line is not the machine comment")
rows = list(csv.DictReader(lines[1:]))
got = {(r["benchmark"], r["implementation"], r["configuration"], r["threads"]): r for r in rows}

want = [("fma_peak", "fma_peak.c", c, t) for c, t in (("avx512", 1), ("avx512", 2), ("avx2", 1))]
for b in ("dcgan_step", "dcgan_step_gflops", "dcgan_step_peak_share"):
    for t in (1, 2):
        want += [(b, "ganc", c, t) for c in ("installed", "native", "best")]
        want += [(b, "pytorch", c, t) for c in ("installed", "best")]
want += [("ring8_step", "ganc", c, 1) for c in ("installed", "native", "best")]
want += [("ring8_step", "pytorch", c, 1) for c in ("installed", "best")]
for b in ("sample_latency_1", "sample_latency_64"):
    want += [(b, i, c, 1) for i, c in (("ganc", "installed"), ("ganc", "best"),
                                        ("pytorch", "installed"), ("pytorch", "best"))]
for b in ("sample_startup", "sample_startup_rss"):
    want += [(b, i, c, 1) for i, c in (("ganc", "weights file"), ("ganc", "embedded"),
                                        ("pytorch", "installed"), ("pytorch", "best"))]
want += [("sampler_size", "ganc", c, 1)
         for c in ("weights file", "embedded", "weights file alone")]
for m in ("dcgan_fashion", "ring8_mlp"):
    want += [(f"build_{m}", "ganc", c, 1) for c in ("generate+compile", "generate")]

bad = []
for b, i, c, t in want:
    r = got.get((b, i, c, str(t)))
    if r is None:
        bad.append(f"missing row {b} {i} {c} {t}")
        continue
    try:
        med, lo, hi = float(r["median"]), float(r["min"]), float(r["max"])
    except ValueError:
        bad.append(f"{b} {i} {c} {t}: not numbers: {r}")
        continue
    if not all(math.isfinite(x) and x > 0 for x in (med, lo, hi)) or not lo <= med <= hi:
        bad.append(f"{b} {i} {c} {t}: median {med} min {lo} max {hi}")
    needs_ratio = b not in ("fma_peak", "sampler_size") and not b.startswith("build_")
    for col in ("ratio", "ratio_installed"):
        v = r[col]
        if needs_ratio and not (v and math.isfinite(float(v)) and float(v) > 0):
            bad.append(f"{b} {i} {c} {t}: {col} is '{v}'")
# a size, not a timing: the same every run with this compiler, so it is
# held to issue 5's limit here (a change once grew it past, unnoticed
# until the next full bench)
size = got.get(("sampler_size", "ganc", "weights file", "1"))
if size and float(size["median"]) > 64.0:
    bad.append(f"the stripped sampler is {size['median']} KiB, over the 64 KiB limit")
if "nan" in open(path).read().lower():
    bad.append("the CSV has a NaN")
if len(rows) != len(want):
    bad.append(f"{len(rows)} rows, expected {len(want)}")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"bench-smoke: {path}: all {len(want)} rows, finite, with their ratios")
PY
