#!/usr/bin/python3
"""tests/parity/torch_step.py - replays in PyTorch the steps dumped by dump_step.

    torch_step.py MODEL.yaml DUMP.safetensors [--corrupt KEY] [--grad-rtol R] [--float64]
                  [--general]

--float64 runs the reference in double precision (ganc's float32 inputs
widened), for models where PyTorch's own float32 is the noisier of the two.
--general replays a shorthand model through the general form's interpreter
(the shorthand as the documentation translates it), a cross-check of the two.

Builds the networks from the YAML with a small graph interpreter that knows
nothing of ganc's code (layer names, `input`/`inputs`, the network's inputs
by name, `output`/`outputs`; dense layers are F.linear on weights loaded
from "before.*"), checks that the dumped tensors are exactly those the YAML
implies, and then checks, tensor by tensor.

The shorthand (generator, discriminator, loss), as it always has:
  output.fake      G(z) before any update
and for each dumped step (prefix "" for step 1, "step2." for step 2):
  loss.d, grad.D   the D loss on (real, G(z).detach()) and its gradients
  after.D          torch.optim (built from the YAML's hyper-parameters, its
                   state carried from step to step) applied with grad.D
  mid.*            running statistics after the D step
  loss.g, grad.G   the G loss on the same G(z), through D holding C's after.D
  after.G          torch.optim applied with grad.G; after.* running statistics
(with train.d_steps > 1 in a dump of the trainer's schedule, it is replayed
as the general form it stands for).

The general form (networks, variables, objective, schedule):
  output.fake      the `sample` network's first output in inference mode,
                   on the first repetition's draws (output.input.NAME for an
                   input no variable of that draw feeds)
and for each step, each update in schedule order, each of its repetitions
(dump_step's names: the last repetition's tag is "", earlier ones
UPDATE1., UPDATE2., ...):
  loss.UPDATE      the weighted sum of its terms, every value an expression
                   parsed here (VAR, NET(v, ...), NET(v, ...).OUTPUT,
                   stop(v)), each application computed once per update in
                   training mode (running statistics updated as PyTorch
                   does), on the variables the repetition drew (input.*), or
                   for an update on the same batch those of the update
                   before it, with the applications it shares computed in
                   that update's repetition; the terms: adversarial (each
                   LOSS on the critic's or the generator's side as the
                   documentation's table says), gradient_penalty (at
                   u a + (1 - u) b, u from ganc's hash and the repetition's
                   noise seed, the input gradient by torch.autograd.grad
                   with create_graph=True, so the loss's gradient is
                   PyTorch's double backward), r1 (the same, at the value
                   itself), l1, l2, cross_entropy (F.cross_entropy);
                   term.UPDATE.TERM each term before its weight, where the
                   trainer reports them
  grad.NET.*       the gradients of the networks it trains
                   (torch.autograd.grad of the loss)
  after.NET.*      torch.optim with the schedule's optimizer (state carried
                   over repetitions and steps) on C's gradients, then the
                   clip; ema.NET.* the moving average after it
  mid.*, mid.UPDATE.*, UPDATEk.mid.*, after.* running statistics after
                   each repetition; the parameters of networks no update
                   trains unchanged
Every dumped tensor must be read by the replay (compared, or an input of
it): one that is not fails the run.

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
    gradient near 0 into a change of up to 2 lr.  The clip is exact.
  moving averages, elementwise: |c - t| <= 2^-21 |t| + 1e-12, from C's
    previous average and C's updated parameters: the same three float32
    operations (rt_ema.h), so a few ulps.

  --grad-rtol R replaces 1e-4 for gradients, for networks whose float32
    gradients are themselves that far from the exact ones (see tests/parity.sh).

A packed network (`pack: m`, PacGAN) sees each input packed (pack() below:
groups of m consecutive samples of the batch, joined along their first axis),
so it gives one score per group.  A penalty's input gradient is then still
taken per sample, of the sum of the group scores, as ganc computes it.

Runs in float32 on one thread.  Leaves out dropout, whose masks come from
ganc's hash (tests/parity.sh leaves dropout models to the gradient checks);
it is refused, not skipped.  Prints one line per tensor and a final
PASS/FAIL line; exits 1 on any failure, 2 on bad input.  --corrupt KEY
changes the largest element of dumped tensor KEY by 0.1% (a negative
control: tests/parity.sh checks that this run fails).
"""
import json
import os
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
    meta = header.pop("__metadata__", None) or {}
    data = raw[8 + n:]
    out = {}
    for name, h in header.items():
        assert h["dtype"] == "F32", name
        b, e = h["data_offsets"]
        out[name] = torch.from_numpy(
            np.frombuffer(data[b:e], dtype="<f4").astype(np.float64 if torch.get_default_dtype()
                                                         == torch.float64 else np.float32)
            .reshape(h["shape"]))
    return out, meta


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
        elif kind == "embedding":
            names.append(f"{prefix}.{name}.weight")
        elif kind in ("layer_norm", "instance_norm") and spec.get("affine", True):
            names += [f"{prefix}.{name}.weight", f"{prefix}.{name}.bias"]
        elif kind == "prelu":
            names.append(f"{prefix}.{name}.weight")
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


