/* rt_picture_pairs.h - the trainer's pictures of a translator: a network
 * whose input is data (Pix2Pix's edges, SRGAN's small image, CycleGAN's
 * domain), pictured as rows of input | output | target.
 *
 * The inputs are RT_PICTURE_PAIRS rows of the source that feeds the input
 * (the data variable of the input's name, else the first source of the
 * input's shape), spread evenly over its rows and fixed for the run; a
 * random transform of the source (a random mask) is drawn for them from
 * the evaluation rng, so the training stream is untouched.  The target is
 * the same rows of the other source of paired data when its samples have
 * the output's shape (Pix2Pix, SRGAN); unpaired domains (CycleGAN) have
 * none.  An input is shown at the output's size when the output's height
 * and width are multiples of its own (nearest neighbour: SRGAN's 14x14
 * input beside its 28x28 output) and it has the output's channels;
 * otherwise the input column is left out.
 * Leaves out: translators of vectors (csv data), several data inputs.
 */
#ifndef RT_PICTURE_PAIRS_H
#define RT_PICTURE_PAIRS_H

#include <stddef.h>

#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "model/rt_model.h"

#define RT_PICTURE_PAIRS 8

typedef struct {
    int input;        /* the network input fed by data */
    int show_input;   /* the input is drawn as a column */
    float *target;    /* RT_PICTURE_PAIRS targets of the output's shape, or NULL */
    float *panel;     /* the picture's images, row by row */
    int cols;         /* images per row: 1 to 3 */
} rt_picture_pairs;

/* For a network with a data input: chooses its rows, copies them into
 * in[input] (allocated by the caller, RT_PICTURE_PAIRS samples) and the
 * targets, and returns 1; 0 when the network has no data input or no
 * source of its shape (pp is then empty). */
int rt_picture_pairs_open(rt_picture_pairs *pp, const rt_model *m, rt_data *const *data,
                          float *const *in, rt_rng *rng);
void rt_picture_pairs_close(rt_picture_pairs *pp);
/* Lays the inputs, the outputs (RT_PICTURE_PAIRS of them) and the targets
 * out as pp->panel: pp->cols images of the output's shape a row. */
void rt_picture_pairs_panel(rt_picture_pairs *pp, const rt_model *m, const float *const *in,
                            const float *out);

#endif
