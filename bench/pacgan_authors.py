#!/usr/bin/python3
"""bench/pacgan_authors.py - a PacGAN model (models/pacgan/*.yaml) rewritten
in the general form so that it packs as the authors' code does.

    pacgan_authors.py MODEL.yaml --pack M -o OUT.yaml

`pack: M` (docs/model-language.md) runs the generator once on a batch of
100 M latents and joins M consecutive samples into each of D's 100 groups,
so G's batchnorm takes its statistics over 100 M samples.  The authors'
code (fjxmlzn/PacGAN, synthetic_data_experiments: PacGAN.compute_losses)
draws M latent batches of 100, runs G on each (batchnorm over 100) and
joins sample g of every batch into group g; its real groups are M
independent draws too.  Here that is M data variables r1..rM and M latent
variables z1..zM, and a D of M sample inputs whose first layer is a concat
of them; everything else (layers, init, optimizers, loss, batch 100 groups,
steps, logging) is the model's own.

Leaves out the other difference from the authors' code: their D and G take
their steps together (both gradients from one forward pass, ali_algorithm),
where ganc's schedule steps D, then G through the new D.
"""
import argparse
import sys

import yaml


def general(model, m):
    if "networks" in model:
        sys.exit("pacgan_authors: the model is in the general form already")
    g, d = dict(model["generator"]), dict(model["discriminator"])
    d.pop("pack", None)
    g["inputs"] = {"z": {"latent": model["latent"]["size"],
                         "distribution": model["latent"].get("distribution", "normal")}}
    xs = [f"x{k}" for k in range(1, m + 1)]
    d["inputs"] = {x: "sample" for x in xs}
    layers = [dict(l) if isinstance(l, dict) else {"type": l} for l in d["layers"]]
    layers[0]["input"] = "joined"
    d["layers"] = [{"name": "joined", "type": "concat", "inputs": xs}] + layers
    reals = ", ".join(f"r{k}" for k in range(1, m + 1))
    fakes = ", ".join(f"G(z{k})" for k in range(1, m + 1))
    stopped = ", ".join(f"stop(G(z{k}))" for k in range(1, m + 1))
    loss = model.get("loss", "non_saturating")
    train = dict(model["train"])
    d_steps = train.pop("d_steps", 1)
    return {
        "name": f"{model['name']}_authors{m}",
        "seed": model.get("seed", 1),
        "data": model["data"],
        "variables": {**{f"r{k}": "data" for k in range(1, m + 1)},
                      **{f"z{k}": "latent" for k in range(1, m + 1)}},
        "networks": {"G": g, "D": d},
        "objective": {
            "D": [{"adversarial": loss, "real": f"D({reals})", "fake": f"D({stopped})"}],
            "G": [{"adversarial": loss, "fake": f"D({fakes})"}]},
        "schedule": [
            {"update": "D", "repeat": d_steps, "optimizer": d.pop("optimizer", {})},
            {"update": "G", "same_batch": True, "optimizer": g.pop("optimizer", {})}],
        "sample": {"network": "G"},
        "train": train,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--pack", type=int, required=True)
    ap.add_argument("-o", dest="out", required=True)
    a = ap.parse_args()
    with open(a.model) as f:
        model = yaml.safe_load(f)
    with open(a.out, "w") as f:
        f.write(f"# {a.model} packed by {a.pack} as the authors' code packs: "
                f"bench/pacgan_authors.py\n")
        yaml.safe_dump(general(model, a.pack), f, sort_keys=False, default_flow_style=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
