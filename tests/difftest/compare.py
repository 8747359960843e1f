#!/usr/bin/python3
"""tests/difftest/compare.py - compares, tensor by tensor, the adversarial
steps of one model in two emissions: REF written by tests/parity/dump_step.c
(the plain emission, the reference), OUT by tests/difftest/replay_step.c (the
optimized emission, replayed against REF: its updates take REF's gradients
and each stage starts from REF's running statistics), TWIN by
tests/difftest/twin_step.c (the plain emission in double precision,
replayed against REF: each value as the float32 code computes it, without
the rounding).

    compare.py REF OUT [TWIN] [--rtol R] [--twin-factor K] [--all]
                              [--corrupt KEY | --controls]

The dumps must hold the same tensors with the same shapes (exit 2
otherwise).  Kinds of tensor and what each must satisfy:

  start   before.*, input.*: the same seed's parameters, batches and latents:
          OUT equal to REF bit for bit.
  param   after.* parameters: the same runtime optimizer applied to the same
          gradients from the same values (replay_step): equal bit for bit; a
          difference is generated code writing into a parameter.
  output  output.fake, the sampler's generator;
  state   mid.* and after.* batchnorm running statistics and spectral
          normalization's power-iteration vectors;
  loss    loss.d, loss.g;
  grad    grad.*, every gradient:
          max|OUT - TWIN| <= R * scale + K * e * scale, over the whole tensor,
          where scale is the tensor's largest value in REF (for a gradient,
          at least the floor below) and e is the largest error of REF from
          TWIN, relative to scale, among the tensors of the same stage (the
          sampler's output; D's step: loss, gradients, running statistics;
          G's step): the optimized emission's error is within R of the
          tensor's scale, or within K times the plain emission's own float32
          error.  Without TWIN: max|OUT - REF| <= R * scale.  The tensor's
          largest value scales it, not each element: an element that is a
          sum of cancelling terms has no meaningful error of its own.  A
          gradient's floor is 1e-1 of the largest gradient of either network
          in that step: a gradient that is 0 in exact arithmetic (the bias of
          a layer followed by batchnorm, every gradient of a generator whose
          effect the discriminator's batchnorm cancels) holds only the
          rounding of a cancelling sum, whose size follows the gradients
          flowing back from the loss, not its own.  So gradient differences
          below 1e-5 of the step's largest gradient are never failures.
  Values that are not finite (a model that diverges) must be so at the same
  places in OUT as in REF, and the rest is compared as above.

The last line printed gives the reference's own float32 error (REF against
TWIN), and the same as tests/parity/torch_step.py scales it (per network
floors): tests/difftest.sh replays a model in PyTorch only when that is
well inside torch_step's tolerances.

Why R = 1e-4 and K = 20.  Both emissions compute in float32 the same function
from the same inputs; only the order of the sums differs (the plain emission
sums sequentially, the optimized one in vector lanes, in OpenBLAS's or ganc's
GEMM blocking, split among threads).  A product or reduction of n terms then
has an error of about sqrt(n) * 6e-8 of the size of its terms, ~1e-6 for the
few hundred terms of these models: R is 100 times that.  A fixed R is not
enough where a model amplifies rounding: batchnorm over few values per
channel, its backward pass's cancelling sums, a hinge loss's 1 - D(x) near
0, a transposed convolution whose stride leaves most outputs equal to its
bias turn float32 rounding into errors of 1e-3 to 1e-1 of a tensor, in the
plain emission as in the optimized one (and against a float64 PyTorch).
TWIN measures that error, tensor by tensor; it is pooled over the stage
because the errors of two float32 sums are two random draws, and one tensor
of a few elements may draw a small one in REF and a large one in OUT.  K is
20 because the optimized emission, whose blocked sums are usually the more
accurate, was seen at up to 9 times the stage's largest REF error (a bias
gradient of one element, a sum of a few dozen cancelling terms).  Over the
300 random models of `make stress` (seeds 1000-1299) and wide_heads, the
largest difference was 0.49 of its tolerance (0.11 for running statistics,
0.10 for losses, 0.01 for the sampler's output), and 283 tensors of 29
models passed on the twin's part only.  A defect stands out by far more: the planner's
64-read defect gave differences of the order of the tensors themselves
(thousands of times the tolerance), and --controls finds every value moved by
1e-3 of itself.

--corrupt KEY moves the largest element of OUT's tensor KEY by 1e-3 of its
value before comparing (this run must fail).  --controls runs the comparison
once per negative control instead, each with one value moved so: the
outputs, both losses, the largest gradient of each network in each step
(where that is at least 1e-2 of the other network's), one running statistic
and one updated parameter of each network; exits 1 unless every control fails the
comparison.  --all prints every tensor, not
only the failures and the summary.  Exits 0 if all pass, 1 if any fails.
"""
import argparse
import json
import struct
import sys

import numpy as np

RTOL = 1e-4
TWIN_FACTOR = 20.0
FLOOR = 1e-1
ATOL = 1e-12
STATES = (".running_mean", ".running_var", ".weight_u", ".weight_v")


