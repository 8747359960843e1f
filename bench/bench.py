#!/usr/bin/python3
"""bench/bench.py - `make bench`: ganc and PyTorch on the same work, in the same run.

    bench.py [--quick] [--repeats N] [--warmup N] [--csv PATH] [--work DIR]

Measures (bench/README.md explains each and how to read it):
  fma_peak          the FMA ceiling (bench/fma_peak.c), AVX-512 on 1 and 2
                    threads, AVX2 on 1
  dcgan_step        one training iteration of models/dcgan_fashion.yaml
                    (batch 64: G forward, D step + Adam, G step + Adam) at 1
                    and 2 threads, also as GFLOP/s and % of the FMA peak
  ring8_step        the same for models/ring8_mlp.yaml (batch 256), 1 thread
  sample_latency_1, sample_latency_64
                    the DCGAN generator in inference, in process
  sample_startup, sample_startup_rss
                    process start to one sample written (.npy), peak RSS
  sampler_size      the stripped sampler, weights from a file or embedded
  build_MODEL       `ganc build` (generate + compile) and generate alone

Every timing runs as its own process; the configurations of a benchmark run
in turn (ganc, PyTorch, ganc, ...), one round per repeat after the warm-up
rounds, and each number is the median of the repeats with their min and max.
Before timing, the optimized trainers are checked against the plain emission
(bench/check_step.c), the samplers against the plain sampler and PyTorch on
the same weights and latents, and the PyTorch models' tensors against ganc's
(names and shapes): any difference stops the run (exit 1) before a number
is printed.

Writes a table on stdout (progress on stderr) and a CSV (default
bench/results/full.csv, or quick.csv with --quick), one row per
measurement: benchmark, implementation, configuration, threads, median,
min, max, unit, ratio (median / PyTorch best's median, same benchmark and
threads), ratio_installed (/ PyTorch installed's); its first line is a
comment naming the machine.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
CC = os.environ.get("CC") or "cc"
GANC = os.path.join(ROOT, "build", "ganc")
TRAIN_LIB = os.path.join(ROOT, "build", "libganc_train.a")    # the trainer's runtime
SAMPLE_LIB = os.path.join(ROOT, "build", "libganc_sample.a")  # the sampler's: libc, libm
DRIVER_CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-D_POSIX_C_SOURCE=200809L",
                 "-Iruntime", "-Itests/parity"]
# what gen/build.c compiles generated code with: gan_gen_cflags of gen/host.c
GEN_FP = ["-fno-trapping-math", "-fno-math-errno"]
GEN_CFLAGS = {"train": ["-std=c11", "-O3", "-g0", "-fopenmp", *GEN_FP],
              "sample": ["-std=c11", "-O3", "-g0", *GEN_FP]}
MODELS = {"dcgan_fashion": "models/dcgan_fashion.yaml", "ring8_mlp": "models/ring8_mlp.yaml"}
# optimized vs plain gradient tolerance (bench/check_step.c): the DCGAN's
# float32 G gradients are only good to a few 1e-2 of their largest, by the
# order of the batchnorm sums (tests/parity.sh)
GRAD_RTOL = {"dcgan_fashion": "5e-2", "ring8_mlp": "1e-3"}
BEST_ENV = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "4294967296",
            "MALLOC_TOP_PAD_": "268435456"}

FULL = dict(repeats=5, warmup=1, dcgan_iters=20, dcgan_warm=2, ring8_iters=400, ring8_warm=50,
            gen_target=0.3, fma_iters=100_000_000, build_repeats=5)
QUICK = dict(repeats=2, warmup=0, dcgan_iters=3, dcgan_warm=1, ring8_iters=100, ring8_warm=10,
             gen_target=0.05, fma_iters=20_000_000, build_repeats=1)


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    say(f"bench: {msg}")
    sys.exit(1)


# ---------------------------------------------------------------- processes

def env_for(config, torch=False):
    """installed: the environment as is.  best: OPENBLAS_CORETYPE unset and
    glibc malloc told to keep its memory; PyTorch also gets
    OPENBLAS_NUM_THREADS=1 so that OpenBLAS's pool does not fight torch's."""
    env = dict(os.environ)
    if config in ("best",):
        env.pop("OPENBLAS_CORETYPE", None)
        env.update(BEST_ENV)
        if torch:
            env["OPENBLAS_NUM_THREADS"] = "1"
    return env


HZ = os.sysconf("SC_CLK_TCK")
# the share of the machine (% of all cores) that other processes used while
# the last run() ran: the machine is shared, and a number taken while
# something else ran is not the same number
last_others = [0.0]


def machine_busy():
    """CPU seconds all cores have spent busy since boot (/proc/stat: user,
    nice, system, irq, softirq, steal; not idle or iowait)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (v[0] + v[1] + v[2] + sum(v[5:8])) / HZ


