/* host.h - what ganc needs of the machine it runs on: where its own files
 * are, reading and making files and folders, the C compiler and its
 * flags, and running a program.
 *
 * A leaf: it calls nothing else of ganc, so every stage may use it.
 * Nothing here goes through a shell: programs are started with an
 * argument vector, so a path holding quotes or spaces is just a path.
 */
#ifndef GAN_HOST_H
#define GAN_HOST_H

#include <stddef.h>

/* Where ganc finds templates/, runtime/ headers and the runtime libraries:
 * $GANC_HOME, else the folder above the ganc executable, else GANC_DATADIR. */
const char *gan_home(void);
/* The runtime libraries to link, the trainer's (libganc_train.a) and the
 * sampler's (libganc_sample.a, libc and libm only): beside the ganc
 * executable (so that a build tree such as build/asan/ uses its own), else
 * <home>/build/. */
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
 * likewise lets sqrtf be one instruction.  NULL-terminated. */
extern const char *const gan_gen_cflags[];

/* The folder of ganc's caches (the cost model's calibration, the built
 * judge of the image metrics): $GANC_CACHE_DIR, else $XDG_CACHE_HOME/ganc,
 * else $HOME/.cache/ganc, written into buf; "" when none of them is set.
 * The folder may not exist yet. */
const char *gan_cache_dir(char *buf, size_t size);

/* The C compiler: $CC, else cc. */
const char *gan_cc(void);

/* Reads a whole regular file into a NUL-terminated malloc'd string (its
 * length into *size when size is not NULL), by the runtime's one way to
 * open an input (core/rt_file.h: a FIFO, a device or a folder is refused
 * at once instead of waited on).  NULL on failure, with what went wrong
 * ("expected a regular file, found a FIFO (named pipe)") in *why when why
 * is not NULL (valid until the next failure). */
char *gan_read_file(const char *path, long *size, const char **why);

/* mkdir -p (the runtime's): path and every folder above it; 0, or -1 with
 * the runtime's message, naming the folder, in *why when why is not NULL. */
int gan_mkdir_p(const char *path, const char **why);

/* Writes len bytes to path (created or truncated); 0, or -1 with a
 * message on stderr naming the path. */
int gan_write_file(const char *path, const void *data, size_t len);

/* Runs argv[0] (found on PATH) with argv, NULL-terminated, in folder `dir`
 * (NULL: this one), its standard output into the file `out` (NULL: ganc's
 * own), and waits.  0 when it exits with 0; else -1, with a message on
 * stderr that names what failed (`what`, e.g. "the C compiler") and shows
 * the command. */
int gan_run(const char *const *argv, const char *dir, const char *out, const char *what);

/* Splits text into words the way a shell would split a plain command line
 * without expanding anything: blanks separate words; '...' keeps
 * everything up to the next ' as it is; "..." keeps everything up to the
 * next unescaped ", where \" and \\ stand for " and \; outside quotes \
 * keeps the next character.  Appends malloc'd words to *words (grown with
 * realloc; *n counts them).  0, or -1 with the problem in *why (an
 * unterminated quote, or a backslash at the end). */
int gan_split_words(const char *text, char ***words, int *n, const char **why);

#endif
