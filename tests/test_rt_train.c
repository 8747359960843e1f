/* test_rt_train.c - the pieces of the v2 trainer that need no model run:
 * the EMA update (bit for bit) and swap, variable draws (classes in range,
 * the training rng used in order, labels and a second source refused),
 * the contract checks of rt_model_check, and log.csv's columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rt_latent.h"
#include "train/rt_draw.h"
#include "train/rt_ema.h"
#include "train/rt_model_check.h"
#include "train/rt_run.h"
#include "train/rt_train_log.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static void test_ema(void **state)
{
    (void)state;
    float p[5] = { 1, -2, 3.5f, 0, 1e-3f }, e[5], g[5];
    rt_net net = { "g", p, g, 5, NULL, 0, e, 0.999f };
    rt_ema_start(&net);
    assert_memory_equal(e, p, sizeof p);
    float before[5];
    memcpy(before, e, sizeof e);
    for (int i = 0; i < 5; i++)
        p[i] += 1;
    rt_ema_update(&net);
    volatile float d = 0.999f, keep = 1.0f - d;   /* one rounding per operation */
    for (int i = 0; i < 5; i++) {
        volatile float a = d * before[i], b = keep * p[i];
        float want = a + b;
        assert_true(e[i] == want);
    }
    float pe[5], ee[5];
    memcpy(pe, p, sizeof p);
    memcpy(ee, e, sizeof e);
    rt_ema_swap(&net);
    assert_memory_equal(p, ee, sizeof p);
    assert_memory_equal(e, pe, sizeof e);
    rt_ema_swap(&net);
    assert_memory_equal(p, pe, sizeof p);
    rt_net plain = { "d", p, g, 5, NULL, 0, NULL, 0 };
    rt_ema_update(&plain);   /* no copy: nothing happens */
    rt_ema_swap(&plain);
    assert_memory_equal(p, pe, sizeof p);
}

/* A model of one network and the variables a test sets up. */
static float w[2], gw[2], zb[6], yb[3], xb[6], lb[3];
static rt_net one_net[] = { { "g", w, gw, 2, NULL, 0, NULL, 0 } };
static float one_step(void)
{
    return 0;
}

static void no_generate(float *out, const float *const *in)
{
    (void)out;
    (void)in;
}

static rt_model base_model(rt_var *vars, int n_vars, rt_update *up)
{
    static const int nets0[] = { 0 };
    static const rt_input_info in[] = { { "z", RT_VAR_LATENT, 2, 0, 0, 0, { 0 } } };
    *up = (rt_update){ "g", nets0, 1, { RT_OPTIM_SGD, 1, 0, 0, 0, 0 }, 1, 0, NULL, 0, NULL,
                       one_step, 0, NULL, NULL, 0, 0 };
    rt_model m;
    memset(&m, 0, sizeof m);
    m.model_name = "t";
    m.batch = 3;
    static const rt_data_source ring = { .name = "data", .kind = RT_DATA_RING8,
                                         .sample_ndim = 1, .sample_shape = { 2 },
                                         .sample_size = 2 };
    m.sources = &ring;
    m.n_sources = 1;
    m.nets = one_net;
    m.n_nets = 1;
    m.vars = vars;
    m.n_vars = n_vars;
    m.updates = up;
    m.n_updates = 1;
    m.gen_inputs = in;
    m.n_gen_inputs = 1;
    m.out_size = 2;
    m.generate = no_generate;
    return m;
}

static void test_draws(void **state)
{
    (void)state;
    rt_var vars[] = {
        { "z", RT_VAR_LATENT, 2, RT_LATENT_NORMAL, 0, 0, -1, -1, zb },
        { "y", RT_VAR_CLASS, 1, 0, 3, 0, -1, -1, yb },
    };
    rt_update up;
    rt_model m = base_model(vars, 2, &up);
    rt_err err;
    assert_int_equal(rt_model_check(&m, &err), 0);
    assert_int_equal(rt_draw_check(&m, &err), 0);
    rt_rng r, ref;
    rt_rng_seed(&r, 5);
    rt_rng_seed(&ref, 5);
    int seen[3] = { 0 };
    for (int k = 0; k < 200; k++) {
        rt_draw_var(&m, 0, NULL, &r);
        rt_draw_var(&m, 1, NULL, &r);
        float want[6];
        rt_latent_fill(RT_LATENT_NORMAL, &ref, want, 6);
        assert_memory_equal(zb, want, sizeof want);   /* the rng in draw order */
        for (int i = 0; i < 3; i++) {
            assert_true(yb[i] == (float)rt_rng_below(&ref, 3));
            seen[(int)yb[i]]++;
        }
    }
    assert_true(seen[0] > 150 && seen[1] > 150 && seen[2] > 150);
}

