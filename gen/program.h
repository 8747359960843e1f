/* program.h - the compiled entry points of a model as IR graphs.
 *
 *   g_forward(z)    -> G's output on z in training mode, and every
 *                      activation g_step will need, into saved buffers;
 *                      G's running statistics updated
 *   d_step(real)    -> D loss, D gradients on real data and the saved fake
 *   g_step(z)       -> G loss, G gradients (through D to G), from the saved
 *                      activations of the last g_forward (on the same z)
 *   generate(z)     -> G output, inference mode
 *
 * As in PyTorch's DCGAN loop, one G forward pass serves both steps of an
 * iteration: g_step does not run G forward again.  g_forward and g_step
 * come from one graph (G forward, D on fake, loss, backward), cut at the
 * frontier of G's forward part: the saved values are the G-forward nodes
 * that anything else reads.  Saved values appear in the other programs as
 * IR_INPUT nodes with ext >= GAN_SAVED_EXT (slot ext - GAN_SAVED_EXT);
 * slot 0 is G's output.  autodiff.c derives the backward parts.
 */
#ifndef GAN_PROGRAM_H
#define GAN_PROGRAM_H

#include "model.h"

#define GAN_MAX_ARGS 4
#define GAN_SAVED_EXT 1000   /* IR_INPUT ext of saved values: slot + this */

typedef struct {
    const char *name;            /* "d_step", "g_step", "generate" */
    ir_graph g;
    int n_args;
    const char *arg_names[GAN_MAX_ARGS];   /* INPUT ext i is argument i */
    int loss;                    /* returned scalar node, or -1 */
    int out;                     /* node written to the `out` argument, or -1 */
    int grad_net;                /* net whose gradients it writes, or -1 */
    int *grad;                   /* per model tensor: gradient node or -1 */
    int *state;                  /* per model tensor: its new value (running
                                  * statistics) after this step, or -1 */
    int g_out;                   /* G's output node (training programs) */
    int n_tensors;               /* entries of grad and state */
    int n_saved;                 /* g_forward: the saved values it writes */
    int *saved;                  /* node of slot k (malloc'd) */
} gan_program;

enum { GAN_PROG_G_FORWARD, GAN_PROG_D_STEP, GAN_PROG_G_STEP, GAN_PROG_GENERATE, GAN_N_PROGS };

void gan_program_build(gan_program *p, gan_model *m, int which);
void gan_program_free(gan_program *p);

/* loss.c: the adversarial losses as IR, means over the batch */
int gan_loss_d(ir_graph *g, int loss, int d_real, int d_fake, int batch);
int gan_loss_g(ir_graph *g, int loss, int d_fake, int batch);

#endif
