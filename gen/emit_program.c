/* emit_program.c - one program as C: a function per layer pass (shared
 * between applications of a network when their code is identical, e.g. D on
 * real and on fake data) and a flat step function calling them in order.
 *
 * A function is named after the layer pass it implements, <net>_<layer>_
 * <pass> (g_bn1_forward); when another function of the file already has
 * that name and a different body, the name says what differs: the data it
 * runs on (d_bn2_forward_on_fake), then the step (g_step_d_bn2_forward_on_
 * fake), then what it writes first.  Lines stay within GAN_LINE_WIDTH. */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

void gan_funcs_free(gan_funcs *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->bodies[i]);
    }
    free(f->names);
    free(f->bodies);
    gan_buf_free(&f->text);
    for (int k = 0; k < f->n_saved; k++)
        free(f->saved[k]);
    free(f->saved);
    for (int k = 0; k < f->n_taken; k++)
        free(f->taken[k]);
    free(f->taken);
    memset(f, 0, sizeof *f);
}

/* the index of the function named `name`, or -1 */
static int find_function(const gan_funcs *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return i;
    return -1;
}

/* the number of names before the NULL that ends them */
static int count_names(char *const *names)
{
    int n = 0;
    while (names[n])
        n++;
    return n;
}

/* Returns the function's name: the first of the candidate names (NULL-
 * terminated, at least one) that is free or names a function with the same
 * parameters and body, which is defined when it is new. */
static const char *add_function(gan_funcs *f, char *const *candidates, char *const *params,
                                int n_params, const char *body, const char *comment)
{
    gan_buf key = { 0 };   /* the parameters and the body, as compared */
    for (int i = 0; i < n_params; i++)
        gan_buf_printf(&key, "%s,", params[i]);
    gan_buf_printf(&key, "\n%s", body);
    const char *name = NULL;
    /* the candidates, then the first one numbered (_2, _3, ...): a step
     * may hold any number of functions of one layer name and pass, such as
     * the loss terms of an update (cycle and identity terms of CycleGAN) */
    char *numbered = NULL;
    int n_candidates = count_names(candidates);
    for (int c = 0; !name; c++) {
        const char *cand = candidates[c < n_candidates ? c : 0];
        if (c >= n_candidates) {
            free(numbered);
            numbered = gan_strf("%s_%d", candidates[0], c - n_candidates + 2);
            cand = numbered;
        }
        int i = find_function(f, cand);
        if (i >= 0 && !strcmp(f->bodies[i], key.s))
            name = f->names[i];
        if (i >= 0)
            continue;
        f->names = gan_xrealloc(f->names, (size_t)f->n + 1, sizeof *f->names);
        f->bodies = gan_xrealloc(f->bodies, (size_t)f->n + 1, sizeof *f->bodies);
        f->names[f->n] = gan_xstrdup(cand);
        f->bodies[f->n] = gan_xstrdup(key.s);
        gan_buf_printf(&f->text, "\n%sstatic void %s", comment, cand);
        gan_emit_list(&f->text, (int)strlen("static void ") + (int)strlen(cand),
                      params, n_params, "\n{\n");
        gan_buf_printf(&f->text, "%s}\n", body);
        name = f->names[f->n++];
    }
    free(numbered);
    gan_buf_free(&key);
    return name;
}

/* What the step function passes for the buffer of node b (malloc'd). */
static char *pointer_expr(const gan_plan *pl, const gan_funcs *f, int b, gan_names *step_nm)
{
    const ir_node *nd = &pl->p->g.n[b];
    if (nd->op == IR_INPUT && nd->ext >= GAN_SAVED_EXT)
        return gan_xstrdup(f->saved[nd->ext - GAN_SAVED_EXT]);
    if (nd->op == IR_INPUT)
        return gan_xstrdup(pl->p->arg_names[nd->ext]);
    if (pl->dest[b] == DEST_SAVED)
        return gan_xstrdup(f->saved[pl->tensor[b]]);
    if (nd->op == IR_PARAM)
        return gan_tensor_macro(pl->m, &pl->m->tensors[nd->ext], "");
    if (pl->dest[b] == DEST_GRAD)
        return gan_tensor_macro(pl->m, &pl->m->tensors[pl->tensor[b]], "_GRAD");
    if (pl->dest[b] == DEST_STATE)
        return gan_tensor_macro(pl->m, &pl->m->tensors[pl->tensor[b]], "");
    if (pl->dest[b] == DEST_OUT)
        return gan_xstrdup("out");
    return gan_xstrdup(gan_names_get(step_nm, pl, b));
}

