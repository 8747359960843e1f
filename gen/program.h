/* program.h - the three compiled entry points of a model as IR graphs.
 *
 *   d_step(real, z) -> D loss, D gradients   (G's output is a constant here)
 *   g_step(z)       -> G loss, G gradients   (gradients flow through D to G)
 *   generate(z)     -> G output, inference mode
 *
 * Each is one graph over both networks; autodiff.c derives the backward part.
 */
#ifndef GAN_PROGRAM_H
#define GAN_PROGRAM_H

#include "model.h"

#define GAN_MAX_ARGS 4

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
} gan_program;

enum { GAN_PROG_D_STEP, GAN_PROG_G_STEP, GAN_PROG_GENERATE, GAN_N_PROGS };

void gan_program_build(gan_program *p, gan_model *m, int which);
void gan_program_free(gan_program *p);

/* loss.c: the adversarial losses as IR, means over the batch */
int gan_loss_d(ir_graph *g, int loss, int d_real, int d_fake, int batch);
int gan_loss_g(ir_graph *g, int loss, int d_fake, int batch);

#endif
