/* build.h - from a model to files on disk: generated sources and the
 * compiled trainer and sampler. */
#ifndef GAN_BUILD_H
#define GAN_BUILD_H

#include "emit.h"

typedef struct {
    const char *out_dir;        /* default build/NAME */
    const char *embed_weights;  /* safetensors file to build into the sampler */
    const char *cc;             /* C compiler, default $CC or cc */
    const char *cflags;         /* extra flags */
    int compile;                /* 0: write sources only */
    int native;                 /* 1: -march=native (this machine's vector width) */
    gan_codegen_opts opts;
} gan_build_opts;

/* Where ganc finds templates/, runtime/ headers and the runtime libraries
 * build/libganc_{train,sample}.a: $GANC_HOME, else the folder above the ganc
 * executable, else GANC_DATADIR. */
const char *gan_home(void);
/* The runtime libraries to link, beside the ganc executable (so a build
 * tree such as build/asan/ uses its own), else in <home>/build/: the
 * trainer's (libganc_train.a: needs -lz and OpenMP), and the sampler's
 * (libganc_sample.a: libc and libm only). */
const char *gan_runtime_lib(void);
const char *gan_sampler_lib(void);

/* The flags every generated file is compiled with, and the cost model's
 * probe too, so that it measures code built the same way.  -O3, whose
 * vectorizer pays off on the generated loop nests (about 1.5x on the
 * dcgan_fashion trainer, 2x on its sampler for many samples).
 * -fno-trapping-math lets GCC turn `v > 0 ? v : a * v` (leaky ReLU, and
 * every select like it) into a vector blend: by default it may not compute
 * a product the program might not, in case it raises a floating-point
 * exception nobody reads here.  1.25x on the DCGAN trainer; no value
 * changes (unlike -ffast-math, nothing reassociates).  -fno-math-errno
 * likewise lets sqrtf be one instruction. */
#define GAN_GEN_CFLAGS "-std=c11 -O3 -fno-trapping-math -fno-math-errno"

/* mkdir -p: path and every folder above it; 0, or -1 with errno. */
int gan_mkdir_p(const char *path);

/* Reads a whole file into a NUL-terminated malloc'd string; NULL on error. */
char *gan_read_file(const char *path, long *size);

/* Writes and compiles. Returns 0 ok, 2 bad input, 1 other failure;
 * messages go to stderr. */
int gan_build(const gan_model *m, const gan_build_opts *o);

#endif
