/* mixture_eval.c - scores 2D samples (a CSV of x,y rows) against a PacGAN
 * mixture and checks them against thresholds, for the end-to-end test:
 *   mixture_eval ring8|grid25 SAMPLES.csv MIN_MODES MIN_HQ
 * Prints modes captured (and how many have 20 high-quality points per
 * 2,500), high-quality fraction and reverse KL; exits 1 when
 * a threshold is missed, 2 on bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rt_mixture.h"
#include "formats/rt_csv.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: mixture_eval ring8|grid25 SAMPLES.csv MIN_MODES MIN_HQ\n");
        return 2;
    }
    int kind = !strcmp(argv[1], "ring8") ? RT_DATA_RING8 : !strcmp(argv[1], "grid25")
                                                            ? RT_DATA_GRID25 : -1;
    if (kind < 0) {
        fprintf(stderr, "mixture_eval: unknown mixture '%s'\n", argv[1]);
        return 2;
    }
    float *pts;
    size_t rows;
    rt_err err;
    if (rt_csv_load(argv[2], 2, &pts, &rows, NULL, &err)) {
        fprintf(stderr, "mixture_eval: %s\n", err.msg);
        return 2;
    }
    rt_mixture_score s = rt_mixture_evaluate(kind, pts, rows);
    free(pts);
    int min_modes = atoi(argv[3]);
    double min_hq = atof(argv[4]);
    int ok = s.modes_captured >= min_modes && s.hq_fraction >= min_hq;
    printf("%s: %zu samples, modes %d/%d (need %d; %d with 20 per 2,500), high quality %.1f%% "
           "(need %.1f%%), reverse KL %.3f: %s\n", argv[1], rows, s.modes_captured, s.n_modes,
           min_modes, s.modes_well_covered, 100 * s.hq_fraction, 100 * min_hq, s.reverse_kl,
           ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