def run(cmd, env=None, what=None):
    """Runs cmd to its end; returns (stdout, wall seconds, peak RSS in KiB).
    The peak RSS is this child's own (wait4), not a running maximum.  Sets
    last_others[0]: the machine's busy CPU time during the run less the
    child's own (wait4's rusage), as % of wall time x cores."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        b0 = machine_busy()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        others = machine_busy() - b0 - ru.ru_utime - ru.ru_stime
        last_others[0] = max(0.0, 100 * others / (wall * (os.cpu_count() or 1)))
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        die(f"{what or cmd[0]} failed (exit {p.returncode}): {' '.join(cmd)}\n{text}{etext}")
    return text, wall, ru.ru_maxrss


def run_json(cmd, env=None, what=None):
    text, _, _ = run(cmd, env, what)
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    die(f"{what or cmd[0]} printed no JSON line: {text}")


def sh(cmd, what, env=None):
    run(cmd, env=env, what=what)


# ---------------------------------------------------------------- building

def compile_c(out, sources, extra=(), libs=()):
    sh([CC, *DRIVER_CFLAGS, *extra, "-o", out, *sources, *libs], f"cc {os.path.basename(out)}")


def gen_object(src, kind, native, out):
    flags = GEN_CFLAGS[kind] + (["-march=native"] if native else [])
    sh([CC, *flags, "-DGANC_NO_MAIN", "-Iruntime", "-c", "-o", out, src], f"cc {src}")


def setup(work):
    """Builds every variant, the drivers and the weights; returns paths."""
    say("bench: building (ganc build, drivers, weights)")
    os.makedirs(work, exist_ok=True)
    b = {}
    for name, yaml in MODELS.items():
        d = os.path.join(work, name)
        # portable (what `ganc build` gives), --native, --plain; the DCGAN's
        # samplers are built too (checks and start-up), the rest only emitted.
        # ganc's cost model measures OpenBLAS as the environment sets it up
        # (OPENBLAS_CORETYPE), so `best` is --native built in the
        # environment it runs in, the others in the environment as is.
        variants = [("opt", [], "installed"), ("native", ["--native"], "installed"),
                    ("best", ["--native"], "best"), ("plain", ["--plain"], "installed")]
        for v, flags, cfg in variants:
            out = f"{d}-{v}"
            compile_exe = name == "dcgan_fashion" and v != "best"
            no_compile = [] if compile_exe else ["--no-compile"]
            sh([GANC, "build", yaml, "-o", out, *flags, *no_compile], f"ganc build {name} {v}",
               env=env_for(cfg))
            gen_object(f"{out}/train.c", "train", "--native" in flags, f"{out}/train.o")
            if v != "best":
                rename = {"opt": "ganc_model_opt", "native": "ganc_model_native",
                          "plain": "ganc_model_plain"}[v]
                shutil.copy(f"{out}/train.o", f"{out}/train-check.o")
                sh(["objcopy", f"--redefine-sym=ganc_model={rename}", f"{out}/train-check.o"],
                   "objcopy")
            if v != "plain":
                compile_c(f"{out}/steptime", ["bench/steptime.c", f"{out}/train.o"],
                          libs=[TRAIN_LIB, "-fopenmp", "-lopenblas", "-lz", "-lm"])
        compile_c(f"{d}-check", ["bench/check_step.c"] +
                  [f"{d}-{v}/train-check.o" for v in ("opt", "native", "plain")],
                  libs=[TRAIN_LIB, "-fopenmp", "-lopenblas", "-lz", "-lm"])
        b[name] = d
    dc = b["dcgan_fashion"]
    for v in ("opt", "native"):
        gen_object(f"{dc}-{v}/sample.c", "sample", v == "native", f"{dc}-{v}/sample.o")
        compile_c(f"{dc}-{v}/gentime", ["bench/gentime.c", f"{dc}-{v}/sample.o"],
                  libs=[SAMPLE_LIB, "-lm"])
    compile_c(f"{work}/fma_peak", ["bench/fma_peak.c"], extra=["-mavx512f", "-mfma", "-pthread"])
    compile_c(f"{work}/peakrss", ["bench/peakrss.c"])
    # weights for the samplers: one step of the real trainer (its weights
    # file format, metadata and checksum are the trainer's business)
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    sh([f"{dc}-opt/train", "--steps", "1", "--out", run_dir, "--sample-every", "0",
        "--checkpoint-every", "0", "--log-every", "1"], "train --steps 1")
    weights = os.path.join(run_dir, "weights.safetensors")
    sh([GANC, "build", MODELS["dcgan_fashion"], "-o", f"{dc}-embed", "--embed-weights", weights],
       "ganc build --embed-weights")
    return dict(dir=b, weights=weights, work=work)


# ---------------------------------------------------------------- checks

def check_trainers(b):
    for name, d in b["dir"].items():
        text, _, _ = run([f"{d}-check", "--grad-rtol", GRAD_RTOL[name]],
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
                         what=f"check_step {name} (optimized against plain: refusing to time)")
        say("  " + "\n  ".join(text.strip().splitlines()))


def check_samplers(b):
    """The samplers (portable, native, plain, embedded) and PyTorch's generator
    on the same weights and latents give the same samples."""
    import numpy as np
    work, dc, w = b["work"], b["dir"]["dcgan_fashion"], b["weights"]
    z = os.path.join(work, "z8.npy")
    np.save(z, np.random.default_rng(1).standard_normal((8, 100)).astype(np.float32))
    outs = {}
    for v in ("opt", "native", "plain", "embed"):
        o = os.path.join(work, f"check-{v}.npy")
        run([f"{dc}-{v}/sample", *([] if v == "embed" else ["--weights", w]), "-n", "8",
             "--latent", z, "-o", o], what=f"sample ({v})")
        outs[v] = np.load(o)
    o = os.path.join(work, "check-torch.npy")
    run([PY, "bench/torch_sample.py", w, o, "--latent", z], what="torch_sample.py")
    outs["torch"] = np.load(o)
    ref = outs.pop("plain")
    for v, x in outs.items():
        if x.shape != ref.shape:
            die(f"sampler check: {v} wrote shape {x.shape}, plain {ref.shape}")
        d = float(np.abs(x.astype(np.float64) - ref).max())
        tol = 0.0 if v == "embed" else 1e-4   # embed: the same code as opt
        if v == "embed":
            d = float(np.abs(x - outs["opt"]).max())
        if not d <= tol:
            die(f"sampler check: {v} differs from the plain sampler by {d:.3g} (> {tol:g}): "
                "refusing to time")
        say(f"  sampler {v:6s} vs {'optimized' if v == 'embed' else 'plain'}: "
            f"max |difference| {d:.2e} (8 samples)")


def check_tensors(name, ganc_out, torch_out):
    a, t = ganc_out["tensors"], torch_out["tensors"]
    if a != t:
        only_a = sorted(set(a) - set(t))
        only_t = sorted(set(t) - set(a))
        shapes = sorted(k for k in set(a) & set(t) if a[k] != t[k])
        die(f"{name}: the PyTorch model is not ganc's: only in ganc {only_a}, only in torch "
            f"{only_t}, different shapes {shapes}")


# ---------------------------------------------------------------- timing

class Conf:
    def __init__(self, impl, config, threads, cmd, env, key=None):
        self.impl, self.config, self.threads, self.cmd, self.env = impl, config, threads, cmd, env
        self.key = key or f"{impl}/{config}/{threads}"


def rounds(label, confs, p, measure, first=None):
    """Runs every conf once per round, in turn; warm-up rounds are dropped.
    measure(conf) returns {benchmark: value}; first(conf, out) sees the
    first round's raw output (for checks).  Returns {(key, benchmark): [..]}."""
    samples = {}
    n = p["warmup"] + p["repeats"]
    for r in range(n):
        say(f"bench: {label} round {r + 1}/{n}{' (warm-up)' if r < p['warmup'] else ''}")
        for c in confs:
            vals = measure(c)
            if r == 0 and first:
                first(c, vals)
            if r >= p["warmup"]:
                for bench, v in vals.items():
                    if not bench.startswith("_"):
                        samples.setdefault((c.key, bench), []).append(v)
                samples.setdefault((c.key, "_others"), []).append(last_others[0])
    return samples


