/* rt_sample_parts.h - the parts of the sampler that only some networks
 * use, reached through the model's table (rt_sampler_model.parts).
 *
 * The generated sampler names only the parts its network can use, so the
 * linker (--gc-sections) leaves the others out of the executable: the
 * stripped DCGAN sampler has a 64 KiB budget (tests/runtime_libs.sh), and
 * reading labels, a data input and drawing scatter plots took about 4.5
 * KiB of it without the DCGAN ever using them.  A part the table lacks is
 * one the sampler's checks refuse before it is needed (--labels without a
 * class input, --input without a data input, a .png of neither images nor
 * 2D points); reaching one anyway is a broken contract (rt_assert).
 * rt_sample_all_parts names every part, for hand-written models (tests).
 */
#ifndef RT_SAMPLE_PARTS_H
#define RT_SAMPLE_PARTS_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_file.h"
#include "model/rt_model.h"
#include "sample/rt_sample_inputs.h"

/* A network's class input in the output (rt_sample_classes.c). */
typedef struct {
    int ci;               /* the class input; -1: none (a hand-written model's
                           * rt_sample_all_parts), and the part does nothing */
    size_t size;          /* its floats per sample */
    const float *cls;     /* the chunk's class input (chunk), NULL: none */
    int classes;
    rt_wfile labels;      /* a .npy output's X_labels.npy, open when labels.f */
    long *count;          /* a folder output's samples in each class subfolder so far */
} rt_sample_classes;

typedef struct {
    /* --class all, or a folder output without flags that set the classes
     * or the count: o->n becomes -n samples of every class (before the
     * inputs are opened) */
    int (*count_all)(const rt_sampler_model *m, rt_sample_opts *o, int folder, rt_err *err);
    /* the output's part: folder (1) or .npy (0), once o->n is final */
    int (*open)(rt_sample_classes *c, const rt_sampler_model *m, const rt_sample_opts *o,
                int folder, rt_err *err);
    /* a chunk of k samples of the inputs in: its classes into X_labels.npy,
     * and kept for path */
    void (*chunk)(rt_sample_classes *c, float *const *in, size_t k);
    /* the PNG path of sample g, sample i of the chunk: DIR/K/000000.png (the
     * subfolder made with its first sample), or DIR/000000.png without a
     * class input */
    int (*path)(rt_sample_classes *c, char *path, size_t cap, const char *dir, size_t g,
                size_t i, rt_err *err);
    /* the exit status: X_labels.npy committed when status is 0, else removed */
    int (*close)(rt_sample_classes *c, int status, rt_err *err);
} rt_sample_classes_fns;

/* -o X.png: the one picture of the n samples in x (a strip with
 * --interpolate); 0, or -1 with err */
typedef int rt_sample_picture_fn(const rt_sampler_model *m, const char *out, const float *x,
                                 size_t n, int strip, rt_err *err);

typedef struct rt_sample_parts {
    /* a class input: --labels FILE (rt_sample_inputs.c) */
    int (*open_labels)(rt_sample_inputs *s, rt_sample_opts *o, const char **by, rt_err *err);
    /* a data input: --input X.npy or PNG images (rt_sample_images.h, which
     * brings the PNG decoder and the inflate), opened, then read a chunk
     * at a time */
    int (*open_data)(rt_sample_inputs *s, rt_sample_opts *o, const char **by, rt_err *err);
    int (*data_rows)(rt_sample_inputs *s, const rt_input_info *x, size_t first, size_t k,
                     float *dst, rt_err *err);
    /* images (1 or 3 channels): a grid; 2D points: a scatter plot (rt_sample.c) */
    rt_sample_picture_fn *grid;
    rt_sample_picture_fn *scatter;
    /* --grid of a network with a data input xi and image output: rows of
     * input | output (| --target) (rt_sample_pairs.c); 0, -1 with err
     * (output), -2 with err (a bad --target or, with in NULL, which only
     * checks, an input that is not an image) */
    int (*pairs)(const rt_sampler_model *m, const rt_sample_opts *o, const rt_input_info *xi,
                 const float *in, const float *x, size_t n, rt_err *err);
    /* a class input: --class all, class subfolders, X_labels.npy */
    const rt_sample_classes_fns *classes;
} rt_sample_parts;

int rt_sample_open_labels(rt_sample_inputs *s, rt_sample_opts *o, const char **by,
                          rt_err *err);
int rt_sample_open_data(rt_sample_inputs *s, rt_sample_opts *o, const char **by, rt_err *err);
int rt_sample_data_rows(rt_sample_inputs *s, const rt_input_info *x, size_t first, size_t k,
                        float *dst, rt_err *err);
int rt_sample_grid_png(const rt_sampler_model *m, const char *out, const float *x, size_t n,
                       int strip, rt_err *err);
int rt_sample_scatter_png(const rt_sampler_model *m, const char *out, const float *x,
                          size_t n, int strip, rt_err *err);
/* the grid of a network with a class input: a column per class (rt_sample_classes.c) */
int rt_sample_class_grid_png(const rt_sampler_model *m, const char *out, const float *x,
                             size_t n, int strip, rt_err *err);
int rt_sample_pairs_png(const rt_sampler_model *m, const rt_sample_opts *o,
                        const rt_input_info *xi, const float *in, const float *x, size_t n,
                        rt_err *err);

extern const rt_sample_classes_fns rt_sample_classes_part;

/* every part (rt_sample.c) */
extern const rt_sample_parts rt_sample_all_parts;

#endif
