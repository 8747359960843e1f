/* main.c - the ganc command line: `ganc check`, `ganc build`,
 * `ganc calibrate` and `ganc plot` (plot.c).
 * Exit status: 0 ok, 2 usage or input error, 1 other failure. */
#include "build.h"
#include "cost.h"
#include "emit.h"
#include "eval.h"
#include "judge.h"
#include "host.h"
#include "layer.h"
#include "plot.h"
#include "report.h"

#include <getopt.h>
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
    "  build MODEL.yaml       generate C and compile DIR/train and DIR/sample (and\n"
    "                         DIR/judge, the image metrics' classifier, for models of\n"
    "                         (1, 28, 28) images)\n"
    "  eval RUN|WEIGHTS|X.npy the quality of a generator or of images, as one JSON\n"
    "                         line (Frechet distance, precision, recall, classes;\n"
    "                         modes for the 2D mixtures): `ganc eval --help`\n"
    "  calibrate              measure this machine for the cost model that picks\n"
    "                         each product's kernel (done once by the first build;\n"
    "                         run it again after changing CPU or OPENBLAS_CORETYPE)\n"
    "  plot RUN... -o OUT.png draw training runs' log.csv as charts, a panel per\n"
    "                         column, a line per run (the trainer draws\n"
    "                         RUN/curves.png the same way)\n"
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
    "  GANC_CACHE_DIR=DIR     where the calibration, the judge and eval's samplers\n"
    "                         are kept (default ~/.cache/ganc)\n"
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

/* The cost model the plans consult: 0 with *cost set (NULL: none, size
 * rules), or 2 when GANC_GEMM names no engine (said on stderr). */
static int get_cost(gan_cost *store, gan_cost **cost, int plain)
{
    *cost = NULL;
    int rc = plain ? -1 : gan_cost_get(store, 0);
    if (rc == -2)
        return 2;
    if (rc == 0)
        *cost = store;
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
        if (nd->op == IR_MATMUL || nd->op == IR_CONV2D || nd->op == IR_CONV2D_T ||
            nd->op == IR_CONV2D_WGRAD) {
            long m, n, k;
            if (nd->op == IR_MATMUL) {
                m = nd->shape.d[0];
                n = nd->shape.d[1];
                k = nd->ta ? g->n[nd->in[0]].shape.d[0] : g->n[nd->in[0]].shape.d[1];
            } else {
                gan_conv_gemm_dims(g, x, &m, &n, &k);
            }
            f += 2.0 * (double)m * (double)n * (double)k;
        } else if (nd->op == IR_SUM_TO) {
            f += (double)ir_numel(g->n[nd->in[0]].shape);
        } else if (nd->op != IR_CONST) {
            f += (double)ir_numel(nd->shape);
        }
    }
    return f;
}

/* elements of tensor t */
static long tensor_numel(const gan_tensor *t)
{
    long n = 1;
    for (int k = 0; k < t->ndim; k++)
        n *= t->shape[k];
    return n;
}

/* parameters (role GAN_PARAM) or state of net (-1: both), without the
 * alignment padding of the arrays */
static long count_role(const gan_model *m, int net, int role)
{
    long n = 0;
    for (int i = 0; i < m->n_tensors; i++)
        if ((net < 0 || m->tensors[i].net == net) && m->tensors[i].role == role)
            n += tensor_numel(&m->tensors[i]);
    return n;
}

