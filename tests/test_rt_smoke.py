#!/usr/bin/env python3
"""test_rt_smoke.py - end-to-end smoke test of rt_train_main / rt_sample_main.

Runs the fake models of tests/fake_model.c (built by tests/tests.mk) in a
temporary directory and checks exit codes, messages, the files a run
writes and what is in them: the classic model (two networks), and the
multi model (three networks, an EMA copy, clipping, a class input, logged
terms): its log columns, checkpoint contents, EMA arithmetic, clipping,
bit-identical resume, and the sampler's flags for typed inputs (--class,
--labels, --input of a .npy or of PNGs, --truncation, --interpolate,
--raw).  Standard library only (no numpy needed).

usage: python3 tests/test_rt_smoke.py BUILD_DIR   (e.g. build/tests)
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def run(args, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(args, capture_output=True, text=True, env=e, cwd=cwd, timeout=60)
    return p.returncode, p.stdout, p.stderr


def read_npy(path):
    b = open(path, "rb").read()
    assert b[:6] == b"\x93NUMPY", path
    hlen = struct.unpack("<H", b[8:10])[0]
    header = eval(b[10:10 + hlen].decode("latin1"))  # a Python dict literal
    assert (10 + hlen) % 64 == 0, "npy data not 64-byte aligned"
    n = 1
    for d in header["shape"]:
        n *= d
    data = struct.unpack("<%df" % n, b[10 + hlen:])
    return header, data


def write_npy(path, rows):
    n, m = len(rows), len(rows[0])
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, m)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
        f.write(struct.pack("<%df" % (n * m), *[x for r in rows for x in r]))


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        tensors[name] = (t["shape"], struct.unpack("<%df" % ((hi - lo) // 4),
                                                   b[8 + n + lo:8 + n + hi]))
    return meta, tensors


def write_safetensors(path, tensors):
    header, data, off = {}, b"", 0
    for name, (shape, values) in tensors.items():
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(raw)]}
        data += raw
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)


def f32(x):
    """x rounded to float32, as C computes one operation in float"""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def write_npy_typed(path, descr, fmt, shape, values):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def png_info(path):
    b = open(path, "rb").read()
    if b[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h, depth, colour = struct.unpack(">IIBB", b[16:26])
    return w, h, depth, colour


def write_png(path, w, h, colour, pixels, level=6, cut=0):
    """an 8-bit PNG (colour 0: gray, 2: RGB) of rows of pixels, filter 0,
    the image data deflated at `level` (Python's zlib); `cut` bytes off its end"""
    import zlib

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    stride = w * (3 if colour == 2 else 1)
    raw = b"".join(b"\0" + bytes(pixels[y * stride:(y + 1) * stride]) for y in range(h))
    b = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
         + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))
    open(path, "wb").write(b[:len(b) - cut])


