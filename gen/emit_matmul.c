/* emit_matmul.c - a matrix product: a GEMM call (OpenBLAS or the
 * runtime's rt_sgemm, split among the trainer's threads) followed by its
 * fused epilogue, or generated loops in dot form (B transposed: each
 * output a dot product) or axpy form (rows of B added into a row of C),
 * with the contraction or the columns written out where the plan says so;
 * and the sampler's weights packed once for rt_sgemm. */
#include "emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const gan_plan *pl;
    gan_names *nm;
    int mm, epi;            /* the matmul; its epilogue root or -1 */
    const char *a, *b, *c;  /* buffer names */
    int ta, tb;
    long M, N, K;
    const gan_sched *s;     /* the plan's choices for the product */
} mm_ctx;

/* A's element (i, k) and B's (k, j) as C (malloc'd) */
static char *a_at(const mm_ctx *c, const char *i, const char *k)
{
    return c->ta ? gan_strf("%s[%s*M + %s]", c->a, k, i) : gan_strf("%s[%s*K + %s]", c->a, i, k);
}

static char *b_at(const mm_ctx *c, const char *k, const char *j)
{
    return c->tb ? gan_strf("%s[%s*K + %s]", c->b, j, k) : gan_strf("%s[%s*N + %s]", c->b, k, j);
}

/* writes C[i][j] = epilogue(value) at level lvl */
static void store_epilogue(const mm_ctx *c, const char *i, const char *j, const char *value,
                           gan_buf *o, int lvl)
{
    const char *idx[2] = { i, j };
    static const char *const mn[2] = { "M", "N" };
    char *ref = gan_strf("%s[%s*N + %s]", c->c, i, j);
    gan_emit_epilogue(o, c->pl, c->nm, c->epi, c->mm, value, idx, mn, ref, lvl);
    free(ref);
}

static void emit_dot_form(gan_buf *o, const mm_ctx *c)
{
    int unroll_k = c->s->unroll_k;
    gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++)\n"
                   "        for (int i1 = 0; i1 < N; i1++) {\n");
    if (unroll_k) {
        gan_buf_put(o, "            const float acc =");
        for (long k = 0; k < c->K; k++) {
            char ks[24];
            snprintf(ks, sizeof ks, "%ld", k);
            char *av = a_at(c, "i0", ks), *bv = b_at(c, ks, "i1");
            gan_buf_printf(o, "%s%s * %s", k ? "\n                + " : " ", av, bv);
            free(av);
            free(bv);
        }
        gan_buf_put(o, ";\n");
    } else {
        char *av = a_at(c, "i0", "k"), *bv = b_at(c, "k", "i1");
        gan_buf_printf(o, "            float acc = 0.0f;\n"
                          "            for (int k = 0; k < K; k++)\n"
                          "                acc += %s * %s;\n", av, bv);
        free(av);
        free(bv);
    }
    store_epilogue(c, "i0", "i1", "acc", o, 3);
    gan_buf_put(o, "        }\n");
}

static void emit_axpy_form(gan_buf *o, const mm_ctx *c)
{
    int unroll_k = c->s->unroll_k, unroll_n = c->s->unroll_n;
    gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++) {\n");
    gan_buf_printf(o, "        float *row = %s + i0*N;\n", c->c);
    if (unroll_n) {
        for (long j = 0; j < c->N; j++)
            gan_buf_printf(o, "        row[%ld] = 0.0f;\n", j);
    } else {
        gan_buf_put(o, "        for (int i1 = 0; i1 < N; i1++)\n            row[i1] = 0.0f;\n");
    }
    for (long k = 0; k < (unroll_k ? c->K : 1); k++) {
        char ks[24];
        snprintf(ks, sizeof ks, unroll_k ? "%ld" : "k", k);
        if (!unroll_k)
            gan_buf_put(o, "        for (int k = 0; k < K; k++) {\n");
        else
            gan_buf_put(o, "        {\n");
        char *av = a_at(c, "i0", ks);
        gan_buf_printf(o, "            const float a = %s;\n", av);
        free(av);
        if (unroll_n) {
            for (long j = 0; j < c->N; j++) {
                char js[24];
                snprintf(js, sizeof js, "%ld", j);
                char *bv = b_at(c, ks, js);
                gan_buf_printf(o, "            row[%ld] += a * %s;\n", j, bv);
                free(bv);
            }
        } else {
            char *bv = b_at(c, ks, "i1");
            gan_buf_printf(o, "            for (int i1 = 0; i1 < N; i1++)\n"
                              "                row[i1] += a * %s;\n", bv);
            free(bv);
        }
        gan_buf_put(o, "        }\n");
    }
    if (c->epi >= 0) {
        if (unroll_n) {
            for (long j = 0; j < c->N; j++) {
                char js[24], rv[40];
                snprintf(js, sizeof js, "%ld", j);
                snprintf(rv, sizeof rv, "row[%ld]", j);
                store_epilogue(c, "i0", js, rv, o, 2);
            }
        } else {
            gan_buf_put(o, "        for (int i1 = 0; i1 < N; i1++)\n");
            store_epilogue(c, "i0", "i1", "row[i1]", o, 3);
        }
    }
    gan_buf_put(o, "    }\n");
}

