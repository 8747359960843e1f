/* rt_pictures.h - the trainer's sample pictures: the generating network
 * (rt_model.gen_net) run on inputs fixed for the whole run, so pictures of
 * one run compare step to step.
 *
 *   2D mixtures (ring8, grid25 data, 2 floats out): 2,500 points (PacGAN
 *     judges 2,500 samples), scored by the PacGAN protocol (rt_mixture.h)
 *     and plotted over 2,500 real points
 *   images (1 or 3 channels out): a grid 8 wide; 8x8 samples, or one row
 *     per class when the network reads a class (class r in row r, at most
 *     RT_PICTURE_CLASS_ROWS rows)
 * Fixed inputs: LATENT ones drawn from the evaluation rng (after the real
 * points), each input in order; CLASS ones as above (2D: classes in turn).
 * A network that reads a DATA input (a translator) is pictured as rows of
 * input | output | target (rt_picture_pairs.h).
 * When the network keeps an EMA copy, the pictures show the averaged
 * weights: they are swapped in for the picture and back after.
 * Leaves out: other sample shapes (no picture), several generating networks.
 */
#ifndef RT_PICTURES_H
#define RT_PICTURES_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "data/rt_mixture.h"
#include "model/rt_model.h"
#include "train/rt_picture_pairs.h"
#include "train/rt_progress.h"

#define RT_PICTURE_POINTS 2500
#define RT_PICTURE_COLS 8
#define RT_PICTURE_CLASS_ROWS 16

typedef struct {
    const rt_model *m;
    size_t n;               /* samples per picture; 0: this model draws none */
    float **in;             /* [n_gen_inputs]: n samples of each input */
    float *out;             /* n samples */
    float *ref_pts;         /* 2D: the real points */
    rt_mixture_score score; /* 2D: the last picture's */
    int have_score;
    rt_picture_pairs pairs; /* a translator's: the picture's layout */
} rt_pictures;

/* Decides the picture and draws its fixed inputs from eval_rng (a
 * translator's: rows of its data, borrowed for the call). */
void rt_pictures_open(rt_pictures *p, const rt_model *m, rt_data *const *data,
                      rt_rng *eval_rng);
void rt_pictures_close(rt_pictures *p);
/* RUN/samples_<step>.png; a note on progress names it (and the score). */
int rt_pictures_write(rt_pictures *p, const char *run_dir, long step, rt_progress *progress,
                      rt_err *err);

#endif
