#!/usr/bin/python3
"""tests/difftest/randmodel.py - random valid ganc models, for differential
testing (tests/difftest.sh): programs nobody wrote by hand, in the manner of
Csmith and NNSmith.

    randmodel.py --seed S [--kind mixture|image] [--torch] [--avoid F,...] -o FILE.yaml

The same seed (and options) gives the same file, byte for byte (Python's
random.Random, seeded).  Without --kind the seed picks one (even: mixture,
odd: image).  --torch draws a model that tests/parity/torch_step.py can
replay: no dropout (PyTorch cannot reproduce ganc's masks) and no layer with
weights that leads nowhere (ganc declares no tensors for it, PyTorch would).
--avoid leaves out constructs that expose a known ganc bug
(tests/difftest/known.txt lists them, each with the small model under
tests/difftest/cases/ that reproduces it), so that the random models find
new ones:
  height1         images of height 1 and width over 1, (C, 1, W)
  latent-unread   a generator whose layers that read the latent have no
                  weights (its first layer an activation, say)
  reshape-output  a generator whose output layer is a reshape or flatten
                  that changes the shape
  fused-64        more than 64 heads summed by a tree of adds (one fused
                  loop of more than 64 operands), only the last with a bias

What the models hold:
  - every layer kind, on vectors and on images (batchnorm, layer_norm and
    prelu on both), in both networks (minibatch_std in the discriminator
    only, where ganc allows it), spectral_norm on dense and convolution
    weights, reflection padding on convolutions, pixel_shuffle (alone, or
    after a convolution to C·r² channels: the sub-pixel convolution); a
    mixture model may take a detour through images and back;
  - graphs, not chains: a layer read by several (fan-out), skip connections
    from any earlier layer or from the network input, add and concat of 2 to
    8 inputs (concat of images along channels, height or width), one input
    listed twice, and "heads": up to 40 layers reading one layer, summed by a
    tree of adds of up to 8 inputs each (the shape of
    tests/models/wide_heads.yaml, the regression model of the planner's
    64-read limit), rarely 65 to 72 (construct fused-64);
  - narrow layers of 1 to 3 units, which the emitter unrolls, and wide ones
    that go to a GEMM engine; convolutions of kernel 1 to 5, stride 1 to 3,
    padding up to the kernel (cropping transposed convolutions, with
    output_padding), non-square images;
  - default and explicit layer names, explicit `input:` where the chain would
    give it anyway, an `output:` that names a layer followed by dead ones
    (with weights, too, unless --torch);
  - a packed discriminator (PacGAN's `pack`, 2 to 4) in about one model
    of five where the batch allows it;
  - every loss, batch 2 to 32, d_steps 1 or 2 (read by ganc; the dump
    harnesses take one discriminator step per iteration), Adam and SGD
    (with and without momentum), every initialisation, the latent's two
    distributions,
    sometimes a `compile: unroll`; sometimes a comment line "# difftest:
    GANC_GEMM=X native" that tests/difftest.sh follows when it builds the
    optimized emission: every GEMM on one engine (ganc, openblas) or the
    implicit convolution, and/or -march=native (the host's vector width).

The kinds added after the first models were drawn (prelu, pixel_shuffle,
conv2d's padding_mode) are chosen by a generator of their own (Net.extra),
after the draws that model would have made without them, so that every
model that does not take one is the one its seed gave before they existed.

Sizes stay small, so that generating, compiling and running a model in both
emissions takes a few seconds: no product reaches the million flops above
which ganc's cost model measures a product's own shape on first build.

Leaves out: data sources' files (the test harness draws its own data and
never reads them) and anything ganc refuses: every model written here is
meant to pass `ganc check`; one that does not is a bug, here or in ganc.
"""
import argparse
import random
import sys

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
AVOIDABLE = ("height1", "latent-unread", "reshape-output", "fused-64")
MAX_FLOPS = 5e5           # per product and batch; ganc probes products >= 1e6
MAX_IMAGE = 640           # values per sample of an image layer
MAX_SIDE = 16             # height or width
MAX_VECTOR = MAX_IMAGE    # features of a vector layer (a flattened image)
MAX_WEIGHTED = 90         # layers with tensors per network (dump_step holds 1024 tensors)
MAX_CONVS = 8             # convolutions per network: each costs about a second of gcc -O3


