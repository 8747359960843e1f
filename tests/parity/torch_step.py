#!/usr/bin/python3
"""tests/parity/torch_step.py - replays in PyTorch the steps dumped by dump_step.

    torch_step.py MODEL.yaml DUMP.safetensors [--corrupt KEY] [--grad-rtol R] [--float64]

--float64 runs the reference in double precision (ganc's float32 inputs
widened), for models where PyTorch's own float32 is the noisier of the two.

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
  loss.g, grad.G   the G loss on the same G(z), through D holding C's after.D
  after.G          torch.optim applied with grad.G

Each stage starts from the C values of the previous stage, so each comparison
tests one thing and its tolerance can be tight:

  forward values and gradients: max|c - t| <= 1e-4 * max|t| + 1e-7, where
    for gradients max|t| is at least 1e-2 of the largest gradient of that
    network: a gradient that is exactly 0 in exact arithmetic (the bias of a
    layer followed by batchnorm) holds only the rounding of a cancelling sum,
    whose size follows the gradients flowing through it, not its own.  Both
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

  --grad-rtol R replaces 1e-4 for gradients, for networks whose float32
    gradients are themselves that far from the exact ones (see tests/parity.sh).

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
            np.frombuffer(data[b:e], dtype="<f4").astype(np.float64 if torch.get_default_dtype()
                                                         == torch.float64 else np.float32)
            .reshape(h["shape"]))
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
    """names of the trainable tensors: weights and (default) biases."""
    names = []
    for name, kind, spec, _ in layers:
        if kind in ("dense", "maxout", "conv2d", "conv_transpose2d"):
            names.append(f"{prefix}.{name}.weight")
            if spec.get("bias", True):
                names.append(f"{prefix}.{name}.bias")
        elif kind == "batchnorm":
            names += [f"{prefix}.{name}.weight", f"{prefix}.{name}.bias"]
        elif kind in ("layer_norm", "instance_norm") and spec.get("affine", True):
            names += [f"{prefix}.{name}.weight", f"{prefix}.{name}.bias"]
    return names


def expected_states(prefix, layers):
    """names of the state tensors: batchnorm running statistics, spectral
    normalization's power-iteration vectors."""
    return ([f"{prefix}.{name}.{s}" for name, kind, _, _ in layers if kind == "batchnorm"
             for s in ("running_mean", "running_var")]
            + [f"{prefix}.{name}.{s}" for name, _, spec, _ in layers
               if spec.get("spectral_norm", False) for s in ("weight_u", "weight_v")])


def weight(prefix, name, kind, spec, params, states, mode):
    """the layer's weight, divided by its spectral norm when asked, as
    torch.nn.utils.spectral_norm computes it (one power iteration; the
    matrix's rows along dim 1 for conv_transpose2d, else dim 0).  In eval
    mode the saved u and v scaled to unit length: PyTorch's eval formula for
    the unit vectors it saves (ganc's harnesses start them at any length)."""
    w = params[f"{prefix}.{name}.weight"]
    if not spec.get("spectral_norm", False):
        return w
    wm = (w.transpose(0, 1) if kind == "conv_transpose2d" else w)
    wm = wm.reshape(wm.shape[0], -1)
    ku, kv = f"{prefix}.{name}.weight_u", f"{prefix}.{name}.weight_v"
    if mode == "eval":
        u, v = states[ku] / states[ku].norm(), states[kv] / states[kv].norm()
    else:
        with torch.no_grad():
            v = F.normalize(wm.t() @ states[ku], dim=0, eps=1e-12)
            u = F.normalize(wm @ v, dim=0, eps=1e-12)
        if mode == "train":
            states[ku], states[kv] = u.clone(), v.clone()
    return w / torch.dot(u, wm @ v)


