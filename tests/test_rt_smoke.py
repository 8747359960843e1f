#!/usr/bin/env python3
"""test_rt_smoke.py - end-to-end smoke test of rt_train_main / rt_sample_main.

Runs the fake models of tests/fake_model.c (built by runtime/dev.mk) in a
temporary directory and checks exit codes, messages, the files a run
writes and what is in them.  Standard library only (no numpy needed).

usage: python3 tests/test_rt_smoke.py BUILD_DIR   (e.g. build/tests)
"""
import json
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


def png_info(path):
    b = open(path, "rb").read()
    if b[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h, depth, colour = struct.unpack(">IIBB", b[16:26])
    return w, h, depth, colour


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
    check(files == ["checkpoints", "log.csv", "samples_000100.png", "samples_000200.png",
                    "samples_000300.png", "settings.json", "weights.safetensors"],
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
    check(rc == 0 and sorted(os.listdir(os.path.join(tmp, "zero"))) ==
          ["checkpoints", "log.csv", "samples_000000.png", "settings.json", "weights.safetensors"],
          "0 steps: initial weights")

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
    check(files == ["checkpoints", "log.csv", "samples_000010.png", "samples_000020.png",
                    "settings.json", "weights.safetensors"], "image run files: %s" % files)
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


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bin_dir = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="test_rt_smoke_")
    try:
        weights = smoke_ring_trainer(bin_dir, tmp)
        smoke_ring_sampler(bin_dir, tmp, weights)
        smoke_images(bin_dir, tmp)
    finally:
        shutil.rmtree(tmp)
    if FAILURES:
        print("%d smoke check(s) failed" % len(FAILURES))
        sys.exit(1)
    print("smoke: all checks passed")


if __name__ == "__main__":
    main()
