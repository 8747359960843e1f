/* fuzz_idx.c - libFuzzer target: the IDX reader (runtime/rt_idx.c), gzipped
 * or plain, as images of 28x28 and as labels. */
#include <stdlib.h>

#include "data/rt_idx.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".idx");
    float *px = NULL;
    uint8_t *labels = NULL;
    size_t n;
    rt_err err;
    if (rt_idx_load_images(path, 28, 28, &px, &n, &err) == 0)
        free(px);
    if (rt_idx_load_labels(path, &labels, &n, &err) == 0)
        free(labels);
    unlink(path);
    return 0;
}