class Invalid(Exception):
    """a layer that ganc would refuse: the caller draws something else"""


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def conv_out(kind, shape, k, s, p, op=0):
    """the output shape of a (transposed) convolution without its filters"""
    if len(shape) != 3:
        raise Invalid
    if kind == "conv2d":
        if shape[1] + 2 * p - k < 0 or shape[2] + 2 * p - k < 0:
            raise Invalid
        return ((shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1)
    h, w = ((d - 1) * s - 2 * p + k + op for d in shape[1:])
    if h < 1 or w < 1:
        raise Invalid
    return (h, w)


def infer(kind, ins, keys):
    """the per-sample output shape, by the rules of docs/model-language.md"""
    x = ins[0]
    if kind in ("dense", "maxout"):
        if len(x) != 1:
            raise Invalid
        return (keys["units"],)
    if kind in ACTIVATIONS or kind in ("batchnorm", "dropout", "prelu"):
        return x
    if kind == "layer_norm":
        if numel(x) < 2:
            raise Invalid
        return x
    if kind == "instance_norm":
        if len(x) != 3 or x[1] * x[2] < 2:
            raise Invalid
        return x
    if kind == "minibatch_std":
        return (x[0] + 1,) + tuple(x[1:])
    if kind == "add":
        if any(s != x for s in ins):
            raise Invalid
        return x
    if kind == "concat":
        axis = keys.get("axis", 0)
        if axis >= len(x) or any(len(s) != len(x) or
                                 any(a != b for i, (a, b) in enumerate(zip(s, x)) if i != axis)
                                 for s in ins):
            raise Invalid
        out = list(x)
        out[axis] = sum(s[axis] for s in ins)
        return tuple(out)
    if kind == "conv2d" and keys.get("padding_mode") == "reflect" and \
            (len(x) != 3 or keys["padding"] >= min(x[1:])):
        raise Invalid
    if kind in ("conv2d", "conv_transpose2d"):
        hw = conv_out(kind, x, keys["kernel"], keys.get("stride", 1), keys.get("padding", 0),
                      keys.get("output_padding", 0))
        return (keys["filters"],) + hw
    if kind == "reshape":
        if numel(keys["shape"]) != numel(x):
            raise Invalid
        return tuple(keys["shape"])
    if kind == "flatten":
        return (numel(x),)
    if kind == "upsample":
        if len(x) != 3:
            raise Invalid
        f = keys.get("factor", 2)
        return (x[0], x[1] * f, x[2] * f)
    if kind == "pixel_shuffle":
        r = keys.get("factor", 2)
        if len(x) != 3 or x[0] % (r * r):
            raise Invalid
        return (x[0] // (r * r), x[1] * r, x[2] * r)
    if kind == "avgpool":
        k = keys.get("kernel", 2)
        if len(x) != 3 or x[1] % k or x[2] % k:
            raise Invalid
        return (x[0], x[1] // k, x[2] // k)
    raise ValueError(kind)


def fmt(v):
    """a number as YAML reads it back: floats keep a '.', so PyYAML sees floats"""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        s = f"{v:.6g}"
        if "e" in s and "." not in s.split("e")[0]:
            s = s.replace("e", ".0e")
        elif "." not in s and "e" not in s:
            s += ".0"
        return s
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    return str(v)


class Net:
    """one network under construction: its layers in list order, each
    layer's per-sample shape, and the choices that shape it"""

    def __init__(self, rng, role, in_shape, batch, torch, avoid, extra):
        self.rng, self.role, self.batch, self.torch = rng, role, batch, torch
        self.extra = extra                  # the later kinds' choices (module header)
        self.dropout = not torch
        self.avoid = avoid
        self.items = []                     # (name, kind, keys, inputs), in list order
        self.shapes = {"input": tuple(in_shape)}
        self.names = ["input"]              # every value, oldest first (skip sources)
        self.output = None                  # None: the last layer
        self.init = None                    # the network's `init`, if any
        self.pack = 1                       # the discriminator's `pack`

    # ---- layers ----

    def check(self, kind, in_shapes, keys, last=False):
        """the output shape of a layer of these inputs, or Invalid when ganc
        or the limits above refuse it"""
        if kind in ("conv2d", "conv_transpose2d") and self.convs() >= MAX_CONVS - (not last):
            raise Invalid
        shape = infer(kind, in_shapes, keys)
        if len(shape) == 3 and (numel(shape) > MAX_IMAGE or max(shape[1:]) > MAX_SIDE):
            raise Invalid
        if len(shape) == 1 and shape[0] > MAX_VECTOR:
            raise Invalid
        if "height1" in self.avoid and len(shape) == 3 and shape[1] == 1 and shape[2] > 1:
            raise Invalid
        return shape

    def add(self, kind, inputs, last=False, **keys):
        """appends a layer; last: the network's closing layer, which may take
        the convolution kept in reserve"""
        shape = self.check(kind, [self.shapes[i] for i in inputs], keys, last)
        pos = len(self.items) + 1
        # a third of the layers keep ganc's default name, TYPE + position
        name = f"{kind}{pos}" if self.rng.random() < 0.3 else f"{ABBR[kind]}{pos}"
        self.items.append((name, kind, keys, list(inputs)))
        self.shapes[name] = shape
        self.names.append(name)
        return name

    def attempt(self, make, *args):
        """make(*args), or None when it drew a layer ganc would refuse; the
        layers it added before that are taken back (a dead layer with
        weights would have no tensors in ganc's dump but one in PyTorch's)"""
        mark = len(self.items)
        try:
            return make(*args)
        except Invalid:
            for name, *_ in self.items[mark:]:
                del self.shapes[name]
                self.names.remove(name)
            del self.items[mark:]
            return None

    def convs(self):
        return sum(k in ("conv2d", "conv_transpose2d") for _, k, _, _ in self.items)

    def heads(self, n):
        """n, or fewer to stay within MAX_WEIGHTED layers with tensors"""
        have = sum(kind in ("dense", "conv2d", "conv_transpose2d", "batchnorm", "maxout",
                            "layer_norm", "instance_norm", "prelu")
                   for _, kind, _, _ in self.items)
        n = min(n, MAX_WEIGHTED - have)
        if n < 2:
            raise Invalid
        return n

    def units(self, fan_in):
        r = self.rng.random()
        if r < 0.3:
            u = self.rng.randint(1, 3)          # unrolled
        elif r < 0.75:
            u = self.rng.randint(4, 16)
        else:
            u = self.rng.choice((24, 32, 48, 64, 96, 128))
        # keep the product under MAX_FLOPS
        return max(1, min(u, int(MAX_FLOPS / (2 * self.batch * max(fan_in, 1)))))

    def init_keys(self):
        r = self.rng.random()
        if r < 0.85:
            return {}
        init = self.rng.choice(("default", "normal", "xavier", "he"))
        keys = {"init": init}
        if init == "normal":
            keys["init_std"] = self.rng.choice((0.02, 0.1, 0.3, 0.5))
        return keys

    def dense(self, x, units=None):
        keys = {"units": units or self.units(self.shapes[x][0])}
        if self.rng.random() < 0.2:
            keys["bias"] = False
        if self.rng.random() < 0.1:
            keys["spectral_norm"] = True
        keys.update(self.init_keys())
        return self.add("dense", [x], **keys)

    def maxout(self, x):
        pieces = self.rng.randint(2, 5)
        keys = {"units": max(1, self.units(self.shapes[x][0]) // pieces), "pieces": pieces}
        if self.rng.random() < 0.2:
            keys["bias"] = False
        keys.update(self.init_keys())
        return self.add("maxout", [x], **keys)

    def sample_norm(self, x):
        """layer_norm, or on images instance_norm, with random keys"""
        kind = "instance_norm" if len(self.shapes[x]) == 3 and self.rng.random() < 0.5 \
            else "layer_norm"
        keys = {}
        if self.rng.random() < 0.3:
            keys["affine"] = False
        if self.rng.random() < 0.2:
            keys["eps"] = self.rng.choice((1e-3, 1e-4))
        return self.add(kind, [x], **keys)

    def minibatch_std(self, x):
        """ProGAN's statistic: a discriminator's layer (ganc refuses it in
        the network the sampler runs)"""
        if self.role != "discriminator":
            raise Invalid
        return self.add("minibatch_std", [x],
                        **({"eps": 1e-4} if self.rng.random() < 0.2 else {}))

    def dense_plain(self, x, units, bias):
        return self.add("dense", [x], units=units, **({} if bias else {"bias": False}))

    def activation(self, x):
        kind = self.rng.choice(ACTIVATIONS)
        keys = {}
        if kind == "leaky_relu" and self.rng.random() < 0.7:
            keys["alpha"] = self.rng.choice((0.2, 0.1, 0.3, 0.05))
        if self.extra.random() < 0.1:
            return self.prelu(x)
        return self.add(kind, [x], **keys)

    def prelu(self, x):
        keys = {}
        if self.extra.random() < 0.3:
            keys["per_channel"] = False
        if self.extra.random() < 0.3:
            keys["init"] = self.extra.choice((0.0, 0.1, 0.5, -0.2))
        return self.add("prelu", [x], **keys)

    def maybe_reflect(self, keys, x):
        """sometimes reflection padding on a conv2d whose padding allows it"""
        p = keys.get("padding", 0)
        if p and len(self.shapes[x]) == 3 and p < min(self.shapes[x][1:]) and \
                self.extra.random() < 0.3:
            keys["padding_mode"] = "reflect"

    def batchnorm(self, x):
        keys = {}
        if self.rng.random() < 0.3:
            keys["momentum"] = self.rng.choice((0.0, 0.05, 0.5, 1.0))
        if self.rng.random() < 0.2:
            keys["eps"] = self.rng.choice((1e-3, 1e-4))
        return self.add("batchnorm", [x], **keys)

    def post(self, x):
        """what usually follows a linear layer: batchnorm, activation, dropout"""
        r = self.rng.random()
        if r < 0.3:
            x = self.batchnorm(x)
        elif r < 0.4:
            x = self.sample_norm(x)
        if self.rng.random() < 0.75:
            x = self.activation(x)
        if self.dropout and self.rng.random() < 0.15:
            x = self.add("dropout", [x], p=self.rng.choice((0.0, 0.1, 0.25, 0.5)))
        return x

    def earlier(self, x, same_shape):
        """earlier values (network input included) to skip from"""
        want = self.shapes[x]
        return [n for n in self.names if n != x and
                (self.shapes[n] == want if same_shape else len(self.shapes[n]) == len(want))]

    def add_tree(self, heads):
        """sums heads with adds of at most 8 inputs each, like wide_heads"""
        while len(heads) > 1:
            level = []
            while heads:
                k = min(len(heads), self.rng.randint(2, 8))
                group, heads = heads[:k], heads[k:]
                level.append(self.add("add", group) if len(group) > 1 else group[0])
            heads = level
        return heads[0]


ABBR = {"dense": "fc", "conv2d": "cv", "conv_transpose2d": "ct", "batchnorm": "bn",
        "relu": "r", "leaky_relu": "lr", "tanh": "th", "sigmoid": "sg", "dropout": "dp",
        "reshape": "rs", "flatten": "fl", "upsample": "up", "avgpool": "ap", "add": "sum",
        "concat": "cat", "maxout": "mo", "layer_norm": "ln", "instance_norm": "inorm",
        "minibatch_std": "mbs", "prelu": "pr", "pixel_shuffle": "px"}


# ---- blocks on vectors: each takes a vector value and returns one ----

def v_dense(net, x):
    return net.post(net.dense(x))


def v_maxout(net, x):
    return net.maxout(x)


def v_residual(net, x):
    """x + f(x), sometimes with a third term from an earlier layer"""
    h = net.post(net.dense(x))
    y = net.dense(h, units=net.shapes[x][0])
    terms = [x, y]
    more = net.earlier(x, same_shape=True)
    if more and net.rng.random() < 0.4:
        terms.append(net.rng.choice(more))
    net.rng.shuffle(terms)
    return net.add("add", terms)


def v_branches(net, x):
    """2 to 5 branches from x (x itself among them sometimes), concatenated"""
    parts = []
    for _ in range(net.rng.choice((2, 2, 3, 3, 4, 5))):
        r = net.rng.random()
        if r < 0.2:
            parts.append(x)
        elif r < 0.35:
            parts.append(net.activation(x))
        else:
            parts.append(net.post(net.dense(x)))
    return net.add("concat", parts)


def v_heads(net, x):
    """many heads reading one value, summed by a tree of adds; rarely more
    than 64, all without bias but the last (construct fused-64)"""
    base = net.post(net.dense(x)) if net.rng.random() < 0.7 else x
    r = net.rng.random()
    if r < 0.03 and "fused-64" not in net.avoid:
        n = net.heads(net.rng.randint(65, 72))
        units = net.rng.randint(2, 3)   # one unit: the bias broadcasts whatever the emitter thinks
        heads = [net.dense_plain(base, units, bias=k == n - 1) for k in range(n)]
        return net.add_tree(heads)
    n = net.heads(net.rng.randint(2, 6) if r < 0.88 else net.rng.randint(9, 40))
    units = net.units(net.shapes[base][0] * n)
    heads = []
    for _ in range(n):
        h = net.dense(base, units=units)
        if net.rng.random() < 0.2:
            h = net.activation(h)
        heads.append(h)
    return net.add_tree(heads)


def v_skip(net, x):
    """a long skip: add an earlier value of x's shape, or concat any vector"""
    same = net.earlier(x, same_shape=True)
    if same and net.rng.random() < 0.6:
        return net.add("add", [x] + net.rng.sample(same, min(len(same), net.rng.randint(1, 3))))
    other = net.earlier(x, same_shape=False)
    if not other:
        return v_dense(net, x)
    return net.add("concat", [net.rng.choice(other), x])


def v_twice(net, x):
    """one value listed twice in one layer's inputs"""
    if net.rng.random() < 0.5:
        return net.add("add", [x, x])
    return net.add("concat", [x, net.activation(x), x])


def v_single(net, x):
    r = net.rng.random()
    if r < 0.3:
        return net.activation(x)
    if r < 0.5:
        return net.batchnorm(x)
    if r < 0.6:
        return net.sample_norm(x)
    if r < 0.7:
        return net.minibatch_std(x)
    if r < 0.85 and net.dropout:
        return net.add("dropout", [x], p=net.rng.choice((0.2, 0.5)))
    return net.add("flatten", [x])          # a vector's flatten is the identity


def v_images(net, x):
    """a detour through images: dense or reshape to (C, H, W), image blocks,
    flatten (or reshape) back"""
    n = net.shapes[x][0]
    shapes = [s for s in image_shapes(net.rng) if numel(s) == n]
    if shapes and net.rng.random() < 0.5:
        img = net.add("reshape", [x], shape=list(net.rng.choice(shapes)))
    else:
        s = net.rng.choice(image_shapes(net.rng))
        img = net.add("reshape", [net.post(net.dense(x, units=numel(s)))], shape=list(s))
    for _ in range(net.rng.randint(1, 3)):
        img = image_block(net, img)
    if net.rng.random() < 0.7:
        return net.add("flatten", [img])
    return net.add("reshape", [img], shape=[numel(net.shapes[img])])


VECTOR_BLOCKS = ((v_dense, 5), (v_maxout, 1), (v_residual, 2), (v_branches, 2), (v_heads, 2), (v_skip, 2),
                 (v_twice, 1), (v_single, 2), (v_images, 1))


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    r = rng.random() * total
    for item, w in weighted:
        r -= w
        if r < 0:
            return item
    return weighted[-1][0]


def vector_block(net, x):
    while True:
        y = net.attempt(pick(net.rng, VECTOR_BLOCKS), net, x)
        if y is not None:
            return y


# ---- blocks on images ----

def image_shapes(rng):
    """a few small image shapes, non-square among them"""
    return [(c, h, w) for c in (1, 2, 3, 4) for h in (1, 2, 3, 4, 5) for w in (h, h + 1, 2)
            if numel((c, h, w)) >= 2]


def filters(net):
    return net.rng.choice((1, 2, 3, 4, 5, 6, 8))


def conv_flops(net, x, f, k):
    """a bound on the products of a convolution of x: each input pixel meets
    every tap of every filter (a transposed one's pixels scatter so)"""
    c, h, w = net.shapes[x]
    if 2 * net.batch * f * c * k * k * h * w > MAX_FLOPS:
        raise Invalid


def conv_keys(net, kind, x):
    """random kernel, stride, padding (up to the kernel: cropping or
    padding past half of it), output_padding"""
    k = net.rng.randint(1, 5)
    s = net.rng.choice((1, 1, 2, 2, 3))
    p = net.rng.randint(0, k) if net.rng.random() < 0.3 else net.rng.randint(0, (k - 1) // 2)
    keys = {"filters": filters(net), "kernel": k}
    if s != 1 or net.rng.random() < 0.3:
        keys["stride"] = s
    if p or net.rng.random() < 0.3:
        keys["padding"] = p
    if kind == "conv_transpose2d" and s > 1 and net.rng.random() < 0.5:
        keys["output_padding"] = net.rng.randint(0, s - 1)
    if net.rng.random() < 0.2:
        keys["bias"] = False
    if net.rng.random() < 0.1:
        keys["spectral_norm"] = True
    keys.update(net.init_keys())
    conv_flops(net, x, keys["filters"], k)
    if kind == "conv2d":
        net.maybe_reflect(keys, x)
    return keys


def i_conv(net, x):
    kind = "conv_transpose2d" if net.rng.random() < 0.4 else "conv2d"
    return net.post(net.add(kind, [x], **conv_keys(net, kind, x)))


def same_conv(net, x, filters_=None):
    """a shape-keeping convolution: odd kernel, padding (k-1)/2"""
    k = net.rng.choice((1, 3, 3, 5))
    kind = "conv_transpose2d" if net.rng.random() < 0.3 else "conv2d"
    keys = {"filters": filters_ or filters(net), "kernel": k, "padding": (k - 1) // 2}
    conv_flops(net, x, keys["filters"], k)
    if net.rng.random() < 0.2:
        keys["bias"] = False
    if kind == "conv2d":
        net.maybe_reflect(keys, x)
    return net.add(kind, [x], **keys)


def i_residual(net, x):
    y = same_conv(net, net.post(same_conv(net, x)), filters_=net.shapes[x][0])
    terms = [x, y]
    more = net.earlier(x, same_shape=True)
    if more and net.rng.random() < 0.4:
        terms.append(net.rng.choice(more))
    return net.add("add", terms)


def i_concat(net, x):
    """branches joined along channels (different filters) or along height or
    width (same shape, so that the other axes agree)"""
    axis = net.rng.choice((0, 0, 1, 2))
    parts = []
    for _ in range(net.rng.choice((2, 2, 3, 4))):
        r = net.rng.random()
        if r < 0.25:
            parts.append(x)
        elif r < 0.4:
            parts.append(net.activation(x))
        else:
            f = filters(net) if axis == 0 else net.shapes[x][0]
            parts.append(net.post(same_conv(net, x, filters_=f)))
    return net.add("concat", parts, axis=axis)


def i_heads(net, x):
    base = net.post(same_conv(net, x)) if net.rng.random() < 0.5 else x
    n = net.heads(net.rng.randint(2, 5) if net.rng.random() < 0.9 else net.rng.randint(9, 24))
    f = filters(net)
    heads = [same_conv(net, base, filters_=f) for _ in range(n)]
    return net.add_tree(heads)


def i_resample(net, x):
    c, h, w = net.shapes[x]
    ks = [k for k in (2, 3, 4, 1) if h % k == 0 and w % k == 0]
    if net.rng.random() < 0.5 and ks:
        k = ks[0] if net.rng.random() < 0.7 else net.rng.choice(ks)
        return net.add("avgpool", [x], **({} if k == 2 and net.rng.random() < 0.5 else
                                          {"kernel": k}))
    f = net.rng.choice((2, 2, 3, 1))
    keys = {} if f == 2 and net.rng.random() < 0.5 else {"factor": f}
    up = sub_pixel(net, x, f, keys) if net.extra.random() < 0.35 else None
    return up or net.add("upsample", [x], **keys)


def sub_pixel(net, x, f, keys):
    """pixel_shuffle by f: of x itself when its channels allow, else of a
    convolution to C·f² channels (the sub-pixel convolution), sometimes
    with reflection padding; None, having added nothing, when the limits
    refuse it (every layer added draws its name from net.rng, so a model
    that takes none of the later kinds keeps its seed's draws)"""
    c = net.shapes[x][0]
    conv = None
    if c % (f * f) or net.extra.random() < 0.5:
        k = net.extra.choice((1, 3, 3, 5))
        conv = {"filters": net.extra.choice((1, 1, 2, 3)) * f * f, "kernel": k}
        if k > 1:
            conv["padding"] = (k - 1) // 2
        net.maybe_reflect(conv, x)
    try:
        shape = net.shapes[x]
        if conv:
            conv_flops(net, x, conv["filters"], conv["kernel"])
            shape = net.check("conv2d", [shape], conv)
        net.check("pixel_shuffle", [shape], keys)
    except Invalid:
        return None
    if conv:
        x = net.add("conv2d", [x], **conv)
    return net.add("pixel_shuffle", [x], **keys)


def i_sub_pixel(net, x):
    """an upsampling by pixel_shuffle on its own, outside i_resample's
    share of the blocks; None when the limits refuse it"""
    f = net.extra.choice((2, 2, 3))
    return sub_pixel(net, x, f, {} if f == 2 and net.extra.random() < 0.5 else {"factor": f})


def i_reshape(net, x):
    """the same values as another image shape"""
    c, h, w = net.shapes[x]
    n = c * h * w
    shapes = [(a, b, n // (a * b)) for a in range(1, 9) for b in range(1, MAX_SIDE + 1)
              if n % (a * b) == 0 and n // (a * b) <= MAX_SIDE and (a, b, n // (a * b)) != (c, h, w)]
    if not shapes:
        raise Invalid
    return net.add("reshape", [x], shape=list(net.rng.choice(shapes)))


def i_skip(net, x):
    same = net.earlier(x, same_shape=True)
    if same:
        return net.add("add", [net.rng.choice(same), x])
    return net.add("concat", [x, x], axis=net.rng.randint(0, 2))


def i_single(net, x):
    r = net.rng.random()
    if r < 0.3:
        return net.activation(x)
    if r < 0.55:
        return net.batchnorm(x)
    if r < 0.7:
        return net.sample_norm(x)
    if r < 0.8:
        return net.minibatch_std(x)
    if net.dropout:
        return net.add("dropout", [x], p=0.3)
    return net.activation(x)


IMAGE_BLOCKS = ((i_conv, 6), (i_residual, 2), (i_concat, 2), (i_heads, 2), (i_resample, 2),
                (i_reshape, 1), (i_skip, 1), (i_single, 2))


def image_block(net, x):
    if net.extra.random() < 0.1:
        y = i_sub_pixel(net, x)
        if y is not None:
            return y
    while True:
        y = net.attempt(pick(net.rng, IMAGE_BLOCKS), net, x)
        if y is not None:
            return y


# ---- the two networks ----

def blocks(rng):
    return rng.choice((1, 1, 2, 2, 2, 3, 3, 4))


def finish(net, out):
    """sometimes a dead layer after the output, which `output:` then names:
    an activation, or (unless --torch) a layer with weights"""
    r = net.rng.random()
    if r < 0.1 and not net.torch and net.attempt(dead_weights, net, out):
        net.output = out
    elif r < 0.25:
        net.add(net.rng.choice(ACTIVATIONS), [out])
        net.output = out
    return out


def dead_weights(net, out):
    if len(net.shapes[out]) == 1:
        return net.add("dense", [out], units=net.rng.randint(1, 4))
    return net.add("conv2d", [out], last=True, filters=net.rng.randint(1, 3), kernel=1)


def reshaped_output(net, out):
    """sometimes the output through a flatten and a reshape back (a generator
    whose output layer changes the shape), unless avoided"""
    if "reshape-output" in net.avoid or net.rng.random() >= 0.1:
        return out
    return net.attempt(reshape_back, net, out) or out


def reshape_back(net, out):
    shape = net.shapes[out]
    if len(shape) == 1:
        return net.add("flatten", [net.add("reshape", [out], shape=[shape[0], 1, 1])])
    return net.add("reshape", [net.add("flatten", [out])], shape=list(shape))


def g_mixture(net, columns):
    x = "input"
    if "latent-unread" in net.avoid:
        x = v_dense(net, x)
    for _ in range(blocks(net.rng)):
        x = vector_block(net, x)
    return finish(net, reshaped_output(net, net.dense(x, units=columns)))


def g_image_start(net, latent):
    if net.rng.random() < 0.3:
        x = net.add("reshape", ["input"], shape=[latent, 1, 1])
        k = net.rng.randint(2, 4)
        return net.post(net.add("conv_transpose2d", [x], filters=filters(net), kernel=k))
    s = net.rng.choice(image_shapes(net.rng))
    return net.add("reshape", [net.post(net.dense("input", units=numel(s)))], shape=list(s))


def g_image(net, latent):
    """latent to an image: dense + reshape, or the latent as a 1x1 image and a
    transposed convolution (DCGAN); image blocks; a last convolution to 1 or 3
    channels.  The data's shape is whatever comes out."""
    x = None
    while x is None:
        x = net.attempt(g_image_start, net, latent)
    for _ in range(blocks(net.rng)):
        x = image_block(net, x)
    while True:
        try:
            kind = net.rng.choice(("conv2d", "conv_transpose2d"))
            keys = conv_keys(net, kind, x)
            keys["filters"] = net.rng.choice((1, 1, 3))
            out = net.add(kind, [x], last=True, **keys)
            if min(net.shapes[out][1:]) >= 2 or net.rng.random() < 0.2 or net.convs() == MAX_CONVS:
                break
            x = out                 # too small an image to be the data: go on from it
        except Invalid:
            pass
        x = image_block(net, x)
    if net.rng.random() < 0.6:
        out = net.add("tanh", [out])
    return finish(net, reshaped_output(net, out))


def d_vector(net, x):
    for _ in range(blocks(net.rng)):
        x = vector_block(net, x)
    return finish(net, net.dense(x, units=1))


def d_image(net):
    x = "input"
    for _ in range(blocks(net.rng)):
        x = image_block(net, x)
    c, h, w = net.shapes[x]
    r = net.rng.random()
    if r < 0.15 and h == w:
        # one value per sample straight from a convolution: shape (1, 1, 1)
        out = net.add("conv2d", [x], last=True, filters=1, kernel=h)
        if net.rng.random() < 0.5:
            out = net.add("reshape", [out], shape=[1])
        return finish(net, out)
    if r < 0.3 and h == w:
        x = net.add("avgpool", [x], kernel=h)
    return d_vector(net, net.add("flatten", [x]))


# ---- the model ----

def optimizer(rng):
    if rng.random() < 0.6:
        o = {"type": "adam", "lr": rng.choice((1e-4, 2e-4, 5e-4, 1e-3))}
        if rng.random() < 0.5:
            o["beta1"] = rng.choice((0.0, 0.5, 0.9))
            o["beta2"] = rng.choice((0.99, 0.999))
        return o
    o = {"type": "sgd", "lr": rng.choice((1e-3, 3e-3, 1e-2))}
    if rng.random() < 0.6:
        o["momentum"] = rng.choice((0.5, 0.9))
    return o


def net_settings(rng, net):
    net.opt = optimizer(rng)
    r = rng.random()
    if r < 0.3:
        net.init = ("normal", rng.choice((0.02, 0.1, 0.2)))
    elif r < 0.5:
        net.init = (rng.choice(("default", "xavier", "he")), None)


def packing(seed, batch):
    """the discriminator's `pack`, drawn from a generator of its own so that
    every model that does not pack is the one its seed gave before packing
    was drawn; at least two groups a batch (batchnorm and minibatch_std
    refuse one)"""
    rng = random.Random(f"pack {seed}")
    choices = [m for m in (2, 3, 4) if batch % m == 0 and batch // m >= 2]
    if not choices or rng.random() >= 0.2:
        return 1
    return rng.choice(choices)


def make_model(seed, kind, torch, avoid):
    rng = random.Random(seed)
    batch = rng.choice((2, 3, 4, 5, 6, 8, 8, 10, 16, 16, 32))
    latent = rng.choice((1, 2, 3, 4, 6, 8, 12, 16))
    options = [rng.choice(("", "", "", "", "GANC_GEMM=ganc", "GANC_GEMM=openblas",
                           "GANC_GEMM=implicit")), "native" if rng.random() < 0.2 else ""]
    g = Net(rng, "generator", (latent,), batch, torch, avoid,
            random.Random(f"later kinds {seed} generator"))
    net_settings(rng, g)
    # a packed discriminator sees batch / pack samples, pack times as wide
    # along their first axis
    pack = packing(seed, batch)
    if kind == "mixture":
        source = rng.choice(("ring8", "grid25", "csv"))
        columns = 2 if source != "csv" else rng.randint(1, 8)
        g_mixture(g, columns)
        data = {"source": source}
        if source == "csv":
            data.update(path="none.csv", shape=[columns])
        d = Net(rng, "discriminator", (columns * pack,), batch // pack, torch, avoid,
                random.Random(f"later kinds {seed} discriminator"))
        net_settings(rng, d)
        d_vector(d, "input")
    else:
        g_image(g, latent)
        shape = list(g.shapes[g.output or g.items[-1][0]])
        data = {"source": rng.choice(("idx", "idx", "png_dir")),
                "path": "none", "shape": shape}
        d = Net(rng, "discriminator", [shape[0] * pack] + shape[1:], batch // pack, torch,
                avoid, random.Random(f"later kinds {seed} discriminator"))
        net_settings(rng, d)
        d_image(d)
    d.pack = pack
    train = {"batch": batch, "steps": 10}
    if rng.random() < 0.4:
        train["d_steps"] = rng.choice((1, 2))
    model = {
        "name": f"rand_{kind}_{seed}", "seed": rng.randint(0, 1000), "data": data,
        "latent": {"size": latent, "distribution": rng.choice(("normal", "uniform"))},
        "loss": rng.choice(("non_saturating", "lsgan", "hinge")), "train": train,
        "options": " ".join(filter(None, options)),
    }
    if rng.random() < 0.3:
        model["unroll"] = rng.choice((0, 1, 2, 4, 16, 32))
    return model, g, d


def flow(d):
    return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in d.items()) + "}"


def net_yaml(net):
    lines = [f"{net.role}:", f"  optimizer: {flow(net.opt)}"]
    if net.pack > 1:
        lines.append(f"  pack: {net.pack}")
    if net.init:
        lines.append(f"  init: {net.init[0]}")
        if net.init[1] is not None:
            lines.append(f"  init_std: {fmt(net.init[1])}")
    if net.output:
        lines.append(f"  output: {net.output}")
    lines.append("  layers:")
    prev = "input"
    for name, kind, keys, inputs in net.items:
        item = {}
        if not name.startswith(kind) or net.rng.random() < 0.3:
            item["name"] = name
        item["type"] = kind
        item.update(keys)
        if len(inputs) > 1:
            item["inputs"] = "[" + ", ".join(inputs) + "]"
        elif inputs[0] != prev or net.rng.random() < 0.15:
            item["input"] = inputs[0]
        if list(item) == ["type"] and net.rng.random() < 0.5:
            lines.append(f"    - {kind}")
        else:
            lines.append(f"    - {flow(item)}")
        prev = name
    return lines


def to_yaml(model, g, d, argv):
    lines = [f"# {model['name']}: tests/difftest/randmodel.py {' '.join(argv)}"]
    if model["options"]:
        lines.append(f"# difftest: {model['options']}")
    lines += [f"name: {model['name']}", f"seed: {model['seed']}", f"data: {flow(model['data'])}",
              f"latent: {flow(model['latent'])}"]
    lines += net_yaml(g) + net_yaml(d)
    lines += [f"loss: {model['loss']}", f"train: {flow(model['train'])}"]
    if "unroll" in model:
        lines.append(f"compile: {{unroll: {model['unroll']}}}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description="writes a random valid ganc model")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--kind", choices=("mixture", "image"))
    ap.add_argument("--torch", action="store_true",
                    help="a model PyTorch can replay: no dropout, no dead layers with weights")
    ap.add_argument("--avoid", default="", help="constructs to leave out, comma-separated: "
                    + ", ".join(AVOIDABLE))
    ap.add_argument("-o", dest="out", required=True)
    a = ap.parse_args()
    avoid = set(filter(None, a.avoid.split(",")))
    if avoid - set(AVOIDABLE):
        ap.error(f"--avoid: unknown {', '.join(sorted(avoid - set(AVOIDABLE)))}; known: "
                 + ", ".join(AVOIDABLE))
    kind = a.kind or ("mixture" if a.seed % 2 == 0 else "image")
    model, g, d = make_model(a.seed, kind, a.torch, avoid)
    argv = [f"--seed {a.seed}"] + ([f"--kind {a.kind}"] if a.kind else []) + \
        (["--torch"] if a.torch else []) + \
        ([f"--avoid {','.join(sorted(avoid))}"] if avoid else [])
    text = to_yaml(model, g, d, argv)
    with open(a.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
