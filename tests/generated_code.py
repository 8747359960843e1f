#!/usr/bin/env python3
"""tests/generated_code.py - what a reader of ganc's generated C may rely on.

    tests/generated_code.py [GANC]        (GANC: default build/ganc)

For every model of models/ and tests/models/ (and tests/e2e/pix2pix_edges.yaml,
for data transforms, cycle_sample.yaml and cgan_tiny.yaml, for the sampler's
several networks and class parts), in the optimized and the plain
emission (trainer, sampler and, for a model with a score section, scorer):
  - every line is under 120 columns;
  - every function is named after its layer pass, never with a bare number
    (g_bn1_forward_2), and every argument that is a model tensor (G_FC_WEIGHT)
    goes to a parameter named after that tensor (fc_weight, d_conv1_weight):
    a weight was once passed as the parameter `z` (issue 13, defect 3);
  - the saved buffers are named after what they hold (no saved_N);
  - two builds with the same calibration give byte-identical files.
Then a model behind a path of 474 characters and one whose path holds the
two characters that end a C comment compile (defect 2: a banner cut in a
fixed buffer lost its closing `*/`).  Exit status 1 on any failure.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GANC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/ganc"))
failures = []


def fail(what):
    failures.append(what)
    print("FAIL " + what)


def build(model, out, *flags):
    r = subprocess.run([GANC, "build", model, "-o", out, "--no-compile", *flags],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        fail("ganc build %s %s: %s" % (model, " ".join(flags), r.stderr.strip()))
    return r.returncode == 0


FUNC = re.compile(r"^static (?:void|float) (\w+)\(([^)]*)\)", re.M | re.S)
CALL = re.compile(r"^    (\w+)\(([^;]*)\);", re.M | re.S)


def words(arglist):
    return [a.strip() for a in arglist.replace("\n", " ").split(",") if a.strip()]


def check_file(path):
    text = open(path).read()
    name = os.path.relpath(path, ROOT)
    for i, line in enumerate(text.split("\n"), 1):
        if len(line) >= 120:
            fail("%s:%d: %d columns" % (name, i, len(line)))
    params = {}
    for fn, plist in FUNC.findall(text):
        if re.search(r"_\d+$", fn):
            fail("%s: function %s is numbered" % (name, fn))
        params[fn] = [p.split("*")[-1].strip() for p in words(plist)]
    for fn, alist in CALL.findall(text):
        if fn not in params:
            continue
        for arg, param in zip(words(alist), params[fn]):
            m = re.fullmatch(r"([GD])_([A-Z0-9_]+?)(_GRAD)?", arg)
            if not m:
                continue
            # the macro's network prefix may hold '_' (G_AB_C1_WEIGHT of
            # network G_ab): the parameter ends with the layer and tensor
            # names, at least two words of it
            parts = m.group(2).lower().split("_")
            if not any(param.rstrip("_").endswith("_".join(parts[i:]))
                       for i in range(len(parts) - 1)):
                fail("%s: %s passes %s as parameter '%s'" % (name, fn, arg, param))
    if re.search(r"\bsaved_\d+\b", text):
        fail("%s: a saved buffer is named by number" % name)


def main():
    work = tempfile.mkdtemp(prefix="ganc-generated-")
    models = sorted(glob.glob(os.path.join(ROOT, "models/*.yaml")) +
                    glob.glob(os.path.join(ROOT, "tests/models/*.yaml")))
    # data sources with transforms and `from`: their tables (rt_transform)
    models.append(os.path.join(ROOT, "tests/e2e/pix2pix_edges.yaml"))
    # a sampler of several networks (sample: {networks: [...]}) and a class
    # model's parts (rt_sample_classes)
    models.append(os.path.join(ROOT, "tests/e2e/cycle_sample.yaml"))
    models.append(os.path.join(ROOT, "tests/e2e/cgan_tiny.yaml"))
    checked = 0
    for model in models:
        base = os.path.splitext(os.path.basename(model))[0]
        for flags in ((), ("--plain",)):
            out = os.path.join(work, base + "".join(flags))
            if not build(model, out, *flags):
                continue
            # the anomaly scorer of a model with a score section
            files = [f for f in ("train.c", "sample.c", "score.c")
                     if os.path.exists(os.path.join(out, f))]
            for f in files:
                check_file(os.path.join(out, f))
                checked += 1
            again = out + "-again"
            if build(model, again, *flags):
                for f in files:
                    if open(os.path.join(out, f)).read() != open(os.path.join(again, f)).read():
                        fail("%s %s: two builds differ in %s" % (base, " ".join(flags), f))
    # paths that once broke the banner comments
    src = open(os.path.join(ROOT, "tests/models/chain_ns.yaml")).read()
    long_dir = os.path.join(work, "d" * 200, "e" * 200)
    odd_dir = os.path.join(work, "comment*", "end")
    for d, label in ((long_dir, "a 474-character path"), (odd_dir, "a path holding */")):
        os.makedirs(d)
        model = os.path.join(d, "m" * (474 - len(long_dir) - 1 - 5) + ".yaml" if d == long_dir
                             else "model.yaml")
        model = os.path.join(d, model)
        open(model, "w").write(src.replace("/x", "/x"))
        if d == odd_dir:
            os.rename(os.path.dirname(d), os.path.join(work, "comment*"))
        out = os.path.join(work, "out-" + label.split()[1])
        if build(model, out):
            for f in ("train.c", "sample.c"):
                r = subprocess.run(["cc", "-std=c11", "-fsyntax-only", "-Wall", "-Werror",
                                    "-I" + os.path.join(ROOT, "runtime"),
                                    os.path.join(out, f)], capture_output=True, text=True)
                if r.returncode:
                    fail("%s: %s does not compile: %s" % (label, f, r.stderr[:400]))
                # a path in comments wraps like any text (the layer banners once did not)
                check_file(os.path.join(out, f))
        print("%s (%d characters): %s" % (label, len(model), "ok"))
    shutil.rmtree(work)
    print("generated code: %d files of %d models checked, %d failures" %
          (checked, len(models), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
