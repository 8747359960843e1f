#!/usr/bin/env python3
"""tests/metrics_numpy.py - runtime/metrics/ against numpy, in float64, on
random data (suite metrics-numpy of make test; about 10 s):

    tests/metrics_numpy.py [BUILD]      (BUILD: the build folder, default build)

- eigenvalues of symmetric matrices (random, of rank 1, the identity)
  against numpy.linalg.eigvalsh;
- the Frechet distance against the same formula with numpy's eigh-based
  matrix square root, on Gaussians of 2 to 128 features, more and fewer
  rows than features (singular covariances), rows read out of wider rows;
- improved precision and recall against a brute-force numpy version (all
  distances at once), on sets larger than one tile of distances.  A row
  whose decision turns on a distance within 1e-4 of a ball's radius may
  differ (the runtime computes distances in float): such rows are counted
  and allowed, and the script says how many there were;
- mean absolute difference, PSNR and SSIM of image pairs
  (rt_image_quality.h) against numpy's (the SSIM as skimage defines it with
  gaussian_weights=True: the 2-D window applied at every place where it fits,
  computed here by sliding windows, not by separable sums), on random,
  noisy and identical pairs, gray and 3-channel, and PSNR of a known shift.

Runs BUILD/tests/metrics_eval on .npy files it writes in a temporary
folder; prints one line per case and exits 1 on any mismatch.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
EVAL = os.path.join(ROOT, BUILD, "tests", "metrics_eval")
TMP = tempfile.mkdtemp(prefix="metrics_numpy.")
failures = []


def run(*args):
    """metrics_eval's printed numbers; arrays are saved as float32 .npy."""
    argv = [EVAL, args[0]]
    for i, a in enumerate(args[1:]):
        if isinstance(a, np.ndarray):
            path = os.path.join(TMP, "%d.npy" % i)
            np.save(path, np.ascontiguousarray(a, dtype=np.float32))
            argv.append(path)
        else:
            argv.append(str(a))
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def check(name, ok, detail):
    print("  %s %s: %s" % ("ok  " if ok else "FAIL", name, detail))
    if not ok:
        failures.append(name)


def sqrtm_psd(s):
    """The symmetric square root of a symmetric positive semi-definite matrix."""
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet(a, b):
    mu_a, mu_b = a.mean(0), b.mean(0)
    sa, sb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    sa, sb = np.atleast_2d(sa), np.atleast_2d(sb)
    r = sqrtm_psd(sa)
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh(r @ sb @ r), 0, None)).sum()
    return max(((mu_a - mu_b) ** 2).sum() + np.trace(sa) + np.trace(sb) - 2 * tr_sqrt, 0.0)


def sq_dists(x, y):
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


def precision_recall(real, fake, k):
    """Shares inside the other set's manifold, and the rows too close to call."""
    def radii(x):
        d = sq_dists(x, x)
        np.fill_diagonal(d, np.inf)   # a row is not its own neighbour
        return np.partition(d, k - 1, axis=1)[:, k - 1]
    r_real, r_fake = radii(real), radii(fake)
    d = sq_dists(real, fake)          # real rows x fake rows
    # the smallest distance / radius over the balls: <= 1 means inside
    fake_ratio = (d / np.maximum(r_real[:, None], 1e-300)).min(0)
    real_ratio = (d / np.maximum(r_fake[None, :], 1e-300)).min(1)
    close = int((abs(fake_ratio - 1) < 1e-4).sum() + (abs(real_ratio - 1) < 1e-4).sum())
    return (fake_ratio <= 1).mean(), (real_ratio <= 1).mean(), close


def test_eigen(rng):
    for n in (1, 2, 5, 64, 256):
        m = rng.standard_normal((n, n)).astype(np.float32)
        m = (m + m.T) / 2
        got = np.array(run("eigen", m))
        want = np.linalg.eigvalsh(m.astype(np.float64))
        err = abs(got - want).max() / max(abs(want).max(), 1)
        check("eigen random %d" % n, err < 1e-12, "max relative difference %.2g" % err)
    u = rng.standard_normal(40).astype(np.float32)
    for name, m in (("rank 1", np.outer(u, u)), ("identity", np.eye(30, dtype=np.float32))):
        got = np.array(run("eigen", m))
        want = np.linalg.eigvalsh(m.astype(np.float64))
        err = abs(got - want).max() / abs(want).max()
        check("eigen %s" % name, err < 1e-12, "max relative difference %.2g" % err)


def test_frechet(rng):
    # (rows a, rows b, features): fewer rows than features makes singular covariances
    for na, nb, dim in ((500, 400, 2), (1000, 800, 16), (3000, 2000, 64), (2000, 2500, 128),
                        (40, 50, 64), (3, 2, 10)):
        mix = rng.standard_normal((dim, dim)) / np.sqrt(dim)
        a = rng.standard_normal((na, dim)) @ mix + 3.0
        b = rng.standard_normal((nb, dim)) @ (mix + 0.3 * np.eye(dim)) + 3.2
        a, b = a.astype(np.float32), b.astype(np.float32)
        got = run("fd", a, b)[0]
        want = frechet(a.astype(np.float64), b.astype(np.float64))
        err = abs(got - want) / max(want, 1e-12)
        # a singular covariance's zero eigenvalues come out as +-1e-16 |S|,
        # whose square roots (1e-8) both sides clamp or keep as they fall
        tolerance = 1e-6 if min(na, nb) <= dim else 1e-9
        check("fd %dx%d vs %dx%d" % (na, dim, nb, dim), err < tolerance,
              "%.10g (numpy %.10g, relative difference %.2g)" % (got, want, err))
    # 24 features read out of rows of 40 (the rest is noise that must be ignored)
    a = rng.standard_normal((600, 40)).astype(np.float32)
    b = (rng.standard_normal((700, 40)) * 1.3 + 0.1).astype(np.float32)
    got = run("fd", a, b, 24)[0]
    want = frechet(a[:, :24].astype(np.float64), b[:, :24].astype(np.float64))
    check("fd stride 40, 24 features", abs(got - want) < 1e-9 * want,
          "%.10g (numpy %.10g)" % (got, want))


