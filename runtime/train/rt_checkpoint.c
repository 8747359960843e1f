/* rt_checkpoint.c - saving, finding, checking and restoring checkpoints
 * (see rt_checkpoint.h). */
#include "train/rt_checkpoint.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "train/rt_model_check.h"

#define NAME_PREFIX "step_"
#define NAME_SUFFIX ".safetensors"
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = rt_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

long rt_checkpoint_step_of(const char *name)
{
    size_t np = strlen(NAME_PREFIX), ns = strlen(NAME_SUFFIX), n = strlen(name);
    if (n <= np + ns || strncmp(name, NAME_PREFIX, np) != 0 ||
        strcmp(name + n - ns, NAME_SUFFIX) != 0)
        return -1;
    long step = 0;
    for (size_t i = np; i < n - ns; i++) {
        if (name[i] < '0' || name[i] > '9' || step > (long)1e15)
            return -1;
        step = step * 10 + (name[i] - '0');
    }
    return step;
}

/* ---- optimizer tensors -------------------------------------------------- */

typedef struct {
    char *name;     /* owned */
    float *data;
    size_t n;
} opt_tensor;

static char *strf2(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *p = rt_xmalloc(n);
    snprintf(p, n, fmt, a, b);
    return p;
}

/* The optimizer buffers of the trained networks, named as torch.optim
 * names them; *count receives their number (free with free_opt). */
static opt_tensor *opt_tensors(const rt_ckpt *c, size_t *count)
{
    const rt_model *m = c->m;
    opt_tensor *out = rt_xcalloc(2 * (size_t)m->n_nets + 1, sizeof *out);
    size_t k = 0;
    for (int net = 0; net < m->n_nets; net++) {
        if (rt_model_trainer_of(m, net) < 0)
            continue;
        const rt_optim *o = &c->opt[net];
        int adam = o->spec.kind == RT_OPTIM_ADAM;
        float *bufs[2] = { o->m, o->v };
        const char *names[2] = { adam ? "exp_avg" : "momentum_buffer", "exp_avg_sq" };
        for (int b = 0; b < 2; b++)
            if (bufs[b])
                out[k++] = (opt_tensor){ strf2("optimizer.%s.%s", m->nets[net].name, names[b]),
                                         bufs[b], o->n };
    }
    *count = k;
    return out;
}

static void free_opt(opt_tensor *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].name);
    free(t);
}

/* "optimizer.NETWORK.step" of each trained network, its key and value
 * owned (free with free_steps). */
static rt_st_kv *opt_steps(const rt_ckpt *c, size_t *count)
{
    const rt_model *m = c->m;
    rt_st_kv *kv = rt_xcalloc((size_t)m->n_nets + 1, sizeof *kv);
    size_t k = 0;
    for (int net = 0; net < m->n_nets; net++) {
        if (rt_model_trainer_of(m, net) < 0)
            continue;
        char t[24];
        snprintf(t, sizeof t, "%ld", c->opt[net].t);
        kv[k].key = strf2("optimizer.%s.%s", m->nets[net].name, "step");
        kv[k++].value = rt_xstrdup(t);
    }
    *count = k;
    return kv;
}

static void free_steps(rt_st_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)kv[i].key);
        free((char *)kv[i].value);
    }
    free(kv);
}

/* ---- saving ----------------------------------------------------------- */

/* A checkpoint file found in RUN/checkpoints: its name as it is (never
 * rebuilt from the step: step_5 and step_000000005 are both step 5). */
typedef struct {
    char *name;
    long step;
} ckpt_file;

static int newest_first(const void *a, const void *b)
{
    long x = ((const ckpt_file *)a)->step, y = ((const ckpt_file *)b)->step;
    return (x < y) - (x > y);
}

/* The checkpoints in dir, newest first (caller frees names and array).
 * With remove_temps, the temporary files of interrupted writes go: the
 * trainer holds the run folder's lock (rt_run_dir.h), so they are a dead
 * process's. */
