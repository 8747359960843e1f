/* build.h - the last stage: the generated sources written to disk and
 * compiled into the trainer and the sampler.  It prints what emission
 * (emit.h) makes of the plans in a gan_compiled (driver.h), and runs the C
 * compiler through host.h: an argument vector, never a shell. */
#ifndef GAN_BUILD_H
#define GAN_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

typedef struct {
    const char *out_dir;        /* default build/NAME */
    const char *embed_weights;  /* safetensors file to build into the sampler */
    const char *cc;             /* C compiler, default $CC or cc */
    char **cflags;              /* extra compiler flags, one word each */
    int n_cflags;
    int compile;                /* 0: write sources only */
    int native;                 /* 1: -march=native (this machine's vector width) */
    int sampler_only;           /* 1: DIR/sample alone (the judge of judge.h) */
} gan_build_opts;

/* Writes DIR/train.c and DIR/sample.c for c (model_yaml: the model file's
 * text, which the trainer keeps) and compiles them unless o->compile is 0.
 * Returns 0 ok, 2 bad input, 1 other failure; messages go to stderr. */
int gan_build(const gan_compiled *c, const char *model_path, const char *model_yaml,
              const gan_build_opts *o);

/* FNV-1a (64 bits) of n bytes, continuing from h (GAN_FNV64_START to
 * begin): the keys of ganc's cache (the judge, eval's samplers). */
#define GAN_FNV64_START 1469598103934665603ull
uint64_t gan_fnv64(uint64_t h, const void *data, size_t n);

/* h continued by what a built sampler depends on besides its model and
 * flags: ganc's version, the sampler template and the sampler library
 * (size and time), so that a cached sampler is built again when any of
 * them changes. */
uint64_t gan_sampler_build_key(uint64_t h);

/* The template `name` (trainer.c, sampler.c) from ganc's home folder, a
 * malloc'd string; NULL with a message on stderr. */
char *gan_read_template(const char *name);

#endif
