/* test_rt_weights.c - tensor views, initialisation by kind, save/load
 * through safetensors (EMA copies included), refusal of mismatched files,
 * the sampler's tensors in place and from their EMA copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rt_weights.h"
#include "sample/rt_sample_weights.h"

static char path[160];

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_weights");
}

enum { NW = 40 * 100, G_COUNT = NW + 10 + 6, D_COUNT = 3, E_COUNT = 4 };
static float g[G_COUNT], d[D_COUNT], gs[2], e[E_COUNT], e_ema[E_COUNT];

static const rt_tensor_info T[] = {
    { "g.w", 0, RT_ROLE_PARAM, 0, 2, { 40, 100 }, RT_INIT_NORMAL, 0.5f, 0.02f },
    { "g.u", 0, RT_ROLE_PARAM, NW, 1, { 10 }, RT_INIT_UNIFORM, -2.0f, -1.0f },
    { "g.one", 0, RT_ROLE_PARAM, NW + 10, 3, { 1, 2, 3 }, RT_INIT_ONE, 0, 0 },
    { "g.bn.mean", 0, RT_ROLE_STATE, 0, 1, { 2 }, RT_INIT_ZERO, 0, 0 },
    { "d.b", 1, RT_ROLE_PARAM, 0, 1, { 3 }, RT_INIT_ZERO, 0, 0 },
    { "e.w", 2, RT_ROLE_PARAM, 0, 2, { 2, 2 }, RT_INIT_NORMAL, 0, 1 },
};
enum { NT = sizeof T / sizeof T[0] };

/* three networks, the third with an EMA copy */
static rt_net nets[3] = {
    { "g", g, NULL, G_COUNT, gs, 2, NULL, 0 },
    { "d", d, NULL, D_COUNT, NULL, 0, NULL, 0 },
    { "e", e, NULL, E_COUNT, NULL, 0, e_ema, 0.5f },
};

static rt_store store(void)
{
    rt_store s = { nets, 3 };
    return s;
}

static void test_views(void **state)
{
    (void)state;
    rt_store s = store();
    assert_ptr_equal(rt_tensor_data(&s, &T[1]), g + NW);
    assert_ptr_equal(rt_tensor_data(&s, &T[3]), gs);
    assert_ptr_equal(rt_tensor_data(&s, &T[4]), d);
    assert_ptr_equal(rt_tensor_data(&s, &T[5]), e);
    assert_ptr_equal(rt_tensor_ema(&s, &T[5]), e_ema);
    assert_null(rt_tensor_ema(&s, &T[0]));   /* its network keeps none */
    assert_null(rt_tensor_ema(&s, &T[3]));   /* state is never averaged */
    assert_int_equal(rt_tensor_numel(&T[0]), NW);
    assert_int_equal(rt_tensor_numel(&T[2]), 6);
}

static void test_init_kinds(void **state)
{
    (void)state;
    rt_store s = store();
    for (int i = 0; i < G_COUNT; i++)
        g[i] = NAN;
    gs[0] = gs[1] = d[0] = d[1] = d[2] = NAN;
    rt_rng r;
    rt_rng_seed(&r, 3);
    rt_tensors_init(&s, T, NT, &r);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < NW; i++) {
        sum += g[i];
        sum2 += (double)g[i] * g[i];
    }
    double mean = sum / NW, sd = sqrt(sum2 / NW - mean * mean);
    assert_true(fabs(mean - 0.5) < 0.002);
    assert_true(fabs(sd - 0.02) < 0.001);
    for (int i = NW; i < NW + 10; i++)
        assert_true(g[i] >= -2.0f && g[i] < -1.0f);
    for (int i = NW + 10; i < G_COUNT; i++)
        assert_true(g[i] == 1.0f);
    assert_true(gs[0] == 0 && gs[1] == 0 && d[0] == 0 && d[2] == 0);

    /* same seed, same values */
    float copy = g[17];
    rt_rng_seed(&r, 3);
    g[17] = 0;
    rt_tensors_init(&s, T, NT, &r);
    assert_true(g[17] == copy);
}

