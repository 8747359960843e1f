/* rt_cpu.h - which vector instructions this CPU and its OS can run, for
 * the runtime's own kernels (rt_gemm.c) to pick a compiled path at run time.
 *
 * Read once with CPUID and XGETBV (the OS must save the wide registers on a
 * context switch, or the instructions must not be used); anything that is
 * not x86-64, or a compiler that is not GCC-compatible, reads as the base
 * level.  GANC_CPU=base or GANC_CPU=avx2 in the environment lowers it (to
 * compare the paths, or to rule one out).  Smaller than the compiler's
 * target_clones dispatch, which links libgcc's whole CPU model table into
 * every executable.
 */
#ifndef RT_CPU_H
#define RT_CPU_H

typedef enum {
    RT_CPU_BASE,     /* the compile target's own instructions only */
    RT_CPU_AVX2,     /* AVX2 and FMA (x86-64-v3), and PCLMULQDQ (sample/rt_zlib_stored.c):
                      * every CPU with AVX2 has it */
    RT_CPU_AVX512    /* AVX-512 F and VL, AVX2 and FMA */
} rt_cpu_level;

rt_cpu_level rt_cpu_level_get(void);
/* From now on, rt_cpu_level_get() returns at most max (tests run each path). */
void rt_cpu_level_cap(rt_cpu_level max);

#endif