class Results:
    def __init__(self):
        self.rows = []

    def add(self, bench, impl, config, threads, values, unit, others=None):
        self.rows.append(dict(benchmark=bench, implementation=impl, configuration=config,
                              threads=threads, median=statistics.median(values),
                              min=min(values), max=max(values), unit=unit, n=len(values),
                              others=statistics.median(others) if others else None,
                              others_max=max(others) if others else None))

    def add_stat(self, bench, impl, config, threads, med, lo, hi, unit, like=None):
        self.rows.append(dict(benchmark=bench, implementation=impl, configuration=config,
                              threads=threads, median=med, min=lo, max=hi, unit=unit,
                              others=like and like.get("others"),
                              others_max=like and like.get("others_max")))

    def find(self, bench, impl, config, threads):
        for r in self.rows:
            if (r["benchmark"], r["implementation"], r["configuration"], r["threads"]) == \
                    (bench, impl, config, threads):
                return r
        return None

    def ratios(self):
        for r in self.rows:
            for col, cfg in (("ratio", "best"), ("ratio_installed", "installed")):
                base = self.find(r["benchmark"], "pytorch", cfg, r["threads"])
                r[col] = r["median"] / base["median"] if base and base["median"] else None


def add_from(res, samples, confs, bench, unit, scale=1.0):
    # rows by threads, ganc first, in the order the configurations were given
    for c in sorted(confs, key=lambda c: (c.threads, c.impl != "ganc")):
        v = samples.get((c.key, bench))
        if v:
            res.add(bench, c.impl, c.config, c.threads, [x * scale for x in v], unit,
                    samples.get((c.key, "_others")))