def apply_layer(prefix, name, kind, spec, xs, params, states, mode):
    """one layer's value from its inputs' values xs"""
    if kind in ("dense", "conv2d", "conv_transpose2d"):
        w = weight(prefix, name, kind, spec, params, states, mode)
    if kind == "dense":
        return F.linear(xs[0], w, params.get(f"{prefix}.{name}.bias"))
    if kind == "maxout":
        y = F.linear(xs[0], params[f"{prefix}.{name}.weight"],
                     params.get(f"{prefix}.{name}.bias"))
        return y.view(y.shape[0], int(spec["units"]), int(spec["pieces"])).max(-1).values
    if kind == "relu":
        return F.relu(xs[0])
    if kind == "leaky_relu":
        return F.leaky_relu(xs[0], negative_slope=float(spec.get("alpha", 0.01)))
    if kind == "prelu":
        # one slope per channel (dim 1) or one in all, nn.PReLU's weight
        return F.prelu(xs[0], params[f"{prefix}.{name}.weight"])
    if kind == "tanh":
        return torch.tanh(xs[0])
    if kind == "sigmoid":
        return torch.sigmoid(xs[0])
    if kind == "add":
        y = xs[0]
        for t in xs[1:]:
            y = y + t
        return y
    if kind == "concat":
        return torch.cat(xs, dim=int(spec.get("axis", 0)) + 1)
    if kind == "conv2d":
        # torch.nn.Conv2d's padding_mode='reflect' pads with F.pad, then pads nothing
        p = int(spec.get("padding", 0))
        x = xs[0]
        if spec.get("padding_mode", "zeros") == "reflect":
            x, p = F.pad(x, (p, p, p, p), mode="reflect"), 0
        return F.conv2d(x, w, params.get(f"{prefix}.{name}.bias"),
                        stride=int(spec.get("stride", 1)), padding=p)
    if kind == "conv_transpose2d":
        return F.conv_transpose2d(xs[0], w,
                                  params.get(f"{prefix}.{name}.bias"),
                                  stride=int(spec.get("stride", 1)),
                                  padding=int(spec.get("padding", 0)),
                                  output_padding=int(spec.get("output_padding", 0)))
    if kind == "batchnorm":
        rm = states[f"{prefix}.{name}.running_mean"]
        rv = states[f"{prefix}.{name}.running_var"]
        if mode == "train_fixed":
            rm, rv = rm.clone(), rv.clone()
        return F.batch_norm(xs[0], rm, rv, params[f"{prefix}.{name}.weight"],
                            params[f"{prefix}.{name}.bias"], training=mode != "eval",
                            momentum=float(spec.get("momentum", 0.1)),
                            eps=float(spec.get("eps", 1e-5)))
    if kind == "minibatch_std":
        x = xs[0]
        s = torch.sqrt(x.var(0, unbiased=False) + float(spec.get("eps", 1e-8))).mean()
        return torch.cat([x, s.expand(x.shape[0], 1, *x.shape[2:])], 1)
    if kind == "layer_norm":
        return F.layer_norm(xs[0], xs[0].shape[1:], params.get(f"{prefix}.{name}.weight"),
                            params.get(f"{prefix}.{name}.bias"), eps=float(spec.get("eps", 1e-5)))
    if kind == "instance_norm":
        return F.instance_norm(xs[0], weight=params.get(f"{prefix}.{name}.weight"),
                               bias=params.get(f"{prefix}.{name}.bias"),
                               eps=float(spec.get("eps", 1e-5)))
    if kind == "reshape":
        return xs[0].reshape(xs[0].shape[0], *[int(v) for v in spec["shape"]])
    if kind == "flatten":
        return xs[0].reshape(xs[0].shape[0], -1)
    if kind == "upsample":
        return F.interpolate(xs[0], scale_factor=int(spec.get("factor", 2)), mode="nearest")
    if kind == "avgpool":
        return F.avg_pool2d(xs[0], int(spec.get("kernel", 2)))
    if kind == "pixel_shuffle":
        return F.pixel_shuffle(xs[0], int(spec.get("factor", 2)))
    if kind == "dropout" and mode == "eval":
        return xs[0]     # the identity in inference mode (a frozen network's)
    if kind == "embedding":
        # a label input: integer classes held as floats, one per sample
        return F.embedding(xs[0].reshape(-1).long(), params[f"{prefix}.{name}.weight"])
    raise SystemExit(f"torch_step: layer kind '{kind}' is not supported here")


def pack(x, m):
    """PacGAN's packing as docs/model-language.md states it: the batch cut
    into groups of m samples in order (samples g m .. g m + m - 1 form group
    g), each group's samples joined end to end along their first axis
    (feature on feature, channel on channel): (B, d0, ...) -> (B/m, m d0, ...)"""
    if m == 1:
        return x
    if x.shape[0] % m:
        raise SystemExit(f"torch_step: a batch of {x.shape[0]} cannot be packed by {m}")
    return torch.cat([x[k::m] for k in range(m)], dim=1)


def pack_of(net):
    return int(net.get("pack", 1)) if isinstance(net, dict) else 1


