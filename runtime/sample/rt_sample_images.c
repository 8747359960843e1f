/* rt_sample_images.c - the sampler's `--input` of PNG images (see
 * rt_sample_images.h). */
#include "sample/rt_sample_images.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/rt_alloc.h"
#include "formats/rt_png_dir.h"
#include "formats/rt_png_read.h"

/* A folder, or a path written as one (DIR/), which is then reported
 * missing as an image folder. */
static int is_folder(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (n > 0 && path[n - 1] == '/');
}

int rt_sample_images_named(const char *path)
{
    size_t n = strlen(path);
    return is_folder(path) || (n > 4 && strcasecmp(path + n - 4, ".png") == 0);
}

int rt_sample_images_open(rt_sample_inputs *s, const rt_input_info *x, const char *path,
                          rt_err *err)
{
    if (x->ndim != 3 || (x->shape[0] != 1 && x->shape[0] != 3))
        return rt_errf(err, "--input %s: PNG images feed an input of 1 or 3 channels of "
                       "pixels, and the network's input '%s' is not one (%d dimensions, %zu "
                       "floats); give its samples as a .npy", path, x->name, x->ndim, x->size);
    if (is_folder(path))
        return rt_png_dir_list(path, &s->images, &s->n_images, err);
    s->images = rt_xmalloc(sizeof *s->images);
    s->images[0] = rt_xstrdup(path);
    s->n_images = 1;
    return 0;
}

int rt_sample_images_rows(rt_sample_inputs *s, const rt_input_info *x, size_t first, size_t k,
                          float *dst, rt_err *err)
{
    char whose[160];
    snprintf(whose, sizeof whose, "the network's input '%s'", x->name);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < k; i++) {
        const char *path = s->images[first + i];
        rt_png_image img;
        rc = rt_png_read(path, &img, err);
        if (rc == 0)
            rc = rt_png_to_floats(&img, path, x->shape[0], x->shape[1], x->shape[2], whose,
                                  dst + i * x->size, err);
        free(img.pixels);
    }
    return rc;
}