def bench_fma(b, p, res):
    exe = f"{b['work']}/fma_peak"
    confs = [Conf("fma_peak.c", f"avx{w if w == 512 else 2}", t,
                  [exe, "--threads", str(t), "--width", str(w), "--iters", str(p["fma_iters"])],
                  None) for w, t in ((512, 1), (512, 2), (256, 1))]
    s = rounds("fma peak", confs, p,
               lambda c: {"fma_peak": run_json(c.cmd, what="fma_peak")["gflops"]})
    add_from(res, s, confs, "fma_peak", "GFLOP/s")


def step_confs(b, name, threads_list, iters, warm):
    d = b["dir"][name]
    confs = []
    for t in threads_list:
        args = ["--iters", str(iters), "--warmup", str(warm), "--threads", str(t)]
        ganc = [Conf("ganc", cfg, t, [f"{d}-{v}/steptime", *args], env_for(cfg))
                for cfg, v in (("installed", "opt"), ("native", "native"), ("best", "best"))]
        torch = [Conf("pytorch", cfg, t, [PY, "bench/torch_bench.py", "step", name, *args],
                      env_for(cfg, torch=True)) for cfg in ("installed", "best")]
        # in turn: ganc, torch, ganc, torch, ganc
        confs += [ganc[0], torch[0], ganc[1], torch[1], ganc[2]]
    return confs


