#!/usr/bin/python3
"""tests/judge/class_judge.py - are a conditional generator's samples of the
class asked for?  A small classifier, trained here on Fashion-MNIST (an MLP
784-256-10, two epochs, PyTorch on one thread, a fixed seed), judges them.

    class_judge.py SAMPLES_DIR MIN_ACCURACY

SAMPLES_DIR holds class0.npy ... class9.npy, each (N, 1, 28, 28) float32 in
[-1, 1] (the sampler's `--class K -o classK.npy`).  Prints the classifier's
accuracy on the 10,000 test images (its own quality: a judge that cannot
tell the classes apart would pass anything), then the share of samples
classified as the class asked for, per class and overall; exits 1 when the
overall share is below MIN_ACCURACY or the classifier is below 80% on the
test images.
"""
import gzip
import struct
import sys

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist"


def idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(name):
    return torch.tensor(idx("%s/%s-images-idx3-ubyte.gz" % (FASHION, name)), dtype=torch.float32
                        ).reshape(-1, 784) / 127.5 - 1


def labels(name):
    return torch.tensor(idx("%s/%s-labels-idx1-ubyte.gz" % (FASHION, name)), dtype=torch.long)


def train_classifier():
    torch.manual_seed(0)
    x, y = images("train"), labels("train")
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for _ in range(2):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = order[i:i + 128]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[b]), y[b]).backward()
            opt.step()
    return net


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    folder, need = sys.argv[1], float(sys.argv[2])
    torch.set_num_threads(1)
    net = train_classifier().eval()
    with torch.no_grad():
        test_acc = (net(images("t10k")).argmax(1) == labels("t10k")).float().mean().item()
        print("class_judge: the classifier: %.1f%% of the 10,000 test images" % (100 * test_acc))
        right = total = 0
        for k in range(10):
            s = torch.tensor(np.load("%s/class%d.npy" % (folder, k))).reshape(-1, 784)
            pred = net(s).argmax(1)
            hit = int((pred == k).sum())
            print("class_judge: class %d: %d of %d samples classified as %d" % (k, hit, len(s), k))
            right, total = right + hit, total + len(s)
    acc = right / total
    print("class_judge: %.1f%% of the samples are of the class asked for (needed: %.0f%%)"
          % (100 * acc, 100 * need))
    if test_acc < 0.8 or acc < need:
        sys.exit(1)


if __name__ == "__main__":
    main()
