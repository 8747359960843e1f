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

/* The last node of the step x belongs to: its group's last member, or x. */
static int step_end(const gan_plan *pl, int x)
{
    int leader = pl->sched[x].group, end = x;
    for (int y = x + 1; leader >= 0 && y < pl->n; y++)
        if (pl->sched[y].group == leader)
            end = y;
    return end;
}

/* a buffer of the workspace: an ST_MAT node stored there, not a variable */
static int in_workspace(const gan_plan *pl, int x)
{
    return pl->store[x] == ST_MAT && pl->dest[x] == DEST_WS && !pl->sched[x].local;
}

static long ws_floats(const gan_plan *pl, int x)
{
    return (ir_numel(pl->p->g.n[x].shape) + 15) & ~15L;
}

void gan_plan_memory(gan_plan *pl)
{
    /* last[b]: the last node of the last step that reads buffer b (a loop
     * group is one step: its inputs stay until its last member) */
    int *last = xcalloc((size_t)pl->n, sizeof *last);
    /* a node reads at most every node before it, and so does its fused
     * product: 2n entries always suffice (a fixed list of 64 once dropped
     * reads quietly, and a buffer read by more nodes than that was reused
     * while still live) */
    int *reads = xcalloc(2 * (size_t)pl->n + 1, sizeof *reads);
    for (int x = 0; x < pl->n; x++)
        last[x] = -1;
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        int nr = gan_plan_reads(pl, x, reads, pl->n), end = step_end(pl, x);
        if (pl->gemm[x] >= 0)
            nr += gan_plan_reads(pl, pl->gemm[x], reads + nr, pl->n);
        for (int i = 0; i < nr; i++)
            if (last[reads[i]] < end)
                last[reads[i]] = end;
    }
    free(reads);
    span *fl = xcalloc((size_t)pl->n + 1, sizeof *fl);
    int n_free = 0;
    long top = 0;
    char *released = xcalloc((size_t)pl->n, 1);
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        int leader = pl->sched[x].group;
        /* a step's outputs are allocated where it starts: a group's all at
         * its leader */
        for (int y = x; y < pl->n && (leader < 0 ? y == x : leader == x); y++) {
            if ((leader < 0 ? y != x : pl->sched[y].group != x) || !in_workspace(pl, y))
                continue;
            pl->off[y] = alloc_span(fl, &n_free, &top, ws_floats(pl, y));
            if (gan_plan_is_result(pl, y))
                last[y] = pl->n;        /* returned or reported at the end */
            else if (last[y] < 0)
                last[y] = step_end(pl, y);
        }
        /* free every buffer whose last reader is x (after x's own allocation,
         * so an output never overlaps its inputs) */
        for (int y = 0; y <= x; y++)
            if (in_workspace(pl, y) && last[y] == x && !released[y]) {
                released[y] = 1;
                release_span(fl, &n_free, pl->off[y], ws_floats(pl, y));
            }
    }
    pl->ws_size = top;
    free(released);
    free(fl);
    free(last);
}