def forward(prefix, net, params, x, states=None, mode="train"):
    """mode: "eval" (batchnorm uses states), "train" (batch statistics, states
    updated in place as PyTorch does), "train_fixed" (batch statistics, states
    left alone: ganc's D step runs G so).  A packed network (`pack`) sees
    its input packed."""
    layers = layer_list(net)
    by_name = {l[0]: l for l in layers}
    memo = {"input": pack(x, pack_of(net))}

    def value(name):
        if name in memo:
            return memo[name]
        _, kind, spec, inputs = by_name[name]
        xs = [value(i) for i in inputs]
        y = apply_layer(prefix, name, kind, spec, xs, params, states, mode)
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

    def ema(self, name, c, t, before):
        """a moving average: the same three float32 operations on the same
        inputs, so a few ulps of the average"""
        c, t, p = c.double(), t.detach().double(), before.double()
        d = (c - t).abs()
        tol = ULP4 * t.abs() + 1e-12
        step = (t - p).abs().max().item()
        self.line("update", name, t, bool((d <= tol).all()), d.max().item(),
                  d.max().item() / max(step, 1e-30))


class Dump(dict):
    """the dumped tensors, remembering which were read: every one must be
    (a comparison, or an input of the replay)"""

    def __init__(self, tensors):
        super().__init__(tensors)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def unread(self):
        return sorted(set(self.keys()) - self.read)


# ---- the general form: networks, variables, objective, schedule ----
#
# Written from docs/model-language.md ("The general form"), independently of
# ganc's code, except where the documentation leaves a choice to ganc:
#   - which applications an update on the same batch shares with the update
#     before it (shared_keys below: gen/program.c's shared_apps, the
#     documented rule "its shared forward passes (of networks that update
#     does not train) are then computed once" made exact), computed in each
#     repetition of the update before it, ahead of that update's own
#     applications (running statistics move in that order);
#   - the order in which applications run, which orders the updates of
#     batchnorm running statistics: terms in order; in a term its values in
#     the order written (real then fake, between's two, then `with`), the
#     arguments of an application before it; a penalty's critic applied
#     last, on its own (it is differentiated at its input);
#   - a gradient penalty's interpolation weight of sample i is ganc's hash
#     gan_uniform(salt = the term's position in the update + 1, i) under the
#     repetition's noise seed (templates/trainer.c; dump_step records the
#     seeds), and the norm is sqrt(|g|^2 + 1e-12).

class Expr:
    """a value: kind "var" (name), "stop" (args[0]), "apply" (net, args,
    output: an index into the network's outputs)"""

    def __init__(self, kind, name=None, args=(), output=0, output_name=None):
        self.kind, self.name, self.args, self.output = kind, name, list(args), output
        self.output_name = output_name

    def key(self):
        """the application's text without the output read: one application
        is computed once per update however many terms read it"""
        if self.kind == "var":
            return self.name
        if self.kind == "stop":
            return f"stop({self.args[0].text()})"
        return f"{self.name}({', '.join(a.text() for a in self.args)})"

    def text(self):
        """the canonical text: "D(stop(G(z, c)), c)", "D(x).classes" """
        if self.kind == "apply" and self.output:
            return f"{self.key()}.{self.output_name}"
        return self.key()


def parse_value(text, nets, variables):
    """value := NAME | NAME '(' value {',' value} ')' ['.' OUTPUT] | 'stop' '(' value ')'"""
    pos = [0]

    def fail(what):
        raise SystemExit(f"torch_step: in the value '{text}' at {pos[0]}: {what}")

    def space():
        while pos[0] < len(text) and text[pos[0]] in " \t":
            pos[0] += 1

    def accept(c):
        space()
        if pos[0] < len(text) and text[pos[0]] == c:
            pos[0] += 1
            return True
        return False

    def name():
        space()
        st = pos[0]
        if st >= len(text) or not text[st].isalpha():
            fail("expected a name")
        while pos[0] < len(text) and (text[pos[0]].isalnum() or text[pos[0]] == "_"):
            pos[0] += 1
        return text[st:pos[0]]

    def value():
        nm = name()
        if not accept("("):
            if nm not in variables:
                fail(f"'{nm}' is not a variable")
            return Expr("var", nm)
        args = [value()]
        while accept(","):
            args.append(value())
        if not accept(")"):
            fail("expected ',' or ')'")
        if nm == "stop":
            if len(args) != 1:
                fail("stop takes one value")
            return Expr("stop", args=args)
        if nm not in nets:
            fail(f"'{nm}' is not a network")
        output, out = 0, None
        if accept("."):
            out = name()
            if out not in nets[nm].outputs:
                fail(f"'{out}' is not an output of {nm}")
            output = nets[nm].outputs.index(out)
        return Expr("apply", nm, args, output, out)

    e = value()
    space()
    if pos[0] != len(text):
        fail("unexpected text after the value")
    return e


