/* rt_inflate.c - the sampler's inflate (core/rt_zlib.h's rt_zlib_decode)
 * without zlib: the sampler links libc and libm only, and `sample --input`
 * reads PNG images (formats/rt_png_read.c), whose pixels are a zlib stream.
 * Only libganc_sample.a holds this file; the trainer's library has zlib's
 * inflate (train/rt_zlib_deflate.c).  It is a file of its own so that a
 * sampler links it only when its network reads images (rt_sample_parts.h).
 *
 * One call decodes a whole stream held in memory into a buffer that holds
 * the whole output, so that buffer is also the window: a distance is valid
 * when it reaches no further back than the first byte written.  Huffman
 * codes are decoded a bit at a time from their canonical counts (the method
 * of Mark Adler's puff.c, zlib's contrib/puff): about 2.3 times zlib's
 * time on 20 MB of text here (33 against 77 MB/s), in a fraction of the
 * code, and plenty for the images a sampler is given.  The codes zlib's inflate accepts are the ones accepted
 * here (complete codes; a distance code may be empty, and a literal/length
 * or distance code may be a single one-bit code), and the messages of
 * corrupt streams are zlib's, so trainer and sampler refuse the same files
 * (tests/fuzz/fuzz_inflate.c compares the two).
 * Input is never read past its end: the bit reader gives zeros there and
 * marks the stream cut (RT_ZLIB_CUT), and every loop stops at a mark; output
 * is never written past `want` (RT_ZLIB_LONG).
 * Spec: RFC 1950 (zlib), RFC 1951 (deflate).
 * Leaves out: preset dictionaries (PNG has none), streams fed in pieces.
 */
#include "core/rt_zlib.h"

#include <stdint.h>
#include <string.h>

#define MAX_BITS 15          /* longest code */
#define N_LITLEN 288         /* literal/length symbols of the fixed code (286, 287 invalid) */
#define N_DIST 32            /* distance symbols of the fixed code (30, 31 invalid) */
#define MAX_LITLEN 286       /* the most a dynamic block may declare */
#define MAX_DIST 30
#define N_CODELEN 19         /* symbols of the code-length code */

/* A canonical Huffman code: how many codes of each length, and the symbols
 * in code order (by length, then by symbol). */
typedef struct {
    short count[MAX_BITS + 1];
    short symbol[N_LITLEN];
    int longest;             /* the longest code's length; 0 for an empty code */
} huffman;

typedef struct {
    const unsigned char *in;
    size_t n, at;             /* input, and the next byte to read */
    uint32_t bits;            /* read but not used, low bit first; fewer than 8 between calls */
    int nbits;
    unsigned char *out;
    size_t want, put;         /* room, and bytes written */
    rt_zlib_status status;    /* RT_ZLIB_OK until something ends the decoding */
    const char *why;
} inflater;

/* The first reason to stop is the one reported: once the input is cut,
 * what the zeros after it seem to say is not news. */
static void stop(inflater *s, rt_zlib_status status, const char *why)
{
    if (s->status == RT_ZLIB_OK) {
        s->status = status;
        s->why = why;
    }
}

/* The next `need` bits (at most 16), low bit first; zeros past the input's end. */
static unsigned bits(inflater *s, int need)
{
    while (s->nbits < need) {
        if (s->at == s->n) {
            stop(s, RT_ZLIB_CUT, NULL);
            return 0;
        }
        s->bits |= (uint32_t)s->in[s->at++] << s->nbits;
        s->nbits += 8;
    }
    unsigned v = s->bits & ((1u << need) - 1);
    s->bits >>= need;
    s->nbits -= need;
    return v;
}

/* Writes one byte; one past `want` makes the stream LONG.  0, or -1. */
static int put(inflater *s, unsigned char b)
{
    if (s->put == s->want) {
        stop(s, RT_ZLIB_LONG, NULL);
        return -1;
    }
    s->out[s->put++] = b;
    return 0;
}

/* The code of the n symbols' lengths (0: unused).  Returns the code space
 * left: 0 for a complete code, > 0 for an incomplete one, < 0 for an
 * over-subscribed one (then h is not usable). */
static int build(huffman *h, const unsigned char *length, int n)
{
    short offset[MAX_BITS + 1];
    memset(h->count, 0, sizeof h->count);
    for (int i = 0; i < n; i++)
        h->count[length[i]]++;
    int left = 1;
    h->longest = 0;
    for (int len = 1; len <= MAX_BITS; len++) {
        left = 2 * left - h->count[len];
        if (left < 0)
            return left;
        h->longest = h->count[len] ? len : h->longest;
    }
    offset[1] = 0;
    for (int len = 1; len < MAX_BITS; len++)
        offset[len + 1] = (short)(offset[len] + h->count[len]);
    for (int i = 0; i < n; i++)
        if (length[i])
            h->symbol[offset[length[i]]++] = (short)i;
    return left;
}