/* whether step argument i is read by any executing node */
static int arg_read(const gan_plan *pl, int i)
{
    int *reads = gan_xcalloc(2 * (size_t)pl->n + 1, sizeof *reads), read = 0;
    for (int x = 0; x < pl->n && !read; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        int nr = gan_plan_reads(pl, x, reads, pl->n);
        if (pl->gemm[x] >= 0)
            nr += gan_plan_reads(pl, pl->gemm[x], reads + nr, pl->n);
        for (int k = 0; k < nr && !read; k++) {
            const ir_node *r = &pl->p->g.n[reads[k]];
            read = r->op == IR_INPUT && r->ext == i;
        }
    }
    free(reads);
    return read;
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

/* the prefix of a network's functions ("g", "d", "G_ab"), NULL for none */
static const char *net_letter(const gan_plan *pl, int net)
{
    return net >= 0 ? pl->m->net[net].prefix : NULL;
}

/* One layer function: the executing nodes [x, end) of one layer pass. */
typedef struct {
    int x, end;
    gan_names nm;            /* its buffers' names */
    gan_buf body, notes;     /* the code; the plan's decisions (for reports) */
} layer_fn;

static void emit_body(const gan_plan *pl, layer_fn *fn)
{
    const ir_graph *g = &pl->p->g;
    fn->nm.net = g->n[fn->x].net;
    /* the model's gradients and states it writes take their names first:
     * a partial sum of the same gradient is the one numbered */
    for (int y = fn->x; y < fn->end; y++)
        if (pl->store[y] == ST_MAT && (pl->dest[y] == DEST_GRAD || pl->dest[y] == DEST_STATE))
            gan_names_get(&fn->nm, pl, y);
    for (int y = fn->x; y < fn->end; y++) {
        int group = pl->sched[y].group;
        if (pl->store[y] != ST_MAT || (group >= 0 && group != y))
            continue;   /* a loop group's members are written by its leader */
        gan_emit_node(&fn->body, pl, &fn->nm, y);
        if (fn->notes.len)
            gan_buf_put(&fn->notes, "; ");
        gan_plan_describe(&fn->notes, pl, y, 1);
    }
}

/* The candidate names of the function, most general first (malloc'd,
 * NULL-terminated in a static-size array: at most 5). */
static void function_names(const gan_plan *pl, const layer_fn *fn, const char *first_out,
                           char *names[5])
{
    const ir_graph *g = &pl->p->g;
    const ir_node *head = &g->n[fn->x];
    const char *who = net_letter(pl, head->net), *pass = pass_name(head->pass);
    char *base;
    int mm = gan_plan_product(pl, fn->x);
    if (who && mm != fn->x && strcmp(g->n[mm].layer, head->layer)) {
        /* a product fused into the next layer's function: both layers */
        const char *mm_who = net_letter(pl, g->n[mm].net);
        base = mm_who && strcmp(mm_who, who)
                   ? gan_strf("%s_%s_%s_%s_%s", mm_who, g->n[mm].layer, who, head->layer, pass)
                   : gan_strf("%s_%s_%s_%s", who, g->n[mm].layer, head->layer, pass);
    } else if (who) {
        base = gan_strf("%s_%s_%s", who, head->layer, pass);
    } else {
        base = gan_strf("%s_%s_%s", pl->p->name, head->layer, pass);
    }
    int n = 0;
    names[n++] = base;
    if (who && strcmp(head->app, "g")) {
        names[n] = gan_strf("%s_on_%s", base, head->app);
        n++;
    }
    names[n] = gan_strf("%s_%s", pl->p->name, names[n - 1]);
    n++;
    names[n] = gan_strf("%s_%s", names[n - 1], first_out);
    n++;
    names[n] = NULL;
}

/* The buffers of fn's signature in order: outputs, then inputs, then
 * model tensors; into order[] (indices into fn->nm); returns the count. */
static int signature_order(const gan_plan *pl, const layer_fn *fn, int *order)
{
    int n = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < fn->nm.n; i++) {
            int is_param = pl->p->g.n[fn->nm.node[i]].op == IR_PARAM;
            int written = fn->nm.written[i];
            if (pl->sched[fn->nm.node[i]].local)
                continue;   /* a variable of a loop group, not a buffer */
            if (pass == 0 ? written : pass == 1 ? !written && !is_param : !written && is_param)
                order[n++] = i;
        }
    return n;
}