static void print_net(const gan_model *m, const gan_net *net)
{
    char s[64];
    printf("%s (input%s ", net->role, net->n_inputs == 1 ? "" : "s");
    for (int j = 0; j < net->n_inputs; j++) {
        const gan_net_input *in = &net->inputs[j];
        if (in->kind == GAN_INPUT_LABEL) {
            printf("%s%s: label of %d classes", j ? ", " : "", in->name, in->classes);
            continue;
        }
        gan_shape_str(in->shape, s, sizeof s);
        printf("%s%s%s%s", j ? ", " : "", in->name, s,
               in->kind == GAN_INPUT_LATENT ? (in->dist ? " uniform" : " normal") : "");
    }
    if (net->pack > 1)
        printf("; %d samples packed into one", net->pack);
    printf(")\n");
    if (net->frozen && net->frozen_from)   /* where it comes from; that nothing trains it */
        printf("  frozen: network '%s' of %s, weights %s; applied in inference mode, never "
               "trained\n", net->frozen_network, net->frozen_model, net->frozen_weights);
    else if (net->frozen)
        printf("  frozen: weights %s (its tensors named '%s.*' there); applied in inference "
               "mode, never trained\n", net->frozen_weights, net->frozen_network);
    printf("  %-16s %-12s %-16s %12s  %s\n", "layer", "type", "output", "params", "inputs");
    long total = 0;
    for (int oi = 0; oi < net->n_order; oi++) {
        const gan_layer *l = &net->layers[net->order[oi]];
        long params = 0;
        for (int t = l->first_tensor; t < l->first_tensor + l->n_tensors; t++)
            if (m->tensors[t].role == GAN_PARAM)
                params += tensor_numel(&m->tensors[t]);
        total += params;
        gan_shape_str(l->out, s, sizeof s);
        printf("  %-16s %-12s %-16s %12ld  ", l->name, l->kind->name, s, params);
        for (int k = 0; k < l->n_inputs; k++)
            printf("%s%s", k ? ", " : "", l->input_names[k]);
        printf("\n");
    }
    printf("  %-46s %12ld\n\n", "total", total);
}

/* data: each source, its kind, path and sample shape; how they pair */
static void print_data(const gan_model *m)
{
    static const char *const kinds[] = { "ring8", "grid25", "csv", "idx", "png_dir" };
    for (int s = 0; s < m->n_sources; s++) {
        const gan_data_source *src = &m->sources[s];
        char shape[64];
        gan_shape_str(src->shape, shape, sizeof shape);
        if (m->n_sources > 1)
            printf("%s %s: ", s ? "    " : "data", src->name);
        else
            printf("data: ");
        if (src->from >= 0)
            printf("the file of '%s'", m->sources[src->from].name);
        else
            printf("%s%s%s", kinds[src->kind], src->path ? " " : "", src->path ? src->path : "");
        for (int k = 0; k < src->n_keep_classes; k++)
            printf("%s%d", k ? ", " : ", classes ", src->keep_classes[k]);
        if (src->n_keep_classes)
            printf(" kept");
        if (src->n_transforms) {
            char file[64];
            gan_shape_str(src->file_shape, file, sizeof file);
            printf(", images %s through %d transform%s", file, src->n_transforms,
                   src->n_transforms == 1 ? "" : "s");
        }
        printf(", samples %s%s\n", shape, src->labels ? ", labelled" : "");
    }
    if (m->n_sources > 1)
        printf("     %s\n", m->paired ? "paired: row i of each source goes with row i of the "
               "others" : "unpaired: each source shuffled on its own");
    printf("\n");
}

/* Each update as compiled: what it trains, its terms over which values
 * (stop(...) where gradients stop), what it draws. */