void gan_emit_gemm(gan_buf *o, const gan_plan *pl, int x, int indent, int ta, int tb,
                   const char *m, const char *n, const char *k, const char *a, const char *lda,
                   const char *b, const char *ldb, const char *beta, const char *c,
                   const char *ldc)
{
    if (pl->o.own_gemm)
        gan_buf_printf(o, "%*srt_sgemm(%d, %d, %s, %s, %s, 1.0f, %s, %s, %s, %s, %s, %s, %s);\n",
                       indent, "", ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else   /* gan_sgemm: split among the trainer's threads (emit_model.c) */
        gan_buf_printf(o, "%*sgan_sgemm(%s, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);\n",
                       indent, "", pl->sched[x].engine == GAN_OWN_GEMM ? "GAN_OWN" : "GAN_OPENBLAS",
                       ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

const char *gan_gemm_name(const gan_plan *pl, int x)
{
    return pl->sched[x].engine == GAN_IMPLICIT
               ? "ganc implicit GEMM (columns gathered from the image)"
           : pl->sched[x].engine == GAN_OWN_GEMM ? "ganc sgemm" : "OpenBLAS sgemm";
}

void gan_note_estimates(gan_buf *notes, const gan_plan *pl, int x)
{
    if (!notes || !pl->est || pl->est[x][GAN_LOOPS] <= 0)
        return;
    static const char *const what[GAN_N_ENGINES] = { "loops", "OpenBLAS", "ganc", "implicit" };
    gan_buf_put(notes, "cost model:");
    for (int e = 0; e < GAN_N_ENGINES; e++)
        if (pl->est[x][e] >= 0)
            gan_buf_printf(notes, " %s %.0f", what[e], pl->est[x][e]);
    gan_buf_put(notes, " us; ");
}

void gan_emit_packed_once(gan_buf *o, const char *weight, const char *floats, const char *pack,
                          const char *product)
{
    gan_buf_printf(o, "    /* %s does not change once loaded: packed for rt_sgemm on the first\n"
                      "     * call only */\n"
                      "    static float packed[%s]\n"
                      "        __attribute__((aligned(64)));\n"
                      "    static int packed_ready;\n"
                      "    if (!packed_ready) {\n"
                      "        %s;\n"
                      "        packed_ready = 1;\n"
                      "    }\n"
                      "    %s;\n", weight, floats, pack, product);
}

void gan_emit_matmul(gan_buf *o, const gan_plan *pl, gan_names *nm, int mm, int epi)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[mm];
    int outn = epi >= 0 ? epi : mm;
    const gan_sched *s = &pl->sched[mm];
    mm_ctx c = { pl, nm, mm, epi, NULL, NULL, NULL, nd->ta, nd->tb, nd->shape.d[0],
                 nd->shape.d[1], 0, s };
    c.a = gan_names_get(nm, pl, nd->in[0]);
    c.b = gan_names_get(nm, pl, nd->in[1]);
    c.K = nd->ta ? g->n[nd->in[0]].shape.d[0] : g->n[nd->in[0]].shape.d[1];
    c.c = gan_names_get(nm, pl, outn);
    gan_names_mark_written(nm, pl, outn);
    gan_buf_printf(o, "    enum { M = %ld, N = %ld, K = %ld };\n", c.M, c.N, c.K);
    /* rt_sgemm packs op(B) on every call when A has RT_GEMM_MR rows or more:
     * for a weight the same work each time (the generator at batch 16: the
     * dense layer's 2.5 MB weight packed again per call, half its time) */
    if (s->pack_once) {
        char *pack = gan_strf("rt_sgemm_pack_b(%d, K, N, %s, %s, packed)", c.tb, c.b,
                              c.tb ? "K" : "N");
        char *product = gan_strf("rt_sgemm_packed_b(%d, M, N, K, 1.0f, %s, %s, packed, 0.0f, %s, "
                                 "N)", c.ta, c.a, c.ta ? "M" : "K", c.c);
        gan_emit_packed_once(o, c.b, "K * ((N + RT_GEMM_NR - 1) / RT_GEMM_NR) * RT_GEMM_NR", pack,
                             product);
        free(pack);
        free(product);
    } else if (s->engine) {
        gan_emit_gemm(o, pl, mm, 4, c.ta, c.tb, "M", "N", "K", c.a, c.ta ? "M" : "K", c.b,
                      c.tb ? "K" : "N", "0.0f", c.c, "N");
    }
    if (s->engine) {
        if (epi >= 0) {
            if (s->parallel)
                gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
            gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++)\n"
                           "        for (int i1 = 0; i1 < N; i1++)\n");
            char *cur = gan_strf("%s[i0*N + i1]", c.c);
            store_epilogue(&c, "i0", "i1", cur, o, 3);
            free(cur);
        }
        return;
    }
    if (c.tb)
        emit_dot_form(o, &c);
    else
        emit_axpy_form(o, &c);
}