def bench_step(b, p, res, name, threads_list, iters, warm, info):
    confs = step_confs(b, name, threads_list, iters, warm)
    first_out = {}

    def measure(c):
        out = run_json(c.cmd, c.env, what=f"{c.impl} {name} step")
        return {f"{name.split('_')[0]}_step": out["s_per_iter"] * 1e3, "_out": out}

    def first(c, vals):
        out = vals["_out"]
        first_out[c.impl] = out
        if c.impl == "pytorch":
            info.setdefault("torch", out["torch"])
            if c.config == "installed":
                info.setdefault("torch_default_threads", out["default_threads"])
        else:
            info.setdefault("openblas", out["openblas_config"])
            info.setdefault("openblas_core", {})[c.config] = out["openblas_core"]
        if "ganc" in first_out and "pytorch" in first_out:
            check_tensors(name, first_out["ganc"], first_out["pytorch"])

    s = rounds(f"{name} step", confs, p, measure, first)
    add_from(res, s, confs, f"{name.split('_')[0]}_step", "ms")
    return confs


def bench_gen(b, p, res):
    dc = b["dir"]["dcgan_fashion"]
    target = str(p["gen_target"])
    confs = [Conf("ganc", cfg, 1, [f"{dc}-{v}/gentime", "--n", "1,64", "--target", target],
                  env_for(cfg)) for cfg, v in (("installed", "opt"), ("best", "native"))]
    confs += [Conf("pytorch", cfg, 1, [PY, "bench/torch_bench.py", "gen", "dcgan_fashion",
                                       "--n", "1,64", "--target", target, "--threads", "1"],
                   env_for(cfg, torch=True)) for cfg in ("installed", "best")]

    def measure(c):
        out = run_json(c.cmd, c.env, what=f"{c.impl} generator latency")
        return {"sample_latency_1": out["1"] * 1e3, "sample_latency_64": out["64"] * 1e3}

    s = rounds("sampler latency", confs, p, measure)
    for bench in ("sample_latency_1", "sample_latency_64"):
        add_from(res, s, confs, bench, "ms")


def bench_startup(b, p, res):
    import numpy as np
    work, dc, w = b["work"], b["dir"]["dcgan_fashion"], b["weights"]
    z = os.path.join(work, "z1.npy")
    np.save(z, np.random.default_rng(2).standard_normal((1, 100)).astype(np.float32))
    o = os.path.join(work, "startup.npy")
    confs = [Conf("ganc", "weights file", 1,
                  [f"{dc}-opt/sample", "--weights", w, "-n", "1", "--latent", z, "-o", o], None),
             Conf("ganc", "embedded", 1, [f"{dc}-embed/sample", "-n", "1", "--latent", z, "-o", o],
                  None)]
    confs += [Conf("pytorch", cfg, 1, [PY, "bench/torch_sample.py", w, o, "--latent", z],
                   env_for(cfg, torch=True)) for cfg in ("installed", "best")]

    rss_file = os.path.join(work, "peakrss.txt")

    def measure(c):
        if os.path.exists(o):
            os.unlink(o)
        # started and timed by a small launcher: a child of this Python
        # process would inherit its peak RSS, and its time would hold this
        # process's spawning (bench/peakrss.c)
        run([os.path.join(work, "peakrss"), rss_file, *c.cmd], c.env,
            what=f"{c.impl} sampler start-up")
        with open(rss_file) as f:
            rss, wall = f.read().split()
            rss, wall = int(rss), float(wall)
        if np.load(o).shape != (1, 1, 28, 28):
            die(f"{c.impl} {c.config}: the start-up run wrote no (1, 1, 28, 28) sample")
        return {"sample_startup": wall * 1e3, "sample_startup_rss": rss / 1024}

    s = rounds("sampler start-up", confs, p, measure)
    add_from(res, s, confs, "sample_startup", "ms")
    add_from(res, s, confs, "sample_startup_rss", "MiB")

    sizes = {}
    for cfg, exe in (("weights file", f"{dc}-opt/sample"), ("embedded", f"{dc}-embed/sample")):
        stripped = os.path.join(work, f"sample-stripped-{cfg.split()[0]}")
        sh(["strip", "-o", stripped, exe], "strip")
        sizes[cfg] = os.path.getsize(stripped) / 1024
        res.add("sampler_size", "ganc", cfg, 1, [sizes[cfg]], "KiB")
    res.add("sampler_size", "ganc", "weights file alone", 1, [os.path.getsize(w) / 1024], "KiB")


