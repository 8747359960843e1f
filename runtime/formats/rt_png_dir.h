/* rt_png_dir.h - a folder of PNG images as floats: the trainer's png_dir
 * data source (data/rt_data.c) and the sampler's `--input` of PNGs
 * (sample/rt_sample_images.c), which convert images alike.  Decoded by
 * rt_png_read.h, with the inflate of the library that holds it.
 * A folder of subfolders is a labelled data set: each subfolder a class.
 * Leaves out: images of other sizes (no resizing).
 */
#ifndef RT_PNG_DIR_H
#define RT_PNG_DIR_H

#include <stddef.h>

#include "core/rt_err.h"
#include "formats/rt_png_read.h"

/* The paths DIR/NAME of a folder's *.png files (regular files, sorted by
 * name, hidden ones skipped), each and the array malloc'd (free them with
 * rt_png_dir_free); none found is an error. */
int rt_png_dir_list(const char *dir, char ***paths, size_t *n, rt_err *err);
void rt_png_dir_free(char **paths, size_t n);

/* One decoded image as channel-major floats in [-1, 1] (x / 127.5 - 1):
 * channels * height * width of them at dst.  It must be height x width;
 * channels 1 wants a gray image, channels 3 takes a colour one or repeats a
 * gray one in R, G and B.  `whose` names the shape in errors ("the model's
 * data shape"), which name the path and what was expected and found. */
int rt_png_to_floats(const rt_png_image *img, const char *path, int channels, int height,
                     int width, const char *whose, float *dst, rt_err *err);

/* Loads every *.png file of a folder (rt_png_dir_list) as floats
 * (rt_png_to_floats): n * channels * h * w of them, malloc'd.  The images'
 * floats are checked against the memory there is first (rt_mem_check), and
 * each file is converted as it is decoded. */
int rt_png_dir_load(const char *dir, int channels, int height, int width, float **out,
                    size_t *n, rt_err *err);

/* The labelled form: every subfolder of dir (sorted by name; hidden ones
 * skipped) is a class, its index in that order the label of each of its
 * *.png images.  There must be exactly `classes` subfolders, each holding
 * images; *labels gets n bytes (malloc'd), the images as rt_png_dir_load. */
int rt_png_dir_load_classes(const char *dir, int classes, int channels, int height, int width,
                            float **out, unsigned char **labels, size_t *n, rt_err *err);

#endif
