/* emit_names.c - the C names of the buffers inside one generated function
 * (or one step function): each buffer is named once, after the value it
 * holds, made unique with a numbered suffix when two values share a label,
 * and kept clear of every identifier the generated code uses itself. */
#include "emit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

/* Every identifier generated code uses besides buffer names: loop variables,
 * extents, temporaries, helpers, libm and BLAS.  A buffer (named after a layer)
 * that would clash gets a trailing underscore. */
static const char *const reserved[] = {
    /* loops and extents */
    "i", "i0", "i1", "i2", "i3", "k", "acc", "row", "a", "p", "b", "c", "o", "x", "y", "oy",
    "ox", "ky", "kx", "iy", "ix", "ty", "tx", "xc", "wc", "ac", "gc", "yc", "col", "prod",
    "N", "N0", "N1", "N2", "N3", "M", "K", "OUT", "O0", "O1", "O2", "O3", "B", "C", "H", "W",
    "O", "OH", "OW", "KH", "KW", "S", "P", "CKK", "NCOL", "BC", "side", "xt", "gt",
    /* col2im by phase planes (emit_conv.c) */
    "BB", "PR", "PC", "R0", "C0", "PLANE", "tap_y", "tap_x", "cb", "b0", "bb", "ph", "to", "e",
    "cc", "yrow", "label",
    /* argmax_pick, argmax_place (emit_node.c) */
    "GROUPS", "PIECES", "best",
    /* file-level names of the generated code */
    "ws", "scratch", "out", "z", "real", "noise_seed", "gan_softplus", "gan_dropout_keep", "gan_uniform",
    "set_threads", "tensors", "model", "d_step", "g_step", "generate", "g_params", "d_params",
    "g_grads", "d_grads", "g_state", "d_state", "g_weights", "packed", "packed_ready",
    /* C */
    "int", "float", "for", "if", "else", "return", "const", "void", "static", "double",
    "long", "char", "do", "while", "switch", "case", "default", "break", "continue", "enum",
    "struct", "union", "sizeof", "auto", "register", "signed", "unsigned", "short", "goto",
    "volatile", "extern", "typedef", "inline", "restrict", "main",
    /* libm and BLAS */
    "expf", "logf", "tanhf", "sqrtf", "log1pf", "fabsf", "fmaxf", "sqrt", "exp", "log", "tanh",
    "cblas_sgemm", "openblas_set_num_threads", "gan_sgemm", "rt_sgemm", "rt_tanhf",
    "rt_exp_nonneg",
    /* the generated files' own helpers and the runtime's they call */
    "gan_sgemm_conv", "gan_parts", "gan_part_start", "rt_sgemm_gather", "rt_conv_gather",
    "rt_conv_src",
    NULL,
};


static int is_reserved(const char *s)
{
    for (const char *const *r = reserved; *r; r++)
        if (!strcmp(*r, s))
            return 1;
    return 0;
}

/* a model tensor's name without its network: bn0_running_mean */
static char *tensor_short(const gan_tensor *t)
{
    const char *dot = strchr(t->name, '.');
    char *s = gan_strf("%s", dot ? dot + 1 : t->name);
    for (char *c = s; *c; c++)
        if (*c == '.')
            *c = '_';
    return s;
}

/* The name of network `net`'s input that node b feeds in some
 * application of the program (the first such input), or NULL. */
static const char *bound_input(const gan_plan *pl, int b, int net)
{
    const gan_program *p = pl->p;
    for (int i = 0; i < p->n_binds; i++)
        if (p->binds[i].net == net && gan_plan_base(pl, p->binds[i].node) == b)
            return pl->m->net[net].inputs[p->binds[i].input].name;
    return NULL;
}

