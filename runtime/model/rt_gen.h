/* rt_gen.h - what every file ganc generates (trainer and sampler) uses
 * besides the runtime's functions: the markers of the loops that run on
 * several threads.
 *
 * Threads are OpenMP's in the trainer, which is compiled with -fopenmp:
 * loops that write disjoint parts of their output (a convolution's
 * samples, long elementwise loops, sums split by output) are marked
 * GAN_PARALLEL_FOR, and sums add one partial sum per vector lane
 * (GAN_SIMD_SUM(acc, ...): the accumulators of the loop that follows).  Elementwise loops and sums give the same bits at any
 * thread count.  Compiled without -fopenmp (the sampler, some tests) it is
 * all serial, sums one float at a time.
 */
#ifndef RT_GEN_H
#define RT_GEN_H

#ifdef _OPENMP
#include <omp.h>
#define GAN_PARALLEL_FOR _Pragma("omp parallel for")
#define GAN_PRAGMA(...) _Pragma(#__VA_ARGS__)
#define GAN_SIMD_SUM(...) GAN_PRAGMA(omp simd reduction(+:__VA_ARGS__))
#else
#define GAN_PARALLEL_FOR
#define GAN_SIMD_SUM(...)
#endif

#endif
