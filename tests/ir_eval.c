/* ir_eval.c - see ir_eval.h.  Deliberately simple: flat loops, explicit
 * broadcasting by index arithmetic, no fusion. */
#include "ir_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* flat index into a tensor of shape s broadcast to shape o, for element e of o */
static long bindex(ir_shape s, ir_shape o, long e)
{
    long idx = 0, stride = 1;
    for (int k = o.rank - 1; k >= 0; k--) {
        long ik = e % o.d[k];
        e /= o.d[k];
        int ks = k - (o.rank - s.rank);
        if (ks >= 0) {
            if (s.d[ks] != 1)
                idx += ik * stride;
            stride *= s.d[ks];
        }
    }
    return idx;
}

static double unary(ir_op op, double x, double k)
{
    switch (op) {
    case IR_NEG: return -x;
    case IR_SCALE: return x * k;
    case IR_ADDS: return x + k;
    case IR_RELU: return x > 0 ? x : 0;
    case IR_STEP: return x > 0 ? 1 : 0;
    case IR_LEAKY_RELU: return x > 0 ? x : k * x;
    case IR_LEAKY_STEP: return x > 0 ? 1 : k;
    case IR_TANH: return tanh(x);
    case IR_SIGMOID: return 1 / (1 + exp(-x));
    case IR_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    case IR_EXP: return exp(x);
    case IR_LOG: return log(x);
    case IR_SQRT: return sqrt(x);
    case IR_RECIP: return 1 / x;
    case IR_ABS: return fabs(x);
    case IR_SIGN: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case IR_STOP: return x;
    default: abort();
    }
}

static double binary(ir_op op, double a, double b)
{
    switch (op) {
    case IR_ADD: return a + b;
    case IR_SUB: return a - b;
    case IR_MUL: return a * b;
    case IR_DIV: return a / b;
    case IR_MAXIMUM: return a >= b ? a : b;
    case IR_GE: return a >= b ? 1 : 0;
    default: abort();
    }
}

/* multi-index helpers for layout ops */
static void unflat(ir_shape s, long e, int *ix)
{
    for (int k = s.rank - 1; k >= 0; k--) {
        ix[k] = (int)(e % s.d[k]);
        e /= s.d[k];
    }
}

static long flat(ir_shape s, const int *ix)
{
    long e = 0;
    for (int k = 0; k < s.rank; k++)
        e = e * s.d[k] + ix[k];
    return e;
}

/* the definition of the three convolutions by their common index relation:
 * forward conv reads a[b,c,y*s-p+i,x*s-p+j] for output (b,o,y,x) */
static void conv_family(const ir_graph *g, const ir_node *n, double **v, double *o)
{
    int stride = n->stride, pad = n->pad;
    ir_shape big, small, w;
    if (n->op == IR_CONV2D) {
        big = g->n[n->in[0]].shape; w = g->n[n->in[1]].shape; small = n->shape;
    } else if (n->op == IR_CONV2D_T) {
        small = g->n[n->in[0]].shape; w = g->n[n->in[1]].shape; big = n->shape;
    } else {
        big = g->n[n->in[0]].shape; small = g->n[n->in[1]].shape; w = n->shape;
    }
    /* conv weight view: [O (small's channels), C (big's channels), KH, KW] */
    int O = small.d[1], C = big.d[1], KH = w.d[2], KW = w.d[3];
    for (int b = 0; b < big.d[0]; b++)
        for (int oc = 0; oc < O; oc++)
            for (int y = 0; y < small.d[2]; y++)
                for (int x = 0; x < small.d[3]; x++)
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < KH; i++)
                            for (int j = 0; j < KW; j++) {
                                int iy = y * stride - pad + i, ix = x * stride - pad + j;
                                if (iy < 0 || iy >= big.d[2] || ix < 0 || ix >= big.d[3])
                                    continue;
                                long bi = ((long)(b * C + c) * big.d[2] + iy) * big.d[3] + ix;
                                long si = ((long)(b * O + oc) * small.d[2] + y) * small.d[3] + x;
                                /* CONV2D: w[o,c]; CONV2D_T: w[c_in=o, c_out=c]; same memory */
                                long wi = ((long)(oc * C + c) * KH + i) * KW + j;
                                if (n->op == IR_CONV2D)
                                    o[si] += v[n->in[0]][bi] * v[n->in[1]][wi];
                                else if (n->op == IR_CONV2D_T)
                                    o[bi] += v[n->in[0]][si] * v[n->in[1]][wi];
                                else
                                    o[wi] += v[n->in[0]][bi] * v[n->in[1]][si];
                            }
}