static void test_save_load_roundtrip(void **state)
{
    (void)state;
    rt_store s = store();
    rt_rng r;
    rt_rng_seed(&r, 4);
    rt_tensors_init(&s, T, NT, &r);
    gs[0] = 3.5f;
    gs[1] = -1;
    d[1] = 7;
    for (int i = 0; i < E_COUNT; i++)
        e_ema[i] = 10.0f + (float)i;
    static float g0[G_COUNT];
    memcpy(g0, g, sizeof g);
    rt_st_kv meta[] = { { "step", "12" } };
    rt_err err;
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    assert_int_equal(rt_weights_save(path, &s, T, NT, meta, 1, &err), 0);

    memset(g, 0, sizeof g);
    memset(gs, 0, sizeof gs);
    memset(d, 0, sizeof d);
    memset(e_ema, 0, sizeof e_ema);
    rt_st st;
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    assert_string_equal(rt_st_meta(&st, "step"), "12");
    /* every tensor, then the EMA copy of e's parameter tensor */
    assert_int_equal(st.n_tensors, NT + 1);
    assert_string_equal(st.tensors[NT].name, "ema.e.w");
    assert_int_equal(rt_weights_load(&st, &s, T, NT, &err), 0);
    rt_st_close(&st);
    assert_memory_equal(g, g0, sizeof g);
    assert_true(gs[0] == 3.5f && gs[1] == -1 && d[1] == 7);
    assert_true(e_ema[0] == 10 && e_ema[3] == 13);

    /* a generator-only store (the sampler's view) loads the G tensors */
    rt_store gonly = { nets, 1 };
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    assert_int_equal(rt_weights_load(&st, &gonly, T, 4, &err), 0);
    rt_st_close(&st);

    /* a file without the EMA copy does not load into a store that keeps one */
    snprintf(path, sizeof path, "%s/no_ema.safetensors", dir);
    rt_store no_ema = { nets, 2 };
    assert_int_equal(rt_weights_save(path, &no_ema, T, NT - 1, NULL, 0, &err), 0);
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    assert_int_equal(rt_weights_load(&st, &s, T, NT, &err), -1);
    assert_contains(err.msg, "'e.w'");
    rt_st_close(&st);
}

static void test_load_refuses_mismatch(void **state)
{
    (void)state;
    rt_store s = store();
    rt_err err;
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    assert_int_equal(rt_weights_save(path, &s, T, NT, NULL, 0, &err), 0);
    rt_tensor_info other[NT];
    memcpy(other, T, sizeof T);
    other[1].shape[0] = 5;   /* g.u is (10) in the file */
    rt_st st;
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    assert_int_equal(rt_weights_load(&st, &s, other, NT, &err), -1);
    assert_contains(err.msg, "tensor 'g.u': expected shape [5], found [10]");
    other[1].shape[0] = 10;
    other[2].name = "g.renamed";
    assert_int_equal(rt_weights_load(&st, &s, other, NT, &err), -1);
    assert_contains(err.msg, "expected a tensor named 'g.renamed'");
    rt_st_close(&st);
}

/* The sampler's tensors: read in place from a mapped file, copied into
 * the arrays where the file's floats are not aligned or the model has no
 * pointer table, and pointed at the arrays on request. */
