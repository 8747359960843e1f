/* test_rt_data.c - training data sources: mixtures, CSV epochs and
 * shuffling, refusals, labels and paired rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/rt_data.h"
#include "data/rt_mixture.h"
#include "formats/rt_png.h"
#include "model/rt_model.h"

static char csv[160];

static int make_dir(void **state)
{
    (void)state;
    if (tmpdir_make("test_rt_data"))
        return -1;
    snprintf(csv, sizeof csv, "%s/d.csv", dir);
    FILE *f = fopen(csv, "w");
    fprintf(f, "a,b\n");
    for (int i = 0; i < 5; i++)
        fprintf(f, "%d,%d\n", i, 10 * i);
    return fclose(f);
}

static const int SHAPE2[1] = { 2 };

static void test_ring8_batches_are_on_modes(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    rt_data *d = rt_data_open(RT_DATA_RING8, NULL, 2, 1, SHAPE2, NULL, &r, &err);
    assert_non_null(d);
    assert_string_equal(rt_data_describe(d), "ring8");
    float batch[2 * 4000];
    rt_data_next_batch(d, batch, NULL, 4000);
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, batch, 4000);
    assert_int_equal(s.modes_captured, 8);
    assert_true(s.hq_fraction > 0.97);
    rt_data_close(d);
}

static void test_mixture_needs_two_floats(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    const int shape[1] = { 3 };
    assert_null(rt_data_open(RT_DATA_GRID25, NULL, 3, 1, shape, NULL, &r, &err));
    assert_contains(err.msg, "grid25 data: expected a model whose samples are 2 floats");
    assert_contains(err.msg, "found 3");
}

/* Each epoch visits every row once; epochs come in different orders;
 * the same seed gives the same order. */
static void test_csv_epochs(void **state)
{
    (void)state;
    rt_rng r1, r2;
    rt_rng_seed(&r1, 2);
    rt_rng_seed(&r2, 2);
    rt_err err;
    rt_data *d = rt_data_open(RT_DATA_CSV, csv, 2, 1, SHAPE2, NULL, &r1, &err);
    rt_data *e = rt_data_open(RT_DATA_CSV, csv, 2, 1, SHAPE2, NULL, &r2, &err);
    assert_non_null(d);
    assert_non_null(e);
    assert_int_equal(rt_data_rows(d), 5);
    assert_contains(rt_data_describe(d), "d.csv (5 rows; line 1 skipped as a header)");
    int orders_differ = 0;
    float first[10] = { 0 };
    for (int epoch = 0; epoch < 6; epoch++) {
        float a[10], b[10];
        /* one epoch in two batches (3 + 2) */
        rt_data_next_batch(d, a, NULL, 3);
        rt_data_next_batch(d, a + 6, NULL, 2);
        rt_data_next_batch(e, b, NULL, 5);
        assert_memory_equal(a, b, sizeof a);
        int seen[5] = { 0 };
        for (int i = 0; i < 5; i++) {
            int row = (int)a[2 * i];
            assert_true(row >= 0 && row < 5);
            assert_true(a[2 * i + 1] == 10.0f * row);
            seen[row]++;
        }
        for (int i = 0; i < 5; i++)
            assert_int_equal(seen[i], 1);
        if (epoch == 0)
            memcpy(first, a, sizeof a);
        else
            orders_differ |= memcmp(first, a, sizeof a) != 0;
    }
    assert_true(orders_differ);
    /* a batch larger than the file wraps into the next epochs */
    float big[2 * 12];
    rt_data_next_batch(d, big, NULL, 12);
    rt_data_close(d);
    rt_data_close(e);
}

