/* rt_png_dir.h - a folder of PNG images as training data (decoded by
 * rt_png_read.h, so it needs -lz like the rest of data/).
 * A folder of subfolders is a labelled data set: each subfolder a class.
 * Leaves out: images of other sizes (no resizing).
 */
#ifndef RT_PNG_DIR_H
#define RT_PNG_DIR_H

#include <stddef.h>

#include "core/rt_err.h"

/* Loads every *.png file of a folder (sorted by name, subfolders skipped)
 * as floats in [-1, 1] (x / 127.5 - 1), channel-major: n * channels * h * w
 * floats, malloc'd.  Every image must be h x w; channels 1 wants gray
 * images, channels 3 takes colour ones (gray ones are repeated in R, G, B).
 * The images' floats are checked against the memory there is first
 * (rt_mem_check), and each file is converted as it is decoded.
 * An error names the file and what was expected and found. */
int rt_png_dir_load(const char *dir, int channels, int height, int width, float **out,
                    size_t *n, rt_err *err);

/* The labelled form: every subfolder of dir (sorted by name; hidden ones
 * skipped) is a class, its index in that order the label of each of its
 * *.png images.  There must be exactly `classes` subfolders, each holding
 * images; *labels gets n bytes (malloc'd), the images as rt_png_dir_load. */
int rt_png_dir_load_classes(const char *dir, int classes, int channels, int height, int width,
                            float **out, unsigned char **labels, size_t *n, rt_err *err);

#endif
