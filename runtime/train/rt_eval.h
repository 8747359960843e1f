/* rt_eval.h - the trainer's quality metrics (train.eval_every, --eval-every).
 *
 * Every eval_every steps the generating network (its moving average when
 * it keeps one, as the pictures) draws `samples` images from inputs fixed
 * for the run (latents from stream 2 of the seed, classes in turn); the
 * judge beside the trainer (DIR/judge: ganc's classifier,
 * models/fmnist_classifier.yaml, built by `ganc build`) turns them, and
 * once the test images, into features and class logits; metrics/ gives
 *   fd, precision, recall, class_entropy, and class_accuracy for a network
 *   that reads a class (the same definitions as `ganc eval`).
 * The judge runs as a process of its own on .npy files in the run folder
 * (.eval-*.npy, removed after).  The lowest fd so far is the run's best:
 * rt_train.c keeps its weights as RUN/best.safetensors and the value and
 * step in each checkpoint, so that a resumed run keeps its best.
 * Only networks of (1, 28, 28) images are judged; without the judge or
 * the test images evaluation is off, said once, and training goes on.
 */
#ifndef RT_EVAL_H
#define RT_EVAL_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "model/rt_model.h"
#include "train/rt_progress.h"

typedef struct {
    const rt_model *m;
    int on;                 /* evaluating at all */
    long every;             /* steps between evaluations */
    size_t n;               /* samples per evaluation */
    const char *test_path;  /* the held-out images (IDX) */
    char judge[4096];       /* the judge executable */
    float **in;             /* [n_gen_inputs]: n samples of each input */
    float *out;             /* n images */
    float *test;            /* the test images' judge rows, after the first evaluation */
    size_t n_test;
    int classes;            /* the classes of the network's class input, 0: none */
    long step;              /* the step the metrics below are of, 0: none yet */
    double fd, precision, recall, entropy, accuracy;   /* accuracy < 0: no classes */
    double best_fd;         /* the run's best, at best_step (0: none yet) */
    long best_step;
} rt_eval;

/* Decides whether to evaluate (every > 0, an image network, a judge beside
 * the trainer, the test images there: else a note on `out`), and draws the
 * fixed inputs. */
void rt_eval_open(rt_eval *e, const rt_model *m, long every, long samples,
                  const char *test_path, uint64_t seed, FILE *out);
void rt_eval_close(rt_eval *e);
/* Evaluates at `step`, files in run_dir.  0 (e->step = step), or -1 with err. */
int rt_eval_run(rt_eval *e, const char *run_dir, long step, rt_err *err);
/* 1 when the last evaluation is the best so far (and records it as such). */
int rt_eval_take_best(rt_eval *e);

#endif
