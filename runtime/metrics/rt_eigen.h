/* rt_eigen.h - eigenvalues and eigenvectors of a real symmetric matrix, in
 * double: what the Frechet distance needs for its matrix square roots.
 *
 * Method: Householder reduction to tridiagonal form, then the implicit QL
 * iteration with shifts from the leading 2 x 2 block (the EISPACK routines
 * tred2 and tql2; Golub & Van Loan 8.3): about 9 n^3 flops, 35 ms for
 * n = 256 on one core, where cyclic Jacobi takes several times that.  The eigenvectors
 * are kept as columns of a column-major work matrix, so that the QL
 * rotations, the bulk of the work, run along contiguous memory; they come
 * out as the rows of `vecs`.
 * Leaves out: non-symmetric matrices, eigenvalues alone without vectors
 * (the vectors cost two thirds of the time; nothing here needs them less),
 * divide and conquer, and checking that `a` is symmetric (only its upper
 * triangle is read).
 */
#ifndef RT_EIGEN_H
#define RT_EIGEN_H

#include "core/rt_err.h"

/* a: n x n, symmetric, row-major (only its upper triangle, j >= i, is read).
 * On success w[0..n) holds the eigenvalues in ascending order and row i of
 * vecs (n x n, row-major) the unit eigenvector of w[i], so that
 * a = sum_i w[i] vecs_i vecs_i^T.  vecs may be a itself.  0, or -1 with err
 * when the QL iteration did not converge (30 iterations per eigenvalue,
 * EISPACK's limit; not seen on finite input) or a holds a NaN or infinity. */
int rt_symmetric_eigen(const double *a, int n, double *w, double *vecs, rt_err *err);

#endif
