/* test_rt_inflate.c - the sampler's inflate (runtime/sample/rt_inflate.c)
 * against zlib's (train/rt_zlib_deflate.c): the two implementations of
 * core/rt_zlib.h's rt_zlib_decode in one program.  The sampler's is
 * compiled in here under another name, `own_decode`, as its library
 * cannot be linked beside the trainer's, which defines the same functions;
 * test_rt_png_read_sampler runs the PNG decoder's tests on the sampler's
 * library itself.
 *   - streams made by zlib at levels 0, 1 and 9, with fixed Huffman codes
 *     only, Huffman codes only and run lengths, flushed into many blocks,
 *     of random, repetitive and text-like data, empty to 300 KB, inflate to
 *     their bytes;
 *   - a stream given too little or too much room is LONG or SHORT, one cut
 *     short is CUT, after as many bytes as zlib says;
 *   - hand-made streams that break each rule of RFC 1950 and 1951 are
 *     refused with zlib's reason, and the two odd codes zlib accepts (a
 *     lone one-bit literal/length code, an empty distance code) accepted;
 *   - every truncation and every bit flip of a few streams gets the same
 *     answer from both, and never a read or write out of bounds (the
 *     sanitizers' build, tests/sanitize.sh, and the fuzz target
 *     tests/fuzz/fuzz_inflate.c go further).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "core/rt_zlib.h"

/* the sampler's inflate, renamed beside zlib's rt_zlib_decode */
#define rt_zlib_decode own_decode
#include "sample/rt_inflate.c"
#undef rt_zlib_decode

typedef struct {
    rt_zlib_status status;
    size_t got;
    const char *why;
    unsigned char *out;
} answer;

typedef rt_zlib_status decode_fn(const unsigned char *, size_t, unsigned char *, size_t,
                                 size_t *, const char **);

/* out has `want` bytes and guards on both sides that must stay untouched */
static answer run(decode_fn *f, const unsigned char *z, size_t n, size_t want)
{
    answer a;
    unsigned char *buf = malloc(want + 32);
    memset(buf, 0xA5, want + 32);
    a.status = f(z, n, buf + 16, want, &a.got, &a.why);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(buf[i], 0xA5);
        assert_int_equal(buf[16 + want + i], 0xA5);
    }
    a.out = buf;
    return a;
}

/* Both implementations on z: the same answer, the same bytes; returns the
 * sampler's status (and its reason in *why, a static string). */
static rt_zlib_status both(const unsigned char *z, size_t n, size_t want, const char **why)
{
    answer own = run(own_decode, z, n, want), lib = run(rt_zlib_decode, z, n, want);
    if (own.status != lib.status || own.got != lib.got)
        fail_msg("own inflate: status %d after %zu bytes (%s); zlib: status %d after %zu (%s)",
                 own.status, own.got, own.why ? own.why : "-", lib.status, lib.got,
                 lib.why ? lib.why : "-");
    assert_memory_equal(own.out + 16, lib.out + 16, own.got);
    if (own.status == RT_ZLIB_CORRUPT)
        assert_string_equal(own.why, lib.why);
    else
        assert_null(own.why);
    free(own.out);
    free(lib.out);
    *why = lib.why;
    return own.status;
}

/* ---- streams from zlib ------------------------------------------------- */

/* A zlib stream of raw at `level` with `strategy`; flushed every `every`
 * bytes (0: never), each flush ending a block. */
static unsigned char *deflated(const unsigned char *raw, size_t n, int level, int strategy,
                               size_t every, size_t *len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(deflateInit2(&s, level, Z_DEFLATED, 15, 9, strategy), Z_OK);
    size_t cap = deflateBound(&s, n) + 5 * (every ? n / every + 1 : 1) + 64;
    unsigned char *z = malloc(cap);
    s.next_out = z;
    s.avail_out = (uInt)cap;
    for (size_t at = 0;;) {
        size_t piece = every && n - at > every ? every : n - at;
        s.next_in = (Bytef *)raw + at;
        s.avail_in = (uInt)piece;
        at += piece;
        int last = at == n;
        int rc = deflate(&s, last ? Z_FINISH : Z_FULL_FLUSH);
        assert_int_equal(rc, last ? Z_STREAM_END : Z_OK);
        if (last)
            break;
    }
    *len = cap - s.avail_out;
    deflateEnd(&s);
    return z;
}

