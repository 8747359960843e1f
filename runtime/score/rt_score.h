/* rt_score.h - the anomaly scorer's main: what a generated score.c calls.
 *
 * `score --weights W IMAGES -o scores.csv`: loads the networks the model's
 * `score` section applies (their raw weights: the encoder of f-AnoGAN was
 * trained against the raw generator and critic, so their moving averages
 * are not used), reads IMAGES as the sampler reads --input (a .npy of
 * shape (N, the data's shape) with values as the networks see them, a .png
 * or a folder of PNGs converted as png_dir data), runs the score on each
 * sample in inference mode and writes one CSV row per sample, in input
 * order: index, the file (PNGs only), the score (last; higher = more
 * anomalous).  Part of libganc_sample.a: libc and libm alone.
 * Leaves out: IDX files (convert them to .npy), weights embedded in the
 * executable, batches of more than one sample.
 */
#ifndef RT_SCORE_H
#define RT_SCORE_H

#include "model/rt_model.h"
#include "sample/rt_sample_parts.h"   /* the parts a model names */

/* Runs the scorer's command line (`score --help`).  The model is the
 * sampler's table with the scorer's networks: one data input, out_size 1
 * (the score), generate the score at batch 1.
 * Returns the process exit status: 0 ok, 2 usage or input error, 1 other. */
int rt_score_main(const rt_sampler_model *m, int argc, char **argv);

#endif
