/* fuzz_npy.c - libFuzzer target: the .npy reader (runtime/rt_npy.c), as the
 * sampler's --latent uses it. */
#include <stdlib.h>

#include "formats/rt_npy.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".npy");
    float *x = NULL;
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    rt_err err;
    if (rt_npy_read_f32(path, &x, &ndim, shape, &err) == 0)
        free(x);
    unlink(path);
    return 0;
}
