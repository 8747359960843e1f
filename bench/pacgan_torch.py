#!/usr/bin/python3
"""bench/pacgan_torch.py - a short PyTorch replica of PacGAN's grid25
experiment (models/pacgan/grid25.yaml), to compare with ganc's trainer for
the same number of iterations (D loss trajectory, modes).

    pacgan_torch.py [--pack M] [--steps N] [--seed S] [--every K]
                    [--layout ganc|authors] [--updates sequential|simultaneous]
                    [--lr LR] [--beta1 B] [--init-std S]

The networks and optimizer are the model file's (G: four ReLU layers of 400
with batchnorm, momentum 0.05; D: three maxout layers of 200 x 5 pieces and
a linear score; every weight N(0, 0.02), biases 0; Adam 1e-4, beta1 0.8;
non-saturating loss), D judging 100 packed groups a step.  Two things can be
set as ganc does them or as the authors' code (fjxmlzn/PacGAN,
synthetic_data_experiments: Theano/Blocks) does:

  --layout ganc     one batch of 100 M samples, G run on all of it (its
                    batchnorm over 100 M), groups of M consecutive samples
                    joined end to end (docs/model-language.md, `pack`)
  --layout authors  M batches of 100 (M latent batches, G run on each: its
                    batchnorm over 100), group g = sample g of each batch
  --updates sequential    D steps, then G steps through the updated D on
                          the same fake batch (ganc's shorthand, PyTorch's
                          DCGAN loop)
  --updates simultaneous  both gradients from one forward pass before
                          either steps (the authors' ali_algorithm)

Every K iterations (default 500) prints the mean D and G loss of those
iterations and the PacGAN scores of 2,500 points of G in inference mode
(runtime/data/rt_mixture.h's protocol: high quality within 3 std of the
nearest mode, a mode captured with one such point, reverse KL of the HQ
histogram).  One thread.  Leaves out: the authors' fixed set of 100,000
training points (fresh points are drawn each step here, as ganc does) and
Blocks' batchnorm epsilon (1e-4 there, PyTorch's 1e-5 here).
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

STD = 0.05
CENTRES = torch.tensor([[i, j] for i in range(-4, 5, 2) for j in range(-4, 5, 2)],
                       dtype=torch.float32)


def real_points(n, gen):
    modes = torch.randint(0, len(CENTRES), (n,), generator=gen)
    return CENTRES[modes] + STD * torch.randn(n, 2, generator=gen)


def score(pts):
    d = torch.cdist(pts, CENTRES)
    dist, mode = d.min(1)
    hq = dist <= 3 * STD
    hist = torch.bincount(mode[hq], minlength=len(CENTRES)).double()
    modes = int((hist > 0).sum())
    if hq.sum() == 0:
        return modes, 0.0, float("nan")
    p = hist / hist.sum()
    kl = float(sum(pi * math.log(pi * len(CENTRES)) for pi in p.tolist() if pi > 0))
    return modes, float(hq.float().mean()), kl


class Maxout(nn.Module):
    def __init__(self, fan_in, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.lin = nn.Linear(fan_in, units * pieces)

    def forward(self, x):
        return self.lin(x).view(x.shape[0], self.units, self.pieces).max(-1).values


def networks(pack, init_std):
    layers = []
    fan = 2
    for _ in range(4):
        layers += [nn.Linear(fan, 400, bias=False), nn.BatchNorm1d(400, momentum=0.05), nn.ReLU()]
        fan = 400
    G = nn.Sequential(*layers, nn.Linear(400, 2))
    D = nn.Sequential(Maxout(2 * pack, 200, 5), Maxout(200, 200, 5), Maxout(200, 200, 5),
                      nn.Linear(200, 1))
    for m in list(G.modules()) + list(D.modules()):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, init_std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm1d):
            nn.init.normal_(m.weight, 1, init_std)     # ganc's `init: normal`
            nn.init.zeros_(m.bias)
    return G, D


def packed(x, pack, layout):
    """(100 pack, 2) -> (100, 2 pack): consecutive samples (ganc) or sample
    g of each of the pack batches of 100 (the authors' concatenate)"""
    if layout == "ganc":
        return x.reshape(x.shape[0] // pack, -1)
    return torch.cat(x.split(x.shape[0] // pack), dim=1)


def fake_batch(G, z, pack, layout):
    if layout == "ganc":
        return G(z)
    # the authors' G runs once per latent batch: batchnorm over each 100
    return torch.cat([G(zi) for zi in z.split(z.shape[0] // pack)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pack", type=int, default=4)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=500)
    ap.add_argument("--layout", choices=("ganc", "authors"), default="ganc")
    ap.add_argument("--updates", choices=("sequential", "simultaneous"), default="sequential")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--beta1", type=float, default=0.8)
    ap.add_argument("--init-std", type=float, default=0.02)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed + 1000)
    G, D = networks(a.pack, a.init_std)
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    n = 100 * a.pack
    z_eval = torch.randn(2500, 2, generator=gen)
    print(f"pacgan_torch grid25 pack {a.pack} layout {a.layout} updates {a.updates} "
          f"lr {a.lr} beta1 {a.beta1} init_std {a.init_std} seed {a.seed}")
    print("step,d_loss,g_loss,seconds,modes,hq_fraction,reverse_kl")
    t0, sums = time.time(), [0.0, 0.0]
    for step in range(1, a.steps + 1):
        real = packed(real_points(n, gen), a.pack, a.layout)
        z = torch.randn(n, 2, generator=gen)
        fake = packed(fake_batch(G, z, a.pack, a.layout), a.pack, a.layout)
        d_real = D(real)
        ld = F.softplus(-d_real).mean() + F.softplus(D(fake.detach())).mean()
        if a.updates == "simultaneous":
            # G's gradient through D as it was before D's step
            lg = F.softplus(-D(fake)).mean()
            opt_d.zero_grad()
            ld.backward()
            opt_g.zero_grad()
            lg.backward(inputs=list(G.parameters()))
            opt_d.step()
            opt_g.step()
        else:
            opt_d.zero_grad()
            ld.backward()
            opt_d.step()
            lg = F.softplus(-D(fake)).mean()
            opt_g.zero_grad()
            lg.backward(inputs=list(G.parameters()))
            opt_g.step()
        sums[0] += ld.item()
        sums[1] += lg.item()
        if step % a.every == 0 or step == a.steps:
            k = a.every if step % a.every == 0 else step % a.every
            G.eval()
            with torch.no_grad():
                modes, hq, kl = score(G(z_eval))
            G.train()
            print(f"{step},{sums[0] / k:.5f},{sums[1] / k:.5f},{time.time() - t0:.1f},"
                  f"{modes},{hq:.4f},{kl:.4f}", flush=True)
            sums = [0.0, 0.0]


if __name__ == "__main__":
    main()
