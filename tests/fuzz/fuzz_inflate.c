/* fuzz_inflate.c - libFuzzer target: the sampler's inflate
 * (runtime/sample/rt_inflate.c) against zlib's (train/rt_zlib_deflate.c),
 * the two implementations of core/rt_zlib.h's rt_zlib_decode, on arbitrary
 * bytes.  The sampler's is compiled in here under another name, as its
 * library cannot be linked beside the trainer's.
 * Input: 2 bytes, the room (`want`, little-endian), then the stream.  The
 * sampler's must never read or write out of bounds (each buffer is its own
 * allocation, exactly as long as said), and both must give the same
 * answer: accepted with the same bytes, SHORT or LONG after the same
 * count, or refused.  A stream cut short and a corrupt one count alike
 * here: zlib reads on past two corrupt headers (a preset dictionary's id;
 * a code-length code of no codes, which it rejects later as a missing
 * end-of-block code), so such a stream cut there is CUT for zlib and
 * CORRUPT for the sampler; tests/test_rt_inflate.c checks the exact
 * answers and reasons elsewhere. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_zlib.h"

#define rt_zlib_decode own_decode
#include "sample/rt_inflate.c"
#undef rt_zlib_decode

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verdict(rt_zlib_status st)
{
    return st == RT_ZLIB_CUT ? RT_ZLIB_CORRUPT : (int)st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t want = (size_t)data[0] | (size_t)data[1] << 8, n = size - 2;
    unsigned char *z = malloc(n ? n : 1), *own = malloc(want ? want : 1);
    unsigned char *lib = malloc(want ? want : 1);
    memcpy(z, data + 2, n);
    size_t own_got, lib_got;
    const char *own_why, *lib_why;
    rt_zlib_status a = own_decode(z, n, own, want, &own_got, &own_why);
    rt_zlib_status b = rt_zlib_decode(z, n, lib, want, &lib_got, &lib_why);
    if (verdict(a) != verdict(b))
        abort();
    if (a != RT_ZLIB_CORRUPT && a != RT_ZLIB_CUT &&
        (own_got != lib_got || memcmp(own, lib, own_got) != 0))
        abort();
    if ((a == RT_ZLIB_CORRUPT) != (own_why != NULL) || own_got > want)
        abort();
    free(z);
    free(own);
    free(lib);
    return 0;
}