static void test_draw_refusals(void **state)
{
    (void)state;
    rt_var vars[] = {
        { "x", RT_VAR_DATA, 2, 0, 0, 0, 1, -1, xb },
        { "label", RT_VAR_LABEL, 1, 0, 10, 0, -1, -1, lb },
    };
    rt_update up;
    rt_model m = base_model(vars, 2, &up);
    rt_err err;
    assert_int_equal(rt_model_check(&m, &err), 0);
    assert_int_equal(rt_draw_check(&m, &err), -1);
    assert_contains(err.msg, "variable 'label': 10 classes of data labels, but the data has no "
                             "labels");
    vars[0].labels = -1;
    vars[1].kind = RT_VAR_LATENT;
    vars[0].source = 1;
    assert_int_equal(rt_draw_check(&m, &err), -1);
    assert_contains(err.msg, "variable 'x': reads data source 1, expected 0..0");
    vars[0].source = 0;
    vars[0].size = 3;
    assert_int_equal(rt_draw_check(&m, &err), -1);
    assert_contains(err.msg, "variable 'x': 3 floats per sample, expected the data's 2");
    /* paired sources: a variable takes the rows of a DATA variable of another */
    static const rt_data_source two[2] = {
        { .name = "a", .kind = RT_DATA_CSV, .path = "a.csv", .sample_ndim = 1,
          .sample_shape = { 2 }, .sample_size = 2 },
        { .name = "b", .kind = RT_DATA_CSV, .path = "b.csv", .sample_ndim = 1,
          .sample_shape = { 2 }, .sample_size = 2 },
    };
    m.sources = two;
    m.n_sources = 2;
    m.paired = 1;
    vars[0].size = 2;
    vars[1] = vars[0];
    vars[1].name = "y";
    vars[1].source = 1;
    vars[1].rows_of = 0;
    assert_int_equal(rt_draw_check(&m, &err), 0);
    vars[1].source = 0;
    assert_int_equal(rt_draw_check(&m, &err), -1);
    assert_contains(err.msg, "variable 'y': takes the rows of variable 0, which is not a DATA "
                             "variable of another source of paired data");
    vars[1].source = 1;
    m.paired = 0;
    assert_int_equal(rt_draw_check(&m, &err), -1);
}

static void test_model_check(void **state)
{
    (void)state;
    rt_var vars[] = { { "z", RT_VAR_LATENT, 2, 0, 0, 0, -1, -1, zb } };
    rt_update ups[2];
    rt_model m = base_model(vars, 1, &ups[0]);
    rt_err err;
    ups[1] = ups[0];
    ups[1].name = "h";
    m.updates = ups;
    m.n_updates = 2;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "network 'g' is trained by updates 'g' and 'h'");
    assert_int_equal(rt_model_trainer_of(&m, 0), 0);
    m.n_updates = 1;
    ups[0].repeat = 0;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "updates[0]");
    ups[0].repeat = 1;
    static const int bad_draw[] = { 3 };
    ups[0].draws = bad_draw;
    ups[0].n_draws = 1;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "update 'g': variable 3, expected 0..0");
    ups[0].n_draws = 0;
    one_net[0].ema = zb;
    one_net[0].ema_decay = 1;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "network 'g': expected an EMA decay in [0, 1), found 1");
    one_net[0].ema = NULL;
    m.gen_net = 1;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "gen_net");
    m.gen_net = 0;
    /* a frozen network is never trained */
    static const rt_frozen_net frozen[] = { { 0, "w.safetensors", "C" } };
    m.frozen = frozen;
    m.n_frozen = 1;
    assert_int_equal(rt_model_check(&m, &err), -1);
    assert_contains(err.msg, "network 'g' is frozen and trained by update 'g'");
}