/* One banner line ("---- ROLE, layer ... pass ----" as a comment) while it fits;
 * wrapped like any comment when the model's path or a layer's name makes it
 * longer. */
static void banner(gan_buf *o, const gan_plan *pl, const ir_node *head)
{
    const char *role = head->net >= 0 ? pl->m->net[head->net].role : NULL;
    char *text;
    if (role && head->yaml_line) {
        char *path = gan_comment_safe(pl->m->path);
        text = gan_strf("---- %s, layer '%s' (%s:%d), %s pass ----", role, head->layer, path,
                        head->yaml_line, pass_name(head->pass));
        free(path);
    } else {
        text = gan_strf("---- %s: %s, %s pass ----", pl->p->name, head->layer,
                        pass_name(head->pass));
    }
    gan_emit_comment(o, 0, text);
    free(text);
}

/* Whether pointer_expr names node b's workspace buffer; its span of ws
 * into [*lo, *hi) (plan_memory.c's sizes: a multiple of 16 floats). */
static int ws_span(const gan_plan *pl, int b, long *lo, long *hi)
{
    const ir_node *nd = &pl->p->g.n[b];
    if (nd->op == IR_INPUT || nd->op == IR_PARAM || pl->dest[b] != DEST_WS)
        return 0;
    *lo = pl->off[b];
    *hi = *lo + ((ir_numel(nd->shape) + 15) & ~15L);
    return 1;
}

/* Whether two of a call's arguments, nodes b1 and b2 passed as a1 and a2,
 * may share memory: workspace buffers whose spans overlap (plan_memory.c
 * reuses a span once its last reader is done, which can be earlier in the
 * same function), or any other array named twice (a gradient summed in
 * two parts, a saved buffer).  Model tensors, gradients, saved buffers,
 * the step's inputs and `out` are separate arrays, apart from ws. */
static int may_overlap(const gan_plan *pl, int b1, const char *a1, int b2, const char *a2)
{
    long lo1, hi1, lo2, hi2;
    int w1 = ws_span(pl, b1, &lo1, &hi1), w2 = ws_span(pl, b2, &lo2, &hi2);
    if (w1 != w2)
        return 0;
    return w1 ? lo1 < hi2 && lo2 < hi1 : strcmp(a1, a2) == 0;
}

/* restrict[k]: parameter k may be declared restrict, as no memory it
 * shares with another parameter is written in the call (restrict on two
 * pointers that only read the same array is still correct).  Without it
 * GCC's vectorizer checks at run time whether the pointers overlap and
 * keeps a scalar copy of each loop for when they do. */
static void restrict_params(const gan_plan *pl, const layer_fn *fn, const int *order,
                            char *const *args, int n, int *restrict_ok)
{
    for (int k = 0; k < n; k++) {
        restrict_ok[k] = 1;
        for (int j = 0; j < n && restrict_ok[k]; j++) {
            int bk = fn->nm.node[order[k]], bj = fn->nm.node[order[j]];
            int writes = fn->nm.written[order[k]] || fn->nm.written[order[j]];
            if (j != k && writes && may_overlap(pl, bk, args[k], bj, args[j]))
                restrict_ok[k] = 0;
        }
    }
}

/* Defines (or finds) fn's function and writes its call into calls; the
 * workspace buffers it passes are declared in decls the first time. */