static void test_refusals(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    const int img[3] = { 1, 28, 28 };
    assert_null(rt_data_open(RT_DATA_IDX, "train.gz", 784, 3, img, NULL, &r, &err));
    assert_contains(err.msg, "train.gz: cannot open");
    const int rgb[3] = { 3, 28, 28 };
    assert_null(rt_data_open(RT_DATA_IDX, "train.gz", 3 * 784, 3, rgb, NULL, &r, &err));
    assert_contains(err.msg, "IDX images are gray: expected a model data shape of [1, HEIGHT, WIDTH]");
    assert_null(rt_data_open(RT_DATA_PNG_DIR, "imgs/", 784, 3, img, NULL, &r, &err));
    assert_contains(err.msg, "imgs/: cannot open the image folder");
    const int two[3] = { 2, 28, 28 };
    assert_null(rt_data_open(RT_DATA_PNG_DIR, "imgs/", 2 * 784, 3, two, NULL, &r, &err));
    assert_contains(err.msg, "PNG images are gray or RGB");
    assert_null(rt_data_open(RT_DATA_CSV, NULL, 2, 1, SHAPE2, NULL, &r, &err));
    assert_contains(err.msg, "pass --data");
    const int three[1] = { 3 };
    assert_null(rt_data_open(RT_DATA_CSV, csv, 3, 1, three, NULL, &r, &err));
    assert_contains(err.msg, "d.csv:2: expected 3 comma-separated fields, found 2");
}

/* Writes an uncompressed IDX file of unsigned bytes with the given dims. */
static void write_idx(const char *path, int ndim, const unsigned *dims, const unsigned char *v,
                      size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    unsigned char head[4] = { 0, 0, 0x08, (unsigned char)ndim };
    fwrite(head, 1, 4, f);
    for (int i = 0; i < ndim; i++) {
        unsigned char be[4] = { dims[i] >> 24, dims[i] >> 16, dims[i] >> 8, dims[i] };
        fwrite(be, 1, 4, f);
    }
    fwrite(v, 1, n, f);
    assert_int_equal(fclose(f), 0);
}

/* Each batch's labels belong to the rows handed out with them: the image
 * (or CSV row) encodes its own label, so any mismatch shows. */
static void test_labels_follow_rows(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 3);
    rt_err err;
    /* IDX: 6 images of 2x2, image i all pixels 40*i, label i % 3 */
    char images[200], labels[200], short_labels[200];
    snprintf(images, sizeof images, "%s/img.idx", dir);
    snprintf(labels, sizeof labels, "%s/lab.idx", dir);
    snprintf(short_labels, sizeof short_labels, "%s/short.idx", dir);
    unsigned char pix[6 * 4], lab[6];
    for (int i = 0; i < 6; i++) {
        memset(pix + 4 * i, 40 * i, 4);
        lab[i] = (unsigned char)(i % 3);
    }
    write_idx(images, 3, (const unsigned[]){ 6, 2, 2 }, pix, sizeof pix);
    write_idx(labels, 1, (const unsigned[]){ 6 }, lab, sizeof lab);
    write_idx(short_labels, 1, (const unsigned[]){ 5 }, lab, 5);
    const int shape[3] = { 1, 2, 2 };
    rt_data_labels spec = { RT_LABELS_IDX, labels, 0, 3 };
    rt_data *d = rt_data_open(RT_DATA_IDX, images, 4, 3, shape, &spec, &r, &err);
    assert_non_null(d);
    float x[8 * 4], y[8];
    rt_data_next_batch(d, x, y, 8);   /* crosses an epoch */
    for (int b = 0; b < 8; b++) {
        int i = (int)((x[4 * b] + 1.0f) * 127.5f / 40.0f + 0.5f);
        assert_int_equal((int)y[b], i % 3);
    }
    rt_data_close(d);
    /* refusals: a count that differs, a label past the classes, the wrong source */
    spec.path = short_labels;
    assert_null(rt_data_open(RT_DATA_IDX, images, 4, 3, shape, &spec, &r, &err));
    assert_contains(err.msg, "5 labels for the 6 images");
    spec.path = labels;
    spec.classes = 2;
    assert_null(rt_data_open(RT_DATA_IDX, images, 4, 3, shape, &spec, &r, &err));
    assert_contains(err.msg, "label 3 is 2: expected a class 0..1");
    spec.kind = RT_LABELS_FOLDERS;
    assert_null(rt_data_open(RT_DATA_IDX, images, 4, 3, shape, &spec, &r, &err));
    assert_contains(err.msg, "idx data cannot carry labels from PNG subfolders");

    /* CSV: d.csv's first column (0..4) as the label of 5 classes */
    rt_data_labels col = { RT_LABELS_CSV_COLUMN, NULL, 0, 5 };
    const int one[1] = { 1 };
    d = rt_data_open(RT_DATA_CSV, csv, 1, 1, one, &col, &r, &err);
    assert_non_null(d);
    float v[7], c[7];
    rt_data_next_batch(d, v, c, 7);
    for (int b = 0; b < 7; b++)
        assert_true(v[b] == 10.0f * c[b]);
    rt_data_close(d);
    col.classes = 4;
    assert_null(rt_data_open(RT_DATA_CSV, csv, 1, 1, one, &col, &r, &err));
    assert_contains(err.msg, "row 5, column 1 (the labels): expected a class 0..3, found 4");

    /* PNG subfolders: a/ holds two dark images, b/ one bright one */
    char sub[200], png[240];
    const char *names[3] = { "a/1.png", "a/2.png", "b/1.png" };
    snprintf(sub, sizeof sub, "%s/classes", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    for (int k = 0; k < 2; k++) {
        snprintf(png, sizeof png, "%s/%c", sub, 'a' + k);
        assert_int_equal(mkdir(png, 0755), 0);
    }
    for (int k = 0; k < 3; k++) {
        unsigned char px[4];
        memset(px, k == 2 ? 255 : 0, sizeof px);
        snprintf(png, sizeof png, "%s/%s", sub, names[k]);
        assert_int_equal(rt_png_write(png, px, 2, 2, 1, &err), 0);
    }
    rt_data_labels folders = { RT_LABELS_FOLDERS, NULL, 0, 2 };
    d = rt_data_open(RT_DATA_PNG_DIR, sub, 4, 3, shape, &folders, &r, &err);
    assert_non_null(d);
    assert_int_equal(rt_data_rows(d), 3);
    rt_data_next_batch(d, x, y, 6);
    for (int b = 0; b < 6; b++)
        assert_int_equal((int)y[b], x[4 * b] > 0 ? 1 : 0);
    rt_data_close(d);
    folders.classes = 3;
    assert_null(rt_data_open(RT_DATA_PNG_DIR, sub, 4, 3, shape, &folders, &r, &err));
    assert_contains(err.msg, "expected 3 subfolders (data.classes), one per class, found 2");
}

