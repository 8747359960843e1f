/* rt_knn.h - each row's distance to its k-th nearest other row of the same
 * set: the radius of the row's ball in the k-NN manifold estimate of
 * improved precision and recall (Kynkaanniemi et al. 2019).
 *
 * The row itself is left out by index, not by distance, so rows equal to
 * it (distance 0) count among its neighbours, as in the authors' code
 * (which takes the (k+1)-th smallest distance, its own 0 the first).
 * Tiles of distances (rt_distances.h), RT_TILE_ROWS rows at a time against
 * every column tile; each row keeps its k smallest distances so far in a
 * max-heap, so a distance is one comparison with the heap's top unless it
 * is among them.  Time: n^2 dim multiply-adds in rt_sgemm, n^2 comparisons.
 * Memory: one tile and RT_TILE_ROWS heaps of k floats, freed on return.
 * Leaves out: the symmetry of the distances (each pair is computed twice:
 * simpler, and half the product would not halve the scans), threads.
 */
#ifndef RT_KNN_H
#define RT_KNN_H

#include "metrics/rt_distances.h"

/* radius2[i] = the squared distance from row i of s to its k-th nearest
 * other row, for every row of s; 1 <= k < s->n. */
void rt_knn_radii(const rt_point_set *s, int k, float *radius2);

#endif