def frozen_spec(spec, model_dir):
    """a frozen network's spec, as docs/model-language.md says: network
    `network` of the model file `model` (relative to the importing model's
    folder), with its inputs (a `sample` input: that model's data shape) and
    layers, its outputs unless `outputs`/`output` beside `frozen` pick
    others; and the weights file, whose tensors are named after that network.
    Without `model`, the network is written here, its tensors named after
    `network` (default: itself) in the file."""
    fz = spec["frozen"]
    if "model" not in fz:     # written in the model itself: its tensors NAME.* in the file
        return spec, os.path.join(model_dir, fz["weights"]), fz.get("network")
    with open(os.path.join(model_dir, fz["model"])) as f:
        other = yaml.safe_load(f)
    src = dict(other["networks"][fz["network"]])
    if "outputs" in spec or "output" in spec:
        src.pop("outputs", None)
        src.pop("output", None)
        src.update({k: spec[k] for k in ("outputs", "output") if k in spec})
    return src, os.path.join(model_dir, fz["weights"]), fz["network"]


class Net:
    """one network: named inputs, a graph of layers, its outputs; a frozen
    one (imported with its weights) always runs in eval mode"""

    def __init__(self, name, spec, model_dir="."):
        self.name = self.prefix = name     # its tensors are NAME.LAYER.*
        self.frozen = None                 # (weights file, its name there)
        if isinstance(spec, dict) and "frozen" in spec:
            spec, weights, src_name = frozen_spec(spec, model_dir)
            self.frozen = (weights, src_name or name)
        if not isinstance(spec, dict) or "inputs" not in spec:
            raise SystemExit(f"torch_step: network {name} has no inputs")
        self.pack = pack_of(spec)
        self.inputs = list(spec["inputs"].items())      # [(name, kind)]
        self.layers = layer_list(spec)
        # a layer reads an input by its name; the only input also as `input`;
        # the first layer without `input`/`inputs` reads the first input
        alias = self.inputs[0][0] if len(self.inputs) == 1 else None
        fixed = []
        for i, (lname, kind, lspec, ins) in enumerate(self.layers):
            if "input" not in lspec and "inputs" not in lspec and i == 0:
                ins = [self.inputs[0][0]]
            ins = [alias if n == "input" and alias else n for n in ins]
            fixed.append((lname, kind, lspec, ins))
        self.layers = fixed
        if "outputs" in spec:
            self.outputs = list(spec["outputs"])
        else:
            self.outputs = [spec.get("output", self.layers[-1][0])]
        # the layers that lead to an output: the others are ignored
        by = {l[0]: l for l in self.layers}
        used, todo = set(), list(self.outputs)
        while todo:
            n = todo.pop()
            if n in used or n not in by:
                continue
            used.add(n)
            todo += by[n][3]
        self.used = [l for l in self.layers if l[0] in used]

    def params(self):
        return expected_params(self.prefix, self.used)

    def states(self):
        return expected_states(self.prefix, self.used)

    def frozen_tensors(self):
        """{NAME.LAYER.*: tensor} of the weights file, for a frozen network"""
        weights, src = self.frozen
        tensors, _ = read_safetensors(weights)
        names = self.params() + self.states()
        return {n: tensors[src + n[len(self.name):]].to(torch.get_default_dtype())
                for n in names}

    def run(self, params, args, states, mode):
        """[each output's value] of the network applied to args (one per input)"""
        if self.frozen:
            mode = "eval"
        # ganc refuses to pack a network with a label input: every input packs
        memo = {n: pack(a, self.pack) for (n, _), a in zip(self.inputs, args)}
        by = {l[0]: l for l in self.used}

        def value(n):
            if n not in memo:
                _, kind, spec, ins = by[n]
                memo[n] = apply_layer(self.prefix, n, kind, spec, [value(i) for i in ins],
                                      params, states, mode)
            return memo[n]

        return [value(o) for o in self.outputs]


class Term:
    def __init__(self, spec, nets, variables, index):
        kinds = [k for k in ("adversarial", "gradient_penalty", "r1", "l1", "l2",
                             "cross_entropy") if k in spec]
        if len(kinds) != 1:
            raise SystemExit(f"torch_step: a term needs one kind: {spec}")
        self.kind = kinds[0]
        self.index = index
        self.name = spec.get("name", self.kind)
        self.weight = float(spec.get("weight", 1))
        self.a = self.b = None
        self.with_ = []
        self.critic = self.labels = self.side = None
        val = lambda v: parse_value(str(v), nets, variables)
        if self.kind == "adversarial":
            self.loss = spec["adversarial"]
            self.a = val(spec["real"]) if "real" in spec else None
            self.b = val(spec["fake"]) if "fake" in spec else None
            self.side = spec.get("side")
        elif self.kind in ("gradient_penalty", "r1"):
            self.critic = spec[self.kind]
            self.with_ = [val(w) for w in spec.get("with", [])]
            if self.kind == "r1":
                # YAML 1.1 (PyYAML) reads the key `on` as true
                self.a = val(spec["on"] if "on" in spec else spec[True])
            else:
                self.a, self.b = (val(v) for v in spec["between"])
        elif self.kind in ("l1", "l2"):
            self.a, self.b = (val(v) for v in spec[self.kind])
        else:
            self.a = val(spec["cross_entropy"])
            self.labels = spec["labels"]

    def values(self):
        return [e for e in (self.a, self.b) if e is not None] + self.with_


