/* fuzz_safetensors.c - libFuzzer target: the safetensors reader
 * (runtime/rt_safetensors_read.c, rt_json.c) on arbitrary bytes: open from
 * memory and from a file (which reads its data section late, in pieces),
 * then read every tensor it lists as F32 with its own shape and look up
 * metadata, as the sampler and --resume do. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/rt_safetensors.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* what a loader does with an opened file; closes it */
static void use(rt_st *st)
{
    rt_err err;
    for (size_t i = 0; i < st->n_tensors; i++) {
        const rt_st_tensor *t = &st->tensors[i];
        int shape[RT_ST_MAX_NDIM];
        uint64_t numel = 1;
        for (int d = 0; d < t->ndim; d++) {
            shape[d] = t->shape[d] > (1u << 20) ? -1 : (int)t->shape[d];
            numel *= t->shape[d];
        }
        if (numel > (1u << 20))
            continue;   /* the reader checked the size; no need to copy a huge one */
        float *dst = malloc(numel ? numel * sizeof(float) : 1);
        (void)rt_st_read_f32(st, t->name, dst, t->ndim, shape, &err);
        free(dst);
    }
    (void)rt_st_meta(st, "format");
    (void)rt_st_meta(st, RT_ST_CRC_KEY);
    rt_st_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_st st;
    rt_err err;
    if (rt_st_open_memory(data, size, "fuzz.safetensors", &st, &err) == 0)
        use(&st);
    if (rt_st_open_file(fuzz_file(data, size, ".safetensors"), &st, &err) == 0)
        use(&st);
    return 0;
}
