#!/usr/bin/python3
"""tests/difftest/reduce.py - shrinks a model that makes tests/difftest.sh
fail to a small one that fails the same way (delta debugging, greedily).

    reduce.py MODEL.yaml -o SMALL.yaml --expect REGEX [--cmd 'COMMAND']

A candidate is kept when `COMMAND CANDIDATE.yaml` (default: tests/difftest.sh
--only) exits non-zero with output matching REGEX, e.g. --expect
'FAIL \\(compare\\)' or --expect 'grad\\.generator\\.c\\.bias.*FAIL' or
--expect 'array-bounds'.  Candidates that `build/ganc check` refuses are
dropped without running the command.

The model is first written in a canonical form (every layer named, every
input explicit, the outputs named) and then, until nothing more goes:
each layer removed (its readers read its first input instead; a layer
with several inputs is also tried replaced by each of them), inputs of
adds and concats removed one at a time, the discriminator replaced by
flatten + dense, optional keys dropped (init, bias, alpha, momentum, ...,
the optimizers, the compile section), sizes halved (units, filters, batch,
the latent).  Prints each step kept; SMALL.yaml is the smallest model found
so far at every moment.

Leaves out: changing the data's shape or source, and any attempt to be
minimal in a stronger sense than "no single step above still fails".
"""
import argparse
import copy
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NETS = ("generator", "discriminator")
OPTIONAL = ("init", "init_std", "bias", "alpha", "momentum", "eps", "p", "output_padding")


def canonical(model):
    """every layer a dict with name, type and explicit input(s); outputs named"""
    m = copy.deepcopy(model)
    for role in NETS:
        net = m[role] if isinstance(m[role], dict) else {"layers": m[role]}
        layers, prev = [], "input"
        for i, item in enumerate(net["layers"], 1):
            spec = {"type": item} if isinstance(item, str) else dict(item)
            spec.setdefault("name", f"{spec['type']}{i}")
            if "inputs" not in spec:
                spec.setdefault("input", prev)
            layers.append(spec)
            prev = spec["name"]
        net["layers"] = layers
        net.setdefault("output", layers[-1]["name"])
        m[role] = net
    return m


def inputs(layer):
    return layer["inputs"] if "inputs" in layer else [layer["input"]]


def rename_reads(net, old, new):
    for layer in net["layers"]:
        if "inputs" in layer:
            layer["inputs"] = [new if x == old else x for x in layer["inputs"]]
        elif layer["input"] == old:
            layer["input"] = new
    if net["output"] == old:
        net["output"] = new


def prune(net):
    """drops the layers that do not lead to the output"""
    by_name = {layer["name"]: layer for layer in net["layers"]}
    live, todo = set(), [net["output"]]
    while todo:
        n = todo.pop()
        if n in live or n == "input":
            continue
        live.add(n)
        todo += inputs(by_name[n])
    net["layers"] = [layer for layer in net["layers"] if layer["name"] in live]


def candidates(m):
    """smaller models, roughly the largest cuts first"""
    for role in NETS:
        simple = [{"name": "fl", "type": "flatten", "input": "input"},
                  {"name": "out", "type": "dense", "units": 1, "input": "fl"}]
        if role == "discriminator" and m[role]["layers"] != simple:
            c = copy.deepcopy(m)
            c[role]["layers"], c[role]["output"] = simple, "out"
            yield "discriminator -> flatten, dense", c
    for role in NETS:
        for layer in reversed(m[role]["layers"]):
            for src in dict.fromkeys(inputs(layer)):
                if src == "input" and layer["name"] == m[role]["output"]:
                    continue
                c = copy.deepcopy(m)
                net = c[role]
                net["layers"] = [x for x in net["layers"] if x["name"] != layer["name"]]
                rename_reads(net, layer["name"], src)
                prune(net)
                yield f"{role}: {layer['name']} -> {src}", c
            if len(inputs(layer)) > 2:
                for k in range(len(layer["inputs"])):
                    c = copy.deepcopy(m)
                    x = next(x for x in c[role]["layers"] if x["name"] == layer["name"])
                    del x["inputs"][k]
                    prune(c[role])
                    yield f"{role}: {layer['name']} without input {k}", c
    yield from settings(m)


