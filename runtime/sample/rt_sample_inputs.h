/* rt_sample_inputs.h - what the sampler feeds each input of its network
 * (rt_input_info, rt_model.h), a chunk of samples at a time.
 *
 *   LATENT  drawn from --seed (truncated to |z| <= --truncation by drawing
 *           again), or read from --latent (N rows: the model's latent
 *           inputs side by side); with --interpolate, n points between two
 *           ends (--seed and --seed2, or --latent's first two rows):
 *           spherical for normal latents, linear for uniform ones
 *   CLASS   --class K for every sample, --labels FILE (one per sample: a
 *           .npy of integers or floats, or text with one integer a line),
 *           else the classes in turn 0, 1, 2, ... (with --interpolate: 0)
 *   DATA    --input FILE.npy, shape (N, the input's shape); for an image
 *           input, --input of PNGs: a .png or a folder of them
 *           (rt_sample_images.h)
 * Seeded latents come out of one generator in sample order, so the first
 * samples do not depend on -n or on the chunks.  Files are read a chunk at
 * a time (labels whole), every value checked (finite; labels whole
 * numbers in [0, classes)).
 * Leaves out: several latent files, labels per CLASS input (one --class or
 * --labels for all of them).
 */
#ifndef RT_SAMPLE_INPUTS_H
#define RT_SAMPLE_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "formats/rt_npy.h"
#include "model/rt_model.h"

/* The sampler's flags (rt_sample.c parses them). */
typedef struct {
    const char *weights, *latent, *out, *labels, *input;
    long n;
    int n_given;
    uint64_t seed, seed2;
    int seed2_given;
    long class_k;        /* --class, -1 when not given */
    int class_all;       /* --class all: -n samples of every class */
    double truncation;   /* --truncation, 0 when not given */
    int interpolate, raw, help;
    int grid;            /* --grid: a .png of input | output (| --target) rows */
    const char *target;  /* --target FILE: the outputs expected, beside them in the grid */
} rt_sample_opts;

typedef struct {
    const rt_sampler_model *m;
    const rt_sample_opts *o;
    rt_rng rng;
    size_t width;          /* floats of all latent inputs side by side */
    rt_npy_in latent;      /* --latent, open when latent.fd >= 0 */
    rt_npy_in data;        /* --input X.npy, likewise */
    char **images;         /* --input of PNGs: their paths in sample order, or NULL */
    size_t n_images;
    float *labels;         /* --labels, whole */
    float *ends;           /* --interpolate: 2 * width */
    float *row;            /* scratch: a chunk of --latent rows */
} rt_sample_inputs;

/* Checks the flags against the model's inputs, opens the files and sets
 * o->n from them (their rows must agree with each other and with -n). */
int rt_sample_inputs_open(rt_sample_inputs *s, const rt_sampler_model *m, rt_sample_opts *o,
                          rt_err *err);
/* Samples [first, first + k) of every input: in[i] gets k * size floats. */
int rt_sample_inputs_next(rt_sample_inputs *s, size_t first, size_t k, float *const *in,
                          rt_err *err);
void rt_sample_inputs_close(rt_sample_inputs *s);

#endif
