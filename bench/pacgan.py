#!/usr/bin/python3
"""bench/pacgan.py - PacGAN's 2D table (Lin et al., NeurIPS 2018, Table 1)
reproduced with ganc: `make bench-pacgan`.

For ring8 and grid25 (models/pacgan/*.yaml: the paper's architecture and
optimizer) and each packing degree m (a batch of 100 m samples: D judges
100 groups of m a step, as in the authors' code), trains one run per seed, each on one
thread (--jobs at a time), and scores the 2,500 points the trainer judges
at its last step as the paper does (runtime/data/rt_mixture.h): modes with
at least one high-quality point (within 3 std of a centre), the share of
high-quality points, the reverse KL of the mode histogram.  Prints ganc's
means over the seeds beside the paper's figures and writes every run to
bench/results/pacgan.csv.

The paper trains 400 epochs of 100,000 samples (400,000 iterations); here
the update counts are scaled down (--ring-steps, --grid-steps, stated in the
table's title) to fit a 2-core machine.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "bench", "pacgan")
# Table 1 of the paper: modes, high-quality share (%), reverse KL
PAPER = {
    ("ring8", 1): (6.3, 98.2, 0.45), ("ring8", 2): (7.9, 95.6, 0.07),
    ("ring8", 3): (7.8, 98.7, 0.10), ("ring8", 4): (7.8, 98.5, 0.12),
    ("grid25", 1): (17.3, 94.8, 0.70), ("grid25", 2): (23.8, 91.3, 0.13),
    ("grid25", 3): (24.6, 94.2, 0.06), ("grid25", 4): (24.8, 93.6, 0.04),
}
MODES = {"ring8": 8, "grid25": 25}


def build(data, pack, args):
    """The model with `pack: PACK`, compiled into WORK/DATA_packPACK/."""
    text = open(os.path.join(ROOT, "models", "pacgan", data + ".yaml")).read()
    # the authors' code feeds D 100 packed groups a step: m times the samples
    variant, n = re.subn(r"(?m)^(\s*)pack: 1\b", r"\g<1>pack: %d" % pack, text)
    variant, k = re.subn(r"(?m)^(\s*)batch: 100\b", r"\g<1>batch: %d" % (100 * pack), variant)
    if n != 1 or k != 1:
        sys.exit("pacgan: models/pacgan/%s.yaml: expected one 'pack: 1' and one 'batch: 100' "
                 "line" % data)
    out = os.path.join(WORK, "%s_pack%d" % (data, pack))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.yaml")
    open(path, "w").write(variant)
    subprocess.run([os.path.join(ROOT, "build", "ganc"), "build", path, "-o", out],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "train")


def run(train, data, pack, seed, steps):
    """One training run; its last log row's scores."""
    out = os.path.join(WORK, "runs", "%s_pack%d_seed%d" % (data, pack, seed))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env.pop("OPENBLAS_CORETYPE", None)
    t = time.time()
    subprocess.run([train, "--seed", str(seed), "--steps", str(steps), "--out", out,
                    "--overwrite", "--threads", "1", "--log-every", str(steps),
                    "--sample-every", str(steps), "--checkpoint-every", str(steps)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    last = list(csv.DictReader(open(os.path.join(out, "log.csv"))))[-1]
    return {"data": data, "pack": pack, "seed": seed, "steps": steps,
            "modes": int(last["modes"]), "hq": 100 * float(last["hq_fraction"]),
            "reverse_kl": float(last["reverse_kl"]), "seconds": time.time() - t}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="runs per configuration [3]")
    ap.add_argument("--packs", default="1,2,4", help="packing degrees [1,2,4]")
    ap.add_argument("--data", default="ring8,grid25", help="mixtures [ring8,grid25]")
    ap.add_argument("--ring-steps", type=int, default=6000, help="iterations on ring8 [6000]")
    ap.add_argument("--grid-steps", type=int, default=12000, help="iterations on grid25 [12000]")
    ap.add_argument("--jobs", type=int, default=2, help="runs at a time [2]")
    ap.add_argument("--csv", default=os.path.join(ROOT, "bench", "results", "pacgan.csv"))
    args = ap.parse_args()
    packs = [int(p) for p in args.packs.split(",")]
    datas = args.data.split(",")
    steps = {"ring8": args.ring_steps, "grid25": args.grid_steps}
    t0 = time.time()
    trains = {(d, p): build(d, p, args) for d in datas for p in packs}
    jobs = [(d, p, s) for d in datas for p in packs for s in range(1, args.seeds + 1)]
    with ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda j: run(trains[j[:2]], j[0], j[1], j[2], steps[j[0]]), jobs))
    os.makedirs(os.path.dirname(args.csv), exist_ok=True)
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print("PacGAN's 2D table (Lin et al. 2018, Table 1) with ganc: mean over %d seeds; "
          "ring8 %d, grid25 %d iterations of batch 100 m (PacGANm)" % (
              args.seeds, args.ring_steps, args.grid_steps))
    print("%-8s %-9s %14s %14s %16s   %s" % ("data", "model", "modes", "HQ %",
                                              "reverse KL", "paper: modes, HQ %, KL"))
    for d in datas:
        for p in packs:
            rs = [r for r in rows if r["data"] == d and r["pack"] == p]
            mean = lambda k: sum(r[k] for r in rs) / len(rs)
            paper = PAPER.get((d, p))
            print("%-8s %-9s %8.1f of %-3d %14.1f %16.3f   %s" % (
                d, "GAN" if p == 1 else "PacGAN%d" % p, mean("modes"), MODES[d], mean("hq"),
                mean("reverse_kl"), "%.1f, %.1f, %.2f" % paper if paper else "-"))
    print("%d runs in %.0f s; every run in %s" % (len(rows), time.time() - t0,
                                                  os.path.relpath(args.csv, ROOT)))


if __name__ == "__main__":
    main()
