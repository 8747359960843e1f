#!/usr/bin/python3
"""tests/parity/torch_step.py - replays in PyTorch the steps dumped by dump_step.

    torch_step.py MODEL.yaml DUMP.safetensors [--corrupt KEY]

Builds both networks from the YAML with a small graph interpreter that knows
nothing of ganc's code (layer names, `input`/`inputs`, the network input
`input`, `output`; dense layers are F.linear on weights loaded from
"before.*"), checks that the dumped tensors are exactly those the YAML
implies, and then checks, tensor by tensor:

  output.fake      G(z) before any update
and for each dumped step (prefix "" for step 1, "step2." for step 2):
  loss.d, grad.D   the D loss on (real, G(z).detach()) and its gradients
  after.D          torch.optim (built from the YAML's hyper-parameters, its
                   state carried from step to step) applied with grad.D
  loss.g, grad.G   the G loss on z_g, through D holding C's after.D
  after.G          torch.optim applied with grad.G

Each stage starts from the C values of the previous stage, so each comparison
tests one thing and its tolerance can be tight:

  forward values and gradients: max|c - t| <= 1e-4 * max|t| + 1e-7.  Both
    sides are float32 sums of at most a few hundred terms in different orders
    (OpenBLAS vs PyTorch), errors ~sqrt(n)*6e-8 relative ~1e-6: 100x margin.
    Scaled by the tensor's largest value, not elementwise: elements that are
    sums of cancelling terms have no meaningful relative error.
  losses: |c - t| <= 1e-5 * |t| + 1e-7 (one scalar, a mean of one batch).
  updated params, elementwise: |c - t| <= 2^-21 |p| + 1e-4 lr + 1e-12: the
    same float32 ops on the same inputs in (nearly) the same order, so a few
    ulps of p plus a rounding-level share of the step.  Comparing the update
    to a torch step on torch's own gradients would need a loose tolerance:
    Adam's first step is lr * g / (|g| + eps), which turns noise in a
    gradient near 0 into a change of up to 2 lr.

Runs in float32 on one thread.  Prints one line per tensor and a final
PASS/FAIL line; exits 1 on any failure, 2 on bad input.  --corrupt KEY
changes the largest element of dumped tensor KEY by 0.1% (a negative
control: tests/parity.sh checks that this run fails).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import yaml

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

FWD_RTOL, LOSS_RTOL, ATOL = 1e-4, 1e-5, 1e-7
ULP4 = 2.0 ** -21


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, h in header.items():
        assert h["dtype"] == "F32", name
        b, e = h["data_offsets"]
        out[name] = torch.from_numpy(
            np.frombuffer(data[b:e], dtype="<f4").astype(np.float32).reshape(h["shape"]))
    return out


# ---- the model language, independently of ganc ----

def layer_list(net):
    """[(name, kind, settings, input names)] with ganc's defaulting rules."""
    layers = net["layers"] if isinstance(net, dict) else net
    out, prev = [], "input"
    for i, item in enumerate(layers, 1):
        spec = {"type": item} if isinstance(item, str) else dict(item)
        kind = spec["type"]
        name = spec.get("name", f"{kind}{i}")
        if "inputs" in spec:
            inputs = list(spec["inputs"])
        else:
            inputs = [spec.get("input", prev)]
        out.append((name, kind, spec, inputs))
        prev = name
    return out


def output_name(net, layers):
    return net.get("output", layers[-1][0]) if isinstance(net, dict) else layers[-1][0]


def expected_params(prefix, layers):
    """names of the trainable tensors: dense weight and (default) bias."""
    names = []
    for name, kind, spec, _ in layers:
        if kind == "dense":
            names.append(f"{prefix}.{name}.weight")
            if spec.get("bias", True):
                names.append(f"{prefix}.{name}.bias")
    return names


