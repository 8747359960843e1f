/* main.c - the ganc command line: `ganc check`, `ganc build` and
 * `ganc calibrate`.
 * Exit status: 0 ok, 2 usage or input error, 1 other failure. */
#include "build.h"
#include "cost.h"
#include "layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ganc COMMAND [options]\n"
    "\n"
    "Compiles a GAN described in YAML into a standalone trainer and sampler.\n"
    "\n"
    "commands:\n"
    "  check MODEL.yaml       validate the model and print its layers, shapes,\n"
    "                         parameters, FLOPs, memory and code-generation choices\n"
    "  build MODEL.yaml       generate C and compile DIR/train and DIR/sample\n"
    "  calibrate              measure this machine for the cost model that picks\n"
    "                         each product's kernel (done once by the first build;\n"
    "                         run it again after changing CPU or OPENBLAS_CORETYPE)\n"
    "\n"
    "build options:\n"
    "  -o DIR                 output folder (default build/NAME)\n"
    "  --embed-weights FILE   build the weights (safetensors) into the sampler\n"
    "  --plain                reference emission: rolled loops, nothing fused, no BLAS\n"
    "  --unroll N             unroll loops of at most N iterations (default: the\n"
    "                         model's compile.unroll, 8)\n"
    "  --no-compile           write the C sources only\n"
    "  --cc CC                C compiler (default $CC or cc)\n"
    "  --native               compile for this machine's CPU (-march=native: AVX-512\n"
    "                         where there is one); the default runs on any x86-64\n"
    "  --cflags FLAGS         extra compiler flags\n"
    "\n"
    "  -h, --help             this help; `ganc COMMAND --help` for one command\n"
    "  --version              print the version\n"
    "\n"
    "environment:\n"
    "  GANC_CALIBRATION=off   no cost model: kernels by size rules, OpenBLAS only\n"
    "  GANC_GEMM=openblas|ganc|implicit  every GEMM on that engine; implicit: ganc's,\n"
    "                         convolutions gathering their columns (tests, benchmarks)\n"
    "  GANC_CACHE_DIR=DIR     where the calibration is kept (default ~/.cache/ganc)\n"
    "\n"
    "The model language is documented in docs/model-language.md.\n";

static int load(gan_model *m, const char *path)
{
    gan_diag d;
    gan_diag_init(&d, stderr);
    int rc = gan_model_load(m, path, &d);
    if (rc || d.errors) {
        fprintf(stderr, "%d error%s in %s; nothing was generated\n", d.errors,
                d.errors == 1 ? "" : "s", path);
        return -1;
    }
    return 0;
}

/* FLOPs of one program: 2MNK per product, one per element elsewhere. */
static double program_flops(const gan_plan *pl)
{
    double f = 0;
    const ir_graph *g = &pl->p->g;
    for (int x = 0; x < pl->n; x++) {
        const ir_node *nd = &g->n[x];
        if (pl->store[x] == ST_DEAD || pl->store[x] == ST_EXT || pl->store[x] == ST_VIEW)
            continue;
        if (nd->op == IR_MATMUL) {
            double k = nd->ta ? g->n[nd->in[0]].shape.d[0] : g->n[nd->in[0]].shape.d[1];
            f += 2.0 * nd->shape.d[0] * nd->shape.d[1] * k;
        } else if (nd->op == IR_CONV2D || nd->op == IR_CONV2D_T || nd->op == IR_CONV2D_WGRAD) {
            /* 2 flops per tap: every (small-side output) x (kernel) x (large-side channels) */
            ir_shape big = nd->op == IR_CONV2D_T ? nd->shape : g->n[nd->in[0]].shape;
            ir_shape small = nd->op == IR_CONV2D ? nd->shape : g->n[nd->in[nd->op == IR_CONV2D_T ? 0 : 1]].shape;
            ir_shape w = nd->op == IR_CONV2D_WGRAD ? nd->shape : g->n[nd->in[1]].shape;
            f += 2.0 * (double)ir_numel(small) * big.d[1] * w.d[2] * w.d[3];
        } else if (nd->op == IR_SUM_TO) {
            f += (double)ir_numel(g->n[nd->in[0]].shape);
        } else if (nd->op != IR_CONST) {
            f += (double)ir_numel(nd->shape);
        }
    }
    return f;
}