def read(path):
    """{name: float64 array} in file order, and the metadata"""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data, out = raw[8 + n:], {}
    for name, h in header.items():
        if h["dtype"] != "F32":
            raise SystemExit(f"compare: {path}: {name} is {h['dtype']}, expected F32")
        b, e = h["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").astype(np.float64).reshape(h["shape"])
    return out, meta


def split(name):
    """(step, stage, kind) of a dumped tensor: stage orders the tensors as a
    step computes them, so the first failure reported is the earliest"""
    step, rest = 1, name
    if name.startswith("step") and "." in name:
        head, rest = name.split(".", 1)
        step = int(head[4:])
    if rest.startswith(("before.", "input.")):
        return step, 0, "start"
    if rest == "output.fake":
        return step, 1, "output"
    if rest == "loss.d":
        return step, 2, "loss"
    if rest.startswith("grad.discriminator."):
        return step, 3, "grad"
    if rest.startswith("mid."):
        return step, 4, "state"
    if rest == "loss.g":
        return step, 5, "loss"
    if rest.startswith("grad.generator."):
        return step, 6, "grad"
    if rest.startswith("after."):
        return step, 7, "state" if rest.endswith(STATES) else "param"
    raise SystemExit(f"compare: unknown tensor {name}")


def stage(name):
    """the part of a step a tensor belongs to: the sampler's output, D's
    step (its loss, gradients, running statistics) or G's"""
    step, order, _ = split(name)
    return step, "output" if order <= 1 else "D" if order <= 4 else "G"


def maxdiff(a, b):
    """the largest |a - b| where both are finite"""
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.abs(a[both] - b[both]).max(initial=0.0))


def largest(t):
    return float(np.abs(t[np.isfinite(t)]).max(initial=0.0))


def grad_floors(ref):
    """{step: FLOOR times the largest gradient of either network in it}"""
    floors = {}
    for name, t in ref.items():
        step, _, kind = split(name)
        if kind == "grad":
            floors[step] = max(floors.get(step, 0.0), FLOOR * largest(t))
    return floors


def net_floors(ref):
    """{(step, net): 1e-2 of that network's largest gradient in that step},
    tests/parity/torch_step.py's floor"""
    floors = {}
    for name, t in ref.items():
        step, order, kind = split(name)
        if kind == "grad":
            floors[(step, order)] = max(floors.get((step, order), 0.0), 1e-2 * largest(t))
    return floors


class Check:
    """the comparison of one tensor, with what it needs from the whole dump:
    the gradient floors and, with a twin, the float32 error of each stage"""

    def __init__(self, ref, twin, rtol, factor):
        self.ref, self.twin, self.rtol, self.factor = ref, twin, rtol, factor
        self.floors = grad_floors(ref)
        self.own = {}      # stage: REF's largest error from TWIN relative to scale
        self.own_loss = 0.0
        self.own_torch = {"value": 0.0, "grad": 0.0}   # as torch_step scales them
        torch_floors = net_floors(ref)
        for name in ref if twin is not None else []:
            step, order, kind = split(name)
            if kind not in ("start", "param"):
                err = maxdiff(ref[name], twin[name])
                rel = err / max(self.scale(name, kind), 1e-30)
                self.own[stage(name)] = max(self.own.get(stage(name), 0.0), rel)
                if kind == "loss":
                    self.own_loss = max(self.own_loss, rel)
                else:
                    t = max(largest(ref[name]), torch_floors.get((step, order), 0.0), 1e-30)
                    k = "grad" if kind == "grad" else "value"
                    self.own_torch[k] = max(self.own_torch[k], err / t)

    def scale(self, name, kind):
        s = largest(self.ref[name])
        return max(s, self.floors[split(name)[0]]) if kind == "grad" else s

    def __call__(self, name, kind, o):
        """(ok, largest difference, difference / tolerance, passed on the
        twin's part of the tolerance only)"""
        r = self.ref[name]
        if kind in ("start", "param"):
            ok = np.array_equal(o, r, equal_nan=True)
            return ok, maxdiff(o, r), 0.0 if ok else float("inf"), False
        if not np.array_equal(np.isfinite(o), np.isfinite(r)):
            return False, float("nan"), float("inf"), False
        scale = self.scale(name, kind)
        fixed = self.rtol * scale + ATOL
        if self.twin is None:
            diff = maxdiff(o, r)
            return diff <= fixed, diff, diff / fixed, False
        diff = maxdiff(o, self.twin[name])
        tol = fixed + self.factor * self.own[stage(name)] * scale
        return diff <= tol, diff, diff / tol, fixed < diff <= tol


def load(args):
    ref, _ = read(args.ref)
    out, meta = read(args.out)
    twin, twin_meta = read(args.twin) if args.twin else (None, {})
    if "replay_of" not in meta or (twin is not None and "twin_of" not in twin_meta):
        raise SystemExit(f"compare: {args.out} is not a replay_step dump or {args.twin} not a "
                         "twin_step dump")
    for other, path in [(out, args.out)] + ([(twin, args.twin)] if twin else []):
        if sorted(ref) != sorted(other) or any(ref[k].shape != other[k].shape for k in ref):
            only = sorted(set(ref) ^ set(other))[:5]
            shapes = [k for k in ref if k in other and ref[k].shape != other[k].shape][:5]
            print(f"compare: {path} and {args.ref} differ in tensors {only} or shapes {shapes}",
                  file=sys.stderr)
            sys.exit(2)
    return ref, out, twin, meta


