#!/usr/bin/python3
"""tests/frozen/make_weights.py - writes smooth_features.safetensors, the
weights of network E of smooth_features.yaml, as ganc's weights files name
them (E.LAYER.weight, ...): generic values from a fixed seed, the running
statistics away from 0 and 1 so that inference mode differs from training
mode.  Run from anywhere; the file it writes is committed."""
import json
import os
import struct

import numpy as np

rng = np.random.default_rng(16)
shapes = {
    "E.c1.weight": [3, 1, 3, 3], "E.c1.bias": [3],
    "E.bn1.weight": [3], "E.bn1.bias": [3], "E.bn1.running_mean": [3], "E.bn1.running_var": [3],
    "E.fc.weight": [6, 48], "E.fc.bias": [6],
    "E.bn2.weight": [6], "E.bn2.bias": [6], "E.bn2.running_mean": [6], "E.bn2.running_var": [6],
    "E.logits.weight": [4, 6], "E.logits.bias": [4],
}
tensors = {}
for name, shape in shapes.items():
    if name.endswith("running_var"):
        v = rng.uniform(0.3, 2.0, shape)
    elif name.endswith("running_mean"):
        v = rng.normal(0.0, 0.5, shape)
    elif ".bn" in name and name.endswith(".weight"):
        v = rng.uniform(0.5, 1.5, shape)
    else:
        v = rng.normal(0.0, 0.5, shape)
    tensors[name] = v.astype("<f4")

header, data = {"__metadata__": {"format": "ganc-weights-1", "model": "smooth_features"}}, b""
for name, v in tensors.items():
    header[name] = {"dtype": "F32", "shape": list(v.shape),
                    "data_offsets": [len(data), len(data) + v.nbytes]}
    data += v.tobytes()
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smooth_features.safetensors")
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
print(f"wrote {out}")