def test_precision_recall(rng):
    # (real rows, fake rows, features, k, fake's shift and scale); 2500 x 1300
    # spans several tiles of 192 x 1024 distances, with ragged edges
    for nr, nf, dim, k, shift, scale in ((300, 250, 16, 3, 0.5, 1.2), (200, 200, 8, 1, 0.0, 1.0),
                                         (500, 420, 64, 5, 0.2, 0.8),
                                         (2500, 1300, 32, 3, 0.3, 1.5), (50, 400, 4, 7, 1.0, 0.5)):
        real = rng.standard_normal((nr, dim)).astype(np.float32) + 2.0
        fake = (rng.standard_normal((nf, dim)) * scale + shift + 2.0).astype(np.float32)
        p, r = run("pr", real, fake, k)
        wp, wr, close = precision_recall(real.astype(np.float64), fake.astype(np.float64), k)
        ok = abs(p - wp) * nf <= close + 1e-9 and abs(r - wr) * nr <= close + 1e-9
        check("pr %dx%d vs %dx%d k=%d" % (nr, dim, nf, dim, k), ok,
              "precision %.4f (numpy %.4f), recall %.4f (numpy %.4f), %d rows too close to call"
              % (p, wp, r, wr, close))
    real = rng.standard_normal((300, 20)).astype(np.float32)
    fake = (rng.standard_normal((280, 20)) * 1.4).astype(np.float32)
    p, r = run("pr", real, fake, 3, 12)
    wp, wr, close = precision_recall(real[:, :12].astype(np.float64),
                                     fake[:, :12].astype(np.float64), 3)
    check("pr stride 20, 12 features",
          abs(p - wp) * 280 <= close + 1e-9 and abs(r - wr) * 300 <= close + 1e-9,
          "precision %.4f (numpy %.4f), recall %.4f (numpy %.4f)" % (p, wp, r, wr))


def ssim_numpy(a, b):
    """skimage's SSIM on (C, H, W) images in [-1, 1], data range 1."""
    x = np.arange(11) - 5
    g = np.exp(-0.5 * x * x / 1.5 ** 2)
    win = np.outer(g, g) / np.outer(g, g).sum()
    total = 0.0
    for ca, cb in zip((a + 1) / 2, (b + 1) / 2):
        def mean(v):
            return (np.lib.stride_tricks.sliding_window_view(v, (11, 11)) * win).sum((-1, -2))
        ma, mb = mean(ca), mean(cb)
        va, vb, cov = mean(ca * ca) - ma * ma, mean(cb * cb) - mb * mb, mean(ca * cb) - ma * mb
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        s = (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
        total += s.mean()
    return total / a.shape[0]


def test_image_quality(rng):
    for c, h, w in ((1, 28, 28), (3, 16, 13), (1, 11, 11)):
        n = 5
        a = np.tanh(rng.normal(size=(n, c, h, w)))
        b = np.clip(a + rng.normal(0, 0.2, size=a.shape), -1, 1)
        b[1] = a[1]                                  # identical: SSIM 1, PSNR capped
        b[2] = np.tanh(rng.normal(size=(c, h, w)))   # unrelated
        a, b = a.astype(np.float32), b.astype(np.float32)
        got = np.array(run("iq", a.reshape(n, -1), b.reshape(n, -1), c, h, w)).reshape(n, 3)
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        for i in range(n):
            mse = (((a64[i] - b64[i]) / 2) ** 2).mean()
            want = (np.abs(a64[i] - b64[i]).mean(),
                    100.0 if mse == 0 else min(100.0, -10 * np.log10(mse)),
                    ssim_numpy(a64[i], b64[i]))
            err = np.abs(got[i] - np.array(want))
            check("image quality (%d, %d, %d) pair %d" % (c, h, w, i),
                  err[0] < 1e-9 and err[1] < 1e-9 and err[2] < 1e-9,
                  "l1 %.6f psnr %.4f ssim %.6f (numpy %.6f %.4f %.6f)" % (*got[i], *want))
    a = np.zeros((1, 1 * 12 * 12), np.float32)
    got = run("iq", a, a + np.float32(0.2), 1, 12, 12)
    check("PSNR of a shift by 0.1 of the range", abs(got[1] - 20.0) < 1e-5,
          "%.6f dB (20 expected)" % got[1])


def main():
    if not os.access(EVAL, os.X_OK):
        sys.exit("metrics_numpy: %s not built (make %s)" % (EVAL, os.path.relpath(EVAL, ROOT)))
    rng = np.random.default_rng(15)
    test_eigen(rng)
    test_frechet(rng)
    test_precision_recall(rng)
    test_image_quality(rng)
    if failures:
        print("metrics-numpy: %d failed: %s" % (len(failures), ", ".join(failures)))
        return 1
    print("metrics-numpy: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
