#!/usr/bin/python3
"""bench/torch_bench.py - the PyTorch side of bench/steptime.c and bench/gentime.c.

    torch_bench.py step MODEL [--iters N] [--warmup W] [--threads T]
    torch_bench.py gen MODEL [--n 1,64] [--target S] [--warmup W] [--threads T]

step: one training iteration as PyTorch's DCGAN example writes it, and as
bench/steptime.c times ganc's: z ~ N(0, 1) drawn every iteration, G(z) once,
then the D step (BCE-with-logits on D(real) against 1 plus on
D(G(z).detach()) against 0, backward, Adam) and the G step (BCE of
D(G(z)) against 1, backward, Adam).  Adam with the YAML's lr and betas, eps
1e-8, torch's default implementation.  Real batches come from a pool of four
uniform in [-1, 1].  W untimed iterations, then N timed; prints one JSON line
with the mean seconds per iteration, the last losses, torch's thread count
and version, and the tensor table (ganc names and shapes).

gen: G in eval mode under torch.no_grad() on n latents at once, W untimed
calls (default 1), then as many timed ones as fill about S seconds (at least
3, sized from one more untimed call), as bench/gentime.c does; prints
{"n": mean seconds per call, ...}.

--threads T calls torch.set_num_threads(T) (1 is torch's default on this
machine).  The environment (OPENBLAS_CORETYPE, MALLOC_*, OPENBLAS_NUM_THREADS)
is set by bench/bench.py.  Run with /usr/bin/python3 (Debian's torch 1.13).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402


def sample_shape(model):
    return (1, 28, 28) if model == "dcgan_fashion" else (2,)


def step(args):
    spec = torch_models.SPECS[args.model]
    g, d = torch_models.BUILDERS[args.model]()
    opt_g = torch.optim.Adam(g.parameters(), lr=spec["lr"], betas=spec["betas"], eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), lr=spec["lr"], betas=spec["betas"], eps=1e-8)
    batch, latent = spec["batch"], spec["latent"]
    pool = [torch.rand(batch, *sample_shape(args.model)) * 2 - 1 for _ in range(4)]
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def iteration(real):
        z = torch.randn(batch, latent)
        fake = g(z)
        opt_d.zero_grad()
        loss_d = (F.binary_cross_entropy_with_logits(d(real), ones)
                  + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = F.binary_cross_entropy_with_logits(d(fake), ones)
        loss_g.backward()
        opt_g.step()
        return loss_d, loss_g

    for i in range(args.warmup):
        iteration(pool[i % 4])
    t0 = time.perf_counter()
    for i in range(args.iters):
        loss_d, loss_g = iteration(pool[i % 4])
    per_iter = (time.perf_counter() - t0) / args.iters
    print(json.dumps({"s_per_iter": per_iter, "iters": args.iters,
                      "threads": torch.get_num_threads(), "default_threads": args.default_threads,
                      "torch": torch.__version__, "loss_d": loss_d.item(), "loss_g": loss_g.item(),
                      "tensors": torch_models.tensor_table(g, d)}))


def gen(args):
    spec = torch_models.SPECS[args.model]
    g, _ = torch_models.BUILDERS[args.model]()
    g.eval()
    out = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    with torch.no_grad():
        for n in [int(x) for x in args.n.split(",")]:
            z = torch.randn(n, spec["latent"])
            for _ in range(args.warmup):
                g(z)
            t0 = time.perf_counter()
            g(z)
            once = time.perf_counter() - t0
            reps = min(1000000, max(3, int(args.target / once) if once > 0 else 1000000))
            t0 = time.perf_counter()
            for _ in range(reps):
                g(z)
            out[str(n)] = (time.perf_counter() - t0) / reps
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["step", "gen"])
    ap.add_argument("model", choices=sorted(torch_models.BUILDERS))
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed iterations (step: 2) or calls (gen: 1)")
    ap.add_argument("--target", type=float, default=0.3)
    ap.add_argument("--n", default="1,64")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.warmup is None:
        args.warmup = 2 if args.mode == "step" else 1
    args.default_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    step(args) if args.mode == "step" else gen(args)


if __name__ == "__main__":
    main()
