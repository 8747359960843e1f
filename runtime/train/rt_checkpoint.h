/* rt_checkpoint.h - everything a training run needs to continue exactly
 * where it stopped, in one safetensors file.
 *
 * A checkpoint RUN/checkpoints/step_NNNNNNNNN.safetensors holds:
 *   tensors   every parameter and state tensor of every network and the
 *             EMA copies, under the names weights.safetensors uses
 *             (rt_weights.h), then, for each network an update trains, in
 *             network order, its optimizer's state as
 *             optimizer.NETWORK.{exp_avg,exp_avg_sq} (Adam) or
 *             .momentum_buffer (SGD with momentum), 1-D;
 *   metadata  format (RT_CKPT_FORMAT), model, ganc_version, arch_hash,
 *             step, the training rng ("rng"), the data position
 *             of each source ("data.epoch_rng", "data.next"; a second
 *             source's "data2.epoch_rng", "data2.next"), each optimizer's step count
 *             ("optimizer.NETWORK.step"), and the run's settings (the
 *             caller's pairs, "setting.*").
 * The classic model's checkpoints are those of the trainer before v2 of
 * rt_model.h, byte for byte: its networks are named generator and
 * discriminator.
 * Files are written atomically (rt_file.h) with the checksum of
 * rt_safetensors.h, so a killed process never leaves a half-written file
 * under a checkpoint's name, and a damaged one is refused on load.
 * Writing keeps the newest `keep` checkpoints and deletes older ones and
 * stale temporary files.
 * Leaves out: checkpoints of several runs in one folder, sharding.
 */
#ifndef RT_CHECKPOINT_H
#define RT_CHECKPOINT_H

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"
#include "train/rt_optim.h"

#define RT_CKPT_FORMAT "ganc-checkpoint-1"
#define RT_CKPT_DIR "checkpoints"

/* Views of the live training state a checkpoint saves and restores. */
typedef struct {
    const rt_model *m;
    const rt_store *store;
    rt_optim *opt;        /* [m->n_nets]: used for the networks an update trains */
    rt_rng *rng;
    rt_data *const *data;   /* [m->n_sources] */
} rt_ckpt;

/* Writes RUN/checkpoints/step_<step>.safetensors and prunes to `keep`.
 * *written (malloc'd, may be NULL) receives the file's path. */
int rt_checkpoint_save(const char *run_dir, long step, int keep, const rt_ckpt *c,
                       const rt_st_kv *settings, size_t n_settings, char **written,
                       rt_err *err);

/* The newest checkpoint in RUN/checkpoints (malloc'd path); an error says
 * what is missing when there is none. */
int rt_checkpoint_newest(const char *run_dir, char **path, rt_err *err);

/* The step of a checkpoint's file name, step_<digits>.safetensors (any
 * number of digits), or -1 for any other name. */
long rt_checkpoint_step_of(const char *name);

/* Opens a checkpoint and checks that it is one, for this model: format,
 * model name; *step receives its step.  Close st with rt_st_close. */
int rt_checkpoint_open(const char *path, const rt_model *m, rt_st *st, long *step,
                       rt_err *err);

/* Restores tensors, optimizer state, rng and data position from an open
 * checkpoint.  Every tensor's dtype and shape, then the architecture hash
 * are checked first; the first mismatch is named and nothing is changed. */
int rt_checkpoint_restore(const rt_st *st, const rt_ckpt *c, rt_err *err);

#endif