enum { RANDOM, REPEAT, TEXT, N_KINDS };

static unsigned char *data_of(int kind, size_t n)
{
    unsigned char *d = malloc(n + 1);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        d[i] = kind == RANDOM ? (unsigned char)(x >> 24)
             : kind == REPEAT ? (unsigned char)("abcabcabd"[i % 9] + (i / 5000 % 3))
                              : (unsigned char)("etaoin shrdlu\n"[(x >> 24) % 14]);
    }
    return d;
}

static void test_zlib_streams(void **state)
{
    (void)state;
    static const size_t sizes[] = { 0, 1, 258, 65535, 65536, 300000 };
    static const struct { int level, strategy; } ways[] = {
        { 0, Z_DEFAULT_STRATEGY }, { 1, Z_DEFAULT_STRATEGY }, { 9, Z_DEFAULT_STRATEGY },
        { 9, Z_FIXED }, { 6, Z_HUFFMAN_ONLY }, { 6, Z_RLE },
    };
    int seen_type[3] = { 0 };
    for (int kind = 0; kind < N_KINDS; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (size_t w = 0; w < sizeof ways / sizeof *ways; w++)
                for (size_t every = 0; every <= 7000; every += 7000) {
                    size_t n = sizes[s], len;
                    unsigned char *raw = data_of(kind, n);
                    unsigned char *z = deflated(raw, n, ways[w].level, ways[w].strategy,
                                                every, &len);
                    answer a = run(own_decode, z, len, n);
                    if (a.status != RT_ZLIB_OK)
                        fail_msg("kind %d, %zu bytes, level %d, strategy %d, flush every "
                                 "%zu: status %d (%s)", kind, n, ways[w].level,
                                 ways[w].strategy, every, a.status, a.why ? a.why : "-");
                    assert_int_equal(a.got, n);
                    assert_memory_equal(a.out + 16, raw, n);
                    seen_type[(z[2] >> 1) & 3] = 1;   /* the first block's type */
                    free(a.out);
                    free(z);
                    free(raw);
                }
    /* stored, fixed and dynamic blocks were all among them */
    assert_true(seen_type[0] && seen_type[1] && seen_type[2]);
}

/* Room for fewer or more bytes than the stream holds, and a stream cut
 * short anywhere: both implementations agree on what and how many. */
static void test_lengths_and_cuts(void **state)
{
    (void)state;
    size_t n = 20000, len;
    unsigned char *raw = data_of(TEXT, n);
    unsigned char *z = deflated(raw, n, 9, Z_DEFAULT_STRATEGY, 5000, &len);
    const char *why;
    assert_int_equal(both(z, len, n, &why), RT_ZLIB_OK);
    assert_int_equal(both(z, len, n + 1, &why), RT_ZLIB_SHORT);
    assert_int_equal(both(z, len, n - 1, &why), RT_ZLIB_LONG);
    assert_int_equal(both(z, len, 0, &why), RT_ZLIB_LONG);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(both(z, cut, n, &why), RT_ZLIB_CUT);
    free(z);
    /* stored blocks cut inside their data, and longer than the room */
    z = deflated(raw, n, 0, Z_DEFAULT_STRATEGY, 0, &len);
    for (size_t cut = 0; cut < len; cut += 97)
        assert_int_equal(both(z, cut, n, &why), RT_ZLIB_CUT);
    assert_int_equal(both(z, len, n - 1000, &why), RT_ZLIB_LONG);
    assert_int_equal(both(z, len - 300, n - 1000, &why), RT_ZLIB_LONG);
    assert_int_equal(both(z, len - 2000, n - 1000, &why), RT_ZLIB_CUT);
    /* bytes after the stream's end are ignored by both */
    unsigned char *more = malloc(len + 3);
    memcpy(more, z, len);
    memcpy(more + len, "xyz", 3);
    assert_int_equal(both(more, len + 3, n, &why), RT_ZLIB_OK);
    free(more);
    free(z);
    free(raw);
}

/* Every bit flipped, one at a time, in a stream of each block type: the
 * same answer from both, and nothing touched out of bounds (run's guards). */
static void test_bit_flips(void **state)
{
    (void)state;
    size_t n = 700, len;
    unsigned char *raw = data_of(TEXT, n);
    static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FIXED, Z_DEFAULT_STRATEGY };
    for (int k = 0; k < 3; k++) {
        unsigned char *z = deflated(raw, n, k == 2 ? 0 : 9, strategies[k], 0, &len);
        for (size_t bit = 0; bit < 8 * len; bit++) {
            const char *why;
            z[bit / 8] ^= (unsigned char)(1u << bit % 8);
            both(z, len, n, &why);
            z[bit / 8] ^= (unsigned char)(1u << bit % 8);
        }
        free(z);
    }
    free(raw);
}

