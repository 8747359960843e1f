"""bench/torch_models.py - the PyTorch baseline networks of bench/, written as a
PyTorch user would write them (nn.Sequential of standard modules), layer for
layer the networks of models/dcgan_fashion.yaml and models/ring8_mlp.yaml.

Module names follow the YAML's layer names, so that state_dict() keys, with
"generator."/"discriminator." in front, are exactly ganc's tensor names:
bench/bench.py compares the two tables (names and shapes) before timing, and
the DCGAN generator's output on the same weights and latents with the
sampler's.  Conventions are PyTorch's, which ganc follows (weights
(out, in[, kH, kW]), ConvTranspose2d (in, out, kH, kW), BatchNorm momentum
0.1, eps 1e-5).

Leaves out: a YAML interpreter (tests/parity/torch_step.py has one; a
baseline should be the plain PyTorch code, not an interpreter's overhead).
"""
from collections import OrderedDict

import torch
from torch import nn

# name: (batch, latent, G lr/betas, D lr/betas); Adam eps 1e-8 (torch's default)
SPECS = {
    "dcgan_fashion": dict(batch=64, latent=100, lr=2e-4, betas=(0.5, 0.999)),
    "ring8_mlp": dict(batch=256, latent=2, lr=1e-4, betas=(0.5, 0.999)),
}


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def dcgan_fashion():
    """The reference DCGAN for 28x28x1 (../shared/REFERENCE.md), initialised
    as DCGAN does (and as the YAML's init: normal, std 0.02 asks)."""
    g = nn.Sequential(OrderedDict([
        ("fc", nn.Linear(100, 6272)),
        ("bn0", nn.BatchNorm1d(6272)),
        ("relu3", nn.ReLU()),
        ("reshape4", Reshape(128, 7, 7)),
        ("up1", nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1)),
        ("bn1", nn.BatchNorm2d(64)),
        ("relu7", nn.ReLU()),
        ("up2", nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1)),
        ("tanh9", nn.Tanh()),
    ]))
    d = nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 64, 4, stride=2, padding=1)),
        ("leaky_relu2", nn.LeakyReLU(0.2)),
        ("conv2", nn.Conv2d(64, 128, 4, stride=2, padding=1)),
        ("bn2", nn.BatchNorm2d(128)),
        ("leaky_relu5", nn.LeakyReLU(0.2)),
        ("flatten6", nn.Flatten()),
        ("out", nn.Linear(6272, 1)),
    ]))
    for net in (g, d):
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)
    return g, d


def ring8_mlp():
    """The MLP GAN on ring8 (G 2-128-128-2, D 2-128-128-1), PyTorch's default
    initialisation (ganc's default init is the same)."""
    g = nn.Sequential(OrderedDict([
        ("h1", nn.Linear(2, 128)), ("relu2", nn.ReLU()),
        ("h2", nn.Linear(128, 128)), ("relu4", nn.ReLU()),
        ("out", nn.Linear(128, 2)),
    ]))
    d = nn.Sequential(OrderedDict([
        ("h1", nn.Linear(2, 128)), ("relu2", nn.ReLU()),
        ("h2", nn.Linear(128, 128)), ("relu4", nn.ReLU()),
        ("out", nn.Linear(128, 1)),
    ]))
    return g, d


BUILDERS = {"dcgan_fashion": dcgan_fashion, "ring8_mlp": ring8_mlp}


def tensor_table(g, d):
    """{ganc tensor name: shape} for both networks (num_batches_tracked is
    PyTorch's own bookkeeping, not a tensor ganc keeps)."""
    out = {}
    for prefix, net in (("generator.", g), ("discriminator.", d)):
        for k, v in net.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                out[prefix + k] = list(v.shape)
    return out


def load_generator(g, path):
    """Loads generator.* tensors of a safetensors file (ganc's weights) into g,
    with numpy only (the format: ../shared/REFERENCE.md)."""
    import json
    import struct

    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    state = {}
    for name, h in header.items():
        if not name.startswith("generator."):
            continue
        b, e = h["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype="<f4").reshape(h["shape"])
        state[name[len("generator."):]] = torch.from_numpy(arr.copy())
    missing, unexpected = g.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{path}: missing {missing}, unexpected {unexpected}")