static const char *emit_function(const gan_plan *pl, gan_funcs *funcs, layer_fn *fn,
                                 gan_names *step_nm, gan_buf *decls, gan_buf *calls)
{
    const ir_graph *g = &pl->p->g;
    int *order = gan_xcalloc((size_t)fn->nm.n + 1, sizeof *order);
    int n = signature_order(pl, fn, order);
    char **params = gan_xcalloc((size_t)n + 1, sizeof *params);
    char **args = gan_xcalloc((size_t)n + 1, sizeof *args);
    for (int k = 0; k < n; k++) {
        int i = order[k], b = fn->nm.node[i];
        int known = 0;
        for (int s = 0; s < step_nm->n; s++)
            known |= step_nm->node[s] == b;
        if (pl->store[b] == ST_MAT && pl->dest[b] == DEST_WS && !known) {
            /* a workspace buffer: declared once, at its offset */
            char shape[64];
            ir_shape_str(g->n[b].shape, shape, sizeof shape);
            gan_buf_printf(decls, "    float *const %s = ws + %ld;  /* %s */\n",
                           gan_names_get(step_nm, pl, b), pl->off[b], shape);
        }
        args[k] = pointer_expr(pl, funcs, b, step_nm);
    }
    int *restrict_ok = gan_xcalloc((size_t)n + 1, sizeof *restrict_ok);
    if (funcs->restrict_params)
        restrict_params(pl, fn, order, args, n, restrict_ok);
    for (int k = 0; k < n; k++)
        params[k] = gan_strf("%sfloat *%s%s", fn->nm.written[order[k]] ? "" : "const ",
                             restrict_ok[k] ? "restrict " : "", fn->nm.name[order[k]]);
    free(restrict_ok);
    gan_buf comment = { 0 };
    banner(&comment, pl, &g->n[fn->x]);
    char *names[5];
    function_names(pl, fn, n ? fn->nm.name[order[0]] : "nothing", names);
    const char *fname = add_function(funcs, names, params, n, gan_buf_str(&fn->body), comment.s);
    const ir_node *head = &g->n[fn->x];
    char *close = head->net >= 0 && (!strcmp(head->app, "real") || !strcmp(head->app, "fake"))
                      ? gan_strf(";  /* on %s data */\n", head->app) : gan_strf(";\n");
    gan_buf_printf(calls, "    %s", fname);
    gan_emit_list(calls, 4 + (int)strlen(fname), args, n, close);
    free(close);
    for (int k = 0; k < n; k++) {
        free(params[k]);
        free(args[k]);
    }
    for (int k = 0; names[k]; k++)
        free(names[k]);
    free(params);
    free(args);
    free(order);
    gan_buf_free(&comment);
    return fname;
}

/* "D(real), D(G(z))": the values an update's terms read, for comments */
static void term_values(gan_buf *o, const gan_update *u)
{
    for (int t = 0; t < u->n_terms; t++) {
        const gan_term *tm = &u->terms[t];
        gan_buf_printf(o, "%s%s", t ? "; " : "", tm->name);
        if (tm->a || tm->b)
            gan_buf_printf(o, " on %s%s%s", tm->a ? tm->a->text : "",
                           tm->a && tm->b ? " and " : "", tm->b ? tm->b->text : "");
        if (tm->weight != 1.0f)
            gan_buf_printf(o, " (weight %g)", (double)tm->weight);
    }
}

/* the step function's opening: its comment and signature.  Steps read the
 * variables the trainer drew (file-level buffers named after them);
 * generate takes the sampling network's inputs as in[]. */
static void step_opening(gan_buf *steps, const gan_plan *pl)
{
    const gan_program *p = pl->p;
    const gan_model *m = pl->m;
    gan_buf c = { 0 };
    if (p->kind == GAN_PROG_GENERATE || p->kind == GAN_PROG_SCORE) {
        if (p->kind == GAN_PROG_SCORE) {
            gan_buf_printf(&c, "%s: the anomaly score of %d sample%s (", p->name,
                           m->train.batch, m->train.batch == 1 ? "" : "s");
            term_values(&c, m->score);
            gan_buf_put(&c, "), networks in inference mode, each term a mean over the "
                            "sample's values, weighted and summed, on ");
        } else {
            gan_buf_printf(&c, "%s: %s in inference mode on %d samples of its input%s (",
                           p->name, m->net[m->gen_net].role, m->train.batch,
                           p->n_args == 1 ? "" : "s");
        }
        for (int i = 0; i < p->n_args; i++)
            gan_buf_printf(&c, "%s%s = in[%d]", i ? ", " : "", p->arg_names[i], i);
        gan_buf_put(&c, p->kind == GAN_PROG_SCORE ? " into out." : ") into out.");
        gan_emit_comment(steps, 0, c.s);
        gan_buf_printf(steps, "static void %s(float *out, const float *const *in)\n{\n",
                       p->name);
        for (int i = 0; i < p->n_args; i++)
            gan_buf_printf(steps, "    const float *%s = in[%d];\n", p->arg_names[i], i);
        gan_buf_free(&c);
        return;
    }
    const gan_update *u = &m->updates[p->update];
    if (p->kind == GAN_PROG_FORWARD) {
        gan_buf_printf(&c, "%s: the forward passes update '%s' shares with update '%s' (on "
                           "the same batch), in training mode: what %s_step needs of them "
                           "goes to the saved buffers, their running statistics are updated. "
                           "Called before each %s_step.", p->name, u->name,
                       m->updates[p->update - 1].name, u->name, m->updates[p->update - 1].name);
        gan_emit_comment(steps, 0, c.s);
        gan_buf_printf(steps, "static void %s(void)\n{\n", p->name);
    } else {
        gan_buf_printf(&c, "%s: the loss of update '%s' (", p->name, u->name);
        term_values(&c, u);
        gan_buf_put(&c, ") and the gradients of ");
        for (int i = 0; i < u->n_nets; i++)
            gan_buf_printf(&c, "%s%s", i ? (i + 1 == u->n_nets ? " and " : ", ") : "",
                           m->net[u->nets[i]].role);
        if (u->same_batch)
            gan_buf_printf(&c, ", on the batch of update '%s'",
                           m->updates[p->update - 1].name);
        gan_buf_put(&c, ".");
        gan_emit_comment(steps, 0, c.s);
        if (gan_program_reports_terms(p))
            gan_buf_printf(steps, "static float %s_terms[%d];   /* each term before its "
                                  "weight, for the log */\n", u->name, p->n_terms);
        gan_buf_printf(steps, "static float %s(void)\n{\n", p->name);
    }
    gan_buf_free(&c);
}