static void print_net(const gan_model *m, const gan_net *net)
{
    printf("%s (input %s", net->role, net->id == GAN_G ? "z" : "x");
    char s[64];
    gan_shape_str(net->input, s, sizeof s);
    printf("%s)\n", s);
    printf("  %-16s %-12s %-16s %12s  %s\n", "layer", "type", "output", "params", "inputs");
    long total = 0;
    for (int oi = 0; oi < net->n_order; oi++) {
        const gan_layer *l = &net->layers[net->order[oi]];
        long params = 0;
        for (int t = l->first_tensor; t < l->first_tensor + l->n_tensors; t++) {
            long n = 1;
            for (int k = 0; k < m->tensors[t].ndim; k++)
                n *= m->tensors[t].shape[k];
            if (m->tensors[t].role == GAN_PARAM)
                params += n;
        }
        total += params;
        gan_shape_str(l->out, s, sizeof s);
        char ins[128] = "";
        for (int k = 0; k < l->n_inputs; k++) {
            strncat(ins, k ? ", " : "", sizeof ins - strlen(ins) - 1);
            strncat(ins, l->input_names[k], sizeof ins - strlen(ins) - 1);
        }
        printf("  %-16s %-12s %-16s %12ld  %s\n", l->name, l->kind->name, s, params, ins);
    }
    printf("  %-46s %12ld\n\n", "total", total);
}

