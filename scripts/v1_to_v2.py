#!/usr/bin/env python3
"""scripts/v1_to_v2.py - TEMPORARY bridge while ganc learns to emit v2 of
runtime/model/rt_model.h: rewrites the model table of a train.c or sample.c
that ganc generated for the v1 contract (one G, one D, g_forward/d_step/
g_step, generate(out, z)) into the v2 tables (networks, variables, updates,
typed inputs) that the compiler will emit for the classic model, so the v2
runtime can be tested on real models (resume, parity, gradcheck) meanwhile.

  v1_to_v2.py FILE.c            rewrites FILE.c in place
  v1_to_v2.py --cc CC ARGS...   a compiler for `ganc build --cc`: rewrites
                                the train.c / sample.c among ARGS, then runs CC

Delete this file when ganc emits v2.
"""
import os
import re
import subprocess
import sys


def fields(block):
    """The `.key = value,` pairs of a designated initializer, in order."""
    out = {}
    for m in re.finditer(r"^    \.(\w+) = (.*?),\n(?=    \.|\Z)", block, re.M | re.S):
        out[m.group(1)] = m.group(2).strip()
    return out


def braces(value):
    """'{ a, b }' -> ['a', 'b'] at the top level of the braces."""
    inner, depth, cur, items = value.strip()[1:-1], 0, "", []
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


def trainer(src, f):
    optim = braces(f["optim"])
    adapt = f"""static float v2_real[BATCH * SAMPLE_SIZE], v2_z[BATCH * LATENT];
static void v2_forward(void) {{ g_forward(v2_z); }}
static float v2_d_step(void) {{ return d_step(v2_real); }}
static float v2_g_step(void) {{ return g_step(v2_z); }}
static void v2_generate(float *out, const float *const *in) {{ generate(out, in[0]); }}
static rt_net v2_nets[] = {{
    {{ "generator", g_params, g_grads, G_PARAM_COUNT, G_STATE_COUNT ? g_state : NULL, G_STATE_COUNT, NULL, 0 }},
    {{ "discriminator", d_params, d_grads, D_PARAM_COUNT, D_STATE_COUNT ? d_state : NULL, D_STATE_COUNT, NULL, 0 }},
}};
static rt_var v2_vars[] = {{
    {{ "real", RT_VAR_DATA, SAMPLE_SIZE, 0, 0, 0, -1, v2_real }},
    {{ "z", RT_VAR_LATENT, LATENT, {f["latent_dist"]}, 0, 0, -1, v2_z }},
}};
static const int v2_d_nets[] = {{ 1 }}, v2_g_nets[] = {{ 0 }}, v2_d_draws[] = {{ 0, 1 }};
static const rt_update v2_updates[] = {{
    {{ "d", v2_d_nets, 1, {optim[1]}, {f["d_steps"]}, 0, v2_d_draws, 2, v2_forward, v2_d_step, 0, NULL, NULL }},
    {{ "g", v2_g_nets, 1, {optim[0]}, 1, 0, NULL, 0, NULL, v2_g_step, 0, NULL, NULL }},
}};
static const rt_input_info v2_inputs[] = {{ {{ "z", RT_VAR_LATENT, LATENT, {f["latent_dist"]}, 0, 0, {{ 0 }} }} }};
"""
    keep = ["model_name", "ganc_version", "arch_hash", "batch", "sample_ndim", "sample_shape",
            "sample_size", "tensors", "n_tensors", "source_yaml", "model_yaml", "data_kind",
            "data_path", "steps", "log_every", "sample_every", "checkpoint_every", "seed",
            "set_threads", "noise_seed"]
    body = "".join(f"    .{k} = {f[k]},\n" for k in keep if k in f)
    body += ("    .nets = v2_nets,\n    .n_nets = 2,\n    .vars = v2_vars,\n    .n_vars = 2,\n"
             "    .updates = v2_updates,\n    .n_updates = 2,\n    .gen_net = 0,\n"
             "    .gen_inputs = v2_inputs,\n    .n_gen_inputs = 1,\n"
             f"    .out_ndim = {f['sample_ndim']},\n    .out_shape = {f['sample_shape']},\n"
             "    .out_size = SAMPLE_SIZE,\n    .generate = v2_generate,\n")
    return adapt, "static const rt_model model = {\n" + body + "};"


def sampler(src, f):
    many = "generate_many" in f
    adapt = "static void v2_generate(float *out, const float *const *in) { generate(out, in[0]); }\n"
    if many:
        adapt += ("static void v2_generate_many(float *out, const float *const *in) "
                  "{ generate_many(out, in[0]); }\n")
    adapt += ("static const rt_input_info v2_inputs[] = { { \"z\", RT_VAR_LATENT, LATENT, "
              f"{f['latent_dist']}, 0, 0, {{ 0 }} }} }};\n")
    keep = ["model_name", "ganc_version", "arch_hash", "batch", "tensors", "n_tensors", "params",
            "param_count", "state", "state_count", "weights", "many_batch", "embedded_weights",
            "embedded_size"]
    body = "".join(f"    .{k} = {f[k]},\n" for k in keep if k in f)
    body += ("    .inputs = v2_inputs,\n    .n_inputs = 1,\n"
             f"    .out_ndim = {f['sample_ndim']},\n    .out_shape = {f['sample_shape']},\n"
             "    .out_size = SAMPLE_SIZE,\n    .generate = v2_generate,\n")
    if many:
        body += "    .generate_many = v2_generate_many,\n"
    return adapt, "static const rt_sampler_model model = {\n" + body + "};"


def rewrite(path):
    src = open(path).read()
    m = re.search(r"static const (rt_model|rt_sampler_model) model = \{\n(.*?)\n\};", src, re.S)
    if not m or ".nets = " in m.group(2) or ".inputs = " in m.group(2):
        return   # not a v1 model table (already v2, or the template)
    f = fields(m.group(2) + "\n")
    adapt, table = (trainer if m.group(1) == "rt_model" else sampler)(src, f)
    open(path, "w").write(src[:m.start()] + adapt + table + src[m.end():])


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--cc":
        args = sys.argv[2:]
        for a in args[1:]:
            if a.endswith((os.sep + "train.c", os.sep + "sample.c")) or a in ("train.c", "sample.c"):
                rewrite(a)
        sys.exit(subprocess.call(args))
    for p in sys.argv[1:]:
        rewrite(p)


if __name__ == "__main__":
    main()