void gan_emit_program(const gan_plan *pl, gan_funcs *funcs, gan_buf *steps, gan_buf *report)
{
    const gan_program *p = pl->p;
    const ir_graph *g = &p->g;
    gan_buf calls = { 0 }, decls = { 0 };
    /* the step function names workspace buffers app_label, e.g. fake_h1;
     * the file's saved buffers keep their names */
    gan_names step_nm = { 0 };
    step_nm.net = -1;
    step_nm.by_app = 1;
    step_nm.taken = (const char *const *)funcs->taken;
    step_nm.n_taken = funcs->n_taken;
    for (int x = 0; x < pl->n;) {
        if (pl->store[x] != ST_MAT) {
            x++;
            continue;
        }
        layer_fn fn = { x, x + 1, { 0 }, { 0 }, { 0 } };
        while (fn.end < pl->n &&
               (pl->store[fn.end] != ST_MAT || same_group(&g->n[x], &g->n[fn.end])))
            fn.end++;
        emit_body(pl, &fn);
        const char *fname = emit_function(pl, funcs, &fn, &step_nm, &decls, &calls);
        if (report)
            gan_buf_printf(report, "  %-8s %-28s %s\n", p->name, fname, gan_buf_str(&fn.notes));
        gan_names_free(&fn.nm);
        gan_buf_free(&fn.body);
        gan_buf_free(&fn.notes);
        x = fn.end;
    }
    gan_buf_put(steps, "\n");
    step_opening(steps, pl);
    /* an input no layer function reads is named, so that -Wunused-variable
     * does not stop the build */
    for (int i = 0; (p->kind == GAN_PROG_GENERATE || p->kind == GAN_PROG_SCORE) && i < p->n_args;
         i++)
        if (!arg_read(pl, i))
            gan_buf_printf(steps, "    (void)%s;   /* not needed by this step */\n",
                           p->arg_names[i]);
    gan_buf_put(steps, gan_buf_str(&decls));
    if (decls.len)
        gan_buf_put(steps, "\n");
    gan_buf_put(steps, gan_buf_str(&calls));
    for (int t = 0; gan_program_reports_terms(p) && t < p->n_terms; t++) {
        char *ptr = pointer_expr(pl, funcs, p->terms[t], &step_nm);
        gan_buf_printf(steps, "    %s_terms[%d] = %s[0];   /* %s */\n",
                       pl->m->updates[p->update].name, t, ptr,
                       pl->m->updates[p->update].terms[t].name);
        free(ptr);
    }
    if (p->loss >= 0) {
        char *ptr = pointer_expr(pl, funcs, p->loss, &step_nm);
        gan_buf_printf(steps, "    return %s[0];\n", ptr);
        free(ptr);
    }
    gan_buf_put(steps, "}\n");
    gan_names_free(&step_nm);
    gan_buf_free(&calls);
    gan_buf_free(&decls);
}
