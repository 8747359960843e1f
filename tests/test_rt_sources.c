/* test_rt_sources.c - a model's data sources opened (data/rt_sources.h):
 * rows kept by class, sources made `from` another's file, transforms made
 * once or at each draw (a random mask, reproducible from the rng), and the
 * refusals, each naming the source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rt_sources.h"

static char images[128], labels[128], labels3[128], csv[128];

static void write_idx(const char *path, int ndim, const unsigned *dims, const unsigned char *v,
                      size_t n)
{
    FILE *f = fopen(path, "wb");
    unsigned char head[4] = { 0, 0, 0x08, (unsigned char)ndim };
    fwrite(head, 1, 4, f);
    for (int i = 0; i < ndim; i++) {
        unsigned char be[4] = { dims[i] >> 24, dims[i] >> 16, dims[i] >> 8, dims[i] };
        fwrite(be, 1, 4, f);
    }
    fwrite(v, 1, n, f);
    fclose(f);
}

/* 8 images of 4x4, image i all 30 i (so its value tells its row), label
 * i % 4 (labels.idx) or i % 3 (labels3.idx: no class 3) */
static int make_files(void **state)
{
    (void)state;
    if (tmpdir_make("test_rt_sources"))
        return -1;
    snprintf(images, sizeof images, "%s/img.idx", dir);
    snprintf(labels, sizeof labels, "%s/lab.idx", dir);
    snprintf(labels3, sizeof labels3, "%s/lab3.idx", dir);
    snprintf(csv, sizeof csv, "%s/v.csv", dir);
    unsigned char pix[8 * 16], lab[8], lab3[8];
    for (int i = 0; i < 8; i++) {
        memset(pix + 16 * i, 30 * i, 16);
        lab[i] = (unsigned char)(i % 4);
        lab3[i] = (unsigned char)(i % 3);
    }
    write_idx(images, 3, (const unsigned[]){ 8, 4, 4 }, pix, sizeof pix);
    write_idx(labels, 1, (const unsigned[]){ 8 }, lab, sizeof lab);
    write_idx(labels3, 1, (const unsigned[]){ 8 }, lab3, sizeof lab3);
    FILE *f = fopen(csv, "w");
    fprintf(f, "1,2,0\n3,4,1\n");
    return fclose(f);
}

/* The row an image came from: its value is 30 i / 127.5 - 1 */
static int row_of(float v)
{
    return (int)((v + 1.0f) * 127.5f / 30.0f + 0.5f);
}

/* An IDX source of the 8 images, labelled (4 classes) */
static rt_data_source idx_source(const char *name)
{
    return (rt_data_source){ .name = name, .kind = RT_DATA_IDX, .path = images,
                             .labels_kind = RT_LABELS_IDX, .labels_path = labels, .classes = 4,
                             .sample_ndim = 3, .sample_shape = { 1, 4, 4 }, .sample_size = 16 };
}

/* The rng every source borrows (it must outlive them) */
static rt_rng rng;

/* Opens src[0..n) with the rng seeded anew: the same draws each time */
static int open_sources(const rt_data_source *src, int n, const char *lab, rt_data **data,
                        rt_err *err)
{
    rt_rng_seed(&rng, 5);
    const char *paths[2] = { images, images }, *labs[2] = { lab, lab };
    return rt_sources_open(src, n, paths, labs, &rng, data, err);
}

/* keep_classes: [1, 3] keeps images 1, 3, 5, 7, and says how many */
static void test_keep_classes(void **state)
{
    (void)state;
    static const int keep[2] = { 1, 3 };
    rt_data_source src = idx_source("odd");
    src.keep_classes = keep;
    src.n_keep_classes = 2;
    rt_data *data[1];
    rt_err err;
    assert_int_equal(open_sources(&src, 1, labels, data, &err), 0);
    assert_int_equal(rt_data_rows(data[0]), 4);
    assert_contains(rt_data_describe(data[0]), "(8 images) -> classes 1, 3 kept: 4 rows");
    float x[10 * 16], y[10];
    rt_data_next_batch(data[0], x, y, 10);
    for (int b = 0; b < 10; b++) {
        int i = row_of(x[16 * b]);
        assert_true(i % 2 == 1);
        assert_int_equal((int)y[b], i % 4);
    }
    rt_data_close(data[0]);
}

/* Two sources of one file: `photos` as it is, `small` from it, downsampled
 * and masked at a fixed place; paired draws give each row's two versions */
static void test_from_and_fixed_transforms(void **state)
{
    (void)state;
    static const rt_transform t[2] = {
        { RT_TRANSFORM_DOWNSAMPLE, { 2, 2 }, { 0, 0 }, 0 },
        { RT_TRANSFORM_MASK, { 1, 1 }, { 1, 0 }, 7.0f },
    };
    rt_data_source src[2] = { idx_source("photos"), idx_source("small") };
    src[1].path = src[1].labels_path = NULL;
    src[1].from = "photos";
    src[1].file_ndim = 3;
    memcpy(src[1].file_shape, (int[]){ 1, 4, 4 }, sizeof src[1].file_shape);
    memcpy(src[1].sample_shape, (int[]){ 1, 2, 2 }, sizeof src[1].sample_shape);
    src[1].sample_size = 4;
    src[1].transforms = t;
    src[1].n_transforms = 2;
    rt_data *data[2];
    rt_err err;
    assert_int_equal(open_sources(src, 2, labels, data, &err), 0);
    assert_int_equal(rt_data_rows(data[1]), 8);
    assert_contains(rt_data_describe(data[1]), "the file of 'photos', ");
    assert_contains(rt_data_describe(data[1]), "-> downsample to 2x2, mask 1x1 at (1, 0)");
    float a[12 * 16], b[12 * 4], la[12], lb[12];
    const size_t *rows = rt_data_next_rows(data[0], 12);
    rt_data_copy_rows(data[0], rows, 12, a, la);
    rt_data_copy_rows(data[1], rows, 12, b, lb);
    for (int k = 0; k < 12; k++) {
        assert_true(b[4 * k] == a[16 * k] && b[4 * k + 1] == a[16 * k] &&
                    b[4 * k + 2] == 7.0f && b[4 * k + 3] == a[16 * k]);
        assert_true(la[k] == lb[k] && (int)la[k] == row_of(a[16 * k]) % 4);
    }
    rt_data_close(data[0]);
    rt_data_close(data[1]);
}