char *gan_value_name(const gan_plan *pl, int b, int net, int by_app)
{
    const ir_node *n = &pl->p->g.n[b];
    const char *who = n->net >= 0 ? pl->m->net[n->net].prefix : "";
    if (n->pass == IR_PASS_FORWARD && n->net != net && net >= 0 && n->op != IR_PARAM &&
        (n->op == IR_INPUT || n->net >= 0)) {
        /* the network's input: a value from outside it, named after the
         * input so that one function serves D on real and on generated data */
        const char *in = bound_input(pl, b, net);
        if (in)
            return gan_strf("%s", in);
    }
    if (n->op == IR_INPUT && n->ext < GAN_SAVED_EXT)
        return gan_strf("%s", pl->p->arg_names[n->ext]);
    if (n->op == IR_PARAM)   /* the other network's tensors say whose they are */
        return net >= 0 && n->net != net ? gan_strf("%s_%s", who, n->label)
                                         : gan_strf("%s", n->label);
    /* a gradient or a new state value is named after its tensor */
    if (pl->store[b] == ST_MAT && (pl->dest[b] == DEST_GRAD || pl->dest[b] == DEST_STATE)) {
        char *t = tensor_short(&pl->m->tensors[pl->tensor[b]]);
        char *name = gan_strf("%s_%s", pl->dest[b] == DEST_GRAD ? "d" : "new", t);
        free(t);
        return name;
    }
    /* a value without a label of its own is named after its layer and op */
    char *what = n->label ? gan_strf("%s", n->label)
                          : gan_strf("%s_%s", n->layer, ir_op_name(n->op));
    /* D on real and on fake data: which one; the shorthand's G values need
     * no prefix (the saved buffers are g_VALUE) */
    if (!by_app || n->net < 0 || !strcmp(n->app, "g"))
        return what;
    char *name = gan_strf("%s_%s", n->app, what);
    free(what);
    return name;
}

const char *gan_names_get(gan_names *nm, const gan_plan *pl, int node)
{
    int b = gan_plan_base(pl, node);
    for (int i = 0; i < nm->n; i++)
        if (nm->node[i] == b)
            return nm->name[i];
    char *base = gan_value_name(pl, b, nm->net, nm->by_app);
    char *name = gan_strf("%s%s", base, is_reserved(base) ? "_" : "");
    for (int suffix = 2;; suffix++) {
        int clash = 0;
        for (int i = 0; i < nm->n && !clash; i++)
            clash = !strcmp(nm->name[i], name);
        for (int i = 0; i < nm->n_taken && !clash; i++)
            clash = !strcmp(nm->taken[i], name);
        if (!clash)
            break;
        free(name);
        name = gan_strf("%s_%d", base, suffix);
    }
    free(base);
    if (nm->n == nm->cap) {
        nm->cap = nm->cap ? 2 * nm->cap : 32;
        nm->node = gan_xrealloc(nm->node, (size_t)nm->cap, sizeof *nm->node);
        nm->name = gan_xrealloc(nm->name, (size_t)nm->cap, sizeof *nm->name);
        nm->written = gan_xrealloc(nm->written, (size_t)nm->cap, sizeof *nm->written);
    }
    nm->node[nm->n] = b;
    nm->name[nm->n] = name;
    nm->written[nm->n] = 0;
    return nm->name[nm->n++];
}

void gan_names_mark_written(gan_names *nm, const gan_plan *pl, int node)
{
    gan_names_get(nm, pl, node);
    int b = gan_plan_base(pl, node);
    for (int i = 0; i < nm->n; i++)
        if (nm->node[i] == b)
            nm->written[i] = 1;
}

void gan_names_free(gan_names *nm)
{
    for (int i = 0; i < nm->n; i++)
        free(nm->name[i]);
    free(nm->node);
    free(nm->name);
    free(nm->written);
    nm->node = NULL;
    nm->name = NULL;
    nm->written = NULL;
    nm->n = nm->cap = 0;
}

char *gan_tensor_macro(const gan_model *m, const gan_tensor *t, const char *suffix)
{
    const char *dot = strchr(t->name, '.');
    char *mac = gan_strf("%s%s%s", m->net[t->net].prefix, dot ? dot : "", suffix);
    size_t upper = strlen(m->net[t->net].prefix) + (dot ? strlen(dot) : 0);
    for (char *c = mac; *c && c < mac + upper; c++)
        *c = *c == '.' ? '_' : (char)toupper((unsigned char)*c);
    return mac;
}