static void print_updates(const gan_model *m)
{
    printf("iteration\n");
    for (int k = 0; k < m->n_updates; k++) {
        const gan_update *u = &m->updates[k];
        printf("  update %s", u->name);
        if (u->repeat > 1)
            printf(" x%d", u->repeat);
        printf(": trains");
        for (int i = 0; i < u->n_nets; i++)
            printf("%s %s", i ? "," : "", m->net[u->nets[i]].name);
        printf(" (%s, lr %g)", u->optim.kind ? "sgd" : "adam", (double)u->optim.lr);
        if (u->clip > 0)
            printf(", clipped to %g", (double)u->clip);
        if (u->ema > 0)
            printf(", moving average %g", (double)u->ema);
        if (u->from > 0 || u->until > 0) {
            printf(", iterations %ld to ", u->from);
            if (u->until > 0)
                printf("%ld", u->until - 1);
            else
                printf("the end");
        }
        if (u->same_batch)
            printf("; on the batch of update %s", m->updates[k - 1].name);
        else {
            printf("; draws");
            for (int i = 0; i < u->n_draws; i++)
                printf("%s %s", i ? "," : "", m->vars[u->draws[i]].name);
        }
        printf("\n");
        for (int t = 0; t < u->n_terms; t++) {
            const gan_term *tm = &u->terms[t];
            printf("    %g x %s", (double)tm->weight, tm->name);
            if (tm->kind == GAN_TERM_ADVERSARIAL)
                printf(" (%s, %s side)", gan_loss_name(tm->loss),
                       tm->side == GAN_SIDE_CRITIC ? "critic's" : "generator's");
            if (tm->critic >= 0)
                printf(" of %s", m->net[tm->critic].name);
            if (tm->a)
                printf(" %s %s", tm->kind == GAN_TERM_ADVERSARIAL ? "real" : "on", tm->a->text);
            if (tm->b)
                printf(" %s %s", tm->kind == GAN_TERM_ADVERSARIAL ? "fake" : "and", tm->b->text);
            if (tm->labels >= 0)
                printf(" labels %s", m->vars[tm->labels].name);
            printf("\n");
        }
    }
    printf("\n");
}

/* The anomaly score (DIR/score): its networks, its input, its terms. */
static void print_score(const gan_model *m)
{
    const gan_update *u = m->score;
    if (!u)
        return;
    printf("score (DIR/score, per sample, inference mode): runs");
    for (int i = 0; i < u->n_nets; i++)
        printf("%s %s", i ? "," : "", m->net[u->nets[i]].name);
    printf(" on %s\n", m->vars[u->draws[0]].name);
    for (int t = 0; t < u->n_terms; t++) {
        const gan_term *tm = &u->terms[t];
        printf("    %g x %s: mean %s of %s and %s\n", (double)tm->weight, tm->name,
               tm->kind == GAN_TERM_L1 ? "|a - b|" : "(a - b)^2", tm->a->text, tm->b->text);
    }
    printf("\n");
}

/* getopt_long over a command's arguments (argv[0] is the command);
 * unknown options are the caller's to report, by name */
static int next_option(int argc, char **argv, const char *short_opts,
                       const struct option *long_opts)
{
    opterr = 0;
    return getopt_long(argc, argv, short_opts, long_opts, NULL);
}

/* "ganc CMD: unknown or incomplete option 'X' (see ganc CMD --help)", 2 */
static int bad_option(const char *cmd, char **argv)
{
    const char *what = argv[optind - 1];
    fprintf(stderr, "ganc %s: unknown or incomplete option '%s' (see ganc %s --help)\n", cmd,
            what, cmd);
    return 2;
}

/* the one MODEL.yaml after the options, or NULL (said, with exit 2) */
static const char *model_argument(const char *cmd, int argc, char **argv)
{
    if (optind >= argc) {
        fprintf(stderr, "ganc %s: missing MODEL.yaml (see ganc %s --help)\n", cmd, cmd);
        return NULL;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "ganc %s: one model at a time; unexpected '%s'\n", cmd, argv[optind + 1]);
        return NULL;
    }
    return argv[optind];
}