static size_t list_checkpoints(const char *dir, ckpt_file **out, int remove_temps)
{
    DIR *d = opendir(dir);
    ckpt_file *list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        long step = rt_checkpoint_step_of(e->d_name);
        if (remove_temps && len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0 &&
            strncmp(e->d_name, NAME_PREFIX, strlen(NAME_PREFIX)) == 0) {
            char *p = join(dir, e->d_name);
            remove(p);
            free(p);
        }
        if (step < 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            list = rt_xrealloc(list, cap * sizeof *list);
        }
        list[n++] = (ckpt_file){ rt_xstrdup(e->d_name), step };
    }
    if (d)
        closedir(d);
    if (n)
        qsort(list, n, sizeof *list, newest_first);
    *out = list;
    return n;
}

static void free_list(ckpt_file *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].name);
    free(list);
}

/* Deletes all but the newest `keep` checkpoints, and leftover temporary
 * files of interrupted writes.  Failures here lose nothing: ignored. */
static void prune(const char *dir, int keep)
{
    ckpt_file *list;
    size_t n = list_checkpoints(dir, &list, 1);
    for (size_t i = (size_t)keep; i < n; i++) {
        char *p = join(dir, list[i].name);
        remove(p);
        free(p);
    }
    free_list(list, n);
}

/* The keys of source s's position: "data.epoch_rng" and "data.next" for
 * the first (the only one before paired data), "data2...." for the second. */
static void data_pos_keys(int s, char *rng_key, char *next_key, size_t cap)
{
    char prefix[16] = "data";
    if (s > 0)
        snprintf(prefix, sizeof prefix, "data%d", s + 1);
    snprintf(rng_key, cap, "%s.epoch_rng", prefix);
    snprintf(next_key, cap, "%s.next", prefix);
}

/* Source s's position as checkpoint metadata (restore_data_pos reads it). */
typedef struct {
    char rng_key[32], next_key[32], rng[RT_RNG_TEXT], next[24];
} data_pos_text;

static void format_data_pos(const rt_data *d, int s, data_pos_text *t)
{
    rt_data_pos pos;
    rt_data_get_pos(d, &pos);
    data_pos_keys(s, t->rng_key, t->next_key, sizeof t->rng_key);
    rt_rng_format(&pos.epoch_rng, t->rng);
    snprintf(t->next, sizeof t->next, "%" PRIu64, pos.next);
}

int rt_checkpoint_save(const char *run_dir, long step, int keep, const rt_ckpt *c,
                       const rt_st_kv *settings, size_t n_settings, char **written,
                       rt_err *err)
{
    const rt_model *m = c->m;
    char *dir = join(run_dir, RT_CKPT_DIR);
    char name[64];
    snprintf(name, sizeof name, NAME_PREFIX "%09ld" NAME_SUFFIX, step);
    char *path = join(dir, name);

    size_t n_opt, n_steps;
    opt_tensor *opt = opt_tensors(c, &n_opt);
    rt_st_kv *steps_kv = opt_steps(c, &n_steps);
    rt_weights_list l;
    rt_weights_list_of(c->store, m->tensors, m->n_tensors, n_opt, &l);
    int *opt_shape = rt_xcalloc(n_opt + 1, sizeof *opt_shape);
    for (size_t i = 0; i < n_opt; i++) {
        opt_shape[i] = (int)opt[i].n;
        l.e[l.n + i] = (rt_st_entry){ opt[i].name, opt[i].data, 1, &opt_shape[i] };
    }

    char hash[17], steps[24], rng[RT_RNG_TEXT];
    snprintf(hash, sizeof hash, "%016" PRIx64, m->arch_hash);
    snprintf(steps, sizeof steps, "%ld", step);
    rt_rng_format(c->rng, rng);
    rt_st_kv fixed[6 + 2 * RT_DATA_SOURCES_MAX] = {
        { "format", RT_CKPT_FORMAT },
        { "model", m->model_name },
        { "ganc_version", m->ganc_version ? m->ganc_version : "" },
        { "arch_hash", hash },
        { "step", steps },
        { "rng", rng },
    };
    size_t n_fixed = 6;
    data_pos_text pos_text[RT_DATA_SOURCES_MAX];
    for (int s = 0; s < m->n_sources; s++) {
        format_data_pos(c->data[s], s, &pos_text[s]);
        fixed[n_fixed++] = (rt_st_kv){ pos_text[s].rng_key, pos_text[s].rng };
        fixed[n_fixed++] = (rt_st_kv){ pos_text[s].next_key, pos_text[s].next };
    }
    size_t n_meta = n_fixed + n_steps + n_settings;
    rt_st_kv *meta = rt_xcalloc(n_meta, sizeof *meta);
    memcpy(meta, fixed, n_fixed * sizeof *meta);
    if (n_steps)
        memcpy(meta + n_fixed, steps_kv, n_steps * sizeof *meta);
    if (n_settings)
        memcpy(meta + n_fixed + n_steps, settings, n_settings * sizeof *meta);

    int rc = rt_mkdir_p(dir, err);
    if (rc == 0)
        rc = rt_st_write(path, l.e, l.n + n_opt, meta, n_meta, err);
    if (rc == 0)
        prune(dir, keep);
    if (rc == 0 && written)
        *written = path;
    else
        free(path);
    free(meta);
    free(opt_shape);
    rt_weights_list_free(&l);
    free_steps(steps_kv, n_steps);
    free_opt(opt, n_opt);
    free(dir);
    return rc;
}

