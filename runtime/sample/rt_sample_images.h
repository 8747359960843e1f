/* rt_sample_images.h - the sampler's `--input` of PNG images, for a network
 * whose data input is an image (1 or 3 channels): one .png file (one
 * sample) or a folder of them (its *.png files sorted by name, one sample
 * each), converted as the trainer converts a png_dir data set
 * (formats/rt_png_dir.h: pixels to [-1, 1], gray repeated for 3 channels,
 * colour refused for 1, sizes checked).  The files are listed when opened
 * and decoded a chunk of samples at a time, so any number of images runs
 * in the same memory.  Only samplers whose network reads a data input link
 * this file and the inflate it brings (sample/rt_inflate.c), through
 * rt_sample_open_data (rt_sample_parts.h).
 * Leaves out: resizing, images for inputs that are not pixels.
 */
#ifndef RT_SAMPLE_IMAGES_H
#define RT_SAMPLE_IMAGES_H

#include <stddef.h>

#include "core/rt_err.h"
#include "model/rt_model.h"
#include "sample/rt_sample_inputs.h"

/* Whether --input PATH names PNG images (a folder, a path ending in '/',
 * or a file *.png) rather than a .npy. */
int rt_sample_images_named(const char *path);
/* Lists the images of --input PATH for the data input x into s->images and
 * s->n_images (freed by rt_sample_inputs_close). */
int rt_sample_images_open(rt_sample_inputs *s, const rt_input_info *x, const char *path,
                          rt_err *err);
/* Samples [first, first + k) of x, decoded: k * x->size floats at dst. */
int rt_sample_images_rows(rt_sample_inputs *s, const rt_input_info *x, size_t first, size_t k,
                          float *dst, rt_err *err);

#endif