def forward(prefix, net, params, x):
    layers = layer_list(net)
    by_name = {l[0]: l for l in layers}
    memo = {"input": x}

    def value(name):
        if name in memo:
            return memo[name]
        _, kind, spec, inputs = by_name[name]
        xs = [value(i) for i in inputs]
        if kind == "dense":
            y = F.linear(xs[0], params[f"{prefix}.{name}.weight"],
                         params.get(f"{prefix}.{name}.bias"))
        elif kind == "relu":
            y = F.relu(xs[0])
        elif kind == "leaky_relu":
            y = F.leaky_relu(xs[0], negative_slope=float(spec.get("alpha", 0.01)))
        elif kind == "tanh":
            y = torch.tanh(xs[0])
        elif kind == "sigmoid":
            y = torch.sigmoid(xs[0])
        elif kind == "add":
            y = xs[0]
            for t in xs[1:]:
                y = y + t
        elif kind == "concat":
            y = torch.cat(xs, dim=int(spec.get("axis", 0)) + 1)
        else:
            raise SystemExit(f"torch_step: layer kind '{kind}' is not supported here")
        memo[name] = y
        return y

    return value(output_name(net, layers))


def d_loss(kind, d_real, d_fake):
    if kind == "non_saturating":
        return (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
    if kind == "lsgan":
        return 0.5 * ((d_real - 1) ** 2).mean() + 0.5 * (d_fake ** 2).mean()
    if kind == "hinge":
        return F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
    raise SystemExit(f"torch_step: unknown loss {kind}")


def g_loss(kind, d_fake):
    if kind == "non_saturating":
        return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
    if kind == "lsgan":
        return 0.5 * ((d_fake - 1) ** 2).mean()
    if kind == "hinge":
        return -d_fake.mean()
    raise SystemExit(f"torch_step: unknown loss {kind}")


def make_optimizer(net, params):
    o = dict(net.get("optimizer", {})) if isinstance(net, dict) else {}
    kind = o.get("type", "adam")
    lr = float(o.get("lr", 2e-4))
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(float(o.get("beta1", 0.5)),
                                float(o.get("beta2", 0.999))), eps=float(o.get("eps", 1e-8))), lr
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=float(o.get("momentum", 0.0))), lr
    raise SystemExit(f"torch_step: unknown optimizer {kind}")


# ---- comparison ----