static void test_log_columns(void **state)
{
    (void)state;
    static const char *const terms[] = { "adversarial", "gradient_penalty" };
    static const float values[] = { 1, 2 };
    rt_var vars[] = { { "z", RT_VAR_LATENT, 2, 0, 0, 0, -1, -1, zb } };
    rt_update ups[2];
    rt_model m = base_model(vars, 1, &ups[0]);
    ups[0].name = "D";
    ups[0].n_terms = 2;
    ups[0].term_names = terms;
    ups[0].term_values = values;
    ups[1] = ups[0];
    ups[1].name = "G";
    ups[1].n_terms = 1;   /* one term: the loss itself, no column */
    m.updates = ups;
    m.n_updates = 2;
    rt_losses l;
    rt_losses_init(&l, &m);
    char buf[512] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    rt_log_header(f, &l, 1, NULL);
    double t[2] = { 3, 5 };
    rt_losses_set(&l, 0, 1.0, t);
    rt_losses_set(&l, 1, 2.0, t);
    rt_losses_end_iteration(&l);
    t[0] = 5;
    rt_losses_set(&l, 0, 2.0, t);
    rt_losses_set(&l, 1, 4.0, t);
    rt_losses_end_iteration(&l);
    rt_log_row(f, &l, 7, 1.5, 1, NULL, NULL);
    fclose(f);
    assert_string_equal(buf, "step,D_loss,G_loss,D_adversarial,D_gradient_penalty,seconds,"
                             "modes,hq_fraction,reverse_kl\n7,1.5,3,4,5,1.500,,,\n");
    rt_losses_free(&l);
}

/* Phases: an update outside its phase logs empty fields; a row's mean is
 * over the iterations in which the update ran. */
static void test_log_phases(void **state)
{
    (void)state;
    rt_var vars[] = { { "z", RT_VAR_LATENT, 2, 0, 0, 0, -1, -1, zb } };
    rt_update ups[2];
    rt_model m = base_model(vars, 1, &ups[0]);
    ups[0].name = "G";
    ups[0].until = 2;
    ups[1] = ups[0];
    ups[1].name = "E";
    ups[1].from = 2;
    ups[1].until = 0;
    m.updates = ups;
    m.n_updates = 2;
    /* steps count from 1: iteration i is step i + 1 */
    assert_true(rt_update_runs(&ups[0], 1) && rt_update_runs(&ups[0], 2));
    assert_false(rt_update_runs(&ups[0], 3));
    assert_false(rt_update_runs(&ups[1], 2));
    assert_true(rt_update_runs(&ups[1], 3) && rt_update_runs(&ups[1], 1000));
    rt_losses l;
    rt_losses_init(&l, &m);
    char buf[512] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    rt_log_header(f, &l, 0, NULL);
    rt_losses_set(&l, 0, 1.0, NULL);   /* step 1: G alone */
    rt_losses_skip(&l, 1);
    rt_losses_end_iteration(&l);
    rt_log_row(f, &l, 1, 0.5, 0, NULL, NULL);
    rt_losses_set(&l, 0, 3.0, NULL);   /* step 2: G alone, step 3: E alone */
    rt_losses_skip(&l, 1);
    rt_losses_end_iteration(&l);
    rt_losses_skip(&l, 0);
    rt_losses_set(&l, 1, 4.0, NULL);
    rt_losses_end_iteration(&l);
    rt_log_row(f, &l, 3, 1.5, 0, NULL, NULL);
    rt_losses_skip(&l, 0);             /* step 4: E alone */
    rt_losses_set(&l, 1, 6.0, NULL);
    rt_losses_end_iteration(&l);
    rt_log_row(f, &l, 4, 2.5, 0, NULL, NULL);
    fclose(f);
    assert_string_equal(buf, "step,G_loss,E_loss,seconds\n1,1,,0.500\n3,3,4,1.500\n"
                             "4,,6,2.500\n");
    rt_losses_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ema),
        cmocka_unit_test(test_draws),
        cmocka_unit_test(test_draw_refusals),
        cmocka_unit_test(test_model_check),
        cmocka_unit_test(test_log_columns),
        cmocka_unit_test(test_log_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
