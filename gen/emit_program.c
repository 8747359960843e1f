/* emit_program.c - one program as C: a function per layer pass (shared
 * between applications of a network when their code is identical, e.g. D on
 * real and on fake data) and a flat step function calling them in order. */
#include "emit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gan_funcs_free(gan_funcs *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->bodies[i]);
    }
    free(f->names);
    free(f->bodies);
    gan_buf_free(&f->text);
    memset(f, 0, sizeof *f);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}

/* Returns the function's name, adding it unless an identical one exists. */
static const char *add_function(gan_funcs *f, const char *base, const char *sig_and_body,
                                const char *comment)
{
    char name[128];
    snprintf(name, sizeof name, "%s", base);
    for (int suffix = 2;; suffix++) {
        int i;
        for (i = 0; i < f->n; i++)
            if (!strcmp(f->names[i], name))
                break;
        if (i == f->n)
            break;
        if (!strcmp(f->bodies[i], sig_and_body))
            return f->names[i];
        snprintf(name, sizeof name, "%s_%d", base, suffix);
    }
    f->names = realloc(f->names, (f->n + 1) * sizeof *f->names);
    f->bodies = realloc(f->bodies, (f->n + 1) * sizeof *f->bodies);
    if (!f->names || !f->bodies)
        abort();
    f->names[f->n] = xstrdup(name);
    f->bodies[f->n] = xstrdup(sig_and_body);
    gan_buf_printf(&f->text, "\n%sstatic void %s%s", comment, name, sig_and_body);
    return f->names[f->n++];
}

/* Tensor macro name: generator.h1.weight -> G_H1_WEIGHT */
static void tensor_macro(char *buf, size_t n, const gan_tensor *t, const char *suffix)
{
    size_t j = 0;
    const char *s = t->name;
    buf[j++] = t->net == 0 ? 'G' : 'D';
    s = strchr(s, '.');
    for (; *s && j + 1 < n; s++)
        buf[j++] = *s == '.' ? '_' : (char)toupper((unsigned char)*s);
    buf[j] = 0;
    strncat(buf, suffix, n - strlen(buf) - 1);
}

/* What the step function passes for the buffer of node b. */
static void pointer_expr(char *buf, size_t n, const gan_plan *pl, int b, gan_names *step_nm)
{
    const ir_node *nd = &pl->p->g.n[b];
    if (nd->op == IR_INPUT && nd->ext >= GAN_SAVED_EXT)
        snprintf(buf, n, "saved_%d", nd->ext - GAN_SAVED_EXT);
    else if (nd->op == IR_INPUT)
        snprintf(buf, n, "%s", pl->p->arg_names[nd->ext]);
    else if (pl->dest[b] == DEST_SAVED)
        snprintf(buf, n, "saved_%d", pl->tensor[b]);
    else if (nd->op == IR_PARAM)
        tensor_macro(buf, n, &pl->m->tensors[nd->ext], "");
    else if (pl->dest[b] == DEST_GRAD)
        tensor_macro(buf, n, &pl->m->tensors[pl->tensor[b]], "_GRAD");
    else if (pl->dest[b] == DEST_STATE)
        tensor_macro(buf, n, &pl->m->tensors[pl->tensor[b]], "");
    else if (pl->dest[b] == DEST_OUT)
        snprintf(buf, n, "out");
    else
        snprintf(buf, n, "%s", gan_names_get(step_nm, pl, b));
}

static int same_group(const ir_node *a, const ir_node *b)
{
    return a->net == b->net && a->pass == b->pass && !strcmp(a->layer, b->layer) &&
           !strcmp(a->app, b->app);
}

static const char *pass_name(int pass)
{
    return pass == IR_PASS_BACKWARD ? "backward" : "forward";
}

