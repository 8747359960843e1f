/* plan_memory.c - where each workspace buffer lives: first-fit over the
 * execution order, a buffer's span freed after its last reader (and after
 * the allocation of the node that reads it last, so an output never
 * overlaps its inputs), neighbouring free spans merged.  Offsets are in
 * floats, each buffer a multiple of 16 (64 bytes).  See plan.h. */
#include "plan.h"

#include <stdlib.h>

#include "fatal.h"

#define xcalloc gan_xcalloc

/* First-fit allocation of workspace buffers over the execution order. */
typedef struct {
    long off, size;
} span;

static long alloc_span(span *free_list, int *n_free, long *top, long size)
{
    for (int i = 0; i < *n_free; i++)
        if (free_list[i].size >= size) {
            long off = free_list[i].off;
            free_list[i].off += size;
            free_list[i].size -= size;
            if (free_list[i].size == 0)
                free_list[i] = free_list[--*n_free];
            return off;
        }
    long off = *top;
    *top += size;
    return off;
}

static void release_span(span *free_list, int *n_free, long off, long size)
{
    /* merge with neighbours so space does not fragment */
    for (int i = 0; i < *n_free; i++) {
        if (free_list[i].off + free_list[i].size == off) {
            off = free_list[i].off;
            size += free_list[i].size;
            free_list[i--] = free_list[--*n_free];
        } else if (off + size == free_list[i].off) {
            size += free_list[i].size;
            free_list[i--] = free_list[--*n_free];
        }
    }
    free_list[(*n_free)++] = (span){ off, size };
}

void gan_plan_memory(gan_plan *pl)
{
    const ir_graph *g = &pl->p->g;
    int *last = xcalloc((size_t)pl->n, sizeof *last);
    /* a node reads at most every node before it, and so does its fused
     * product: 2n entries always suffice (a fixed list of 64 once dropped
     * reads quietly, and a buffer read by more nodes than that was reused
     * while still live) */
    int *reads = xcalloc(2 * (size_t)pl->n + 1, sizeof *reads);
    for (int x = 0; x < pl->n; x++) {
        last[x] = -1;
        if (pl->store[x] != ST_MAT)
            continue;
        int nr = gan_plan_reads(pl, x, reads, pl->n);
        if (pl->gemm[x] >= 0)
            nr += gan_plan_reads(pl, pl->gemm[x], reads + nr, pl->n);
        for (int i = 0; i < nr; i++)
            last[reads[i]] = x;
    }
    free(reads);
    span *fl = xcalloc((size_t)pl->n + 1, sizeof *fl);
    int n_free = 0;
    long top = 0;
    int *owner = xcalloc((size_t)pl->n, sizeof *owner);
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        if (pl->dest[x] == DEST_WS) {
            long size = (ir_numel(g->n[x].shape) + 15) & ~15L;
            pl->off[x] = alloc_span(fl, &n_free, &top, size);
            if (x == pl->p->loss)
                last[x] = pl->n;        /* returned at the end */
            else if (last[x] < 0)
                last[x] = x;
        }
        /* free every buffer whose last reader is x (after x's own allocation,
         * so an output never overlaps its inputs) */
        for (int y = 0; y <= x; y++)
            if (pl->store[y] == ST_MAT && pl->dest[y] == DEST_WS && last[y] == x && !owner[y]) {
                owner[y] = 1;
                release_span(fl, &n_free, pl->off[y],
                             (ir_numel(g->n[y].shape) + 15) & ~15L);
            }
    }
    pl->ws_size = top;
    free(owner);
    free(fl);
    free(last);
}