/* ---- finding and opening ---------------------------------------------- */

int rt_checkpoint_newest(const char *run_dir, char **path, rt_err *err)
{
    char *dir = join(run_dir, RT_CKPT_DIR);
    ckpt_file *list;
    size_t n = list_checkpoints(dir, &list, 0);
    int rc = 0;
    if (n == 0)
        rc = rt_errf(err, "%s: no checkpoint to resume from (expected files %s/" NAME_PREFIX
                     "<step>" NAME_SUFFIX ")", run_dir, dir);
    else
        *path = join(dir, list[0].name);
    free_list(list, n);
    free(dir);
    return rc;
}

int rt_checkpoint_open(const char *path, const rt_model *m, rt_st *st, long *step,
                       rt_err *err)
{
    if (rt_st_open_file(path, st, err) != 0)
        return -1;
    const char *format = rt_st_meta(st, "format"), *model = rt_st_meta(st, "model");
    const char *s = rt_st_meta(st, "step");
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : -1;
    int rc = 0;
    if (!format || strcmp(format, RT_CKPT_FORMAT) != 0)
        rc = rt_errf(err, "%s: not a ganc checkpoint: expected __metadata__.format \"%s\", "
                     "found %s%s%s", path, RT_CKPT_FORMAT, format ? "\"" : "",
                     format ? format : "none", format ? "\"" : "");
    else if (!model || strcmp(model, m->model_name) != 0)
        rc = rt_errf(err, "%s: a checkpoint of model '%s', expected '%s'", path,
                     model ? model : "?", m->model_name);
    else if (!s || !*s || *end || v < 0)
        rc = rt_errf(err, "%s: __metadata__.step: expected a step number, found \"%s\"", path,
                     s ? s : "");
    if (rc != 0) {
        rt_st_close(st);
        return -1;
    }
    *step = v;
    return 0;
}

/* ---- restoring -------------------------------------------------------- */

/* Checks one tensor's presence, dtype and shape without copying it. */
static int check_tensor(const rt_st *st, const char *name, int ndim, const int *shape,
                        rt_err *err)
{
    const rt_st_tensor *t = rt_st_find(st, name);
    int same = t && strcmp(t->dtype, "F32") == 0 && t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = t->shape[d] == (uint64_t)shape[d];
    if (same)
        return 0;
    char want[96] = "";
    for (int d = 0, k = 0; d < ndim; d++)
        k += snprintf(want + k, sizeof want - (size_t)k, "%s%d", d ? ", " : "", shape[d]);
    if (!t)
        return rt_errf(err, "%s: expected a tensor '%s' (F32 [%s]), found none: the model "
                       "changed since this checkpoint was written", st->what, name, want);
    char found[96] = "";
    for (int d = 0, k = 0; d < t->ndim && d < RT_ST_MAX_NDIM; d++)
        k += snprintf(found + k, sizeof found - (size_t)k, "%s%" PRIu64, d ? ", " : "",
                      t->shape[d]);
    return rt_errf(err, "%s: tensor '%s': expected F32 [%s], found %s [%s]: the model "
                   "changed since this checkpoint was written", st->what, name, want,
                   t->dtype, found);
}