static void print_totals(const gan_compiled *c, const long lines[2])
{
    const gan_model *m = c->m;
    const gan_unit *tr = &c->trainer;
    /* an iteration: each update's repeats of its step and of the forward
     * program its repetitions call */
    double step = 0, per_sample = 0;
    long sv = 0;
    for (int i = 0; i < tr->n; i++) {
        const gan_program *p = &tr->step[i].prog;
        double f = program_flops(&tr->step[i].plan);
        if (p->kind == GAN_PROG_GENERATE) {
            per_sample = f / m->train.batch;
            continue;
        }
        int caller = p->kind == GAN_PROG_FORWARD ? p->update - 1 : p->update;
        step += m->updates[caller].repeat * f;
        for (int k = 0; k < p->n_saved; k++)
            sv += ir_numel(p->g.n[p->saved[k]].shape);
    }
    long params = count_role(m, -1, GAN_PARAM), state = count_role(m, -1, GAN_STATE);
    printf("totals\n");
    printf("  parameters           %ld (", params);
    for (int n = 0; n < m->n_nets; n++)
        printf("%s%s %ld%s", n ? ", " : "", m->shorthand ? (n ? "D" : "G") : m->net[n].name,
               count_role(m, n, GAN_PARAM), m->net[n].frozen ? " frozen" : "");
    printf(") + %ld state\n", state);
    printf("  FLOPs per step       %.3g (every update's repeats)\n", step);
    printf("  FLOPs per sample     %.3g (%s inference)\n", per_sample,
           m->net[m->gen_net].name);
    for (int k = 0; gan_sample_net_count(m) > 1 && k < gan_sample_net_count(m); k++)
        printf("%s%s%s", k ? ", " : "  sampler networks     ", m->net[gan_sample_net(m, k)].name,
               k ? (k + 1 == gan_sample_net_count(m) ? " (sample --network NAME)\n" : "")
                 : " (default)");
    /* the arrays as allocated: each tensor padded to 16 floats */
    double arrays = 0, states = 0;
    for (int n = 0; n < m->n_nets; n++) {   /* a frozen network's params alone */
        arrays += (double)m->net[n].param_count / (m->net[n].frozen ? 4.0 : 1.0);
        states += (double)m->net[n].state_count;
    }
    double mem = 4.0 * ((double)tr->ws + (double)sv + 4.0 * arrays + states);
    printf("  memory for batch %-4d %.2f MiB (workspace %.2f MiB; saved activations %.2f MiB;\n"
           "                       params, grads, Adam m and v)\n", m->train.batch,
           mem / (1 << 20), 4.0 * (double)tr->ws / (1 << 20), 4.0 * (double)sv / (1 << 20));
    printf("  generated C          %ld lines trainer, %ld lines sampler\n\n", lines[0], lines[1]);
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' }, { "plan", no_argument, NULL, 'p' }, { 0, 0, 0, 0 },
    };
    int show_plan = 0;
    for (int c; (c = next_option(argc, argv, "h", opts)) != -1;) {
        if (c == 'h') {
            printf("usage: ganc check MODEL.yaml [--plan]\n\nValidates the model and prints "
                   "each layer's output shape and parameter count,\nthe totals (parameters, "
                   "FLOPs per training step, memory for the batch) and the\ncode generator's "
                   "decisions (kernels, fusion, unrolling, generated lines).\n--plan also "
                   "prints every decision of the plan, node by node, for each step\nfunction "
                   "of the trainer and the sampler.\n");
            return 0;
        }
        if (c == 'p')
            show_plan = 1;
        else
            return bad_option("check", argv);
    }
    const char *path = model_argument("check", argc, argv);
    if (!path)
        return 2;
    gan_model m;
    if (load(&m, path)) {
        gan_model_free(&m);
        return 2;
    }
    printf("model %s (%s), batch %d\n", m.name, path, m.train.batch);
    print_data(&m);
    for (int i = 0; i < m.n_nets; i++)
        print_net(&m, &m.net[i]);
    print_updates(&m);
    print_score(&m);

    gan_cost store, *cost;
    if (get_cost(&store, &cost, 0)) {
        gan_model_free(&m);
        return 2;
    }
    gan_codegen_opts o = { 0, 1, m.unroll, 0, NULL };
    gan_compiled c;
    gan_compile(&c, &m, o, cost);
    long lines[2] = { 0, 0 };
    gan_buf report[2] = { { 0 }, { 0 } };   /* trainer, sampler */
    for (int s = 0; s < 2; s++) {
        char *tmpl = gan_read_template(s ? "sampler.c" : "trainer.c");
        if (!tmpl)
            continue;
        gan_emit_target t = { tmpl, path, NULL, s, 0 };
        gan_buf text = { 0 };
        gan_emit_file(&c, &t, &text, &report[s]);
        lines[s] = gan_buf_lines(&text);
        gan_buf_free(&text);
        free(tmpl);
    }
    print_totals(&c, lines);
    if (cost)
        printf("cost model: %s%s\n", cost->origin,
               cost->forced == GAN_OPENBLAS ? "; GANC_GEMM=openblas" :
               cost->forced == GAN_OWN_GEMM ? "; GANC_GEMM=ganc" :
               cost->forced == GAN_IMPLICIT ? "; GANC_GEMM=implicit" : "");
    else
        printf("cost model: none (GANC_CALIBRATION=off or not measured): size rules\n");
    printf("code generation, trainer (unroll limit %d)\n%s", m.unroll,
           report[0].s ? report[0].s : "");
    printf("code generation, sampler (batch 1, libc and libm only)\n%s",
           report[1].s ? report[1].s : "");
    if (show_plan) {
        gan_buf text = { 0 };
        gan_report_plans(&text, &c);
        fputs(text.s ? text.s : "", stdout);
        gan_buf_free(&text);
    }
    gan_buf_free(&report[0]);
    gan_buf_free(&report[1]);
    gan_compiled_free(&c);
    if (cost)
        gan_cost_free(cost);
    gan_model_free(&m);
    return 0;
}