class Update:
    def __init__(self, name, body, nets, variables):
        self.name = name
        if isinstance(body, dict):
            trained = body.get("update", [name])
            self.nets = [trained] if isinstance(trained, str) else list(trained)
            terms = body["terms"]
        else:
            self.nets, terms = [name], body
        self.terms = [Term(t, nets, variables, i) for i, t in enumerate(terms)]
        self.set_schedule({})
        for t in self.terms:
            if t.kind == "adversarial" and t.side is None:
                head = t.a if t.a is not None else t.b
                while head.kind == "stop":
                    head = head.args[0]
                t.side = "critic" if head.name in self.nets else "generator"

    def set_schedule(self, e):
        self.repeat = int(e.get("repeat", 1))
        self.clip = float(e.get("clip", 0))
        self.ema = float(e.get("ema", 0))
        self.same_batch = bool(e.get("same_batch", False))
        self.optimizer = dict(e.get("optimizer", {}))

    def reads(self, variables):
        """the variables its terms read; labels bring their data"""
        out = set()

        def walk(e):
            if e.kind == "var":
                out.add(e.name)
            for a in e.args:
                walk(a)

        for t in self.terms:
            for e in t.values():
                walk(e)
            if t.labels:
                out.add(t.labels)
        for v in list(out):
            if variables[v]["kind"] == "labels":
                out.add(variables[v]["data"])
        return out

    def apps(self):
        """every application its terms write, inner ones first"""
        out = []

        def walk(e):
            for a in e.args:
                walk(a)
            if e.kind == "apply":
                out.append(e)

        for t in self.terms:
            for e in t.values():
                walk(e)
        return out


class General:
    """a model in the general form, or the shorthand translated into it (as
    the documentation says: networks generator(z) and discriminator(x),
    variables real and z, updates d (repeated d_steps times) and g on the
    same batch)"""

    def __init__(self, model, model_dir="."):
        if "networks" in model:
            self.nets = {n: Net(n, s, model_dir) for n, s in model["networks"].items()}
            self.vars = {}
            for v, k in model["variables"].items():
                self.vars[v] = self.variable(v, k)
            objective = model["objective"]
            schedule = model.get("schedule")
            # default: the first network that is not frozen
            self.sample = (model.get("sample") or {}).get(
                "network", next(n for n, net in self.nets.items() if not net.frozen))
        else:
            self.nets = {}
            for role, inp, kind in (("generator", "z", {"latent": model["latent"]["size"]}),
                                    ("discriminator", "x", "sample")):
                spec = model[role]
                spec = dict(spec) if isinstance(spec, dict) else {"layers": spec}
                spec["inputs"] = {inp: kind}
                self.nets[role] = Net(role, spec)
            self.vars = {"real": {"kind": "data"}, "z": {"kind": "latent"}}
            loss = model.get("loss", "non_saturating")
            objective = {
                "d": {"update": ["discriminator"], "terms": [
                    {"adversarial": loss, "real": "discriminator(real)",
                     "fake": "discriminator(generator(z))"}]},
                "g": {"update": ["generator"], "terms": [
                    {"adversarial": loss, "fake": "discriminator(generator(z))"}]}}
            train = model.get("train") or {}
            schedule = [{"update": "d", "repeat": train.get("d_steps", 1),
                         "optimizer": model["discriminator"].get("optimizer", {})
                         if isinstance(model["discriminator"], dict) else {}},
                        {"update": "g", "same_batch": True,
                         "optimizer": model["generator"].get("optimizer", {})
                         if isinstance(model["generator"], dict) else {}}]
            self.sample = "generator"
        updates = {n: Update(n, b, self.nets, self.vars) for n, b in objective.items()}
        if schedule:
            self.updates = []
            for e in schedule:
                u = updates[e["update"]]
                u.set_schedule(e)
                self.updates.append(u)
        else:
            self.updates = list(updates.values())
        self.trainer = {n: u for u in self.updates for n in u.nets}
        self.resolve_draws()

    def variable(self, name, k):
        if isinstance(k, str):
            kind = k
            k = {}
        else:
            kind = next(x for x in ("data", "labels", "latent", "classes") if x in k)
        v = {"kind": kind}
        if kind == "labels":
            of = k.get("labels") if isinstance(k.get("labels"), str) else None
            datas = [n for n, x in self.vars.items() if x["kind"] == "data"]
            v["data"] = of or datas[0]
        return v

    def resolve_draws(self):
        """each update's draws, in the order of `variables`, with a data
        variable's labels; an update on the same batch reads its drawer's"""
        drawer = None
        for u in self.updates:
            if u.same_batch:
                u.drawer = drawer
                u.draws = []
                continue
            drawer = u
            u.drawer = u
            reads = u.reads(self.vars)
            u.draws = [v for v in self.vars if v in reads and self.vars[v]["kind"] != "labels"]
        # input.VAR, or input.UPDATE.VAR when several updates draw VAR
        for u in self.updates:
            u.dumped = [v for v in self.vars if v in u.draws or (
                self.vars[v]["kind"] == "labels" and self.vars[v]["data"] in u.draws)]
        for u in self.updates:
            u.input_key = {}
            for v in u.dumped:
                several = sum(v in w.dumped for w in self.updates) > 1
                u.input_key[v] = f"input.{u.name}.{v}" if several else f"input.{v}"

    def shared_keys(self, k):
        """the applications update k shares with update k - 1 (k on its batch):
        of networks k - 1 does not train and k does not differentiate as a
        penalty's critic, on variables and other shared applications, and only
        of networks all of whose applications in k are shared"""
        u = self.updates[k]
        if k == 0 or not u.same_batch:
            return []
        prev = self.updates[k - 1]
        apps = u.apps()
        excluded = {t.critic for t in u.terms if t.critic} | set(prev.nets)

        def from_shared(e, keys):
            if e.kind == "var":
                return True
            if not all(from_shared(a, keys) for a in e.args):
                return False
            return e.kind == "stop" or e.key() in keys

        while True:
            keys = []
            for e in apps:
                if e.name in excluded or from_shared(e, keys):
                    continue
                if all(from_shared(a, keys) for a in e.args):
                    keys.append(e.key())
            more = {e.name for e in apps if e.name not in excluded and not from_shared(e, keys)}
            if not more:
                return keys
            excluded |= more

    def all_params(self):
        return sum((n.params() for n in self.nets.values()), [])

    def all_states(self):
        return sum((n.states() for n in self.nets.values()), [])


