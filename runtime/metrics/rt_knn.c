/* rt_knn.c - k-th nearest neighbour distances within a set (see rt_knn.h). */
#include "metrics/rt_knn.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

/* The heap's largest value, heap[0], replaced by x (x < heap[0]) and sunk
 * to its place. */
static void heap_replace_top(float *heap, int k, float x)
{
    int i = 0;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= k)
            break;
        if (child + 1 < k && heap[child + 1] > heap[child])
            child++;
        if (heap[child] <= x)
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = x;
}

/* d[0..n) offered to the heap of the k smallest seen so far */
static void offer(float *heap, int k, const float *d, int n)
{
    float top = heap[0];
    for (int c = 0; c < n; c++)
        if (d[c] < top) {
            heap_replace_top(heap, k, d[c]);
            top = heap[0];
        }
}

void rt_knn_radii(const rt_point_set *s, int k, float *radius2)
{
    rt_assert(k >= 1 && (size_t)k < s->n);
    float *tile = rt_xmalloc((size_t)RT_TILE_ROWS * RT_TILE_COLS * sizeof *tile);
    float *heaps = rt_xmalloc((size_t)RT_TILE_ROWS * (size_t)k * sizeof *heaps);
    for (size_t i0 = 0; i0 < s->n; i0 += RT_TILE_ROWS) {
        int ni = s->n - i0 < RT_TILE_ROWS ? (int)(s->n - i0) : RT_TILE_ROWS;
        for (size_t h = 0; h < (size_t)ni * (size_t)k; h++)
            heaps[h] = INFINITY;
        for (size_t j0 = 0; j0 < s->n; j0 += RT_TILE_COLS) {
            int nj = s->n - j0 < RT_TILE_COLS ? (int)(s->n - j0) : RT_TILE_COLS;
            rt_distance_tile(s, i0, ni, s, j0, nj, tile);
            for (int r = 0; r < ni; r++) {
                float *heap = heaps + (size_t)r * (size_t)k;
                const float *d = tile + (size_t)r * (size_t)nj;
                size_t self = i0 + (size_t)r;   /* left out: the row's own 0 */
                if (self >= j0 && self < j0 + (size_t)nj) {
                    int at = (int)(self - j0);
                    offer(heap, k, d, at);
                    offer(heap, k, d + at + 1, nj - at - 1);
                } else {
                    offer(heap, k, d, nj);
                }
            }
        }
        for (int r = 0; r < ni; r++)
            radius2[i0 + (size_t)r] = heaps[(size_t)r * (size_t)k];
    }
    free(heaps);
    free(tile);
}