def corrupt(out, key):
    """a copy of out with the largest element of key moved by 1e-3 of itself"""
    x = out[key].copy().reshape(-1)
    i = int(np.argmax(np.where(np.isfinite(x), np.abs(x), -1.0)))
    x[i] += 1e-3 * abs(x[i]) + 1e-30
    return dict(out, **{key: x.reshape(out[key].shape)}), i


def compare(check, ref, out, show_all):
    """compares every tensor; returns (failures, {kind: (worst ratio, name)},
    tensors passed on the twin's part)"""
    worst, failures, by_twin_only = {}, [], 0
    for name in sorted(ref, key=lambda n: split(n)[:2]):
        kind = split(name)[2]
        ok, diff, ratio, by_twin = check(name, kind, out[name])
        by_twin_only += ok and by_twin
        if show_all or not ok:
            print(f"  {name:50s} {kind:6s} max|diff| {diff:.2e}  of tolerance {ratio:.2f}"
                  f"{'  (twin)' if by_twin else ''}  {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append((name, ratio))
        if ratio >= worst.get(kind, (-1.0, ""))[0]:
            worst[kind] = (ratio, name)
    return failures, worst, by_twin_only


def control_keys(ref):
    """the tensors --controls moves a value of: outputs, losses, the largest
    gradient of each network in each step (unless it is under 1e-2 of the
    other network's: a change of 1e-3 of it is then under the gradients'
    floor), a running statistic, an updated parameter of each network"""
    keys = [k for k in ("output.fake", "loss.d", "loss.g", "step2.loss.d", "step2.loss.g")
            if k in ref]
    grads, floors = {}, grad_floors(ref)
    for name in ref:
        step, order, kind = split(name)
        if kind == "grad" and largest(ref[name]) > grads.get((step, order), ("", -1.0))[1]:
            grads[(step, order)] = (name, largest(ref[name]))
    keys += [name for name, value in grads.values() if value >= 0.1 * floors[split(name)[0]]]
    for prefix in ("mid.", "after.generator.", "after.discriminator."):
        keys += [k for k in ref if k.startswith(prefix)][:1]
    return keys


def controls(check, ref, out):
    missed = 0
    for key in control_keys(ref):
        moved, i = corrupt(out, key)
        with open("/dev/null", "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            failures = compare(check, ref, moved, False)[0]
            sys.stdout = stdout
        caught = [r for n, r in failures if n == key]
        print(f"  control {key}[{i}] moved by 1e-3 of itself: "
              + (f"detected ({caught[0]:.1f} times the tolerance)" if caught else "NOT detected"))
        missed += not caught
    print(f"controls: {'all detected' if not missed else f'{missed} NOT detected'}")
    return 1 if missed else 0


def main():
    ap = argparse.ArgumentParser(description="compares two emissions' dumps tensor by tensor")
    ap.add_argument("ref")
    ap.add_argument("out")
    ap.add_argument("twin", nargs="?")
    ap.add_argument("--rtol", type=float, default=RTOL)
    ap.add_argument("--twin-factor", type=float, default=TWIN_FACTOR)
    ap.add_argument("--corrupt")
    ap.add_argument("--controls", action="store_true")
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    ref, out, twin, meta = load(args)
    check = Check(ref, twin, args.rtol, args.twin_factor)
    if args.controls:
        return controls(check, ref, out)
    if args.corrupt:
        out, i = corrupt(out, args.corrupt)
        print(f"negative control: {args.corrupt}[{i}] moved by 1e-3 of its value")
    failures, worst, by_twin_only = compare(check, ref, out, args.all)
    summary = ", ".join(f"{k} {worst[k][0]:.2f} ({worst[k][1]})"
                        for k in ("output", "loss", "grad", "state") if k in worst)
    verdict = "PASS" if not failures else \
        f"FAIL ({len(failures)} of {len(ref)} tensors; first {failures[0][0]})"
    print(f"compare {meta.get('model', '?')}: {verdict}; largest difference / tolerance: "
          f"{summary}; {by_twin_only} tensors pass on the twin's part")
    diverged = [k for k in ref if not np.isfinite(ref[k]).all()]
    if diverged:
        print(f"the reference has values that are not finite in {len(diverged)} tensors "
              f"(first {diverged[0]}): the model diverges")
    if twin is not None:
        own = {k: max((v for (_, part), v in check.own.items() if part == k), default=0.0)
               for k in ("output", "D", "G")}
        print(f"the reference's float32 error, relative to each tensor's scale: output "
              f"{own['output']:.1e}, D step {own['D']:.1e}, G step {own['G']:.1e}, losses "
              f"{check.own_loss:.1e}; as torch_step scales them: values "
              f"{check.own_torch['value']:.1e}, gradients {check.own_torch['grad']:.1e}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