def bench_build(b, p, res):
    out = os.path.join(b["work"], "buildtime")
    confs = []
    for name, yaml in MODELS.items():
        for cfg, extra in (("generate+compile", []), ("generate", ["--no-compile"])):
            confs.append(Conf("ganc", cfg, 1, [GANC, "build", yaml, "-o", f"{out}/{name}", *extra],
                              None, key=f"{name}/{cfg}"))
            confs[-1].model = name
    q = dict(p, repeats=p["build_repeats"])
    s = rounds("ganc build", confs, q, lambda c: {"build": run(c.cmd, what="ganc build")[1]})
    for c in confs:
        res.add(f"build_{c.model}", "ganc", c.config, 1, s[(c.key, "build")], "s",
                s[(c.key, "_others")])


# ---------------------------------------------------------------- FLOPs

def forward_flops(layers, shape, batch):
    """2 x multiply-adds of one forward pass over a layer list (dense, conv2d,
    conv_transpose2d; elementwise layers count 0), with the output shape of
    each layer inferred as ganc does for these kinds."""
    flops = 0
    for layer in layers:
        if isinstance(layer, str):
            layer = {"type": layer}
        kind = layer["type"]
        if kind == "dense":
            n_in = 1
            for s in shape:
                n_in *= s
            flops += 2 * batch * n_in * layer["units"]
            shape = [layer["units"]]
        elif kind in ("conv2d", "conv_transpose2d"):
            c, h, w = shape
            k, s, pad, f = layer["kernel"], layer.get("stride", 1), layer.get("padding", 0), \
                layer["filters"]
            if kind == "conv2d":
                oh, ow = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1
                flops += 2 * batch * oh * ow * f * c * k * k      # per output: c*k*k taps
            else:
                oh, ow = (h - 1) * s - 2 * pad + k, (w - 1) * s - 2 * pad + k
                flops += 2 * batch * h * w * c * f * k * k       # per input: f*k*k taps
            shape = [f, oh, ow]
        elif kind == "reshape":
            shape = list(layer["shape"])
        elif kind == "flatten":
            n = 1
            for s in shape:
                n *= s
            shape = [n]
        elif kind in ("batchnorm", "relu", "leaky_relu", "tanh", "sigmoid"):
            pass
        else:
            die(f"forward_flops: layer type {kind} is not counted")
    return flops


def iteration_flops(yaml_path):
    """(F_G, F_D, total): total = 3 F_G + 9 F_D, the usual count for one
    iteration of the DCGAN loop, a backward pass costing two forwards (input
    and weight gradients): G forward + backward (3 F_G); D forward + backward
    on the real and the fake batch (6 F_D) and again on the fake batch for
    the G step (3 F_D).  The same count for both implementations, so GFLOP/s
    compare like times; ganc skips some of it (input gradients nobody needs),
    so `ganc check` reports fewer FLOPs actually done."""
    import yaml
    with open(os.path.join(ROOT, yaml_path)) as f:
        m = yaml.safe_load(f)
    batch = m["train"]["batch"]
    data_shape = m["data"].get("shape") or [2]
    fg = forward_flops(m["generator"]["layers"], [m["latent"]["size"]], batch)
    fd = forward_flops(m["discriminator"]["layers"], list(data_shape), batch)
    return fg, fd, 3 * fg + 9 * fd