static const char build_help[] =
    "usage: ganc build MODEL.yaml [-o DIR] [--embed-weights FILE] [--plain]\n"
    "                  [--unroll N] [--no-compile] [--native] [--cc CC]\n"
    "                  [--cflags FLAGS]\n\n"
    "Writes DIR/train.c and DIR/sample.c and compiles DIR/train (links OpenBLAS)\n"
    "and DIR/sample (libc and libm only). DIR defaults to build/NAME.\n"
    "--cflags is split into words as a shell splits a command line, without\n"
    "running one: blanks separate words, '...' and \"...\" quote, \\ escapes.\n";

/* what build's options set */
typedef struct {
    gan_build_opts b;
    int plain, unroll;
} build_args;

/* 0, or 2 with a message */
static int parse_build_args(int argc, char **argv, build_args *a)
{
    enum { O_EMBED = 256, O_PLAIN, O_NATIVE, O_NO_COMPILE, O_UNROLL, O_CC, O_CFLAGS };
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { "embed-weights", required_argument, NULL, O_EMBED },
        { "plain", no_argument, NULL, O_PLAIN },
        { "native", no_argument, NULL, O_NATIVE },
        { "no-compile", no_argument, NULL, O_NO_COMPILE },
        { "unroll", required_argument, NULL, O_UNROLL },
        { "cc", required_argument, NULL, O_CC },
        { "cflags", required_argument, NULL, O_CFLAGS },
        { 0, 0, 0, 0 },
    };
    const char *why;
    char *end;
    long v;
    for (int c; (c = next_option(argc, argv, "ho:", opts)) != -1;) {
        switch (c) {
        case 'h': printf("%s", build_help); exit(0);
        case 'o': a->b.out_dir = optarg; break;
        case O_EMBED: a->b.embed_weights = optarg; break;
        case O_PLAIN: a->plain = 1; break;
        case O_NATIVE: a->b.native = 1; break;
        case O_NO_COMPILE: a->b.compile = 0; break;
        case O_CC: a->b.cc = optarg; break;
        case O_UNROLL:
            v = strtol(optarg, &end, 10);
            if (*end || !*optarg || v < 0 || v > 64) {
                fprintf(stderr, "ganc build: --unroll takes a number from 0 to 64, found '%s'\n",
                        optarg);
                return 2;
            }
            a->unroll = (int)v;
            break;
        case O_CFLAGS:
            if (gan_split_words(optarg, &a->b.cflags, &a->b.n_cflags, &why)) {
                fprintf(stderr, "ganc build: --cflags '%s': %s\n", optarg, why);
                return 2;
            }
            break;
        default: return bad_option("build", argv);
        }
    }
    return 0;
}

