/* rt_cpu.c - the CPU's vector level (see rt_cpu.h). */
#include "kernels/rt_cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>

static rt_cpu_level detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return RT_CPU_BASE;
    int pclmul = (c >> 1) & 1, fma = (c >> 12) & 1, osxsave = (c >> 27) & 1,
        avx = (c >> 28) & 1;
    if (!pclmul || !fma || !osxsave || !avx)
        return RT_CPU_BASE;
    unsigned xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    (void)xcr0_hi;
    if ((xcr0_lo & 0x6) != 0x6)          /* SSE and AVX state saved by the OS */
        return RT_CPU_BASE;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !((b >> 5) & 1))   /* AVX2 */
        return RT_CPU_BASE;
    int avx512 = ((b >> 16) & 1) && ((b >> 31) & 1);   /* F and VL */
    if (avx512 && (xcr0_lo & 0xe6) == 0xe6)          /* and opmask, ZMM state */
        return RT_CPU_AVX512;
    return RT_CPU_AVX2;
}
#else
static rt_cpu_level detect(void)
{
    return RT_CPU_BASE;
}
#endif

/* detected level, lowered by GANC_CPU; -1 until first asked.  Threads that
 * race to fill it in all write the same value. */
static int level = -1;
static rt_cpu_level cap = RT_CPU_AVX512;

rt_cpu_level rt_cpu_level_get(void)
{
    if (level < 0) {
        rt_cpu_level l = detect();
        const char *env = getenv("GANC_CPU");
        if (env && strcmp(env, "base") == 0)
            l = RT_CPU_BASE;
        else if (env && strcmp(env, "avx2") == 0 && l > RT_CPU_AVX2)
            l = RT_CPU_AVX2;
        level = (int)l;
    }
    return (rt_cpu_level)level < cap ? (rt_cpu_level)level : cap;
}

void rt_cpu_level_cap(rt_cpu_level max)
{
    cap = max;
}