def add_derived(res, info):
    fg, fd, total = iteration_flops(MODELS["dcgan_fashion"])
    info["dcgan_flops"] = (fg, fd, total)
    peak = {t: res.find("fma_peak", "fma_peak.c", "avx512", t) for t in (1, 2)}
    for r in [r for r in res.rows if r["benchmark"] == "dcgan_step"]:
        g = lambda ms: total / (ms * 1e-3) * 1e-9   # noqa: E731
        res.add_stat("dcgan_step_gflops", r["implementation"], r["configuration"], r["threads"],
                     g(r["median"]), g(r["max"]), g(r["min"]), "GFLOP/s", like=r)
        pk = peak.get(r["threads"])
        if pk:
            share = lambda ms: 100 * g(ms) / pk["median"]   # noqa: E731
            res.add_stat("dcgan_step_peak_share", r["implementation"], r["configuration"],
                         r["threads"], share(r["median"]), share(r["max"]), share(r["min"]),
                         "% of FMA peak", like=r)


# ---------------------------------------------------------------- output

def machine_line(info, p, quick):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = info.get("openblas", "OpenBLAS ?").split()
    blas = " ".join(blas[:2]) if len(blas) >= 2 else "OpenBLAS ?"
    env = os.environ.get("OPENBLAS_CORETYPE")
    return (f"{cpu}, {os.cpu_count()} cores, {platform.machine()}; "
            f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; {blas}; "
            f"torch {info.get('torch', '?')} (default threads "
            f"{info.get('torch_default_threads', '?')}); OPENBLAS_CORETYPE="
            f"{env if env else '(unset)'} in the environment; "
            f"{'quick' if quick else 'full'} mode, {p['repeats']} repeats after "
            f"{p['warmup']} warm-up round{'s' if p['warmup'] != 1 else ''}")


def fmt(x):
    if x is None:
        return ""
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def write_csv(path, res, line):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cols = ["benchmark", "implementation", "configuration", "threads", "median", "min", "max",
            "unit", "ratio", "ratio_installed", "others_cpu"]
    with open(path, "w") as f:
        f.write(f"# {line}\n")
        f.write(",".join(cols) + "\n")
        for r in res.rows:
            vals = []
            for c in cols:
                v = r.get("others" if c == "others_cpu" else c)
                vals.append("" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v)))
            f.write(",".join(vals) + "\n")


NOISY = 10   # % of the machine used by others: a repeat worth a note

TITLES = [
    ("fma_peak", "FMA peak (bench/fma_peak.c: independent FMAs on registers)"),
    ("dcgan_step", "DCGAN training iteration, batch 64 (ms per iteration)"),
    ("dcgan_step_gflops", None),
    ("ring8_step", "ring8 MLP training iteration, batch 256 (ms per iteration)"),
    ("sample_latency_1", "DCGAN generator in process, 1 sample (ms)"),
    ("sample_latency_64", "DCGAN generator in process, 64 samples (ms)"),
    ("sample_startup", "DCGAN sampler: process start to one sample written (ms)"),
    ("sample_startup_rss", "DCGAN sampler: peak RSS of that process (MiB)"),
    ("sampler_size", "DCGAN sampler executable, stripped (KiB)"),
    ("build_dcgan_fashion", "ganc build models/dcgan_fashion.yaml (s)"),
    ("build_ring8_mlp", "ganc build models/ring8_mlp.yaml (s)"),
]


