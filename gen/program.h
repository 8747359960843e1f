/* program.h - the compiled entry points of a model as IR graphs.
 *
 * The trainer's file has, for each update of the schedule (model.h), a
 * step program NAME_step: the update's loss from the variables it reads,
 * the gradients of the networks it trains, the new running statistics of
 * every network it runs in training mode.  One application of a network
 * per update is computed once, however many terms read it.
 *
 * An update on the previous update's batch (same_batch; the shorthand's g)
 * also has a forward program NAME_forward, called before each repetition
 * of the previous update's step: it runs the applications the two updates
 * share (of networks the previous update does not train: the shorthand's
 * G(z)) in training mode and keeps what NAME_step needs of them in saved
 * buffers; the previous update's step reads their outputs from there, and
 * NAME_step starts from them, as PyTorch's DCGAN loop runs G once per
 * iteration.  Both come from one graph (NAME's whole objective), cut at
 * the frontier of the shared part.  Saved values appear as IR_INPUT nodes
 * with ext >= GAN_SAVED_EXT (slot ext - GAN_SAVED_EXT, slots numbered
 * across the file).
 *
 * generate runs the sampling network in inference mode on its inputs.
 * score (the scorer's, of a model with a `score` section) runs the networks
 * of the score's terms in inference mode on the data variable it reads and
 * writes each sample's score: each term's mean over the sample's values,
 * weighted, summed; `out` is (batch, 1).
 * autodiff.c derives the backward parts.
 */
#ifndef GAN_PROGRAM_H
#define GAN_PROGRAM_H

#include "model.h"

#define GAN_SAVED_EXT 1000000   /* IR_INPUT ext of saved values: slot + this */

enum gan_prog_kind { GAN_PROG_FORWARD, GAN_PROG_STEP, GAN_PROG_GENERATE, GAN_PROG_SCORE };

/* A network input bound to a node in an application: generated code
 * calls the node by the input's name inside the network's functions. */
typedef struct {
    int node, net, input;
} gan_binding;

typedef struct {
    const char *name;            /* "d_step", "g_forward", "generate" (owned by g) */
    int kind;                    /* enum gan_prog_kind */
    int update;                  /* STEP, FORWARD: the update it belongs to */
    ir_graph g;
    int n_args;
    const char **arg_names;      /* INPUT ext i is argument i: a variable
                                  * (STEP, FORWARD, SCORE) or an input of the
                                  * sampling network (GENERATE) */
    int *arg_var;                /* STEP, FORWARD: the variable of argument i */
    int loss;                    /* returned scalar node, or -1 */
    int out;                     /* node written to the `out` argument, or -1 */
    int *grad;                   /* per model tensor: gradient node or -1 */
    int *state;                  /* per model tensor: its new value (running
                                  * statistics) after this step, or -1 */
    int n_tensors;               /* entries of grad and state */
    int n_saved;                 /* FORWARD: the saved values it writes */
    int *saved;                  /* node of its slot k */
    int saved_base;              /* its slot k is the file's slot saved_base + k */
    gan_binding *binds;
    int n_binds;
    int n_terms;                 /* STEP: the loss's terms, each a scalar node */
    int *terms;
} gan_program;

/* 1 when update k has a forward program (it is on the previous update's
 * batch and shares applications with it). */
int gan_update_has_forward(const gan_model *m, int k);

/* The programs; saved_base numbers the forward program's slots (the sum
 * of the slots of the forward programs before it in the file). */
void gan_program_step(gan_program *p, gan_model *m, int update, int saved_base_next,
                      int saved_base_own);
void gan_program_forward(gan_program *p, gan_model *m, int update, int saved_base);
void gan_program_generate(gan_program *p, gan_model *m);
void gan_program_score(gan_program *p, gan_model *m);
void gan_program_free(gan_program *p);

/* loss.c: the terms of an objective as IR, each a mean */
int gan_loss_adversarial(ir_graph *g, const gan_term *t, int real, int fake, int shorthand);
int gan_loss_distance(ir_graph *g, const gan_term *t, int a, int b);
int gan_loss_cross_entropy(ir_graph *g, int logits, int labels, int classes);
/* the mean over every element of x, the values named `what` */
int gan_loss_mean(ir_graph *g, int x, const char *what);

#endif