static int parse_count(const rt_st *st, const char *key, uint64_t *out, rt_err *err)
{
    const char *s = rt_st_meta(st, key);
    char *end = NULL;
    unsigned long long v = s && *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    if (!s || !end || *end)
        return rt_errf(err, "%s: __metadata__.%s: expected a count, found \"%s\"", st->what,
                       key, s ? s : "nothing");
    *out = v;
    return 0;
}

static int parse_rng(const rt_st *st, const char *key, rt_rng *r, rt_err *err)
{
    const char *s = rt_st_meta(st, key);
    if (!s || rt_rng_parse(s, r) != 0)
        return rt_errf(err, "%s: __metadata__.%s: expected a random generator state, found "
                       "\"%.40s\"", st->what, key, s ? s : "nothing");
    return 0;
}

/* Everything checked before anything is overwritten. */
static int check_all(const rt_st *st, const rt_ckpt *c, const opt_tensor *opt, size_t n_opt,
                     rt_err *err)
{
    const rt_model *m = c->m;
    rt_weights_list l;
    rt_weights_list_of(c->store, m->tensors, m->n_tensors, 0, &l);
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = check_tensor(st, l.e[i].name, l.e[i].ndim, l.e[i].shape, err);
    rt_weights_list_free(&l);
    for (size_t i = 0; i < n_opt && rc == 0; i++) {
        int n = (int)opt[i].n;
        rc = check_tensor(st, opt[i].name, 1, &n, err);
    }
    if (rc != 0)
        return -1;
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, m->arch_hash);
    const char *hash = rt_st_meta(st, "arch_hash");
    if (!hash || strcmp(hash, want) != 0)
        return rt_errf(err, "%s: written by a model with architecture hash %s, this trainer's "
                       "is %s: the model changed since this checkpoint (tensors match by "
                       "name and shape, but layers or wiring differ); resume with the "
                       "trainer built from the run's model.yaml", st->what,
                       hash ? hash : "(none)", want);
    return 0;
}

/* The optimizers' step counts, all read before any is set. */
static int parse_steps(const rt_st *st, const rt_ckpt *c, uint64_t *t, rt_err *err)
{
    size_t n;
    rt_st_kv *kv = opt_steps(c, &n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = parse_count(st, kv[i].key, &t[i], err);
    free_steps(kv, n);
    return rc;
}

static int restore(const rt_st *st, const rt_ckpt *c, const opt_tensor *opt, size_t n_opt,
                   const uint64_t *t, rt_err *err)
{
    if (rt_weights_load(st, c->store, c->m->tensors, c->m->n_tensors, err) != 0)
        return -1;
    for (size_t i = 0; i < n_opt; i++) {
        int n = (int)opt[i].n;
        if (rt_st_read_f32(st, opt[i].name, opt[i].data, 1, &n, err) != 0)
            return -1;
    }
    for (int net = 0, k = 0; net < c->m->n_nets; net++)
        if (rt_model_trainer_of(c->m, net) >= 0)
            c->opt[net].t = (long)t[k++];
    return 0;
}

static int restore_data_pos(const rt_st *st, rt_data *d, int s, rt_err *err)
{
    char rng_key[32], next_key[32];
    data_pos_keys(s, rng_key, next_key, sizeof rng_key);
    rt_data_pos pos;
    uint64_t next;
    if (parse_rng(st, rng_key, &pos.epoch_rng, err) != 0 ||
        parse_count(st, next_key, &next, err) != 0)
        return -1;
    pos.next = next;
    return rt_data_set_pos(d, &pos, err);
}

int rt_checkpoint_restore(const rt_st *st, const rt_ckpt *c, rt_err *err)
{
    size_t n_opt;
    opt_tensor *opt = opt_tensors(c, &n_opt);
    uint64_t *t = rt_xcalloc((size_t)c->m->n_nets + 1, sizeof *t);
    rt_rng rng;
    int rc = -1;
    if (check_all(st, c, opt, n_opt, err) == 0 && parse_rng(st, "rng", &rng, err) == 0 &&
        parse_steps(st, c, t, err) == 0) {
        rc = 0;
        for (int s = 0; rc == 0 && s < c->m->n_sources; s++)
            rc = restore_data_pos(st, c->data[s], s, err);
    }
    if (rc == 0)
        rc = restore(st, c, opt, n_opt, t, err);
    if (rc == 0)
        *c->rng = rng;
    free(t);
    free_opt(opt, n_opt);
    return rc;
}
