/* emit.h - C text from a plan.
 *
 * emit_node.c writes the code of one executing node (a loop nest, an sgemm
 * call with its epilogue, a copy); emit_program.c groups nodes into one
 * function per layer pass and writes the step function that calls them;
 * emit_model.c fills a template from templates/ with all of it.
 */
#ifndef GAN_EMIT_H
#define GAN_EMIT_H

#include "buf.h"
#include "plan.h"

/* Names of buffers inside one generated function (or one step function). */
#define GAN_NAMES_MAX 1024
typedef struct {
    int net;                 /* the function's network: its input is named x (or z) */
    int n;
    int node[GAN_NAMES_MAX];
    char name[GAN_NAMES_MAX][48];
    int written[GAN_NAMES_MAX];
} gan_names;

const char *gan_names_get(gan_names *nm, const gan_plan *pl, int node);

/* Appends the code computing executing node x (indented one level).
 * Notes on unrolling/fusion/kernels go to `notes` (may be NULL). */
void gan_emit_node(gan_buf *out, const gan_plan *pl, gan_names *nm, int x, gan_buf *notes);

/* The whole program: layer functions (deduplicated into *funcs, shared
 * across programs of one file) and the step function into *steps. */
typedef struct {
    gan_buf text;        /* all function definitions */
    int n;
    char **names;        /* function names */
    char **bodies;       /* full text, for deduplication */
} gan_funcs;

void gan_emit_program(const gan_plan *pl, gan_funcs *funcs, gan_buf *steps, gan_buf *report);
void gan_funcs_free(gan_funcs *f);

typedef struct {
    const char *template_text;   /* templates/trainer.c or sampler.c */
    const char *model_path;      /* as given on the command line */
    int sampler;                 /* 1: sampler file, 0: trainer file */
    long embed_size;             /* sampler: bytes of embedded.safetensors, 0: none */
} gan_emit_target;

/* Fills the template.  Returns 0, or -1 with a message in *report. */
int gan_emit_file(const gan_model *m, gan_codegen_opts o, const gan_emit_target *t,
                  gan_buf *out, gan_buf *report);

#endif