def forward(prefix, net, params, x, states=None, mode="train"):
    """mode: "eval" (batchnorm uses states), "train" (batch statistics, states
    updated in place as PyTorch does), "train_fixed" (batch statistics, states
    left alone: ganc's D step runs G so)."""
    layers = layer_list(net)
    by_name = {l[0]: l for l in layers}
    memo = {"input": x}

    def value(name):
        if name in memo:
            return memo[name]
        _, kind, spec, inputs = by_name[name]
        xs = [value(i) for i in inputs]
        if kind in ("dense", "conv2d", "conv_transpose2d"):
            w = weight(prefix, name, kind, spec, params, states, mode)
        if kind == "dense":
            y = F.linear(xs[0], w,
                         params.get(f"{prefix}.{name}.bias"))
        elif kind == "maxout":
            y = F.linear(xs[0], params[f"{prefix}.{name}.weight"],
                         params.get(f"{prefix}.{name}.bias"))
            y = y.view(y.shape[0], int(spec["units"]), int(spec["pieces"])).max(-1).values
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
        elif kind == "conv2d":
            y = F.conv2d(xs[0], w,
                         params.get(f"{prefix}.{name}.bias"), stride=int(spec.get("stride", 1)),
                         padding=int(spec.get("padding", 0)))
        elif kind == "conv_transpose2d":
            y = F.conv_transpose2d(xs[0], w,
                                   params.get(f"{prefix}.{name}.bias"),
                                   stride=int(spec.get("stride", 1)),
                                   padding=int(spec.get("padding", 0)),
                                   output_padding=int(spec.get("output_padding", 0)))
        elif kind == "batchnorm":
            rm = states[f"{prefix}.{name}.running_mean"]
            rv = states[f"{prefix}.{name}.running_var"]
            if mode == "train_fixed":
                rm, rv = rm.clone(), rv.clone()
            y = F.batch_norm(xs[0], rm, rv, params[f"{prefix}.{name}.weight"],
                             params[f"{prefix}.{name}.bias"], training=mode != "eval",
                             momentum=float(spec.get("momentum", 0.1)),
                             eps=float(spec.get("eps", 1e-5)))
        elif kind == "minibatch_std":
            x = xs[0]
            s = torch.sqrt(x.var(0, unbiased=False) + float(spec.get("eps", 1e-8))).mean()
            y = torch.cat([x, s.expand(x.shape[0], 1, *x.shape[2:])], 1)
        elif kind == "layer_norm":
            y = F.layer_norm(xs[0], xs[0].shape[1:], params.get(f"{prefix}.{name}.weight"),
                             params.get(f"{prefix}.{name}.bias"), eps=float(spec.get("eps", 1e-5)))
        elif kind == "instance_norm":
            y = F.instance_norm(xs[0], weight=params.get(f"{prefix}.{name}.weight"),
                                bias=params.get(f"{prefix}.{name}.bias"),
                                eps=float(spec.get("eps", 1e-5)))
        elif kind == "reshape":
            y = xs[0].reshape(xs[0].shape[0], *[int(v) for v in spec["shape"]])
        elif kind == "flatten":
            y = xs[0].reshape(xs[0].shape[0], -1)
        elif kind == "upsample":
            y = F.interpolate(xs[0], scale_factor=int(spec.get("factor", 2)), mode="nearest")
        elif kind == "avgpool":
            y = F.avg_pool2d(xs[0], int(spec.get("kernel", 2)))
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

    def values(self, name, c, t, rtol=FWD_RTOL, floor=0.0):
        c, t = c.detach().double(), t.detach().double()
        if c.shape != t.shape:
            print(f"  {name}: shape {tuple(c.shape)} != torch {tuple(t.shape)}  FAIL")
            self.failed += 1
            return
        diff = (c - t).abs().max().item() if c.numel() else 0.0
        scale = max(t.abs().max().item() if t.numel() else 0.0, floor)
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
    if "--float64" in args:
        args.remove("--float64")
        torch.set_default_dtype(torch.float64)
    grad_rtol = FWD_RTOL
    if len(args) >= 4 and args[-2] == "--grad-rtol":
        grad_rtol = float(args[-1])
        args = args[:-2]
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
    state_names = {p: expected_states(p, layer_list(n)) for p, n in nets.items()}
    everything = sum(expected.values(), []) + sum(state_names.values(), [])
    dumped = sorted(k[len("before."):] for k in dump if k.startswith("before."))
    if sorted(everything) != dumped:
        print(f"  tensor names differ: yaml {sorted(everything)}\n"
              f"                       dump {dumped}  FAIL")
        return 1
    S = {n: dump[f"before.{n}"].clone() for n in sum(state_names.values(), [])}

    def set_states(names, stage):
        for n in names:
            S[n] = dump[f"{stage}{n}"].clone()

    def check_states(stage):
        for n in sorted(S):
            rep.values(f"{stage}{n}", dump[f"{stage}{n}"], S[n])

    G = {n: dump[f"before.{n}"].clone().requires_grad_(True) for n in expected["generator"]}
    D = {n: dump[f"before.{n}"].clone().requires_grad_(True) for n in expected["discriminator"]}
    opt_d, lr_d = make_optimizer(nets["discriminator"], list(D.values()))
    opt_g, lr_g = make_optimizer(nets["generator"], list(G.values()))

    def net(prefix, params, x, mode="train"):
        return forward(prefix, nets[prefix], params, x, S, mode)

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
        # the sampler's generator: inference mode, running statistics
        rep.values("output.fake", dump["output.fake"],
                   net("generator", G, dump["input.z"], "eval"))

    def prefix(step):
        return "" if step == 1 else f"step{step}."

    step, before = 1, "before."
    while f"{prefix(step)}loss.d" in dump:
        pre = prefix(step)
        real, z = dump[f"{pre}input.real"], dump[f"{pre}input.z"]
        set_params(D, before)
        set_params(G, before)
        set_states(S, before)

        # PyTorch's DCGAN loop: G runs once, in training mode (its running
        # statistics move), and both steps use that fake batch.  The
        # discriminator step sees it detached; D updates its running
        # statistics on real, then on fake data
        for p in list(D.values()) + list(G.values()):
            p.grad = None
        fake = net("generator", G, z)
        ld = d_loss(loss_kind, net("discriminator", D, real),
                    net("discriminator", D, fake.detach()))
        ld.backward()
        rep.values(f"{pre}loss.d", dump[f"{pre}loss.d"], ld, LOSS_RTOL)
        floor = 1e-2 * max(p.grad.abs().max().item() for p in D.values())
        for n, p in D.items():
            rep.values(f"{pre}grad.{n}", dump[f"{pre}grad.{n}"], p.grad, grad_rtol, floor)
        update(D, opt_d, lr_d, pre, before)
        check_states(f"{pre}mid.")

        # generator step on the same fake batch, through C's updated
        # discriminator
        set_params(D, f"{pre}after.")
        set_states(S, f"{pre}mid.")
        for p in list(D.values()) + list(G.values()):
            p.grad = None
        lg = g_loss(loss_kind, net("discriminator", D, fake))
        lg.backward()
        rep.values(f"{pre}loss.g", dump[f"{pre}loss.g"], lg, LOSS_RTOL)
        floor = 1e-2 * max(p.grad.abs().max().item() for p in G.values())
        for n, p in G.items():
            rep.values(f"{pre}grad.{n}", dump[f"{pre}grad.{n}"], p.grad, grad_rtol, floor)
        update(G, opt_g, lr_g, pre, before)
        check_states(f"{pre}after.")
        step, before = step + 1, f"{pre}after."

    verdict = "PASS" if rep.failed == 0 else f"FAIL ({rep.failed} tensors)"
    verdict += f", {step - 1} steps"
    (vr, vn), (ur, un) = rep.worst["value"], rep.worst["update"]
    print(f"parity {model['name']}: {verdict}; largest differences: values {vr:.1e} of max "
          f"({vn}), updates {ur:.1e} of the step ({un})")
    return 0 if rep.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