static void test_sampler_weights(void **state)
{
    (void)state;
    rt_store s = store();
    rt_rng r;
    rt_rng_seed(&r, 5);
    rt_tensors_init(&s, T, NT, &r);
    gs[0] = 2.5f;
    static float g0[G_COUNT];
    memcpy(g0, g, sizeof g);
    rt_err err;
    snprintf(path, sizeof path, "%s/sw.safetensors", dir);
    assert_int_equal(rt_weights_save(path, &s, T, 4, NULL, 0, &err), 0);
    memset(g, 0, sizeof g);
    memset(gs, 0, sizeof gs);

    const float *where[4] = { NULL };
    rt_sampler_model m;
    memset(&m, 0, sizeof m);
    rt_net one;
    rt_store gs_store = rt_sample_store(&m, &one);
    (void)gs_store;
    m.tensors = T;
    m.n_tensors = 4;
    m.params = g;
    m.param_count = G_COUNT;
    m.state = gs;
    m.state_count = 2;
    m.weights = where;
    rt_st st;
    assert_int_equal(rt_st_open_mapped(path, &st, &err), 0);
    assert_false(rt_sample_weights_have_ema(&m, &st));
    assert_int_equal(rt_sample_weights_load(&m, &st, 0, &err), 0);
    const unsigned char *lo = st.map, *hi = lo + st.map_len;
    for (int i = 0; i < 4; i++) {
        const unsigned char *at = (const unsigned char *)where[i];
        assert_true(at >= lo && at + rt_tensor_numel(&T[i]) * sizeof(float) <= hi);
    }
    assert_memory_equal(where[0], g0, NW * sizeof(float));
    assert_true(where[3][0] == 2.5f);
    assert_true(g[0] == 0 && gs[0] == 0);   /* nothing copied */

    /* no pointer table: copies in the arrays, as before */
    m.weights = NULL;
    assert_int_equal(rt_sample_weights_load(&m, &st, 0, &err), 0);
    assert_memory_equal(g, g0, sizeof g);
    assert_true(gs[0] == 2.5f);

    /* the same bytes one past an aligned address: copies, and pointers to them */
    static unsigned char shifted[20000] __attribute__((aligned(8)));
    assert_true(st.map_len + 1 <= sizeof shifted);
    memcpy(shifted + 1, st.map, st.map_len);
    rt_st odd;
    assert_int_equal(rt_st_open_memory(shifted + 1, st.map_len, "odd", &odd, &err), 0);
    memset(g, 0, sizeof g);
    m.weights = where;
    assert_int_equal(rt_sample_weights_load(&m, &odd, 0, &err), 0);
    assert_ptr_equal(where[0], g);
    assert_ptr_equal(where[3], gs);
    assert_memory_equal(g, g0, sizeof g);
    rt_st_close(&odd);

    /* a shape that does not fit is named */
    rt_tensor_info other[4];
    memcpy(other, T, sizeof other);
    other[2].shape[2] = 4;
    m.tensors = other;
    assert_int_equal(rt_sample_weights_load(&m, &st, 0, &err), -1);
    assert_contains(err.msg, "tensor 'g.one': expected shape [1, 2, 4], found [1, 2, 3]");
    rt_st_close(&st);

    m.tensors = T;
    rt_sample_weights_in_arrays(&m);
    assert_ptr_equal(where[1], g + NW);
    assert_ptr_equal(where[3], gs);
}

/* A file with EMA copies: the sampler reads every parameter tensor from
 * its copy ("ema." + name) when asked, state tensors from their own names. */
static void test_sampler_ema(void **state)
{
    (void)state;
    static float ema[G_COUNT];
    for (int i = 0; i < G_COUNT; i++) {
        g[i] = 1;
        ema[i] = 2;
    }
    gs[0] = 5;
    rt_net g_ema = { "g", g, NULL, G_COUNT, gs, 2, ema, 0.9f };
    rt_store s = { &g_ema, 1 };
    rt_err err;
    snprintf(path, sizeof path, "%s/ema.safetensors", dir);
    assert_int_equal(rt_weights_save(path, &s, T, 4, NULL, 0, &err), 0);
    memset(g, 0, sizeof g);
    memset(gs, 0, sizeof gs);
    rt_sampler_model m;
    memset(&m, 0, sizeof m);
    m.tensors = T;
    m.n_tensors = 4;
    m.params = g;
    m.param_count = G_COUNT;
    m.state = gs;
    m.state_count = 2;
    rt_st st;
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    assert_true(rt_sample_weights_have_ema(&m, &st));
    assert_int_equal(rt_sample_weights_load(&m, &st, 1, &err), 0);
    assert_true(g[0] == 2 && g[G_COUNT - 1] == 2 && gs[0] == 5);
    assert_int_equal(rt_sample_weights_load(&m, &st, 0, &err), 0);
    assert_true(g[0] == 1 && g[G_COUNT - 1] == 1);
    rt_st_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_init_kinds),
        cmocka_unit_test(test_save_load_roundtrip),
        cmocka_unit_test(test_load_refuses_mismatch),
        cmocka_unit_test(test_sampler_weights),
        cmocka_unit_test(test_sampler_ema),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}
