/* rt_png_dir.c - a folder of PNG images as floats (see rt_png_dir.h). */
#include "formats/rt_png_dir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/rt_alloc.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_png_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && name[0] != '.' && strcasecmp(name + n - 4, ".png") == 0;
}

/* The sorted paths DIR/NAME (malloc'd) of dir's entries: its regular *.png
 * files, or (folders) its subfolders, hidden ones skipped.  Finding none is
 * not an error here: the caller says what it expected. */
static int list_entries(const char *dir, int folders, char ***paths, size_t *count,
                        rt_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return rt_errf(err, "%s: cannot open the image folder: %m", dir);
    size_t len = strlen(dir);
    const char *sep = len && dir[len - 1] == '/' ? "" : "/";   /* --input images/ */
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || (!folders && !is_png_name(e->d_name)))
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s%s%s", dir, sep, e->d_name);
        if (stat(path, &st) != 0 || !(folders ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            list = rt_xrealloc(list, cap * sizeof *list);
        }
        list[n++] = rt_xstrdup(path);
    }
    closedir(d);
    /* qsort's base must not be NULL even for 0 elements (UBSan:
     * nonnull-attribute), and an empty folder leaves list NULL */
    if (n > 1)
        qsort(list, n, sizeof *list, by_name);
    *paths = list;
    *count = n;
    return 0;
}

int rt_png_dir_list(const char *dir, char ***paths, size_t *n, rt_err *err)
{
    *paths = NULL;
    *n = 0;
    if (list_entries(dir, 0, paths, n, err) != 0)
        return -1;
    return *n ? 0 : rt_errf(err, "%s: expected PNG images (*.png) in this folder, found none",
                            dir);
}

void rt_png_dir_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int rt_png_to_floats(const rt_png_image *img, const char *path, int channels, int height,
                     int width, const char *whose, float *dst, rt_err *err)
{
    if (img->width != width || img->height != height)
        return rt_errf(err, "%s: expected a %dx%d image (%s), found %dx%d", path, width,
                       height, whose, img->width, img->height);
    if (channels == 1 && img->channels != 1)
        return rt_errf(err, "%s: expected a gray image (%s has 1 channel), found a colour "
                       "one; convert the images to gray", path, whose);
    size_t plane = (size_t)height * width;
    for (int c = 0; c < channels; c++)
        for (size_t i = 0; i < plane; i++) {
            int src = img->channels == 1 ? 0 : c;
            dst[c * plane + i] = (float)img->pixels[i * img->channels + src] / 127.5f - 1.0f;
        }
    return 0;
}

int rt_png_dir_load(const char *dir, int channels, int height, int width, float **out,
                    size_t *n, rt_err *err)
{
    char **paths = NULL;
    size_t count = 0;
    float *all = NULL;
    int rc = rt_png_dir_list(dir, &paths, &count, err);
    size_t per = (size_t)channels * height * width;
    if (rc == 0)
        rc = rt_mem_check(dir, count, "images", per * sizeof *all, err);
    if (rc == 0)
        all = rt_xmalloc(count * per * sizeof *all);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rt_png_image img;
        rc = rt_png_read(paths[i], &img, err);
        if (rc == 0)
            rc = rt_png_to_floats(&img, paths[i], channels, height, width,
                                  "the model's data shape", all + i * per, err);
        free(img.pixels);
    }
    rt_png_dir_free(paths, count);
    if (rc != 0) {
        free(all);
        return -1;
    }
    *out = all;
    *n = count;
    return 0;
}

int rt_png_dir_load_classes(const char *dir, int classes, int channels, int height, int width,
                            float **out, unsigned char **labels, size_t *n, rt_err *err)
{
    char **subs = NULL;
    size_t count = 0, total = 0;
    float *all = NULL;
    unsigned char *lab = NULL;
    size_t per = (size_t)channels * height * width;
    int rc = list_entries(dir, 1, &subs, &count, err);
    if (rc == 0 && count != (size_t)classes)
        rc = rt_errf(err, "%s: labelled by subfolders: expected %d subfolders (data.classes), "
                     "one per class, found %zu", dir, classes, count);
    for (size_t c = 0; rc == 0 && c < count; c++) {
        float *rows = NULL;
        size_t got = 0;
        rc = rt_png_dir_load(subs[c], channels, height, width, &rows, &got, err);
        if (rc == 0) {
            all = rt_xrealloc(all, (total + got) * per * sizeof *all);
            lab = rt_xrealloc(lab, total + got);
            memcpy(all + total * per, rows, got * per * sizeof *all);
            memset(lab + total, (int)c, got);
            total += got;
        }
        free(rows);
    }
    rt_png_dir_free(subs, count);
    if (rc != 0) {
        free(all);
        free(lab);
        return -1;
    }
    *out = all;
    *labels = lab;
    *n = total;
    return 0;
}