def gan_uniform(seed, stream, i):
    """templates/trainer.c's gan_uniform: the hash of (noise seed, stream,
    element), the top 24 bits as a float in [0, 1)"""
    mask = (1 << 64) - 1
    h = (seed ^ (stream << 40) ^ i ^ 0x9e3779b97f4a7c15) & mask
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & mask
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & mask
    h ^= h >> 33
    return (h >> 40) / 16777216.0


def critic_loss(kind, r, f):
    parts = []
    if r is not None:
        parts.append({"non_saturating": lambda: F.softplus(-r),
                      "minimax": lambda: F.softplus(-r),
                      "lsgan": lambda: 0.5 * (r - 1) ** 2,
                      "hinge": lambda: F.relu(1 - r),
                      "wasserstein": lambda: -r}[kind]().mean())
    if f is not None:
        parts.append({"non_saturating": lambda: F.softplus(f),
                      "minimax": lambda: F.softplus(f),
                      "lsgan": lambda: 0.5 * f ** 2,
                      "hinge": lambda: F.relu(1 + f),
                      "wasserstein": lambda: f}[kind]().mean())
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def generator_loss(kind, f):
    return {"non_saturating": lambda: F.softplus(-f).mean(),
            "minimax": lambda: -F.softplus(f).mean(),
            "lsgan": lambda: (0.5 * (f - 1) ** 2).mean(),
            "hinge": lambda: -f.mean(),
            "wasserstein": lambda: -f.mean()}[kind]()


def input_grad_sq(score, x):
    """|d sum(score) / d x|^2 per sample, keeping the graph (double backward)"""
    (g,) = torch.autograd.grad(score.sum(), x, create_graph=True)
    return (g * g).reshape(g.shape[0], -1).sum(1)


class Call:
    """the values of one repetition of an update: applications computed
    once (memo), in training mode, running statistics updated in place"""

    def __init__(self, gm, params, states, inputs, memo, noise):
        self.gm, self.params, self.states, self.inputs = gm, params, states, inputs
        self.memo, self.noise = memo, noise

    def run(self, net, args):
        return self.gm.nets[net].run(self.params, args, self.states, "train")

    def ev(self, e):
        if e.kind == "var":
            return self.inputs[e.name]
        if e.kind == "stop":
            return self.ev(e.args[0]).detach()
        key = e.key()
        if key not in self.memo:
            args = [self.ev(a) for a in e.args]
            self.memo[key] = self.run(e.name, args)
        return self.memo[key][e.output]

    def critic_at(self, t, x):
        return self.run(t.critic, [x] + [self.ev(w) for w in t.with_])[0]

    def term(self, t):
        if t.kind == "adversarial":
            r = self.ev(t.a) if t.a is not None else None
            f = self.ev(t.b) if t.b is not None else None
            return critic_loss(t.loss, r, f) if t.side == "critic" else generator_loss(t.loss, f)
        if t.kind == "gradient_penalty":
            a, b = self.ev(t.a), self.ev(t.b)
            if self.noise is None:
                raise SystemExit("torch_step: a gradient penalty needs the repetition's noise "
                                 "seed, which the dump does not record")
            shape = (a.shape[0],) + (1,) * (a.dim() - 1)
            u = torch.tensor([gan_uniform(self.noise, t.index + 1, i) for i in range(a.shape[0])],
                             dtype=a.dtype).reshape(shape)
            mix = u * a + (1 - u) * b
            if not mix.requires_grad:
                mix.requires_grad_(True)
            gap = torch.sqrt(input_grad_sq(self.critic_at(t, mix), mix) + 1e-12) - 1
            return (gap * gap).mean()
        if t.kind == "r1":
            x = self.ev(t.a)
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            return input_grad_sq(self.critic_at(t, x), x).mean()
        if t.kind in ("l1", "l2"):
            d = self.ev(t.a) - self.ev(t.b)
            return d.abs().mean() if t.kind == "l1" else (d * d).mean()
        logits = self.ev(t.a)
        return F.cross_entropy(logits, self.inputs[t.labels].reshape(-1).long())