/* zlib's rule for a literal/length or distance code: complete, or a single
 * code of one bit (its other bit pattern is an invalid code when met). */
static int usable(const huffman *h, int left)
{
    int longer = 0;
    for (int len = 2; len <= MAX_BITS; len++)
        longer += h->count[len];
    return left == 0 || (left > 0 && h->count[1] == 1 && longer == 0);
}

/* The next symbol of code h, or -1 for a bit pattern the code leaves
 * unused.  Canonical codes of one length are consecutive numbers, starting
 * where the shorter lengths' codes end (doubled per extra bit).  An unused
 * pattern is known after as many bits as the longest code has (one for an
 * empty code), which is where zlib knows it too: a stream that ends there
 * is corrupt for both, not cut. */
static int decode(inflater *s, const huffman *h)
{
    int code = 0, first = 0, index = 0, longest = h->longest ? h->longest : 1;
    for (int len = 1; len <= longest; len++) {
        code |= (int)bits(s, 1);
        int count = h->count[len];
        if (code - first < count)
            return h->symbol[index + code - first];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static const short len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                     35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const unsigned char len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                             2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const unsigned short dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const unsigned char dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                              6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* A Huffman block's literals and copies, up to its end-of-block code. */
static void codes(inflater *s, const huffman *lit, const huffman *dist)
{
    while (s->status == RT_ZLIB_OK) {
        int sym = decode(s, lit);
        if (s->status != RT_ZLIB_OK || sym == 256)
            return;
        if (sym >= 0 && sym < 256) {
            put(s, (unsigned char)sym);
            continue;
        }
        if (sym < 0 || sym > 285) {
            stop(s, RT_ZLIB_CORRUPT, "invalid literal/length code");
            return;
        }
        int len = len_base[sym - 257] + (int)bits(s, len_extra[sym - 257]);
        int d = decode(s, dist);
        if (s->status == RT_ZLIB_OK && (d < 0 || d >= MAX_DIST)) {
            stop(s, RT_ZLIB_CORRUPT, "invalid distance code");
            return;
        }
        size_t back = d < 0 || d >= MAX_DIST ? 0 : dist_base[d] + bits(s, dist_extra[d]);
        if (s->status == RT_ZLIB_OK && back > s->put)
            stop(s, RT_ZLIB_CORRUPT, "invalid distance too far back");
        while (s->status == RT_ZLIB_OK && len-- > 0)
            put(s, s->out[s->put - back]);   /* byte by byte: a copy may overlap itself */
    }
}

/* A stored block: LEN, its complement, LEN bytes, from the next byte on. */
static void stored(inflater *s)
{
    s->bits = 0;   /* the rest of the current byte */
    s->nbits = 0;
    unsigned len = bits(s, 16), nlen = bits(s, 16);
    if (s->status != RT_ZLIB_OK)
        return;
    if (len != (~nlen & 0xFFFF)) {
        stop(s, RT_ZLIB_CORRUPT, "invalid stored block lengths");
        return;
    }
    size_t avail = s->n - s->at, room = s->want - s->put, k = len;
    k = k < avail ? k : avail;
    k = k < room ? k : room;
    memcpy(s->out + s->put, s->in + s->at, k);
    s->put += k;
    s->at += k;
    if (k < len)   /* LONG only if a byte was there to write past the room */
        stop(s, k == room && avail > room ? RT_ZLIB_LONG : RT_ZLIB_CUT, NULL);
}

/* The fixed code of RFC 1951 3.2.6. */
static void fixed(inflater *s)
{
    unsigned char length[N_LITLEN];
    huffman lit, dist;
    for (int i = 0; i < N_LITLEN; i++)
        length[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    build(&lit, length, N_LITLEN);
    memset(length, 5, N_DIST);
    build(&dist, length, N_DIST);
    codes(s, &lit, &dist);
}

/* The code lengths of a dynamic block (RFC 1951 3.2.7), themselves coded:
 * 0-15 a length, 16 the last one 3-6 times, 17 and 18 zeros 3-10, 11-138 times. */
static void read_lengths(inflater *s, const huffman *lencode, unsigned char *length, int n)
{
    for (int i = 0; i < n && s->status == RT_ZLIB_OK;) {
        int sym = decode(s, lencode);
        if (sym >= 0 && sym < 16) {
            length[i++] = (unsigned char)sym;
            continue;
        }
        int times = sym == 16 ? 3 + (int)bits(s, 2) : sym == 17 ? 3 + (int)bits(s, 3)
                                                               : 11 + (int)bits(s, 7);
        if (s->status == RT_ZLIB_OK && (sym < 0 || (sym == 16 && i == 0) || i + times > n))
            stop(s, RT_ZLIB_CORRUPT, "invalid bit length repeat");
        unsigned char repeat = sym == 16 && i > 0 ? length[i - 1] : 0;
        while (s->status == RT_ZLIB_OK && times--)
            length[i++] = repeat;
    }
}

/* A block with its own codes (RFC 1951 3.2.7), checked as zlib checks them. */
static void dynamic(inflater *s)
{
    static const unsigned char order[N_CODELEN] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                                    11, 4, 12, 3, 13, 2, 14, 1, 15 };
    unsigned char length[MAX_LITLEN + MAX_DIST] = { 0 };
    huffman lencode, lit, dist;
    int nlen = 257 + (int)bits(s, 5), ndist = 1 + (int)bits(s, 5), ncode = 4 + (int)bits(s, 4);
    if (s->status == RT_ZLIB_OK && (nlen > MAX_LITLEN || ndist > MAX_DIST))
        stop(s, RT_ZLIB_CORRUPT, "too many length or distance symbols");
    for (int i = 0; i < ncode && s->status == RT_ZLIB_OK; i++)
        length[order[i]] = (unsigned char)bits(s, 3);
    if (s->status == RT_ZLIB_OK && build(&lencode, length, N_CODELEN) != 0)
        stop(s, RT_ZLIB_CORRUPT, "invalid code lengths set");
    if (s->status != RT_ZLIB_OK)
        return;
    read_lengths(s, &lencode, length, nlen + ndist);   /* every one of them */
    if (s->status == RT_ZLIB_OK && length[256] == 0)
        stop(s, RT_ZLIB_CORRUPT, "invalid code -- missing end-of-block");
    if (s->status == RT_ZLIB_OK && !usable(&lit, build(&lit, length, nlen)))
        stop(s, RT_ZLIB_CORRUPT, "invalid literal/lengths set");
    /* an empty distance code is allowed: a block of literals only */
    if (s->status == RT_ZLIB_OK && !usable(&dist, build(&dist, length + nlen, ndist)) &&
        dist.count[0] != ndist)
        stop(s, RT_ZLIB_CORRUPT, "invalid distances set");
    if (s->status == RT_ZLIB_OK)
        codes(s, &lit, &dist);
}

/* The zlib header (RFC 1950 2.2): deflate, a window of at most 32 KiB, no
 * dictionary, in zlib's order of checks. */
static void header(inflater *s)
{
    unsigned cmf = bits(s, 8), flg = bits(s, 8);
    if (s->status != RT_ZLIB_OK)
        return;
    if ((cmf << 8 | flg) % 31)
        stop(s, RT_ZLIB_CORRUPT, "incorrect header check");
    else if ((cmf & 15) != 8)
        stop(s, RT_ZLIB_CORRUPT, "unknown compression method");
    else if (cmf >> 4 > 7)
        stop(s, RT_ZLIB_CORRUPT, "invalid window size");
    else if (flg & 0x20)
        stop(s, RT_ZLIB_CORRUPT, "needs a preset dictionary");
}

static void blocks(inflater *s)
{
    for (int last = 0; !last && s->status == RT_ZLIB_OK;) {
        last = (int)bits(s, 1);
        unsigned type = bits(s, 2);
        if (s->status != RT_ZLIB_OK)
            return;
        if (type == 0)
            stored(s);
        else if (type == 1)
            fixed(s);
        else if (type == 2)
            dynamic(s);
        else
            stop(s, RT_ZLIB_CORRUPT, "invalid block type");
    }
}

/* The Adler-32 of the output, big-endian, from the next byte on. */
static void trailer(inflater *s)
{
    s->bits = 0;
    s->nbits = 0;
    uint32_t want = 0;
    for (int i = 0; i < 4; i++)
        want = want << 8 | bits(s, 8);
    if (s->status == RT_ZLIB_OK && rt_adler32(1, s->out, s->put) != want)
        stop(s, RT_ZLIB_CORRUPT, "incorrect data check");
}

rt_zlib_status rt_zlib_decode(const unsigned char *z, size_t n, unsigned char *out,
                              size_t want, size_t *got, const char **why)
{
    inflater s = { .in = z, .n = n, .out = out, .want = want, .status = RT_ZLIB_OK };
    header(&s);
    blocks(&s);
    if (s.status == RT_ZLIB_OK)
        trailer(&s);
    *got = s.put;
    *why = s.why;
    return s.status == RT_ZLIB_OK && s.put < want ? RT_ZLIB_SHORT : s.status;
}