def print_table(res, info, line):
    print(f"ganc bench: {line}")
    print("median [min-max] of the repeats; ratio = median / PyTorch best's median "
          "(same threads), / installed's after it; below 1: ganc faster (or smaller);\n"
          "others = CPU that other processes used meanwhile, % of the machine, median/max "
          "of the repeats")
    fg, fd, total = info["dcgan_flops"]
    for bench, title in TITLES:
        rows = [r for r in res.rows if r["benchmark"] == bench]
        if not rows or title is None:
            continue
        print(f"\n{title}")
        if bench == "dcgan_step":
            print(f"  {total / 1e9:.2f} GFLOP per iteration = 3 F_G + 9 F_D, F_G {fg / 1e6:.0f} "
                  f"MFLOP and F_D {fd / 1e6:.0f} MFLOP forward at batch 64 (bench/README.md)")
        extra = bench == "dcgan_step"
        head = (f"  {'impl':8s} {'configuration':18s} {'thr':>3s}  {'median':>8s} "
                f"{'[min-max]':>17s}")
        if extra:
            head += f"  {'GFLOP/s':>7s} {'%peak':>6s}"
        head += f"  {'ratio':>6s} {'/inst.':>6s}  {'others':>9s}"
        print(head)
        for r in rows:
            s = (f"  {r['implementation'][:8]:8s} {r['configuration'][:18]:18s} "
                 f"{r['threads']:3d}  "
                 f"{fmt(r['median']):>8s} {'[' + fmt(r['min']) + '-' + fmt(r['max']) + ']':>17s}")
            if extra:
                g = res.find("dcgan_step_gflops", r["implementation"], r["configuration"],
                             r["threads"])
                sh_ = res.find("dcgan_step_peak_share", r["implementation"], r["configuration"],
                               r["threads"])
                s += f"  {fmt(g['median']) if g else '':>7s} "
                s += f"{(fmt(sh_['median']) + '%') if sh_ else '':>6s}"
            s += f"  {fmt(r.get('ratio')):>6s} {fmt(r.get('ratio_installed')):>6s}"
            if r.get("others") is not None:
                s += f"  {r['others']:3.0f}%/{r['others_max']:3.0f}%"
            print(s)
    core = info.get("openblas_core", {})
    if core:
        print("\nOpenBLAS kernels in use by ganc: " +
              ", ".join(f"{k}: {v}" for k, v in sorted(core.items())))
    noisy = [r for r in res.rows if (r.get("others_max") or 0) > NOISY and
             r["benchmark"] in {b for b, t in TITLES if t}]
    if noisy:
        print(f"\nother processes used more than {NOISY}% of the machine during some repeats "
              f"of {len(noisy)} rows (others column): their min-max is wide for that reason; "
              "compare medians, or run again on a quiet machine")
    print("configurations: installed = environment as is (ganc: `ganc build`); "
          "native = `ganc build --native`, environment as is; best = --native (ganc) and "
          "OPENBLAS_CORETYPE unset, MALLOC_* set (PyTorch also OPENBLAS_NUM_THREADS=1)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short runs (BENCH_QUICK=1)")
    ap.add_argument("--repeats", type=int, help="timed rounds per benchmark")
    ap.add_argument("--warmup", type=int, help="untimed rounds before them")
    ap.add_argument("--csv", help="output CSV (default bench/results/full.csv or quick.csv)")
    ap.add_argument("--work", help="build folder (default build/bench)")
    args = ap.parse_args()
    p = dict(QUICK if args.quick else FULL)
    if args.repeats is not None:
        p["repeats"] = max(1, args.repeats)
        p["build_repeats"] = min(p["build_repeats"], p["repeats"])
    if args.warmup is not None:
        p["warmup"] = max(0, args.warmup)
    csv = args.csv or os.path.join(ROOT, "bench", "results",
                                   "quick.csv" if args.quick else "full.csv")
    work = os.path.abspath(args.work or os.path.join(ROOT, "build", "bench"))
    for f in (GANC, TRAIN_LIB, SAMPLE_LIB, PY):
        if not os.path.exists(f):
            die(f"{f} is missing (run make; PyTorch: apt-get install python3-torch)")

    t0 = time.perf_counter()
    b = setup(work)
    say("bench: checking the optimized code against the plain emission and PyTorch")
    check_trainers(b)
    check_samplers(b)

    res, info = Results(), {}
    bench_fma(b, p, res)
    bench_step(b, p, res, "dcgan_fashion", (1, 2), p["dcgan_iters"], p["dcgan_warm"], info)
    bench_step(b, p, res, "ring8_mlp", (1,), p["ring8_iters"], p["ring8_warm"], info)
    bench_gen(b, p, res)
    bench_startup(b, p, res)
    bench_build(b, p, res)
    add_derived(res, info)
    res.ratios()

    line = machine_line(info, p, args.quick)
    write_csv(csv, res, line)
    print_table(res, info, line)
    print(f"\nwrote {os.path.relpath(csv, ROOT)}; the whole run took "
          f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