def replay_general(model, dump, meta, rep, grad_rtol, model_dir="."):
    gm = General(model, model_dir)
    once = meta.get("schedule") == "once"
    print(f"parity {model['name']} (general: updates "
          f"{', '.join(f'{u.name} x{1 if once else u.repeat}' for u in gm.updates)}) "
          f"vs torch {torch.__version__}, {str(torch.get_default_dtype())[6:]}")

    params_yaml, states_yaml = gm.all_params(), gm.all_states()
    dumped = sorted(k[len("before."):] for k in dump if k.startswith("before."))
    if sorted(params_yaml + states_yaml) != dumped:
        print(f"  tensor names differ: yaml {sorted(params_yaml + states_yaml)}\n"
              f"                       dump {dumped}  FAIL")
        return -1
    net_params = {n: net.params() for n, net in gm.nets.items()}
    # a frozen network's tensors are its weights file's: C read them over
    # its initial values (compared exactly), and the replay uses the file's
    for n, net in gm.nets.items():
        if net.frozen:
            for k, t in net.frozen_tensors().items():
                rep.values(f"before.{k}", dump[f"before.{k}"], t, 0.0, 0.0)
                dump[f"before.{k}"].copy_(t)
    S = {n: dump[f"before.{n}"].clone() for n in states_yaml}
    # where C's current parameters of each network are (isolation: every
    # stage starts from C's values), and the forward's leaf tensors
    at = {n: "before." for n in gm.nets}

    def leaves(n):
        return {k: dump[f"{at[n]}{k}"].clone().requires_grad_(True) for k in net_params[n]}

    P = {}
    for n in gm.nets:
        P.update(leaves(n))
    # the optimizers step separate tensors, set to C's values before each step
    opt, lr, ema = {}, {}, {}
    for n, u in gm.trainer.items():
        ts = [dump[f"before.{k}"].clone() for k in net_params[n]]
        opt[n], lr[n] = make_optimizer({"optimizer": u.optimizer}, ts)
        opt[n].tensors = dict(zip(net_params[n], ts))
        if u.ema > 0:
            ema[n] = "before."

    # the sampler's network, in inference mode, on the first repetition's draws
    first = gm.updates[0]
    snet = gm.nets[gm.sample]
    with torch.no_grad():
        args = []
        for inp, _ in snet.inputs:
            if inp in first.input_key:
                args.append(dump[first.input_key[inp] if first.repeat == 1 or once else
                                 f"{first.name}1.{first.input_key[inp]}"])
            else:
                args.append(dump[f"output.input.{inp}"])
        rep.values("output.fake", dump["output.fake"], snet.run(P, args, S, "eval")[0])

    def prefix(step):
        return "" if step == 1 else f"step{step}."

    step, shared_memo, shared_inputs = 1, {}, {}
    while f"{prefix(step)}after.{params_yaml[0]}" in dump:
        pre = prefix(step)
        for k, u in enumerate(gm.updates):
            reps = 1 if once else u.repeat
            nxt = gm.updates[k + 1] if k + 1 < len(gm.updates) else None
            next_shared = gm.shared_keys(k + 1) if nxt else []
            for r in range(1, reps + 1):
                tag = f"{u.name}{r}." if r < reps else ""
                cp = pre + tag
                if u.same_batch:
                    inputs = shared_inputs
                    memo = {key: v for key, v in shared_memo.items()}
                else:
                    inputs = {v: dump[cp + u.input_key[v]] for v in u.dumped}
                    memo = {}
                noise = 0 if once else meta.get(f"noise.{cp}{u.name}")
                call = Call(gm, P, S, inputs, memo, int(noise) if noise is not None else None)
                # the next update's shared applications first (its forward
                # program runs before this update's step)
                for e in (nxt.apps() if next_shared else []):
                    if e.key() in next_shared:
                        call.ev(e)
                loss = None
                for t in u.terms:
                    v = call.term(t)
                    # each term, where the trainer's table reports them
                    # (rt_update.term_values; dump_step dumps them then)
                    if f"{cp}term.{u.name}.{t.name}" in dump:
                        rep.values(f"{cp}term.{u.name}.{t.name}",
                                   dump[f"{cp}term.{u.name}.{t.name}"], v, LOSS_RTOL)
                    v = v * t.weight if t.weight != 1 else v
                    loss = v if loss is None else loss + v
                rep.values(f"{cp}loss.{u.name}", dump[f"{cp}loss.{u.name}"], loss, LOSS_RTOL)
                wrt = [P[k2] for n in u.nets for k2 in net_params[n]]
                grads = torch.autograd.grad(loss, wrt, retain_graph=True, allow_unused=True)
                grads = [torch.zeros_like(p) if g is None else g for p, g in zip(wrt, grads)]
                g_of = dict(zip([k2 for n in u.nets for k2 in net_params[n]], grads))
                for n in u.nets:
                    floor = 1e-2 * max(g_of[k2].abs().max().item() for k2 in net_params[n])
                    for k2 in net_params[n]:
                        rep.values(f"{cp}grad.{k2}", dump[f"{cp}grad.{k2}"], g_of[k2],
                                   grad_rtol, floor)
                # the optimizer on C's gradients from C's parameters, the
                # clip, the moving average
                after = f"{cp}after."
                for n in u.nets:
                    ts = opt[n].tensors
                    with torch.no_grad():
                        for k2, t in ts.items():
                            t.copy_(dump[f"{at[n]}{k2}"])
                            t.grad = dump[f"{cp}grad.{k2}"].clone()
                    opt[n].step()
                    with torch.no_grad():
                        for k2, t in ts.items():
                            if u.clip > 0:
                                t.clamp_(-u.clip, u.clip)
                            rep.update(f"{after}{k2}", dump[f"{after}{k2}"], t,
                                       dump[f"{at[n]}{k2}"], lr[n])
                    at[n] = after
                    if n in ema:
                        d = torch.tensor(u.ema, dtype=torch.float32).to(torch.get_default_dtype())
                        keep = (1 - torch.tensor(u.ema, dtype=torch.float32)).to(d.dtype)
                        for k2 in net_params[n]:
                            prev = dump[f"{ema[n]}{k2}"] if ema[n] == "before." else \
                                dump[f"{ema[n]}ema.{k2}"]
                            e = d * prev + keep * dump[f"{after}{k2}"]
                            rep.ema(f"{cp}ema.{k2}", dump[f"{cp}ema.{k2}"], e, prev)
                        ema[n] = cp
                    P.update(leaves(n))
                # running statistics after this repetition (C's, from here on)
                if r < reps:
                    stage = f"{cp}mid."
                elif k + 1 == len(gm.updates):
                    stage = f"{pre}after."
                else:
                    stage = f"{pre}mid." if k == 0 else f"{pre}mid.{u.name}."
                for n in sorted(S):
                    rep.values(f"{stage}{n}", dump[f"{stage}{n}"], S[n])
                    S[n] = dump[f"{stage}{n}"].clone()
                if nxt is not None and nxt.same_batch:
                    shared_memo = {key: call.memo[key] for key in next_shared}
                    shared_inputs = inputs
        # networks no update trains keep their parameters
        for n in gm.nets:
            if n not in gm.trainer:
                for k2 in net_params[n]:
                    rep.update(f"{pre}after.{k2}", dump[f"{pre}after.{k2}"], P[k2],
                               dump[f"before.{k2}"], 0.0)
        step += 1
    return step - 1