static int cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: ganc check MODEL.yaml\n\nValidates the model and prints each "
                   "layer's output shape and parameter count,\nthe totals (parameters, FLOPs "
                   "per training step, memory for the batch) and the\ncode generator's "
                   "decisions (kernels, fusion, unrolling, generated lines).\n");
            return 0;
        }
        if (argv[i][0] == '-' || path) {
            fprintf(stderr, "ganc check: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        }
        path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "ganc check: missing MODEL.yaml\n");
        return 2;
    }
    gan_model m;
    if (load(&m, path)) {
        gan_model_free(&m);
        return 2;
    }
    printf("model %s (%s), batch %d, latent %d (%s), loss %s\n\n", m.name, path, m.train.batch,
           m.latent.size, m.latent.dist ? "uniform" : "normal",
           m.loss == GAN_LOSS_NON_SATURATING ? "non_saturating" :
           m.loss == GAN_LOSS_LSGAN ? "lsgan" : "hinge");
    for (int i = 0; i < 2; i++)
        print_net(&m, &m.net[i]);

    gan_cost cost;
    int have_cost = gan_cost_get(&cost, 0);
    if (have_cost == -2) {
        gan_model_free(&m);
        return 2;
    }
    gan_codegen_opts o = { 0, 1, m.unroll, 0, have_cost ? NULL : &cost };
    double flops[GAN_N_PROGS];
    long ws = 0;
    gan_buf report[2] = { { 0 }, { 0 } };   /* trainer, sampler */
    for (int k = 0; k < GAN_N_PROGS; k++) {
        gan_program p;
        gan_plan pl;
        gan_program_build(&p, &m, k);
        gan_plan_build(&pl, &p, &m, o);
        flops[k] = program_flops(&pl);
        if (pl.ws_size > ws)
            ws = pl.ws_size;
        gan_plan_free(&pl);
        gan_program_free(&p);
    }
    long lines[2] = { 0, 0 };
    for (int s = 0; s < 2; s++) {
        char tp[4096];
        snprintf(tp, sizeof tp, "%s/templates/%s", gan_home(), s ? "sampler.c" : "trainer.c");
        char *tmpl = gan_read_file(tp, NULL);
        if (!tmpl)
            continue;
        gan_emit_target t = { tmpl, path, s, 0 };
        gan_buf text = { 0 };
        gan_emit_file(&m, o, &t, &text, &report[s]);
        lines[s] = gan_buf_lines(&text);
        gan_buf_free(&text);
        free(tmpl);
    }
    size_t params = m.param_count[0] + m.param_count[1];
    size_t state = m.state_count[0] + m.state_count[1];
    double step = m.train.d_steps * (flops[GAN_PROG_G_FORWARD] + flops[GAN_PROG_D_STEP]) +
                  flops[GAN_PROG_G_STEP];
    long saved[GAN_MAX_SAVED], n_saved = gan_saved_slots(&m, saved, GAN_MAX_SAVED), sv = 0;
    for (long k = 0; k < n_saved; k++)
        sv += saved[k];
    printf("totals\n");
    printf("  parameters           %zu (G %zu, D %zu) + %zu state\n", params, m.param_count[0],
           m.param_count[1], state);
    printf("  FLOPs per step       %.3g (%d x (G forward + D step) + 1 G step)\n", step,
           m.train.d_steps);
    printf("  FLOPs per sample     %.3g (generator inference)\n",
           flops[GAN_PROG_GENERATE] / m.train.batch);
    double mem = 4.0 * ((double)ws + (double)sv + 4.0 * (double)params + (double)state);
    printf("  memory for batch %-4d %.2f MiB (workspace %.2f MiB; saved G activations %.2f MiB;\n"
           "                       params, grads, Adam m and v)\n", m.train.batch,
           mem / (1 << 20), 4.0 * (double)ws / (1 << 20), 4.0 * (double)sv / (1 << 20));
    printf("  generated C          %ld lines trainer, %ld lines sampler\n\n", lines[0], lines[1]);
    if (o.cost)
        printf("cost model: %s%s\n", cost.origin,
               cost.forced == GAN_OPENBLAS ? "; GANC_GEMM=openblas" :
               cost.forced == GAN_OWN_GEMM ? "; GANC_GEMM=ganc" :
               cost.forced == GAN_IMPLICIT ? "; GANC_GEMM=implicit" : "");
    else
        printf("cost model: none (GANC_CALIBRATION=off or not measured): size rules\n");
    printf("code generation, trainer (unroll limit %d)\n%s", m.unroll,
           report[0].s ? report[0].s : "");
    printf("code generation, sampler (batch 1, libc and libm only)\n%s",
           report[1].s ? report[1].s : "");
    gan_buf_free(&report[0]);
    gan_buf_free(&report[1]);
    gan_model_free(&m);
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    gan_build_opts o = { NULL, NULL, NULL, NULL, 1, 0, { 0, 1, -1, 0, NULL } };
    const char *path = NULL;
    o.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: ganc build MODEL.yaml [-o DIR] [--embed-weights FILE] [--plain]\n"
                   "                  [--unroll N] [--no-compile] [--native] [--cc CC]\n"
                   "                  [--cflags FLAGS]\n\n"
                   "Writes DIR/train.c and DIR/sample.c and compiles DIR/train (links OpenBLAS)\n"
                   "and DIR/sample (libc and libm only). DIR defaults to build/NAME.\n");
            return 0;
        } else if (!strcmp(a, "-o") && has_val) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "--embed-weights") && has_val) {
            o.embed_weights = argv[++i];
        } else if (!strcmp(a, "--plain")) {
            o.opts.plain = 1;
            o.opts.blas = 0;
        } else if (!strcmp(a, "--native")) {
            o.native = 1;
        } else if (!strcmp(a, "--no-compile")) {
            o.compile = 0;
        } else if (!strcmp(a, "--unroll") && has_val) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 64) {
                fprintf(stderr, "ganc build: --unroll takes a number from 0 to 64, found '%s'\n",
                        argv[i]);
                return 2;
            }
            o.opts.unroll = (int)v;
        } else if (!strcmp(a, "--cc") && has_val) {
            o.cc = argv[++i];
        } else if (!strcmp(a, "--cflags") && has_val) {
            o.cflags = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "ganc build: unknown or incomplete option '%s' (see ganc build --help)\n", a);
            return 2;
        } else if (path) {
            fprintf(stderr, "ganc build: one model at a time; unexpected '%s'\n", a);
            return 2;
        } else {
            path = a;
        }
    }
    if (!path) {
        fprintf(stderr, "ganc build: missing MODEL.yaml (see ganc build --help)\n");
        return 2;
    }
    gan_model m;
    if (load(&m, path)) {
        gan_model_free(&m);
        return 2;
    }
    if (o.opts.unroll < 0)
        o.opts.unroll = m.unroll;
    gan_cost cost;
    int have_cost = o.opts.plain ? -1 : gan_cost_get(&cost, 0);
    if (have_cost == -2) {
        gan_model_free(&m);
        return 2;
    }
    if (have_cost == 0)
        o.opts.cost = &cost;
    int rc = gan_build(&m, &o);
    gan_model_free(&m);
    return rc;
}

