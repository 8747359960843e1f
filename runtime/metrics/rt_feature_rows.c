/* rt_feature_rows.c - argument checks shared by the metrics (see rt_feature_rows.h). */
#include "metrics/rt_feature_rows.h"

#include <math.h>

int rt_check_feature_rows(const char *what, const float *rows, size_t n, size_t stride, int dim,
                          size_t min_rows, rt_err *err)
{
    if (dim < 1)
        return rt_errf(err, "%s: %d features per row, at least 1 needed", what, dim);
    if (stride < (size_t)dim)
        return rt_errf(err, "%s: rows of %d features start every %zu floats: the stride must "
                            "be at least the number of features", what, dim, stride);
    if (n < min_rows)
        return rt_errf(err, "%s: %zu row%s, at least %zu needed", what, n, n == 1 ? "" : "s",
                       min_rows);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < dim; j++)
            if (!isfinite(rows[i * stride + (size_t)j]))
                return rt_errf(err, "%s: row %zu, feature %d is %g", what, i, j,
                               (double)rows[i * stride + (size_t)j]);
    return 0;
}
