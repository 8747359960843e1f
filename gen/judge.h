/* judge.h - the judge of ganc's image metrics.
 *
 * models/fmnist_classifier.yaml with its shipped weights
 * (models/fmnist_classifier.safetensors), built as a sampler: libc and libm
 * only, its weights embedded, reading images with --input and writing for
 * each image the classifier's GAN_JUDGE_FEATURES penultimate features then
 * its GAN_JUDGE_CLASSES class logits.  The file and the weights define
 * every image metric ganc reports: gan_judge_id names them (a hash of
 * both), and `ganc eval` prints it.
 *
 * It is built once into ganc's cache folder (host.h), keyed by that hash,
 * ganc's version and the sampler's template and library, with the size
 * rules for its kernels (no cost model, no -march=native), so that its
 * features do not depend on the machine's measurements.  A model whose
 * generator makes Fashion-MNIST-shaped images gets a copy beside its
 * trainer (DIR/judge), which the trainer runs for train.eval_every.
 */
#ifndef GAN_JUDGE_H
#define GAN_JUDGE_H

#include <stddef.h>

#include "model.h"

#define GAN_JUDGE_FEATURES 64
#define GAN_JUDGE_CLASSES 10

/* The judge executable's path in the cache (into path), built first when
 * it is not there; its id (16 hex digits of the hash of the classifier's
 * model file and weights) into id[17] when id is not NULL.  cc and cflags
 * (NULL, 0: the default compiler, no extra flags) are what it is compiled
 * with, part of the cache's key: a sanitized build (tests/sanitize.sh)
 * gets a sanitized judge, linked with its own sanitized runtime.  0, or
 * 1 / 2 with a message on stderr (2: the classifier's files are missing). */
int gan_judge_get(char *path, size_t size, char *id, const char *cc, char *const *cflags,
                  int n_cflags);

/* Puts a copy of the judge, compiled with cc and cflags, at DIR/judge.
 * 0, or 1 with a message. */
int gan_judge_install(const char *dir, const char *cc, char *const *cflags, int n_cflags);

#endif
