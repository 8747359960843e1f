#!/usr/bin/python3
"""bench/translate.py - the image-to-image models of models/ judged on the
10,000 Fashion-MNIST test images (issue 16), beside a baseline that needs no
training:

    bench/translate.py MODEL.yaml RUN [--build DIR] [--out DIR]

MODEL is one of pix2pix_edges_fashion, pix2pix_inpaint_fashion,
srgan_fashion, cyclegan_fashion; RUN its trained run folder (weights from
RUN/weights.safetensors; `--best` is not used: a translator has no fd to be
best by).  The test inputs are made here with numpy as the model's loader
makes its training inputs (the same edges, mask, area downsampling:
tests/e2e_transforms.sh checks the loader against this numpy), the model's
sampler (DIR/sample, default build/NAME) translates them, and `ganc eval`
judges the outputs:

  pix2pix_edges_fashion    edges -> image: l1, psnr, ssim to the true test
                           images, fd of the outputs; baseline: the edge map
  pix2pix_inpaint_fashion  centre-masked -> image: the same; baseline: the
                           masked input (the hole left black)
  srgan_fashion            14x14 -> 28x28: psnr, ssim and the judge's class
                           accuracy (against the test labels) of the outputs;
                           baseline: bicubic upsampling (PyTorch's
                           F.interpolate, align_corners=False) of the same
                           inputs, and the true images (the ceiling)
  cyclegan_fashion         test sneakers -> ankle boots and back: the share
                           the judge calls ankle boots (and sneakers, of
                           G_ba's boots -> sneakers), the cycle's l1;
                           baseline: the untranslated images

Prints one line per row of the README's table and writes OUT/NAME.json;
the arrays it judged stay in OUT/NAME/ (out_input.npy the test inputs,
out.npy the model's outputs, out_target.npy the true images, ...), and the
first 16 inputs and targets as first16_input.npy and first16_target.npy, for
`sample --input OUT/NAME/first16_input.npy --grid --target OUT/NAME/first16_target.npy`.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FM = "/usr/share/datasets/fashion-mnist"
GANC = os.path.join(ROOT, "build", "ganc")


def idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def test_set():
    x = idx(FM + "/t10k-images-idx3-ubyte.gz").astype(np.float32) / np.float32(127.5) - 1
    return x[:, None], idx(FM + "/t10k-labels-idx1-ubyte.gz").astype(np.float32)


def edges(img, threshold=0.25):
    """rt_transform.c's Sobel edges of (N, 1, H, W) images, the border repeated"""
    p = np.pad(img[:, 0].astype(np.float64), ((0, 0), (1, 1), (1, 1)), mode="edge")
    gx = (p[:, :-2, 2:] + 2 * p[:, 1:-1, 2:] + p[:, 2:, 2:]) - \
         (p[:, :-2, :-2] + 2 * p[:, 1:-1, :-2] + p[:, 2:, :-2])
    gy = (p[:, 2:, :-2] + 2 * p[:, 2:, 1:-1] + p[:, 2:, 2:]) - \
         (p[:, :-2, :-2] + 2 * p[:, :-2, 1:-1] + p[:, :-2, 2:])
    mag = np.sqrt(gx ** 2 + gy ** 2) / 8
    return np.where(mag > threshold, 1.0, -1.0).astype(np.float32)[:, None]


def masked(img, box=(8, 8, 12, 12), value=-1.0):
    out = img.copy()
    y, x, h, w = box
    out[:, :, y:y + h, x:x + w] = value
    return out


