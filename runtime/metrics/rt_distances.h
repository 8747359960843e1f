/* rt_distances.h - squared Euclidean distances between feature rows, a
 * tile at a time, for the nearest-neighbour metrics (precision and recall):
 * |a|^2 + |b|^2 - 2 a.b, the products by the runtime's rt_sgemm.
 *
 * A point set is a contiguous copy of the rows, centred on a point the
 * caller chooses (the mean of everything compared): distances do not
 * change, but the norms shrink to the spread of the data, so that the
 * formula's cancellation loses little when features sit far from 0
 * (Inception features are all positive).  Norms are summed in double.
 * A squared distance within the formula's rounding of 0 (RT_DUPLICATE_SCALE
 * below) is 0, so that equal rows are always at distance 0 and no distance
 * is negative.
 * Leaves out: other metrics (cosine, L1), half precision, threads.
 */
#ifndef RT_DISTANCES_H
#define RT_DISTANCES_H

#include <float.h>
#include <stddef.h>

/* |a|^2 + |b|^2 - 2 a.b of two equal rows comes out as a few roundings of
 * |a|^2 + |b|^2 (the product's float sums against the norms' double ones):
 * at most 4 FLT_EPSILON of it, measured from 8 to 2048 features on every
 * rt_sgemm path (tests/test_rt_metrics.c holds 512 features to half of
 * RT_DUPLICATE_SCALE).  A squared distance below RT_DUPLICATE_SCALE
 * (|a|^2 + |b|^2) is taken as 0: a distance that small, about 0.2% of the
 * rows' norms, is as much rounding as geometry. */
#define RT_DUPLICATE_SCALE (16 * FLT_EPSILON)

typedef struct {
    float *rows;    /* n x dim, centred; owned */
    float *norms;   /* n squared norms of the centred rows; owned */
    size_t n;
    int dim;
} rt_point_set;

/* s copies n rows (dim floats every stride floats) less centre[dim];
 * rt_point_set_free releases what it holds. */
void rt_point_set_init(rt_point_set *s, const float *rows, size_t n, size_t stride, int dim,
                       const double *centre);
void rt_point_set_free(rt_point_set *s);

/* The tile size the metrics use: 768 KiB of floats, a few products of
 * rt_sgemm's blocks, small enough to stay in a core's L2 as it is scanned. */
enum { RT_TILE_ROWS = 192, RT_TILE_COLS = 1024 };

/* tile[r * nj + c] = the squared distance between row i0 + r of a and row
 * j0 + c of b, for r < ni, c < nj (ni <= RT_TILE_ROWS, nj <= RT_TILE_COLS). */
void rt_distance_tile(const rt_point_set *a, size_t i0, int ni, const rt_point_set *b,
                      size_t j0, int nj, float *tile);

#endif