/* ---- hand-made streams -------------------------------------------------- */

typedef struct {
    unsigned char b[512];
    size_t n;   /* bits written */
} bits_out;

/* v's k low bits, low first (the order of deflate's fields) */
static void put_bits(bits_out *w, unsigned v, int k)
{
    for (int i = 0; i < k; i++, w->n++)
        w->b[w->n / 8] = (unsigned char)(w->b[w->n / 8] | ((v >> i) & 1) << (w->n % 8));
}

/* a Huffman code: its high bit first */
static void put_code(bits_out *w, unsigned code, int len)
{
    for (int i = len - 1; i >= 0; i--)
        put_bits(w, code >> i & 1, 1);
}

static void put_align(bits_out *w)
{
    w->n = (w->n + 7) / 8 * 8;
}

/* a symbol of the fixed literal/length code */
static void put_fixed(bits_out *w, unsigned sym)
{
    if (sym < 144)
        put_code(w, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(w, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(w, sym - 256, 7);
    else
        put_code(w, 0xC0 + sym - 280, 8);
}

static void put_header(bits_out *w)
{
    memset(w, 0, sizeof *w);
    put_bits(w, 0x78, 8);
    put_bits(w, 0x9C, 8);
}

static void put_adler(bits_out *w, uint32_t adler)
{
    put_align(w);
    for (int s = 24; s >= 0; s -= 8)
        put_bits(w, adler >> s & 0xFF, 8);
}

/* A final dynamic block's header: hlit + 257 literal/length and hdist + 1
 * distance lengths, given as a string of '0'-'9' (those lengths) and 'r'
 * (16: the last length 3 times), coded with the code-length code whose
 * lengths are cl[symbol]: canonical codes as RFC 1951 3.2.2 assigns them. */
static void put_dynamic(bits_out *w, int hlit, int hdist, const int cl[19], const char *lengths)
{
    static const int order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                   11, 4, 12, 3, 13, 2, 14, 1, 15 };
    int count[8] = { 0 }, next[8] = { 0 }, code[19];
    for (int i = 0; i < 19; i++)
        count[cl[i]]++;
    count[0] = 0;
    for (int len = 1; len < 8; len++)
        next[len] = (next[len - 1] + count[len - 1]) << 1;
    for (int i = 0; i < 19; i++)
        code[i] = cl[i] ? next[cl[i]]++ : 0;
    put_bits(w, 1, 1);
    put_bits(w, 2, 2);
    put_bits(w, (unsigned)hlit, 5);
    put_bits(w, (unsigned)hdist, 5);
    put_bits(w, 19 - 4, 4);
    for (int i = 0; i < 19; i++)
        put_bits(w, (unsigned)cl[order[i]], 3);
    for (const char *p = lengths; *p; p++) {
        int sym = *p == 'r' ? 16 : *p - '0';
        put_code(w, (unsigned)code[sym], cl[sym]);
        if (sym == 16)
            put_bits(w, 0, 2);
    }
}

/* a code-length code of two one-bit codes: lengths 0 and 1 */
static const int CL01[19] = { [0] = 1, [1] = 1 };

/* `total` lengths (257 literal/length ones, then distances): `len` for
 * the symbols `on`, 0 for the others */
static void lengths_with(char *s, int total, char len, const int *on, int n_on)
{
    memset(s, '0', (size_t)total);
    s[total] = 0;
    for (int i = 0; i < n_on; i++)
        s[on[i]] = len;
}

static void expect_refused(const bits_out *w, size_t want, const char *reason)
{
    const char *why;
    rt_zlib_status st = both(w->b, (w->n + 7) / 8, want, &why);
    if (st != RT_ZLIB_CORRUPT || strcmp(why, reason) != 0)
        fail_msg("expected '%s', got status %d (%s)", reason, st, why ? why : "-");
}

static void test_header_rules(void **state)
{
    (void)state;
    static const struct { unsigned char cmf, flg; const char *why; } bad[] = {
        { 0x78, 0x9D, "incorrect header check" },
        { 0x77, 0x85, "unknown compression method" },     /* CM 7 */
        { 0x88, 0x98, "invalid window size" },            /* CINFO 8 */
        { 0x78, 0xBB, "needs a preset dictionary" },      /* FDICT */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        bits_out w;
        memset(&w, 0, sizeof w);
        put_bits(&w, bad[i].cmf, 8);
        put_bits(&w, bad[i].flg, 8);
        assert_int_equal((bad[i].cmf << 8 | bad[i].flg) % 31 != 0, i == 0);
        for (int k = 0; k < 8; k++)
            put_bits(&w, 0, 8);   /* a dictionary id, for zlib to read */
        expect_refused(&w, 10, bad[i].why);
    }
}

static void test_block_rules(void **state)
{
    (void)state;
    bits_out w;
    put_header(&w);   /* block type 3 */
    put_bits(&w, 1, 1);
    put_bits(&w, 3, 2);
    expect_refused(&w, 10, "invalid block type");

    put_header(&w);   /* a stored block whose NLEN is not ~LEN */
    put_bits(&w, 1, 1);
    put_bits(&w, 0, 2);
    put_align(&w);
    put_bits(&w, 5, 16);
    put_bits(&w, 0xFFFA ^ 1, 16);
    expect_refused(&w, 10, "invalid stored block lengths");

    /* a stored block of 100 bytes with room for 50: cut after 50 of them
     * it is CUT, after 51 LONG */
    put_header(&w);
    put_bits(&w, 1, 3);
    put_align(&w);
    put_bits(&w, 100, 16);
    put_bits(&w, 0xFFFF ^ 100, 16);
    for (int i = 0; i < 100; i++)
        put_bits(&w, (unsigned)i, 8);
    const char *why;
    assert_int_equal(both(w.b, 7 + 50, 50, &why), RT_ZLIB_CUT);
    assert_int_equal(both(w.b, 7 + 51, 50, &why), RT_ZLIB_LONG);
    assert_int_equal(both(w.b, 7 + 49, 50, &why), RT_ZLIB_CUT);

    put_header(&w);   /* fixed: 'a', then 3 bytes from 2 back */
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_fixed(&w, 'a');
    put_fixed(&w, 257);
    put_code(&w, 1, 5);
    expect_refused(&w, 10, "invalid distance too far back");

    put_header(&w);   /* fixed: distance code 30 */
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_fixed(&w, 'a');
    put_fixed(&w, 257);
    put_code(&w, 30, 5);
    expect_refused(&w, 10, "invalid distance code");

    put_header(&w);   /* fixed: literal/length code 286 */
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_fixed(&w, 286);
    expect_refused(&w, 10, "invalid literal/length code");

    put_header(&w);   /* fixed: 'a' then the end, and a wrong Adler-32 */
    put_bits(&w, 1, 1);
    put_bits(&w, 1, 2);
    put_fixed(&w, 'a');
    put_fixed(&w, 256);
    put_adler(&w, 0x00620063);
    expect_refused(&w, 1, "incorrect data check");
    w.n -= 32;
    memset(w.b + w.n / 8, 0, 4);
    put_adler(&w, 0x00620062);
    assert_int_equal(both(w.b, w.n / 8, 1, &why), RT_ZLIB_OK);
}

static void test_dynamic_code_rules(void **state)
{
    (void)state;
    bits_out w;
    char len[261];
    put_header(&w);   /* 287 literal/length codes */
    put_dynamic(&w, 30, 0, CL01, "");
    expect_refused(&w, 10, "too many length or distance symbols");

    put_header(&w);   /* a code-length code of one one-bit code: incomplete */
    put_bits(&w, 1, 1);
    put_bits(&w, 2, 2);
    put_bits(&w, 0, 10);
    put_bits(&w, 19 - 4, 4);
    for (int i = 0; i < 19; i++)
        put_bits(&w, i == 3, 3);   /* order[3]: symbol 0 only */
    expect_refused(&w, 10, "invalid code lengths set");

    put_header(&w);   /* a repeat of the previous length first */
    put_dynamic(&w, 0, 0, (const int[19]){ [0] = 1, [16] = 1 }, "r");
    expect_refused(&w, 10, "invalid bit length repeat");

    lengths_with(len, 258, '1', (const int[]){ 'a', 'b' }, 2);   /* no code for the end */
    put_header(&w);
    put_dynamic(&w, 0, 0, CL01, len);
    expect_refused(&w, 10, "invalid code -- missing end-of-block");

    lengths_with(len, 258, '1', (const int[]){ 'a', 'b', 256 }, 3);   /* three one-bit codes */
    put_header(&w);
    put_dynamic(&w, 0, 0, CL01, len);
    expect_refused(&w, 10, "invalid literal/lengths set");

    /* one literal/length code of one bit and one of two: incomplete, and
     * not the lone one-bit code zlib allows */
    lengths_with(len, 258, '1', (const int[]){ 'a' }, 1);
    len[256] = '2';
    put_header(&w);
    put_dynamic(&w, 0, 0, (const int[19]){ [0] = 1, [1] = 2, [2] = 2 }, len);
    expect_refused(&w, 10, "invalid literal/lengths set");

    /* a complete literal/length code, three one-bit distance codes */
    lengths_with(len, 260, '1', (const int[]){ 'a', 256, 257, 258, 259 }, 5);
    put_header(&w);
    put_dynamic(&w, 0, 2, CL01, len);
    expect_refused(&w, 10, "invalid distances set");
}

/* The odd codes zlib accepts: a single one-bit literal/length code (the
 * end of block alone), an empty distance code (literals only). */
static void test_odd_codes_accepted(void **state)
{
    (void)state;
    bits_out w;
    char len[261];
    const char *why;
    lengths_with(len, 258, '1', (const int[]){ 256 }, 1);
    put_header(&w);
    put_dynamic(&w, 0, 0, CL01, len);
    put_code(&w, 0, 1);   /* the end */
    put_adler(&w, 1);
    assert_int_equal(both(w.b, w.n / 8, 0, &why), RT_ZLIB_OK);
    /* its unused code '1' is an invalid code */
    put_header(&w);
    put_dynamic(&w, 0, 0, CL01, len);
    put_code(&w, 1, 1);
    expect_refused(&w, 0, "invalid literal/length code");

    lengths_with(len, 258, '1', (const int[]){ 'z', 256 }, 2);   /* 'z' is '0', the end '1' */
    put_header(&w);
    put_dynamic(&w, 0, 0, CL01, len);
    for (int i = 0; i < 3; i++)
        put_code(&w, 0, 1);
    put_code(&w, 1, 1);
    put_adler(&w, (uint32_t)adler32(1, (const Bytef *)"zzz", 3));
    assert_int_equal(both(w.b, w.n / 8, 3, &why), RT_ZLIB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zlib_streams),
        cmocka_unit_test(test_lengths_and_cuts),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_block_rules),
        cmocka_unit_test(test_dynamic_code_rules),
        cmocka_unit_test(test_odd_codes_accepted),
    };
    return cmocka_run_group_tests_name("inflate", tests, NULL, NULL);
}