static int cmd_calibrate(int argc, char **argv)
{
    int show = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: ganc calibrate [--show]\n\n"
                   "Measures this machine (templates/calibrate.c, about three seconds: an im2col\n"
                   "copy, a direct convolution, generated product loops, and OpenBLAS and\n"
                   "ganc's rt_sgemm on products of 1 to 1024 per side) and caches it for the\n"
                   "cost model that picks each product's kernel (builds add each model's own\n"
                   "products, measured at their exact shapes).  --show prints the cached\n"
                   "model without measuring again (measuring only if there is none).\n");
            return 0;
        }
        if (strcmp(argv[i], "--show")) {
            fprintf(stderr, "ganc calibrate: unexpected argument '%s' (see ganc calibrate "
                            "--help)\n", argv[i]);
            return 2;
        }
        show = 1;
    }
    gan_cost c;
    int rc = gan_cost_get(&c, !show);
    if (rc == -2)
        return 2;
    if (rc) {
        fprintf(stderr, "ganc calibrate: no cost model%s\n",
                getenv("GANC_CALIBRATION") ? " (GANC_CALIBRATION is set)" : "");
        return 1;
    }
    printf("cost model: %s\n", c.origin);
    printf("  im2col copy          %.3f ns per float\n", c.copy_ns);
    printf("  direct convolution   %.1f GFLOP/s\n", c.direct_gflops);
    printf("  generated loops      %.1f GFLOP/s (a 64 x 64 x 64 product)\n", c.loop_gflops);
    printf("  implicit GEMM conv   %.2f x the time of im2col + rt_sgemm\n", c.implicit_ratio);
    printf("  GEMM, GFLOP/s        %-10s %-10s (no transposition)\n", "OpenBLAS", "ganc");
    const int *side = gan_cost_grid;
    for (int i = 0; i < GAN_COST_DIMS; i++)
        printf("    %4d x %4d x %4d  %-10.1f %-10.1f\n", side[i], side[i], side[i],
               c.gemm[0][0][0][i][i][i], c.gemm[1][0][0][i][i][i]);
    printf("  products measured at their own shape by the builds so far, GFLOP/s:\n");
    for (int i = 0; i < c.n_shape; i++) {
        const gan_cost_shape *a = &c.shape[i];
        if (!a->own)   /* op(A), op(B): N as given, T transposed */
            printf("    %s%s %5ld x %5ld x %5ld  %-10.1f %-10.1f\n", a->ta ? "T" : "N",
                   a->tb ? "T" : "N", a->m, a->n, a->k, a->gflops,
                   gan_cost_shape_gflops(&c, 1, a->ta, a->tb, a->m, a->n, a->k));
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("ganc %s\n", GAN_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 2, argv + 2);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 2, argv + 2);
    fprintf(stderr, "ganc: unknown command '%s'\n%s", cmd, usage);
    return 2;
}
