/* emit_names.c - the C names of the buffers inside one generated function
 * (or one step function): each buffer is named once, after the value it
 * holds, made unique with a numbered suffix when two values share a label,
 * and kept clear of every identifier the generated code uses itself. */
#include "emit.h"

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
    "cc", "yrow",
    /* file-level names of the generated code */
    "ws", "scratch", "out", "z", "real", "noise_seed", "gan_softplus", "gan_dropout_keep",
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

const char *gan_names_get(gan_names *nm, const gan_plan *pl, int node)
{
    int b = gan_plan_base(pl, node);
    for (int i = 0; i < nm->n; i++)
        if (nm->node[i] == b)
            return nm->name[i];
    const ir_node *n = &pl->p->g.n[b];
    char *base;
    if (n->pass == IR_PASS_FORWARD && n->net != nm->net && nm->net >= 0 &&
        (n->op == IR_INPUT || n->net >= 0))
        /* a value from outside the network is its input: the same function
         * then serves D on real and on generated data */
        base = gan_strf("%s", nm->net == 0 ? "z" : "x");
    else if (n->op == IR_INPUT && n->ext < GAN_SAVED_EXT)
        base = gan_strf("%s", pl->p->arg_names[n->ext]);
    else if (n->label && nm->by_app && n->op != IR_PARAM)
        base = gan_strf("%s_%s", n->app, n->label);
    else if (n->label)
        base = gan_strf("%s", n->label);
    else
        base = gan_strf("%s", ir_op_name(n->op));
    char *name = gan_strf("%s%s", base, is_reserved(base) ? "_" : "");
    for (int suffix = 2;; suffix++) {
        int clash = 0;
        for (int i = 0; i < nm->n && !clash; i++)
            clash = !strcmp(nm->name[i], name);
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
