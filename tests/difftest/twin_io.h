/* tests/difftest/twin_io.h - reading the reference dump and writing the
 * twin's, for tests/difftest/twin_step.c (see twin_io.c).  Tensors are
 * named PREFIX + NAME as in tests/parity/dump_step.c; values cross as
 * double, and are stored as float32.  Every error exits 2 with a message. */
#ifndef TESTS_DIFFTEST_TWIN_IO_H
#define TESTS_DIFFTEST_TWIN_IO_H

#include <stddef.h>

void twin_open(const char *path);
/* REF's prefix+name, which must hold n values, widened into dst */
void twin_read(const char *prefix, const char *name, double *dst, size_t n);
/* appends prefix+name (a copy of src, rounded to float32) to the dump */
void twin_add(const char *prefix, const char *name, const double *src, size_t n, int ndim,
              const int *shape);
void twin_write(const char *path, const char *model, const char *ref_path);

#endif