static void free_build_args(build_args *a)
{
    for (int i = 0; i < a->b.n_cflags; i++)
        free(a->b.cflags[i]);
    free(a->b.cflags);
}

static int cmd_build(int argc, char **argv)
{
    build_args a = { { NULL, NULL, NULL, NULL, 0, 1, 0, 0 }, 0, -1 };
    int rc = parse_build_args(argc, argv, &a);
    const char *path = rc ? NULL : model_argument("build", argc, argv);
    gan_model m;
    memset(&m, 0, sizeof m);
    char *yaml = NULL;
    const char *why = NULL;
    gan_cost store, *cost = NULL;
    if (!path || load(&m, path))
        rc = 2;
    else if (!(yaml = gan_read_file(path, NULL, &why)))
        fprintf(stderr, "ganc: %s: %s\n", path, why), rc = 2;
    else
        rc = get_cost(&store, &cost, a.plain);
    if (!rc) {
        gan_codegen_opts o = { a.plain, !a.plain, a.unroll < 0 ? m.unroll : a.unroll, 0, NULL };
        gan_compiled c;
        gan_compile(&c, &m, o, cost);
        rc = gan_build(&c, path, yaml, &a.b);
        gan_compiled_free(&c);
    }
    if (!rc && a.b.compile && gan_model_judged(&m)) {   /* for train.eval_every */
        char *dir = a.b.out_dir ? NULL : gan_strf("build/%s", m.name);
        if (gan_judge_install(dir ? dir : a.b.out_dir, a.b.cc, a.b.cflags, a.b.n_cflags))
            fprintf(stderr, "ganc: warning: no judge beside the trainer, so it will not "
                            "measure its samples (the trainer and sampler are built)\n");
        free(dir);
    }
    if (cost)
        gan_cost_free(cost);
    free(yaml);
    free_build_args(&a);
    gan_model_free(&m);
    return rc;
}

static int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' }, { "show", no_argument, NULL, 's' }, { 0, 0, 0, 0 },
    };
    int show = 0;
    for (int c; (c = next_option(argc, argv, "h", opts)) != -1;) {
        if (c == 'h') {
            printf("usage: ganc calibrate [--show]\n\n"
                   "Measures this machine (templates/calibrate.c, about three seconds: an im2col\n"
                   "copy, a direct convolution, generated product loops, and OpenBLAS and\n"
                   "ganc's rt_sgemm on products of 1 to 1024 per side) and caches it for the\n"
                   "cost model that picks each product's kernel (builds add each model's own\n"
                   "products, measured at their exact shapes).  --show prints the cached\n"
                   "model without measuring again (measuring only if there is none).\n");
            return 0;
        }
        if (c != 's') {
            fprintf(stderr, "ganc calibrate: unexpected argument '%s' (see ganc calibrate "
                            "--help)\n", argv[optind - 1]);
            return 2;
        }
        show = 1;
    }
    if (optind < argc) {
        fprintf(stderr, "ganc calibrate: unexpected argument '%s' (see ganc calibrate "
                        "--help)\n", argv[optind]);
        return 2;
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
    gan_cost_free(&c);
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
        return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return gan_cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return gan_plot_main(argc - 1, argv + 1);
    fprintf(stderr, "ganc: unknown command '%s'\n%s", cmd, usage);
    return 2;
}