/* A random mask runs at each draw, after the fixed downsample: each
 * sample has one pixel of 5 at a place the rng picks; the same seed gives
 * the same batches, and a second batch other places */
static void test_random_mask_at_draw(void **state)
{
    (void)state;
    static const rt_transform t[2] = {
        { RT_TRANSFORM_DOWNSAMPLE, { 2, 2 }, { 0, 0 }, 0 },
        { RT_TRANSFORM_MASK_RANDOM, { 1, 1 }, { 0, 0 }, 5.0f },
    };
    rt_data_source src = idx_source("masked");
    src.file_ndim = 3;
    memcpy(src.file_shape, (int[]){ 1, 4, 4 }, sizeof src.file_shape);
    memcpy(src.sample_shape, (int[]){ 1, 2, 2 }, sizeof src.sample_shape);
    src.sample_size = 4;
    src.transforms = t;
    src.n_transforms = 2;
    float x[2][16 * 4];
    for (int run = 0; run < 2; run++) {
        rt_data *data[1];
        rt_err err;
        assert_int_equal(open_sources(&src, 1, labels, data, &err), 0);
        rt_data_next_batch(data[0], x[run], NULL, 16);
        rt_data_close(data[0]);
    }
    assert_memory_equal(x[0], x[1], sizeof x[0]);
    int where[4] = { 0 };
    for (int b = 0; b < 16; b++) {
        int fives = 0;
        for (int p = 0; p < 4; p++)
            if (x[0][4 * b + p] == 5.0f) {
                fives++;
                where[p]++;
            }
        assert_int_equal(fives, 1);
    }
    for (int p = 0; p < 4; p++)   /* 16 draws of 4 places: each taken (p = 0.99) */
        assert_true(where[p] > 0);
}

/* Each refusal names the source and what is wrong */
static void test_refusals(void **state)
{
    (void)state;
    static const int keep3[1] = { 3 }, keep9[1] = { 9 };
    static const rt_transform bad_down = { RT_TRANSFORM_DOWNSAMPLE, { 3, 3 }, { 0, 0 }, 0 };
    rt_data *data[2] = { NULL, NULL };
    rt_err err;
    rt_data_source src[2] = { idx_source("a"), idx_source("b") };
    src[1].from = "nowhere";
    assert_int_equal(open_sources(src, 2, labels, data, &err), -1);
    assert_contains(err.msg, "data source 'b': 'from' names 'nowhere', which is no source");
    assert_null(data[0]);
    src[1].from = "b";
    assert_int_equal(open_sources(src, 2, labels, data, &err), -1);
    assert_contains(err.msg, "data source 'b': 'from' names the source itself");
    src[0].from = "b";
    src[1].from = "a";
    assert_int_equal(open_sources(src, 2, labels, data, &err), -1);
    assert_contains(err.msg, "which reads the file of");
    /* classes: out of range, none of them there, no labels at all */
    src[0] = idx_source("a");
    src[0].keep_classes = keep9;
    src[0].n_keep_classes = 1;
    assert_int_equal(open_sources(src, 1, labels, data, &err), -1);
    assert_contains(err.msg, "data source 'a': keep_classes: class 9 is not one of the data's "
                             "4 classes (0..3)");
    src[0].keep_classes = keep3;
    assert_int_equal(open_sources(src, 1, labels3, data, &err), -1);
    assert_contains(err.msg, "data source 'a': keep_classes keeps none of the rows of");
    src[0].labels_kind = RT_LABELS_NONE;
    assert_int_equal(open_sources(src, 1, NULL, data, &err), -1);
    assert_contains(err.msg, "data source 'a': keep_classes keeps the rows of some classes, "
                             "and its data has no labels");
    /* transforms that do not fit the file's images, or vectors */
    src[0] = idx_source("a");
    src[0].transforms = &bad_down;
    src[0].n_transforms = 1;
    assert_int_equal(open_sources(src, 1, labels, data, &err), -1);
    assert_contains(err.msg, "data source 'a': transform 1 (downsample): downsample to 3x3");
    rt_data_source v = { .name = "v", .kind = RT_DATA_CSV, .path = csv, .sample_ndim = 1,
                         .sample_shape = { 3 }, .sample_size = 3, .transforms = &bad_down,
                         .n_transforms = 1 };
    const char *paths[1] = { csv }, *labs[1] = { NULL };
    assert_int_equal(rt_sources_open(&v, 1, paths, labs, &rng, data, &err), -1);
    assert_contains(err.msg, "data source 'v': transforms work on images");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_classes),
        cmocka_unit_test(test_from_and_fixed_transforms),
        cmocka_unit_test(test_random_mask_at_draw),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, make_files, tmpdir_remove);
}