/* Paired sources: the rows the first draws, copied from both, stay
 * aligned across epochs (row i of one with row i of the other). */
static void test_paired_rows(void **state)
{
    (void)state;
    char other[192];
    snprintf(other, sizeof other, "%s/paired.csv", dir);
    FILE *f = fopen(other, "w");
    for (int i = 0; i < 5; i++)
        fprintf(f, "%d,%d\n", 100 + i, -i);
    assert_int_equal(fclose(f), 0);
    rt_rng r;
    rt_rng_seed(&r, 3);
    rt_err err;
    rt_data *a = rt_data_open(RT_DATA_CSV, csv, 2, 1, SHAPE2, NULL, &r, &err);
    rt_data *b = rt_data_open(RT_DATA_CSV, other, 2, 1, SHAPE2, NULL, &r, &err);
    assert_non_null(a);
    assert_non_null(b);
    float xa[2 * 12], xb[2 * 12];
    int seen[5] = { 0 };
    for (int round = 0; round < 2; round++) {   /* 24 rows: past four epochs of 5 */
        const size_t *rows = rt_data_next_rows(a, 12);
        rt_data_copy_rows(a, rows, 12, xa, NULL);
        rt_data_copy_rows(b, rows, 12, xb, NULL);
        for (int i = 0; i < 12; i++) {
            assert_true(xa[2 * i] >= 0 && xa[2 * i] < 5);
            assert_true(xb[2 * i] == 100 + xa[2 * i] && xb[2 * i + 1] == -xa[2 * i]);
            seen[(int)xa[2 * i]]++;
        }
    }
    for (int i = 0; i < 5; i++)   /* whole epochs first: every row 4 or 5 times */
        assert_true(seen[i] >= 4);
    rt_data_close(a);
    rt_data_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring8_batches_are_on_modes),
        cmocka_unit_test(test_mixture_needs_two_floats),
        cmocka_unit_test(test_csv_epochs),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_labels_follow_rows),
        cmocka_unit_test(test_paired_rows),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}