void gan_emit_program(const gan_plan *pl, gan_funcs *funcs, gan_buf *steps, gan_buf *report)
{
    const gan_program *p = pl->p;
    const ir_graph *g = &p->g;
    gan_buf calls = { 0 }, decls = { 0 };
    /* the step function names workspace buffers app_label, e.g. fake_h1 */
    gan_names step_nm = { 0 };
    step_nm.net = -1;
    step_nm.by_app = 1;
    int x = 0;
    while (x < pl->n) {
        if (pl->store[x] != ST_MAT) {
            x++;
            continue;
        }
        int end = x + 1;
        while (end < pl->n && (pl->store[end] != ST_MAT || same_group(&g->n[x], &g->n[end])))
            end++;
        const ir_node *head = &g->n[x];
        gan_names nm = { 0 };
        nm.net = head->net;
        gan_buf body = { 0 }, notes = { 0 };
        for (int y = x; y < end; y++)
            if (pl->store[y] == ST_MAT) {
                gan_buf one = { 0 };
                gan_emit_node(&body, pl, &nm, y, &one);
                if (one.len) {
                    gan_buf_printf(&notes, "%s%s", notes.len ? "" : "", one.s);
                }
                gan_buf_free(&one);
            }
        /* signature: outputs, then inputs, then model tensors */
        gan_buf sig = { 0 }, args = { 0 };
        gan_buf_put(&sig, "(");
        int first = 1;
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < nm.n; i++) {
                int is_param = g->n[nm.node[i]].op == IR_PARAM;
                int want = pass == 0 ? nm.written[i] : pass == 1 ? !nm.written[i] && !is_param
                                                                : !nm.written[i] && is_param;
                if (!want)
                    continue;
                gan_buf_printf(&sig, "%s%sfloat *%s", first ? "" : ", ",
                               nm.written[i] ? "" : "const ", nm.name[i]);
                char ptr[128];
                int b = nm.node[i];
                if (pl->store[b] == ST_MAT && pl->dest[b] == DEST_WS) {
                    /* declare the workspace pointer once, at its offset */
                    int known = 0;
                    for (int k = 0; k < step_nm.n; k++)
                        known |= step_nm.node[k] == b;
                    if (!known) {
                        const char *nmv = gan_names_get(&step_nm, pl, b);
                        char shape[64];
                        ir_shape_str(g->n[b].shape, shape, sizeof shape);
                        gan_buf_printf(&decls, "    float *const %s = ws + %ld;  /* %s */\n",
                                       nmv, pl->off[b], shape);
                    }
                }
                pointer_expr(ptr, sizeof ptr, pl, b, &step_nm);
                gan_buf_printf(&args, "%s%s", first ? "" : ", ", ptr);
                first = 0;
            }
        gan_buf_put(&sig, ")\n{\n");
        gan_buf_put(&sig, body.s ? body.s : "");
        gan_buf_put(&sig, "}\n");
        char base[128], comment[512];
        const char *who = head->net == 0 ? "g" : head->net == 1 ? "d" : NULL;
        const char *first_layer = head->layer;
        if (pl->gemm[x] >= 0 && strcmp(g->n[pl->gemm[x]].layer, head->layer))
            first_layer = g->n[pl->gemm[x]].layer;
        if (who && first_layer != head->layer)
            snprintf(base, sizeof base, "%s_%s_%s_%s", who, first_layer, head->layer,
                     pass_name(head->pass));
        else if (who)
            snprintf(base, sizeof base, "%s_%s_%s", who, head->layer, pass_name(head->pass));
        else
            snprintf(base, sizeof base, "%s_%s_%s", p->name, head->layer, pass_name(head->pass));
        snprintf(comment, sizeof comment,
                 "/* ---- %s, layer '%s'%s%s, %s pass%s%s ---- */\n",
                 head->net == 0 ? "generator" : head->net == 1 ? "discriminator" : p->name,
                 head->layer, head->yaml_line ? " (YAML line " : "",
                 head->yaml_line ? "" : "", pass_name(head->pass),
                 notes.len ? "\n * " : "", notes.len ? notes.s : "");
        if (head->yaml_line) {
            snprintf(comment, sizeof comment,
                     "/* ---- %s, layer '%s' (%s:%d), %s pass ----%s%s */\n",
                     head->net == 0 ? "generator" : head->net == 1 ? "discriminator" : p->name,
                     head->layer, pl->m->path, head->yaml_line, pass_name(head->pass),
                     notes.len ? "\n * " : "", notes.len ? notes.s : "");
        } else {
            snprintf(comment, sizeof comment, "/* ---- %s: %s, %s pass ----%s%s */\n", p->name,
                     head->layer, pass_name(head->pass), notes.len ? "\n * " : "",
                     notes.len ? notes.s : "");
        }
        const char *fname = add_function(funcs, base, sig.s, comment);
        gan_buf_printf(&calls, "    %s(%s);%s%s\n", fname, args.s ? args.s : "",
                       strcmp(head->app, "g") && strcmp(head->app, "loss") && head->net >= 0 ? "  /* on " : "",
                       strcmp(head->app, "g") && strcmp(head->app, "loss") && head->net >= 0
                           ? (strcmp(head->app, "real") ? "fake data */" : "real data */") : "");
        if (report && notes.len)
            gan_buf_printf(report, "  %-8s %-28s %s\n", p->name, fname, notes.s);
        gan_buf_free(&sig);
        gan_buf_free(&args);
        gan_buf_free(&body);
        gan_buf_free(&notes);
        x = end;
    }
    /* the step function itself */
    if (p->out >= 0) {
        gan_buf_printf(steps, "\n/* %s: the generator in inference mode on %d latents: out[%d x "
                              "SAMPLE_SIZE] from z[%d x LATENT]. */\n"
                              "static void %s(float *out, const float *z)\n{\n", p->name,
                       pl->m->train.batch, pl->m->train.batch, pl->m->train.batch, p->name);
    } else {
        if (p->loss < 0)
            gan_buf_printf(steps, "\n/* %s: the generator in training mode on one batch of "
                                  "latents z[BATCH x LATENT]:\n * its output and what g_step "
                                  "needs of its activations go to saved_*, its\n * running "
                                  "statistics are updated. */\nstatic void %s(", p->name,
                           p->name);
        else if (p->grad_net == 0)
            gan_buf_printf(steps, "\n/* %s: loss and gradients of the generator, from the "
                                  "saved activations of\n * the last g_forward (on the same "
                                  "z). */\nstatic float %s(", p->name, p->name);
        else
            gan_buf_printf(steps, "\n/* %s: loss and gradients of the discriminator on real "
                                  "data and on the saved\n * output of the last g_forward. "
                                  "*/\nstatic float %s(", p->name, p->name);
        for (int i = 0; i < p->n_args; i++)
            gan_buf_printf(steps, "%sconst float *%s", i ? ", " : "", p->arg_names[i]);
        gan_buf_put(steps, ")\n{\n");
    }
    gan_buf_put(steps, decls.s ? decls.s : "");
    if (decls.len)
        gan_buf_put(steps, "\n");
    gan_buf_put(steps, calls.s ? calls.s : "");
    if (p->loss >= 0) {
        char ptr[128];
        pointer_expr(ptr, sizeof ptr, pl, p->loss, &step_nm);
        gan_buf_printf(steps, "    return %s[0];\n", ptr);
    }
    gan_buf_put(steps, "}\n");
    gan_buf_free(&calls);
    gan_buf_free(&decls);
}