class Report:
    def __init__(self):
        self.failed = 0
        self.worst = {"value": (0.0, "-"), "update": (0.0, "-")}

    def line(self, kind, name, t, ok, abs_diff, rel):
        print(f"  {name:42s} {tuple(t.shape)!s:12s} max|c-t| {abs_diff:.2e}  rel {rel:.2e}  "
              f"{'ok' if ok else 'FAIL'}")
        self.failed += not ok
        if rel >= self.worst[kind][0]:
            self.worst[kind] = (rel, name)

    def values(self, name, c, t, rtol=FWD_RTOL):
        c, t = c.detach().double(), t.detach().double()
        if c.shape != t.shape:
            print(f"  {name}: shape {tuple(c.shape)} != torch {tuple(t.shape)}  FAIL")
            self.failed += 1
            return
        diff = (c - t).abs().max().item() if c.numel() else 0.0
        scale = t.abs().max().item() if t.numel() else 0.0
        # rel: relative to the tensor's largest value
        self.line("value", name, t, diff <= rtol * scale + ATOL, diff, diff / max(scale, 1e-30))

    def update(self, name, c, t, before, lr):
        c, t, p = c.double(), t.detach().double(), before.double()
        d = (c - t).abs()
        tol = ULP4 * p.abs() + 1e-4 * lr + 1e-12
        step = (t - p).abs().max().item()
        # rel: the difference relative to the size of the step taken
        self.line("update", name, t, bool((d <= tol).all()), d.max().item(),
                  d.max().item() / max(step, 1e-30))


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--corrupt"):
        print("usage: " + __doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(args[0]) as f:
        model = yaml.safe_load(f)
    dump = read_safetensors(args[1])
    if len(args) == 4:
        x = dump[args[3]].view(-1)
        i = x.abs().argmax()
        x[i] += 1e-3 * x[i].abs() + 1e-6
        print(f"negative control: {args[3]}[{i.item()}] changed by 0.1%")
    rep = Report()
    nets = {"generator": model["generator"], "discriminator": model["discriminator"]}
    loss_kind = model.get("loss", "non_saturating")
    print(f"parity {model['name']} ({loss_kind}) vs torch {torch.__version__}, float32")

    # the dumped tensors are exactly the ones the YAML describes
    expected = {p: expected_params(p, layer_list(n)) for p, n in nets.items()}
    dumped = sorted(k[len("before."):] for k in dump if k.startswith("before."))
    if sorted(sum(expected.values(), [])) != dumped:
        print(f"  tensor names differ: yaml {sorted(sum(expected.values(), []))}\n"
              f"                       dump {dumped}  FAIL")
        return 1

    G = {n: dump[f"before.{n}"].clone().requires_grad_(True) for n in expected["generator"]}
    D = {n: dump[f"before.{n}"].clone().requires_grad_(True) for n in expected["discriminator"]}
    opt_d, lr_d = make_optimizer(nets["discriminator"], list(D.values()))
    opt_g, lr_g = make_optimizer(nets["generator"], list(G.values()))

    def net(prefix, params, x):
        return forward(prefix, nets[prefix], params, x)

    def set_params(params, stage):
        """continue from C's values (isolation), keeping the optimizer state"""
        with torch.no_grad():
            for n, p in params.items():
                p.copy_(dump[f"{stage}{n}"])

    def update(params, opt, lr, pre, before):
        for n, p in params.items():
            p.grad = dump[f"{pre}grad.{n}"].clone()
        opt.step()
        for n, p in params.items():
            rep.update(f"{pre}after.{n}", dump[f"{pre}after.{n}"], p, dump[f"{before}{n}"], lr)

    with torch.no_grad():
        rep.values("output.fake", dump["output.fake"], net("generator", G, dump["input.z"]))

    def prefix(step):
        return "" if step == 1 else f"step{step}."

    step, before = 1, "before."
    while f"{prefix(step)}loss.d" in dump:
        pre = prefix(step)
        real, z, z_g = (dump[f"{pre}input.{k}"] for k in ("real", "z", "z_g"))
        set_params(D, before)
        set_params(G, before)

        # discriminator step on (real, G(z)) with G fixed
        for p in list(D.values()) + list(G.values()):
            p.grad = None
        fake = net("generator", G, z).detach()
        ld = d_loss(loss_kind, net("discriminator", D, real), net("discriminator", D, fake))
        ld.backward()
        rep.values(f"{pre}loss.d", dump[f"{pre}loss.d"], ld, LOSS_RTOL)
        for n, p in D.items():
            rep.values(f"{pre}grad.{n}", dump[f"{pre}grad.{n}"], p.grad)
        update(D, opt_d, lr_d, pre, before)

        # generator step on z_g, through C's updated discriminator
        set_params(D, f"{pre}after.")
        for p in list(D.values()) + list(G.values()):
            p.grad = None
        lg = g_loss(loss_kind, net("discriminator", D, net("generator", G, z_g)))
        lg.backward()
        rep.values(f"{pre}loss.g", dump[f"{pre}loss.g"], lg, LOSS_RTOL)
        for n, p in G.items():
            rep.values(f"{pre}grad.{n}", dump[f"{pre}grad.{n}"], p.grad)
        update(G, opt_g, lr_g, pre, before)
        step, before = step + 1, f"{pre}after."

    verdict = "PASS" if rep.failed == 0 else f"FAIL ({rep.failed} tensors)"
    verdict += f", {step - 1} steps"
    (vr, vn), (ur, un) = rep.worst["value"], rep.worst["update"]
    print(f"parity {model['name']}: {verdict}; largest differences: values {vr:.1e} of max "
          f"({vn}), updates {ur:.1e} of the step ({un})")
    return 0 if rep.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
