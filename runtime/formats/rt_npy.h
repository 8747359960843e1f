/* rt_npy.h - float32 .npy files (NumPy format, versions 1.0 to 3.0).
 *
 * Writing: version 1.0, descr '<f4', fortran_order False, C order, header
 * padded with spaces and ended by '\n' so the data starts at a multiple of
 * 64 bytes; 1-D shapes carry the trailing comma, e.g. (5,).  Atomic.
 * Reading: checks the magic, version 1/2/3, parses the header dict
 * (descr, fortran_order, shape; no other keys; at most 1 MiB), accepts
 * only '<f4' in C order, and requires the file length to match the shape
 * exactly.  A file can be opened (header read and checked) and its floats
 * read piece by piece, so an array larger than memory streams through.
 * rt_npy_open_numbers opens other number dtypes too (little-endian floats
 * f4 and f8, signed and unsigned integers of 1, 2, 4 and 8 bytes), whose
 * values rt_npy_value reads one at a time: the sampler's labels.
 * Leaves out: other dtypes, big-endian data, Fortran order, pickles, .npz.
 */
#ifndef RT_NPY_H
#define RT_NPY_H

#include <stddef.h>
#include <stdio.h>

#include "core/rt_err.h"

#define RT_NPY_MAX_NDIM 8

int rt_npy_write_f32(const char *path, const float *x, int ndim, const size_t *shape,
                     rt_err *err);
/* The header of a float32 array of that shape, written to f: its data
 * (the product of shape floats) follows, as the caller writes it. */
void rt_npy_write_header(FILE *f, int ndim, const size_t *shape);

/* A .npy file opened for reading, its header read and checked. */
typedef struct {
    int fd;                       /* the open file: close(fd) when done */
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    size_t count;                 /* values in the file: the product of shape */
    unsigned long long data_at;   /* where the first one is (rt_read_at reads them) */
    char type;                    /* 'f' float, 'i' signed, 'u' unsigned integer */
    int item;                     /* bytes per value */
} rt_npy_in;

/* float32 only (fd is -1 after a failure) */
int rt_npy_open_f32(const char *path, rt_npy_in *in, rt_err *err);
/* any number dtype of the list above */
int rt_npy_open_numbers(const char *path, rt_npy_in *in, rt_err *err);
/* The value at `at` (item bytes of the file's data) as a double. */
double rt_npy_value(const rt_npy_in *in, const void *at);

/* On success *data is a new array (caller frees; at least 1 byte even when
 * empty), *ndim and shape[0..ndim) describe it.  Its size is checked
 * against the memory there is first (rt_mem_check). */
int rt_npy_read_f32(const char *path, float **data, int *ndim,
                    size_t shape[RT_NPY_MAX_NDIM], rt_err *err);

#endif