def settings(m):
    for role in NETS:
        for key in ("optimizer", "init", "init_std"):
            if key in m[role]:
                c = copy.deepcopy(m)
                del c[role][key]
                yield f"{role}: no {key}", c
        for i, layer in enumerate(m[role]["layers"]):
            for key in OPTIONAL:
                if key in layer:
                    c = copy.deepcopy(m)
                    del c[role]["layers"][i][key]
                    yield f"{role}: {layer['name']} without {key}", c
            for key in ("units", "filters", "kernel", "stride", "padding"):
                if layer.get(key, 1) > 1:
                    c = copy.deepcopy(m)
                    c[role]["layers"][i][key] = layer[key] // 2
                    yield f"{role}: {layer['name']} {key} {layer[key] // 2}", c
    for key in ("compile", "loss"):
        if key in m:
            c = copy.deepcopy(m)
            del c[key]
            yield f"no {key}", c
    train = m.get("train", {})
    for key, least in (("batch", 2), ("d_steps", 1)):
        if train.get(key, least) > least:
            c = copy.deepcopy(m)
            c["train"][key] = max(least, train[key] // 2)
            yield f"train.{key} {c['train'][key]}", c
    if m["latent"].get("size", 1) > 1:
        c = copy.deepcopy(m)
        c["latent"]["size"] = m["latent"]["size"] // 2
        yield f"latent {c['latent']['size']}", c


def dump(m, header):
    """the model as YAML, layers one per line in flow style"""
    def flow(d):
        return "{" + ", ".join(f"{k}: {yaml.safe_dump(v, default_flow_style=True).strip()}"
                               .replace("\n...", "") for k, v in d.items()) + "}"
    lines = [f"# {line}" for line in header]
    for key, value in m.items():
        if key in NETS:
            lines.append(f"{key}:")
            for k, v in value.items():
                if k != "layers":
                    lines.append(f"  {k}: {flow(v) if isinstance(v, dict) else v}")
            lines.append("  layers:")
            lines += [f"    - {flow(layer)}" for layer in value["layers"]]
        else:
            lines.append(f"{key}: {flow(value) if isinstance(value, dict) else value}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description="shrinks a failing model")
    ap.add_argument("model")
    ap.add_argument("-o", dest="out", required=True)
    ap.add_argument("--expect", required=True, help="regex the failing output must match")
    ap.add_argument("--cmd", default="bash tests/difftest.sh --only")
    a = ap.parse_args()
    with open(a.model) as f:
        text = f.read()
    header = [line[2:] for line in text.splitlines() if line.startswith("# difftest:")]
    header.insert(0, f"reduced by tests/difftest/reduce.py from {a.model} (--expect '{a.expect}')")
    expect = re.compile(a.expect)
    work = tempfile.mkdtemp(prefix="reduce-")
    cand = os.path.join(work, "cand.yaml")

    tried = set()

    def fails(m):
        text = dump(m, header)
        if text in tried:
            return False
        tried.add(text)
        with open(cand, "w") as f:
            f.write(text)
        if subprocess.run([os.path.join(ROOT, "build/ganc"), "check", cand],
                          capture_output=True).returncode != 0:
            return False
        r = subprocess.run(a.cmd.split() + [cand], cwd=ROOT, capture_output=True, text=True)
        return r.returncode != 0 and expect.search(r.stdout + r.stderr) is not None

    best = canonical(yaml.safe_load(text))
    if not fails(best):
        print(f"reduce: {a.model} does not fail as --expect says", file=sys.stderr)
        return 2
    with open(a.out, "w") as f:
        f.write(dump(best, header))
    progress = True
    while progress:
        progress = False
        for what, c in candidates(best):
            if fails(c):
                best, progress = c, True
                print(f"  kept: {what}", flush=True)
                with open(a.out, "w") as f:
                    f.write(dump(best, header))
                break
    n = sum(len(best[r]["layers"]) for r in NETS)
    print(f"reduce: {a.out}: {n} layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