def downsample(img, f=2):
    n, c, h, w = img.shape
    return img.reshape(n, c, h // f, f, w // f, f).mean((3, 5), dtype=np.float64).astype(np.float32)


def bicubic(small, size=28):
    import torch
    import torch.nn.functional as F
    t = F.interpolate(torch.from_numpy(small), size=(size, size), mode="bicubic",
                      align_corners=False)
    return t.clamp(-1, 1).numpy()


class Bench:
    def __init__(self, model, run, build, tmp):
        self.run, self.tmp = run, tmp
        self.sampler = os.path.join(build, "sample")
        self.weights = os.path.join(run, "weights.safetensors")
        for f in (self.sampler, self.weights):
            if not os.path.exists(f):
                sys.exit("translate: %s is missing (build the model with ganc build and "
                         "train it)" % f)

    def save(self, name, a):
        path = os.path.join(self.tmp, name + ".npy")
        np.save(path, np.ascontiguousarray(a, np.float32))
        return path

    def translate(self, name, inputs, network=None):
        out = os.path.join(self.tmp, name + ".npy")
        cmd = [self.sampler, "--weights", self.weights, "--input", self.save(name + "_input", inputs),
               "-o", out] + (["--network", network] if network else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            sys.exit("translate: %s failed: %s" % (" ".join(cmd), r.stderr.strip()))
        return np.load(out)

    def judge(self, name, images, target=None, labels=None, cls=None):
        cmd = [GANC, "eval", self.save(name, images)]
        if target is not None:
            cmd += ["--target", self.save(name + "_target", target)]
        if labels is not None:
            cmd += ["--labels", self.save(name + "_labels", labels)]
        if cls is not None:
            cmd += ["--class", str(cls)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            sys.exit("translate: %s failed: %s" % (" ".join(cmd), r.stderr.strip()))
        return json.loads(r.stdout.strip().splitlines()[-1])


def row(label, m, keys):
    cells = []
    for k in keys:
        v = m.get(k)
        cells.append("" if v is None else ("%.3f" % v if k != "psnr" and k != "fd" else "%.2f" % v))
    print("| %s | %s |" % (label, " | ".join(cells)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("run")
    ap.add_argument("--build", help="the model's build folder [build/NAME]")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    name = os.path.splitext(os.path.basename(a.model))[0]
    build = a.build or os.path.join(ROOT, "build", name)
    x, labels = test_set()
    tmp = os.path.join(a.out, name)
    os.makedirs(tmp, exist_ok=True)
    b = Bench(a.model, a.run, build, tmp)
    results = {}
    if name in ("pix2pix_edges_fashion", "pix2pix_inpaint_fashion", "srgan_fashion"):
        inputs = {"pix2pix_edges_fashion": edges, "pix2pix_inpaint_fashion": masked,
                  "srgan_fashion": downsample}[name](x)
        b.save("first16_input", inputs[:16])
        b.save("first16_target", x[:16])
    if name in ("pix2pix_edges_fashion", "pix2pix_inpaint_fashion"):
        keys = ("l1", "psnr", "ssim", "fd", "class_accuracy")
        results["model"] = b.judge("out", b.translate("out", inputs), x, labels)
        results["baseline: the input"] = b.judge("input", inputs, x, labels)
    elif name == "srgan_fashion":
        small = inputs
        keys = ("psnr", "ssim", "class_accuracy", "fd")
        results["model"] = b.judge("out", b.translate("out", small), x, labels)
        results["baseline: bicubic"] = b.judge("bicubic", bicubic(small), x, labels)
        results["ceiling: the true images"] = b.judge("true", x, x, labels)
    elif name == "cyclegan_fashion":
        keys = ("class_share", "l1")
        sneakers, boots = x[labels == 7], x[labels == 9]
        ab = b.translate("ab", sneakers)
        results["sneaker -> boot: called boots (9)"] = b.judge("ab", ab, cls=9)
        results["baseline: sneakers untranslated, called boots (9)"] = b.judge("a", sneakers, cls=9)
        try:
            ba = b.translate("ba", boots, network="G_ba")
            aba = b.translate("aba", ab, network="G_ba")
        except SystemExit as e:
            print("translate: no second direction (%s)" % e, file=sys.stderr)
        else:
            results["boot -> sneaker: called sneakers (7)"] = b.judge("ba", ba, cls=7)
            results["baseline: boots untranslated, called sneakers (7)"] = b.judge("b", boots, cls=7)
            results["cycle sneaker -> boot -> sneaker against the input"] = \
                b.judge("aba", aba, target=sneakers, cls=7)
    else:
        sys.exit("translate: no benchmark for model '%s'" % name)
    print("| %s, %s | %s |" % (name, a.run, " | ".join(keys)))
    print("|---|%s" % ("---|" * len(keys)))
    for label, m in results.items():
        row(label, m, keys)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, name + ".json"), "w") as f:
        json.dump({"model": a.model, "run": a.run, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