double **ir_eval(const ir_graph *g, double *const *inputs, double *const *params)
{
    double **v = calloc((size_t)g->count, sizeof *v);
    for (int x = 0; x < g->count; x++) {
        const ir_node *n = &g->n[x];
        long N = ir_numel(n->shape);
        double *o = v[x] = calloc((size_t)N, sizeof *o);
        const double *a = n->n_in ? v[n->in[0]] : NULL;
        ir_shape sa = n->n_in ? g->n[n->in[0]].shape : n->shape;
        int ix[4];
        switch (n->op) {
        case IR_INPUT: memcpy(o, inputs[n->ext], sizeof *o * (size_t)N); break;
        case IR_PARAM: memcpy(o, params[n->ext], sizeof *o * (size_t)N); break;
        case IR_CONST: for (long e = 0; e < N; e++) o[e] = n->k; break;
        case IR_MATMUL: {
            ir_shape sb = g->n[n->in[1]].shape;
            int M = n->shape.d[0], Nn = n->shape.d[1], K = n->ta ? sa.d[0] : sa.d[1];
            for (int i = 0; i < M; i++)
                for (int j = 0; j < Nn; j++) {
                    double acc = 0;
                    for (int k = 0; k < K; k++) {
                        double av = n->ta ? a[k * M + i] : a[i * K + k];
                        double bv = n->tb ? v[n->in[1]][j * K + k] : v[n->in[1]][k * Nn + j];
                        acc += av * bv;
                    }
                    o[i * Nn + j] = acc;
                }
            (void)sb;
            break;
        }
        case IR_BROADCAST: case IR_COPY:
            for (long e = 0; e < N; e++) o[e] = a[bindex(sa, n->shape, e)];
            break;
        case IR_SUM_TO:
            for (long e = 0; e < ir_numel(sa); e++) o[bindex(n->shape, sa, e)] += a[e];
            break;
        case IR_RESHAPE: memcpy(o, a, sizeof *o * (size_t)N); break;
        case IR_CONCAT: {
            int off = 0;
            for (int i = 0; i < n->n_in; i++) {
                ir_shape si = g->n[n->in[i]].shape;
                for (long e = 0; e < ir_numel(si); e++) {
                    unflat(si, e, ix);
                    ix[n->axis] += off;
                    o[flat(n->shape, ix)] = v[n->in[i]][e];
                }
                off += si.d[n->axis];
            }
            break;
        }
        case IR_SLICE:
            for (long e = 0; e < N; e++) {
                unflat(n->shape, e, ix);
                ix[n->axis] += n->start;
                o[e] = a[flat(sa, ix)];
            }
            break;
        case IR_PAD:
            for (long e = 0; e < ir_numel(sa); e++) {
                unflat(sa, e, ix);
                ix[n->axis] += n->start;
                o[flat(n->shape, ix)] = a[e];
            }
            break;
        case IR_CONV2D: case IR_CONV2D_T: case IR_CONV2D_WGRAD:
            conv_family(g, n, v, o);
            break;
        case IR_UNIFORM:
            /* any fixed values in [0, 1) do: the tests differentiate through
             * them, never against the generated code's hash */
            for (long e = 0; e < N; e++) o[e] = (double)((e * 7919 + n->ext * 104729) % 1000) / 1000;
            break;
        case IR_ONEHOT: {
            long classes = n->shape.d[1];
            for (long b = 0; b < n->shape.d[0]; b++) {
                long label = (long)a[b];
                if (label >= 0 && label < classes) o[b * classes + label] = 1;
            }
            break;
        }
        case IR_ARGMAX_PICK: case IR_ARGMAX_PLACE: {
            long K = n->stride, groups = ir_numel(sa) / K;
            for (long i = 0; i < groups; i++) {
                long best = 0;
                for (long k = 1; k < K; k++)
                    if (a[i * K + k] > a[i * K + best]) best = k;
                if (n->op == IR_ARGMAX_PICK)
                    o[i] = v[n->in[1]][i * K + best];
                else
                    o[i * K + best] = v[n->in[1]][i];
            }
            break;
        }
        case IR_UPSAMPLE: case IR_SUMPOOL: {
            ir_shape big = n->op == IR_UPSAMPLE ? n->shape : sa;
            ir_shape small = n->op == IR_UPSAMPLE ? sa : n->shape;
            for (long e = 0; e < ir_numel(big); e++) {
                unflat(big, e, ix);
                ix[2] /= n->stride;
                ix[3] /= n->stride;
                if (n->op == IR_UPSAMPLE)
                    o[e] = a[flat(small, ix)];
                else
                    o[flat(small, ix)] += a[e];
            }
            break;
        }
        default:
            if (ir_is_unary(n->op)) {
                for (long e = 0; e < N; e++) o[e] = unary(n->op, a[e], n->k);
            } else if (ir_is_binary(n->op)) {
                ir_shape sb = g->n[n->in[1]].shape;
                for (long e = 0; e < N; e++)
                    o[e] = binary(n->op, a[bindex(sa, n->shape, e)],
                                  v[n->in[1]][bindex(sb, n->shape, e)]);
            } else {
                abort();
            }
        }
    }
    return v;
}

void ir_eval_free(const ir_graph *g, double **v)
{
    for (int x = 0; x < g->count; x++)
        free(v[x]);
    free(v);
}
