/* ir_eval.h - a plain double-precision interpreter of ganc's IR, for tests:
 * the reference that autodiff's rules are checked against, independently of
 * the C emitter. */
#ifndef IR_EVAL_H
#define IR_EVAL_H

#include "ir.h"

/* Evaluates every node in order.  `inputs[i]` feeds IR_INPUT ext i and
 * `params[t]` feeds IR_PARAM ext t.  Returns per-node arrays (free with
 * ir_eval_free). */
double **ir_eval(const ir_graph *g, double *const *inputs, double *const *params);
void ir_eval_free(const ir_graph *g, double **v);

#endif