def smoke_png_input(data, weights, tmp):
    """--input of PNGs for the fake data input (1 x 4 x 4): a folder's images,
    sorted by name, are the same samples as a .npy of their pixels / 127.5 - 1
    (and one .png is one sample); colour, a wrong size, a broken file and an
    empty folder are refused, naming the file"""
    pngs = os.path.join(tmp, "pngs")
    os.makedirs(pngs)
    pix = [[(i * 53 + k * 17) % 256 for k in range(16)] for i in range(3)]
    for name, p, level in (("b.png", pix[1], 0), ("a.png", pix[0], 9), ("c.PNG", pix[2], 1)):
        write_png(os.path.join(pngs, name), 4, 4, 0, p, level)
    open(os.path.join(pngs, "notes.txt"), "w").write("not an image")
    write_npy_typed(os.path.join(tmp, "xp.npy"), "<f4", "f", "(3, 1, 4, 4)",
                    [f32(f32(v / 127.5) - 1) for p in pix for v in p])   # as C: in float
    common = ["--weights", weights, "--class", "1", "--seed", "4"]
    rc, _, err = run([data] + common + ["--input", "pngs/", "-o", "from_png.npy"], cwd=tmp)
    rc2, _, err2 = run([data] + common + ["--input", "xp.npy", "-o", "from_npy.npy"], cwd=tmp)
    same = rc == 0 and rc2 == 0 and open(os.path.join(tmp, "from_png.npy"), "rb").read() == \
        open(os.path.join(tmp, "from_npy.npy"), "rb").read()
    check(same, "--input FOLDER/ gives the samples of a .npy of its pixels: " + err + err2)
    rc, _, err = run([data] + common + ["--input", "pngs/a.png", "-o", "one.npy"], cwd=tmp)
    h, one = read_npy(os.path.join(tmp, "one.npy")) if rc == 0 else ({}, [])
    _, all3 = read_npy(os.path.join(tmp, "from_npy.npy")) if rc == 0 else ({}, [])
    check(rc == 0 and h["shape"] == (1, 1, 4, 4) and list(one) == list(all3[:16]),
          "--input FILE.png: one sample: " + err)
    rc, _, err = run([data] + common + ["--input", "pngs", "-n", "5", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "-n 5" in err and "found 3" in err, "-n against a folder of 3: " + err)

    bad = os.path.join(tmp, "bad")
    os.makedirs(bad)
    cases = [("colour.png", dict(w=4, h=4, colour=2, pixels=[9] * 48), "expected a gray image"),
             ("wide.png", dict(w=5, h=4, colour=0, pixels=[9] * 20),
              "expected a 4x4 image (the network's input 'x'), found 5x4"),
             ("cut.png", dict(w=4, h=4, colour=0, pixels=[9] * 16, cut=20), "truncated PNG")]
    for name, kw, text in cases:
        write_png(os.path.join(bad, name), **kw)
        rc, _, err = run([data] + common + ["--input", os.path.join("bad", name), "-o", "q.npy"],
                         cwd=tmp)
        check(rc == 2 and ("bad/" + name + ": ") in err and text in err,
              "--input %s refused: %s" % (name, err))
        os.unlink(os.path.join(bad, name))
    rc, _, err = run([data] + common + ["--input", "bad", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "expected PNG images (*.png) in this folder, found none" in err,
          "--input of an empty folder: " + err)


def smoke_ring_trainer(bin_dir, tmp):
    train = os.path.join(bin_dir, "fake_train")
    rc, out, err = run([train, "--help"])
    check(rc == 0, "train --help exits 0")
    for flag in ("--steps", "--seed", "--out", "--data", "--log-every", "--sample-every",
                 "--checkpoint-every", "--overwrite", "--max-memory", "--help"):
        check(flag in out, "train --help lists " + flag)
    check("[300]" in out and "[7]" in out and "runs/fake_ring" in out,
          "train --help shows the model's defaults")

    rc, out, err = run([train, "--bogus"], cwd=tmp)
    check(rc == 2 and "--bogus" in err, "unknown flag: exit 2 naming it")
    rc, out, err = run([train, "--steps", "abc"], cwd=tmp)
    check(rc == 2 and "--steps" in err and "'abc'" in err, "bad number: exit 2 naming flag")
    rc, out, err = run([train, "--data", "x.csv"], cwd=tmp)
    check(rc == 2 and "--data" in err, "--data on built-in data: exit 2")

    rc, out, err = run([train, "--out", "run1"], cwd=tmp)
    check(rc == 0, "train run exits 0 (stderr: %s)" % err[-300:])
    run1 = os.path.join(tmp, "run1")
    files = sorted(os.listdir(run1))
    check(files == ["checkpoints", "curves.png", "log.csv", "report.md", "samples_000100.png",
                    "samples_000200.png", "samples_000300.png", "settings.json",
                    "weights.safetensors"],
          "run files: %s" % files)
    check("300 steps" in out and "modes" in out, "summary line: " + out.strip())
    rows = open(os.path.join(run1, "log.csv")).read().split("\n")
    check(rows[0] == "step,d_loss,g_loss,seconds,modes,hq_fraction,reverse_kl",
          "log header: " + rows[0])
    steps = [r.split(",")[0] for r in rows[1:] if r]
    check(steps == ["50", "100", "150", "200", "250", "300"], "log rows: %s" % steps)
    for r in rows[1:]:
        if not r:
            continue
        f = r.split(",")
        check(len(f) == 7, "7 fields per row: " + r)
        check((f[4] != "") == (int(f[0]) % 100 == 0), "mode columns only at samples: " + r)
    check(png_info(os.path.join(run1, "samples_000300.png")) == (512, 512, 8, 2),
          "scatter plot is a 512x512 RGB PNG")

    meta, tensors = read_safetensors(os.path.join(run1, "weights.safetensors"))
    crc = meta.pop("ganc_crc32", "")
    check(len(crc) == 8 and int(crc, 16) >= 0, "a CRC-32 in the metadata: %s" % crc)
    check(meta == {"format": "ganc-weights-1", "model": "fake_ring", "ganc_version": "0.0-test",
                   "arch_hash": "0123456789abcdef", "step": "300"}, "metadata: %s" % meta)
    check(sorted(tensors) == sorted(["generator.fc.weight", "generator.fc.bias",
                                     "generator.out.running_mean", "discriminator.fc.weight",
                                     "discriminator.fc.bias"]), "tensor names")
    check(tensors["generator.fc.weight"][0] == [2, 2], "tensor shape")
    check(any(v != 0 for v in tensors["generator.out.running_mean"][1]), "state was saved")

    rc, _, _ = run([train, "--out", "run2"], cwd=tmp)
    rc3, _, _ = run([train, "--out", "run3", "--seed", "8"], cwd=tmp)
    w1 = open(os.path.join(run1, "weights.safetensors"), "rb").read()
    w2 = open(os.path.join(tmp, "run2", "weights.safetensors"), "rb").read()
    w3 = open(os.path.join(tmp, "run3", "weights.safetensors"), "rb").read()
    check(rc == 0 and w1 == w2, "same seed: identical weights")
    check(rc3 == 0 and w1 != w3, "other seed: other weights")

    rc, out, err = run([train, "--steps", "0", "--out", "zero"], cwd=tmp)
    zero = sorted(os.listdir(os.path.join(tmp, "zero")))
    check(rc == 0 and zero == ["checkpoints", "log.csv", "report.md", "samples_000000.png",
                               "settings.json", "weights.safetensors"],
          "0 steps: initial weights: %s" % zero)

    rc, out, err = run([train, "--steps", "3"], cwd=tmp)
    check(rc == 0 and os.path.exists(os.path.join(tmp, "runs/fake_ring/weights.safetensors")),
          "default run directory runs/<model>")

    rc, out, err = run([train, "--out", "nan"], env={"FAKE_NAN_AT": "7"}, cwd=tmp)
    check(rc == 1 and "step 4" in err and "nan" in err, "NaN loss: exit 1 naming the step")
    rc, out, err = run([train, "--out", "inf", "--checkpoint-every", "1"],
                       env={"FAKE_INF_GRAD_AT": "9"}, cwd=tmp)
    check(rc == 1 and "step 5: the gradient of discriminator tensor discriminator.fc.bias "
          "has Inf at element 0" in err and "step_000000004.safetensors" in err,
          "Inf gradient: exit 1 naming the step, the tensor and the last good checkpoint: " + err)
    ckpts = sorted(os.listdir(os.path.join(tmp, "inf", "checkpoints")))
    check(ckpts[-1] == "step_000000004.safetensors", "nothing saved after the bad step: %s" % ckpts)

    open(os.path.join(tmp, "afile"), "w").close()
    rc, out, err = run([train, "--out", "afile/run"], cwd=tmp)
    check(rc == 1 and "afile" in err, "unwritable run directory: exit 1")
    leftovers = [f for d, _, fs in os.walk(tmp) for f in fs if f.endswith(".tmp")]
    check(not leftovers, "no .tmp files left: %s" % leftovers)
    return os.path.join(run1, "weights.safetensors")


def smoke_ring_sampler(bin_dir, tmp, weights):
    sample = os.path.join(bin_dir, "fake_sample")
    rc, out, err = run([sample, "--help"])
    check(rc == 0 and all(f in out for f in ("--weights", "-n", "--seed", "--latent", "-o")),
          "sample --help lists the flags")
    rc, out, err = run([sample, "--weights", weights], cwd=tmp)
    check(rc == 2 and "-o" in err, "sampler without -o: exit 2")
    rc, out, err = run([sample, "-o", "x.npy"], cwd=tmp)
    check(rc == 2 and "--weights" in err, "sampler without weights: exit 2")
    rc, out, err = run([sample, "--weights", weights, "-o", "x.txt"], cwd=tmp)
    check(rc == 2 and ".npy" in err and ".csv" in err and ".png" in err,
          "unknown extension: exit 2 naming the supported ones")

    rc, _, err = run([sample, "--weights", weights, "-o", "a.npy", "-n", "13"], cwd=tmp)
    check(rc == 0, "sample .npy: " + err)
    header, a = read_npy(os.path.join(tmp, "a.npy"))
    check(header["shape"] == (13, 2) and header["descr"] == "<f4", "npy shape %s" % header)
    rc, _, _ = run([sample, "--weights", weights, "-o", "b.npy", "-n", "5"], cwd=tmp)
    _, b = read_npy(os.path.join(tmp, "b.npy"))
    check(b == a[:10], "the first samples do not depend on -n")
    rc, _, _ = run([sample, "--weights", weights, "-o", "c.npy", "-n", "5", "--seed", "1"],
                   cwd=tmp)
    _, c = read_npy(os.path.join(tmp, "c.npy"))
    check(c != b, "another seed gives other samples")

    rc, _, _ = run([sample, "--weights", weights, "-o", "a.csv", "-n", "13"], cwd=tmp)
    lines = open(os.path.join(tmp, "a.csv")).read().split()
    check(rc == 0 and len(lines) == 13 and all(len(l.split(",")) == 2 for l in lines),
          "csv: 13 rows of 2")
    check(abs(float(lines[0].split(",")[0]) - a[0]) < 1e-6, "csv and npy agree")
    rc, _, _ = run([sample, "--weights", weights, "-o", "a.png", "-n", "500"], cwd=tmp)
    check(rc == 0 and png_info(os.path.join(tmp, "a.png")) == (512, 512, 8, 2), "2D png")

    # latents from a file: z = 0 gives the bias, z = e1 gives column 0 of W + bias
    meta, t = read_safetensors(weights)
    W, bias = t["generator.fc.weight"][1], t["generator.fc.bias"][1]
    write_npy(os.path.join(tmp, "z.npy"), [[0, 0], [1, 0]])
    rc, _, err = run([sample, "--weights", weights, "--latent", "z.npy", "-o", "z_out.npy"],
                     cwd=tmp)
    _, zo = read_npy(os.path.join(tmp, "z_out.npy"))
    check(rc == 0 and all(abs(zo[i] - bias[i]) < 1e-6 for i in range(2)), "z=0 -> bias")
    check(all(abs(zo[2 + i] - (W[2 * i] + bias[i])) < 1e-6 for i in range(2)),
          "z=e1 -> W[:,0] + bias: the loaded weights are used")
    rc, _, err = run([sample, "--weights", weights, "--latent", "z.npy", "-n", "3", "-o",
                      "q.npy"], cwd=tmp)
    check(rc == 2 and "-n 3" in err, "-n disagreeing with --latent: exit 2")
    write_npy(os.path.join(tmp, "z3.npy"), [[0, 0, 0]])
    rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "-o", "q.npy"],
                     cwd=tmp)
    check(rc == 2 and "(N, 2)" in err and "(1, 3)" in err, "latent shape mismatch: " + err)
    write_npy(os.path.join(tmp, "znan.npy"), [[0, 0], [1, float("nan")]])
    rc, _, err = run([sample, "--weights", weights, "--latent", "znan.npy", "-o", "q.npy"],
                     cwd=tmp)
    check(rc == 2 and "expected finite latents, found nan at row 1, column 1" in err,
          "NaN latent refused: " + err)

    write_safetensors(os.path.join(tmp, "wrong.safetensors"), {
        "generator.fc.weight": ([2, 3], [0.0] * 6),
        "generator.fc.bias": ([2], [0.0] * 2),
        "generator.out.running_mean": ([2], [0.0] * 2)})
    rc, _, err = run([sample, "--weights", "wrong.safetensors", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "generator.fc.weight" in err and "[2, 2]" in err and "[2, 3]" in err,
          "shape mismatch names the tensor: " + err)

    embed = os.path.join(bin_dir, "fake_embed_sample")
    rc, _, err = run([embed, "--latent", "z.npy", "-o", "e.npy"], cwd=tmp)
    _, e = read_npy(os.path.join(tmp, "e.npy"))
    check(rc == 0 and list(e) == [1.0, -1.0, 3.0, -1.0], "embedded weights are used: %s" % (e,))

    nm = shutil.which("nm")
    if nm:
        syms = subprocess.run([nm, sample], capture_output=True, text=True).stdout
        bad = [s for s in syms.split() if s.startswith(("rt_data", "rt_optim", "rt_train"))]
        check(not bad, "sampler pulls no trainer code: %s" % bad)
    ldd = shutil.which("ldd")
    if ldd:
        libs = subprocess.run([ldd, sample], capture_output=True, text=True).stdout
        names = [l.split()[0] for l in libs.strip().split("\n")]
        extra = [n for n in names if not n.startswith(("linux-vdso", "libc.so", "libm.so",
                                                       "/lib", "/lib64", "ld-linux"))]
        check(not extra, "sampler links libc and libm only: %s" % extra)


def smoke_images(bin_dir, tmp):
    train = os.path.join(bin_dir, "fake_image_train")
    sample = os.path.join(bin_dir, "fake_image_sample")
    with open(os.path.join(tmp, "fake_images.csv"), "w") as f:
        f.write(",".join("p%d" % i for i in range(16)) + "\n")
        for r in range(23):
            f.write(",".join("%.3f" % (((r * 16 + i) % 7) / 3.5 - 1) for i in range(16)) + "\n")
    rc, out, err = run([train, "--steps", "20", "--sample-every", "10", "--out", "img"],
                       cwd=tmp)
    check(rc == 0, "image trainer runs: " + err[-300:])
    files = sorted(os.listdir(os.path.join(tmp, "img")))
    check(files == ["checkpoints", "curves.png", "log.csv", "report.md", "samples_000010.png",
                    "samples_000020.png", "settings.json", "weights.safetensors"],
          "image run files: %s" % files)
    # 4x4 images are enlarged 21 times (rt_grid_scale: about 84 pixels each)
    check(png_info(os.path.join(tmp, "img", "samples_000020.png")) == (690, 690, 8, 0),
          "8x8 gray grid of 4x4 images enlarged to 84x84, 2px padding")
    check(open(os.path.join(tmp, "img", "log.csv")).readline().strip() ==
          "step,d_loss,g_loss,seconds", "no mode columns for image data")

    weights = os.path.join(tmp, "img", "weights.safetensors")
    rc, _, _ = run([sample, "--weights", weights, "-o", "g.npy", "-n", "7"], cwd=tmp)
    header, g = read_npy(os.path.join(tmp, "g.npy"))
    check(rc == 0 and header["shape"] == (7, 1, 4, 4), "image npy shape %s" % (header,))
    check(all(-1 <= v <= 1 for v in g), "tanh outputs in [-1, 1]")
    rc, _, _ = run([sample, "--weights", weights, "-o", "g.png", "-n", "7"], cwd=tmp)
    check(rc == 0 and png_info(os.path.join(tmp, "g.png")) == (260, 260, 8, 0),
          "sampler grid: 3 columns of 4x4 images enlarged to 84x84")

    with open(os.path.join(tmp, "bad.csv"), "w") as f:
        f.write("1,2\n")
    rc, _, err = run([train, "--steps", "2", "--data", "bad.csv", "--out", "bad"], cwd=tmp)
    check(rc == 2 and "bad.csv:1" in err and "expected 16" in err, "bad csv: " + err)
    rc, _, err = run([train, "--steps", "2", "--data", "nope.csv"], cwd=tmp)
    check(rc == 2 and "nope.csv" in err, "missing csv: exit 2")


def write_images_csv(tmp):
    with open(os.path.join(tmp, "fake_images.csv"), "w") as f:
        f.write(",".join("p%d" % i for i in range(16)) + "\n")
        for r in range(23):
            f.write(",".join("%.3f" % (((r * 16 + i) % 7) / 3.5 - 1) for i in range(16)) + "\n")


def smoke_multi_trainer(bin_dir, tmp):
    """three networks, EMA on G, D clipped, a class, an update with terms"""
    train = os.path.join(bin_dir, "fake_multi_train")
    write_images_csv(tmp)
    rc, out, err = run([train, "--steps", "12", "--sample-every", "6", "--checkpoint-every", "1",
                        "--keep-checkpoints", "20", "--out", "multi"], cwd=tmp)
    check(rc == 0, "multi trainer runs: " + err[-300:])
    check("d " in out and " g " in out and " e " in out, "summary names each update: " + out)
    check("e " in err and "g " in err, "progress names each update")
    run_dir = os.path.join(tmp, "multi")
    rows = open(os.path.join(run_dir, "log.csv")).read().split("\n")
    check(rows[0] == "step,d_loss,g_loss,e_loss,e_recon,e_reg,seconds", "multi log header: " + rows[0])
    for r in rows[1:]:
        if r:
            f = r.split(",")
            e_loss, recon, reg = float(f[3]), float(f[4]), float(f[5])
            check(len(f) == 7 and abs(e_loss - (recon + 0.01 * reg)) < 1e-4 * (1 + e_loss),
                  "terms logged with the loss: " + r)
    # one row per class (4 classes) of 8 4x4 images enlarged to 84x84
    check(png_info(os.path.join(run_dir, "samples_000012.png")) == (690, 346, 8, 0),
          "class rows: 8 x 4 images")

    ck = lambda k: os.path.join(run_dir, "checkpoints", "step_%09d.safetensors" % k)
    meta, t = read_safetensors(ck(12))
    want = ["generator.fc.weight", "generator.fc.bias", "generator.embed.weight",
            "generator.out.running_mean", "discriminator.fc.weight", "discriminator.fc.bias",
            "encoder.fc.weight", "encoder.fc.bias", "ema.generator.fc.weight",
            "ema.generator.fc.bias", "ema.generator.embed.weight", "optimizer.generator.exp_avg",
            "optimizer.generator.exp_avg_sq", "optimizer.discriminator.momentum_buffer",
            "optimizer.encoder.exp_avg", "optimizer.encoder.exp_avg_sq"]
    check(list(t) == want, "checkpoint tensors: %s" % list(t))
    check(meta.get("optimizer.discriminator.step") == "24" and
          meta.get("optimizer.generator.step") == "12" and
          meta.get("optimizer.encoder.step") == "12", "optimizer steps: d repeated twice")

    # clipping: D's parameters within [-0.05, 0.05], some on the bound
    dw = t["discriminator.fc.weight"][1] + t["discriminator.fc.bias"][1]
    check(all(-f32(0.05) <= v <= f32(0.05) for v in dw) and
          any(abs(v) == f32(0.05) for v in dw), "D clipped to 0.05: %s" % (dw,))

    # EMA: ema_k = 0.9 * ema_{k-1} + (1 - 0.9) * params_k, in float
    _, t0 = read_safetensors(ck(11))
    d, keep = f32(0.9), f32(1 - f32(0.9))
    ok = True
    for name in ("generator.fc.weight", "generator.embed.weight"):
        for e0, p1, e1 in zip(t0["ema." + name][1], t[name][1], t["ema." + name][1]):
            ok = ok and f32(f32(d * e0) + f32(keep * p1)) == e1
    check(ok, "EMA copy updated as 0.9 ema + 0.1 params, bit for bit")
    check(t["ema.generator.fc.weight"][1] != t["generator.fc.weight"][1], "EMA differs from raw")
    _, w = read_safetensors(os.path.join(run_dir, "weights.safetensors"))
    check("ema.generator.fc.bias" in w and "encoder.fc.weight" in w and
          not any(k.startswith("optimizer") for k in w), "weights: every network and the EMA")

    # the copy starts equal to the parameters
    run([train, "--steps", "0", "--out", "multi0"], cwd=tmp)
    _, z = read_safetensors(os.path.join(tmp, "multi0", "weights.safetensors"))
    check(z["ema.generator.fc.weight"] == z["generator.fc.weight"], "EMA starts as the params")

    # resume: stopped at 5 of 12 and resumed, bit-identical
    run([train, "--steps", "5", "--checkpoint-every", "1", "--sample-every", "6",
         "--keep-checkpoints", "20", "--out", "part"], cwd=tmp)
    rc, _, err = run([train, "--resume", "part", "--steps", "12"], cwd=tmp)
    a = open(os.path.join(run_dir, "weights.safetensors"), "rb").read()
    b = open(os.path.join(tmp, "part", "weights.safetensors"), "rb").read()
    c1 = open(ck(12), "rb").read()
    c2 = open(os.path.join(tmp, "part", "checkpoints", "step_000000012.safetensors"), "rb").read()
    check(rc == 0 and a == b and c1 == c2, "multi resume bit-identical: " + err[-200:])
    pa = open(os.path.join(run_dir, "log.csv")).read().split("\n")
    pb = open(os.path.join(tmp, "part", "log.csv")).read().split("\n")
    last = lambda rows: [r.split(",")[:6] for r in rows if r.startswith("12,")]
    check(last(pa) == last(pb) and last(pa), "resumed log: the same losses at step 12")

    # a data input (a translator): pictured as rows of input | output, the
    # rows its source (csv, unpaired: no target) feeds
    rc, out, err = run([os.path.join(bin_dir, "fake_data_train"), "--steps", "3", "--out",
                        "datain"], cwd=tmp)
    check(rc == 0 and "no sample pictures" not in err and
          "samples_000003.png (input | output)" in out + err and
          os.path.exists(os.path.join(tmp, "datain", "samples_000003.png")),
          "a data input: pictures of input | output: " + err[-200:])
    return os.path.join(run_dir, "weights.safetensors")


def smoke_multi_sampler(bin_dir, tmp, weights):
    sample = os.path.join(bin_dir, "fake_multi_sample")
    rc, out, _ = run([sample, "--help"])
    check(rc == 0 and all(f in out for f in ("--class", "--labels", "--input", "--truncation",
                                             "--interpolate", "--seed2", "--raw",
                                             "truncation trick", "input y: a class of 4")),
          "sample --help lists the typed inputs' flags: " + out)
    meta, t = read_safetensors(weights)
    W, b, C = t["ema.generator.fc.weight"][1], t["ema.generator.fc.bias"][1], \
        t["ema.generator.embed.weight"][1]
    Wr = t["generator.fc.weight"][1]

    def expect(z, k, raw=False):
        w = Wr if raw else W
        bb = t["generator.fc.bias"][1] if raw else b
        cc = t["generator.embed.weight"][1] if raw else C
        return [math.tanh(bb[o] + sum(w[o * 3 + j] * z[j] for j in range(3)) + cc[k * 16 + o])
                for o in range(16)]

    write_npy(os.path.join(tmp, "z3.npy"), [[0.5, -1, 0.25], [0, 0, 0], [1, 1, 1]])
    rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "--class", "2",
                      "-o", "c2.npy"], cwd=tmp)
    _, x = read_npy(os.path.join(tmp, "c2.npy"))
    ok = rc == 0 and all(abs(x[16 * i + o] - expect(zz, 2)[o]) < 1e-5 for i, zz in
                         enumerate([[0.5, -1, 0.25], [0, 0, 0], [1, 1, 1]]) for o in range(16))
    check(ok, "--class 2 with the EMA weights: " + err)
    rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "--class", "2",
                      "--raw", "-o", "raw.npy"], cwd=tmp)
    _, xr = read_npy(os.path.join(tmp, "raw.npy"))
    check(rc == 0 and abs(xr[0] - expect([0.5, -1, 0.25], 2, True)[0]) < 1e-5 and xr != x,
          "--raw uses the raw weights")
    rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "-o", "cyc.npy"],
                     cwd=tmp)
    _, xc = read_npy(os.path.join(tmp, "cyc.npy"))
    check(rc == 0 and abs(xc[16 + 3] - expect([0, 0, 0], 1)[3]) < 1e-5 and
          abs(xc[32 + 3] - expect([1, 1, 1], 2)[3]) < 1e-5, "classes cycle 0, 1, 2")

    # labels: text, npy of integers, npy of floats
    open(os.path.join(tmp, "lab.txt"), "w").write("3\n0\n1\n")
    write_npy_typed(os.path.join(tmp, "lab.npy"), "<i8", "q", "(3,)", [3, 0, 1])
    write_npy_typed(os.path.join(tmp, "labf.npy"), "<f4", "f", "(3, 1)", [3.0, 0.0, 1.0])
    for f in ("lab.txt", "lab.npy", "labf.npy"):
        rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "--labels", f,
                          "-o", "l.npy"], cwd=tmp)
        _, xl = read_npy(os.path.join(tmp, "l.npy"))
        check(rc == 0 and abs(xl[5] - expect([0.5, -1, 0.25], 3)[5]) < 1e-5 and
              abs(xl[16 + 5] - expect([0, 0, 0], 0)[5]) < 1e-5, "--labels " + f + ": " + err)
    rc, _, err = run([sample, "--weights", weights, "--labels", "lab.txt", "-o", "l3.npy"],
                     cwd=tmp)
    h, _ = read_npy(os.path.join(tmp, "l3.npy"))
    check(rc == 0 and h["shape"] == (3, 1, 4, 4), "--labels sets -n")
    open(os.path.join(tmp, "bad.txt"), "w").write("1\n7\n")
    rc, _, err = run([sample, "--weights", weights, "--labels", "bad.txt", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "from 0 to 3, found 7 at row 1" in err, "a label out of range: " + err)
    open(os.path.join(tmp, "bad2.txt"), "w").write("1\nx\n")
    rc, _, err = run([sample, "--weights", weights, "--labels", "bad2.txt", "-o", "q.npy"],
                     cwd=tmp)
    check(rc == 2 and "bad2.txt:2" in err, "a label that is no number: " + err)
    rc, _, err = run([sample, "--weights", weights, "--class", "4", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "--class 4: expected a class from 0 to 3" in err, "--class range: " + err)
    rc, _, err = run([sample, "--weights", weights, "--labels", "lab.txt", "-n", "5", "-o",
                      "q.npy"], cwd=tmp)
    check(rc == 2 and "-n 5" in err, "-n against --labels: " + err)

    # truncation: seeded, every latent within psi; not with --latent
    rc, _, err = run([sample, "--weights", weights, "--truncation", "0.01", "--class", "1",
                      "-n", "7", "-o", "tr.npy"], cwd=tmp)
    _, xt = read_npy(os.path.join(tmp, "tr.npy"))
    check(rc == 0 and all(abs(xt[16 * i] - expect([0, 0, 0], 1)[0]) < 0.05 for i in range(7)),
          "--truncation 0.01: samples near z = 0: " + err)
    rc, _, err = run([sample, "--weights", weights, "--truncation", "0", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "--truncation" in err, "--truncation 0 refused")
    rc, _, err = run([sample, "--weights", weights, "--truncation", "1", "--latent", "z3.npy",
                      "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "not with --latent" in err, "--truncation with --latent refused")

    # interpolation: between --latent's first two rows; ends exact, a strip
    rc, _, err = run([sample, "--weights", weights, "--latent", "z3.npy", "--interpolate",
                      "-n", "5", "--class", "0", "-o", "in.npy"], cwd=tmp)
    h, xi = read_npy(os.path.join(tmp, "in.npy"))
    check(rc == 0 and h["shape"] == (5, 1, 4, 4) and
          abs(xi[0] - expect([0.5, -1, 0.25], 0)[0]) < 1e-5 and
          abs(xi[64] - expect([0, 0, 0], 0)[0]) < 1e-5, "--interpolate ends: " + err)
    rc, _, err = run([sample, "--weights", weights, "--interpolate", "--seed", "3", "-o",
                      "strip.png"], cwd=tmp)
    check(rc == 0 and png_info(os.path.join(tmp, "strip.png")) == (862, 88, 8, 0),
          "--interpolate: a strip of 10: %s %s" % (png_info(os.path.join(tmp, "strip.png")), err))
    rc, _, err = run([sample, "--weights", weights, "--seed2", "4", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "--seed2" in err, "--seed2 without --interpolate refused")
    rc, _, err = run([sample, "--weights", weights, "--input", "z3.npy", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "reads no data input" in err, "--input on a model without one")

    # a data input
    data = os.path.join(bin_dir, "fake_data_sample")
    rc, _, err = run([data, "--weights", weights, "--class", "0", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "--input: expected" in err and "'x'" in err, "data input needed: " + err)
    write_npy(os.path.join(tmp, "x.npy"), [[1.0] * 16, [2.0] * 16])
    rc, _, err = run([data, "--weights", weights, "--input", "x.npy", "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "(N, 1, 4, 4)" in err and "(2, 16)" in err, "--input shape: " + err)
    write_npy_typed(os.path.join(tmp, "x4.npy"), "<f4", "f", "(2, 1, 4, 4)", [1.0] * 16 + [2.0] * 16)
    rc, _, err = run([data, "--weights", weights, "--input", "x4.npy", "--latent", "z3.npy",
                      "-o", "q.npy"], cwd=tmp)
    check(rc == 2 and "rows" in err, "--input and --latent of different lengths: " + err)
    rc, _, err = run([data, "--weights", weights, "--input", "x4.npy", "--class", "1",
                      "--truncation", "0.001", "-o", "xd.npy"], cwd=tmp)
    _, xd = read_npy(os.path.join(tmp, "xd.npy"))
    check(rc == 0 and abs(xd[16 + 4] - (expect([0, 0, 0], 1)[4] + 2)) < 1e-2,
          "the data input reaches the network: " + err)
    smoke_png_input(data, weights, tmp)

    # embedded weights with an EMA copy
    embed = os.path.join(bin_dir, "fake_embed_sample")
    write_npy(os.path.join(tmp, "z1.npy"), [[1, 1]])
    rc, _, err = run([embed, "--latent", "z1.npy", "-o", "e1.npy"], cwd=tmp,
                     env={"FAKE_EMBED_EMA": "1"})
    _, e1 = read_npy(os.path.join(tmp, "e1.npy"))
    rc2, _, _ = run([embed, "--latent", "z1.npy", "--raw", "-o", "e2.npy"], cwd=tmp,
                    env={"FAKE_EMBED_EMA": "1"})
    _, e2 = read_npy(os.path.join(tmp, "e2.npy"))
    check(rc == 0 and list(e1) == [3.0, 3.0] and rc2 == 0 and list(e2) == [3.0, 1.0],
          "embedded EMA weights by default, raw with --raw: %s %s" % (e1, e2))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bin_dir = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="test_rt_smoke_")
    try:
        weights = smoke_ring_trainer(bin_dir, tmp)
        smoke_ring_sampler(bin_dir, tmp, weights)
        smoke_images(bin_dir, tmp)
        multi = smoke_multi_trainer(bin_dir, tmp)
        smoke_multi_sampler(bin_dir, tmp, multi)
    finally:
        shutil.rmtree(tmp)
    if FAILURES:
        print("%d smoke check(s) failed" % len(FAILURES))
        sys.exit(1)
    print("smoke: all checks passed")


if __name__ == "__main__":
    main()
