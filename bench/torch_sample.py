#!/usr/bin/python3
"""bench/torch_sample.py - the PyTorch counterpart of `sample -n 1 -o out.npy`:
what a deployed PyTorch sampler does from process start to its first sample.

    torch_sample.py WEIGHTS.safetensors OUT.npy [--latent Z.npy]

Imports torch and numpy, builds the DCGAN generator (bench/torch_models.py),
loads the generator tensors of ganc's weights file, runs it in eval mode
under torch.no_grad() on one latent (from Z.npy, else N(0, 1)) and writes
the sample with numpy: (N, 1, 28, 28) float32.  bench/bench.py times the
whole process (wall clock to exit, peak RSS) and compares the output with
the ganc sampler's on the same latents, which checks the architecture and the
weight layout end to end.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights")
    ap.add_argument("out")
    ap.add_argument("--latent")
    args = ap.parse_args()
    g, _ = torch_models.dcgan_fashion()
    torch_models.load_generator(g, args.weights)
    g.eval()
    if args.latent:
        z = torch.from_numpy(np.load(args.latent).astype(np.float32))
    else:
        z = torch.randn(1, 100)
    with torch.no_grad():
        x = g(z)
    np.save(args.out, x.numpy())


if __name__ == "__main__":
    main()