def main():
    args = sys.argv[1:]
    if "--float64" in args:
        args.remove("--float64")
        torch.set_default_dtype(torch.float64)
    as_general = "--general" in args
    if as_general:
        args.remove("--general")
    grad_rtol = FWD_RTOL
    if len(args) >= 4 and args[-2] == "--grad-rtol":
        grad_rtol = float(args[-1])
        args = args[:-2]
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--corrupt"):
        print("usage: " + __doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(args[0]) as f:
        model = yaml.safe_load(f)
    tensors, meta = read_safetensors(args[1])
    dump = Dump(tensors)
    if len(args) == 4:
        if args[3] not in tensors:
            print(f"torch_step: --corrupt {args[3]}: no such tensor in the dump", file=sys.stderr)
            return 2
        x = tensors[args[3]].view(-1)
        i = x.abs().argmax()
        x[i] += 1e-3 * x[i].abs() + 1e-6
        print(f"negative control: {args[3]}[{i.item()}] changed by 0.1%")
    rep = Report()
    # the shorthand replays as it always did, unless the dump repeats its d
    # update (train.d_steps > 1): then as the general form it stands for
    d_steps = (model.get("train") or {}).get("d_steps", 1)
    if "networks" in model or as_general or (d_steps > 1 and meta.get("schedule") == "trainer"):
        steps = replay_general(model, dump, meta, rep, grad_rtol,
                               os.path.dirname(os.path.abspath(args[0])))
    else:
        steps = replay_classic(model, dump, rep, grad_rtol)
    if isinstance(steps, int) and steps < 0:
        return 1
    for k in dump.unread():
        print(f"  {k}: dumped but not checked  FAIL")
        rep.failed += 1

    verdict = "PASS" if rep.failed == 0 else f"FAIL ({rep.failed} tensors)"
    verdict += f", {steps} steps"
    (vr, vn), (ur, un) = rep.worst["value"], rep.worst["update"]
    print(f"parity {model['name']}: {verdict}; largest differences: values {vr:.1e} of max "
          f"({vn}), updates {ur:.1e} of the step ({un})")
    return 0 if rep.failed == 0 else 1


def replay_classic(model, dump, rep, grad_rtol):
    """the shorthand: one G, one D, one loss; returns the number of steps
    replayed, or -1 when the dump does not hold the YAML's tensors"""
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
        return -1
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
    return step - 1


if __name__ == "__main__":
    sys.exit(main())
