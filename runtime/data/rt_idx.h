/* rt_idx.h - the IDX format of MNIST and Fashion-MNIST, gzipped or not.
 *
 * An IDX file is a 4-byte magic (0, 0, type 0x08 = unsigned byte, number of
 * dimensions), one big-endian 32-bit size per dimension, then the values.
 * Images are 3-D (count, height, width); labels are 1-D (count).
 * Reading goes through rt_gz.h, which reads plain files as they are and
 * checks a gzipped one to its CRC and length trailer, so this file (and
 * whatever references it) needs -lz: the trainer does, the sampler never
 * references it.  A file must end after the values its header announces.
 * Images are converted to floats as they are read (the bytes are never all
 * held at once), after their number was checked against the memory there
 * is (rt_mem_check).
 * Leaves out: IDX types other than unsigned byte.
 */
#ifndef RT_IDX_H
#define RT_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_err.h"

/* Loads every image as floats in [-1, 1] (x / 127.5 - 1) into a malloc'd
 * array of n * height * width floats.  The file's images must be exactly
 * height x width; an error names the file and what was expected and found. */
int rt_idx_load_images(const char *path, int height, int width, float **out, size_t *n,
                       rt_err *err);

/* Loads 1-D labels into a malloc'd array of n bytes. */
int rt_idx_load_labels(const char *path, uint8_t **out, size_t *n, rt_err *err);

#endif
