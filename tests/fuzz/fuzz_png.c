/* fuzz_png.c - libFuzzer target: the PNG decoder
 * (runtime/formats/rt_png_read.c, here with the trainer's zlib inflate;
 * fuzz_inflate.c holds the sampler's to zlib's) on arbitrary bytes.  It
 * must refuse or decode, never read out of bounds, leak or loop; a decoded
 * image's size must match what it says. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/rt_png_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_png_image img;
    rt_err err;
    if (rt_png_decode(data, size, "fuzz.png", &img, &err) == 0) {
        size_t n = (size_t)img.width * (size_t)img.height * (size_t)img.channels;
        volatile unsigned char sink = n ? img.pixels[n - 1] : 0;   /* touch the last byte */
        (void)sink;
        free(img.pixels);
    }
    return 0;
}
