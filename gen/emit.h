/* emit.h - C text from the plans of a gan_compiled (driver.h).  Emission
 * prints what the plans decided and decides nothing itself.
 *
 * emit_node.c writes the code of one executing node (a loop nest, a GEMM
 * call with its epilogue, a convolution, a copy: emit_internal.h lists the
 * files behind it); emit_program.c groups nodes into one function per
 * layer pass and writes the step function that calls them; emit_model.c
 * fills a template from templates/ with all of it.
 */
#ifndef GAN_EMIT_H
#define GAN_EMIT_H

#include "buf.h"
#include "driver.h"
#include "plan.h"

/* generated lines stay within this many columns */
enum { GAN_LINE_WIDTH = 100 };
/* the longest line generated code may hold (tests/generated_code.py): a
 * statement that comes out longer (long names in a deep loop nest) is
 * broken at a space before GAN_LINE_WIDTH by gan_wrap_code */
enum { GAN_HARD_LINE_WIDTH = 119 };

/* Names of buffers inside one generated function (or one step function),
 * each given once (emit_names.c); the arrays grow as names are added. */
typedef struct {
    int net;                 /* the function's network: its input is named x (or z) */
    int by_app;              /* step functions: prefix the application, e.g. fake_h1 */
    int n, cap;
    int *node;               /* the node each name is for */
    char **name;
    int *written;            /* the function writes it (an output argument) */
    const char *const *taken;   /* names of the file's own buffers, never given */
    int n_taken;
} gan_names;

/* The name of node b's buffer in a function of network net (-1: a step
 * function) before it is made unique (malloc'd); by_app: prefixed with its
 * application (real_, fake_, g_). */
char *gan_value_name(const gan_plan *pl, int b, int net, int by_app);
const char *gan_names_get(gan_names *nm, const gan_plan *pl, int node);
void gan_names_mark_written(gan_names *nm, const gan_plan *pl, int node);
void gan_names_free(gan_names *nm);
/* The C macro of a model tensor: generator.h1.weight -> G_H1_WEIGHT, then
 * suffix (malloc'd). */
char *gan_tensor_macro(const gan_model *m, const gan_tensor *t, const char *suffix);

/* Appends the code computing executing node x (indented one level),
 * under a comment with its formula and what the plan decided for it. */
void gan_emit_node(gan_buf *out, const gan_plan *pl, gan_names *nm, int x);

/* Writes `out_ref = epilogue(value);` where `value` is the producer's result
 * at loop indices idx over the epilogue's shape (dims names its extents);
 * epi < 0 stores the value itself. */
void gan_emit_epilogue(gan_buf *o, const gan_plan *pl, gan_names *nm, int epi, int producer,
                       const char *value, const char *const *idx, const char *const *dims,
                       const char *out_ref, int lvl);
void gan_indent(gan_buf *o, int level);
/* emit_conv.c: convolutions, upsampling and pooling (epi: fused epilogue or -1) */
void gan_emit_conv(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi);

/* text with every "*" "/" pair broken, so that it can stand in a comment
 * (malloc'd): a model path may hold one */
char *gan_comment_safe(const char *text);
/* A comment of `text` at indent level lvl, words wrapped to GAN_LINE_WIDTH,
 * a new line at each of the text's own line breaks. */
void gan_emit_comment(gan_buf *o, int lvl, const char *text);
/* "(item, item, ...)" then close, the items wrapped onto lines aligned
 * after the parenthesis, which stands at column `column`, where a line
 * would pass GAN_LINE_WIDTH. */
void gan_emit_list(gan_buf *o, int column, char *const *items, int n, const char *close);
/* Appends C text to o, each line longer than GAN_HARD_LINE_WIDTH broken at
 * spaces outside string literals and comments (preprocessor lines are left
 * alone), the continuation indented 8 more than the line. */
void gan_wrap_code(gan_buf *o, const char *text);

/* The functions of one generated file: layer functions (deduplicated,
 * shared across its programs) and the names of its saved buffers. */
typedef struct {
    gan_buf text;        /* all function definitions */
    int n;
    char **names;        /* function names */
    char **bodies;       /* full text, for deduplication */
    char **saved;        /* the trainer: name of saved slot k (malloc'd) */
    int n_saved;
    char **taken;        /* every file-level buffer name (saved slots, variables,
                          * networks' arrays): never a step's buffer name */
    int n_taken;
    int restrict_params; /* declare parameters restrict where no written memory
                          * is shared (the sampler: smaller and faster code) */
} gan_funcs;

/* One program: its layer functions into *funcs and its step function into
 * *steps; a line per function with the plan's decisions into report. */
void gan_emit_program(const gan_plan *pl, gan_funcs *funcs, gan_buf *steps, gan_buf *report);
void gan_funcs_free(gan_funcs *f);

typedef struct {
    const char *template_text;   /* templates/trainer.c or sampler.c */
    const char *model_path;      /* as given on the command line */
    const char *model_yaml;      /* the trainer: the model file's text, kept in the run folders */
    int sampler;                 /* GAN_UNIT_* (driver.h): 1 sampler file, 2 scorer
                                  * file, 0 trainer file */
    long embed_size;             /* sampler: bytes of embedded.safetensors, 0: none */
} gan_emit_target;

/* One GEMM call for node x, C = op(A) op(B) + beta C (row-major), with
 * the engine the plan chose (OpenBLAS's cblas_sgemm or the runtime's
 * rt_sgemm); `indent` spaces before it. */
void gan_emit_gemm(gan_buf *o, const gan_plan *pl, int x, int indent, int ta, int tb,
                   const char *m, const char *n, const char *k, const char *a, const char *lda,
                   const char *b, const char *ldb, const char *beta, const char *c,
                   const char *ldc);

/* The sampler's product by such a weight: a static buffer of `floats`
 * (a C expression) filled by the call `pack` on the first call only, then
 * the call `product`, which reads it as `packed`. */
void gan_emit_packed_once(gan_buf *o, const char *weight, const char *floats, const char *pack,
                          const char *product);

/* Fills the template with the trainer's or the sampler's plans (t->sampler)
 * of c; a line per layer function with the plan's decisions goes to report
 * when not NULL.  Returns 0. */
int gan_emit_file(const gan_compiled *c, const gan_emit_target *t, gan_buf *out,
                  gan_buf *report);

#endif
