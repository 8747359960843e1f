/* rt_train_log.c - loss means and log.csv rows (see rt_train_log.h). */
#include "train/rt_train_log.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"

void rt_losses_init(rt_losses *l, const rt_model *m)
{
    l->m = m;
    l->term_at = rt_xcalloc((size_t)m->n_updates, sizeof *l->term_at);
    l->names = rt_xcalloc((size_t)m->n_updates, sizeof *l->names);
    l->n_terms = 0;
    for (int u = 0; u < m->n_updates; u++) {
        l->names[u] = m->updates[u].name;
        l->term_at[u] = m->updates[u].n_terms > 1 ? l->n_terms : -1;
        if (m->updates[u].n_terms > 1)
            l->n_terms += m->updates[u].n_terms;
    }
    size_t n = (size_t)(m->n_updates + l->n_terms);
    l->last = rt_xcalloc(n, sizeof *l->last);
    l->sum = rt_xcalloc(n, sizeof *l->sum);
    l->count = rt_xcalloc(n, sizeof *l->count);
    l->n_sum = 0;
}

void rt_losses_free(rt_losses *l)
{
    free(l->term_at);
    free(l->names);
    free(l->last);
    free(l->sum);
    free(l->count);
}

void rt_losses_set(rt_losses *l, int u, double loss, const double *terms)
{
    l->last[u] = loss;
    for (int j = 0; l->term_at[u] >= 0 && j < l->m->updates[u].n_terms; j++)
        l->last[l->m->n_updates + l->term_at[u] + j] = terms[j];
}

void rt_losses_skip(rt_losses *l, int u)
{
    l->last[u] = NAN;
    for (int j = 0; l->term_at[u] >= 0 && j < l->m->updates[u].n_terms; j++)
        l->last[l->m->n_updates + l->term_at[u] + j] = NAN;
}

void rt_losses_end_iteration(rt_losses *l)
{
    for (int i = 0; i < l->m->n_updates + l->n_terms; i++)
        if (!isnan(l->last[i])) {
            l->sum[i] += l->last[i];
            l->count[i]++;
        }
    l->n_sum++;
}

void rt_log_header(FILE *f, const rt_losses *l, int mixture, const rt_eval *e)
{
    const rt_model *m = l->m;
    fputs("step", f);
    for (int u = 0; u < m->n_updates; u++)
        fprintf(f, ",%s_loss", m->updates[u].name);
    for (int u = 0; u < m->n_updates; u++)
        for (int j = 0; l->term_at[u] >= 0 && j < m->updates[u].n_terms; j++)
            fprintf(f, ",%s_%s", m->updates[u].name, m->updates[u].term_names[j]);
    fputs(mixture ? ",seconds,modes,hq_fraction,reverse_kl" : ",seconds", f);
    if (e && e->on)
        fputs(e->classes ? ",fd,precision,recall,class_entropy,class_accuracy"
                         : ",fd,precision,recall,class_entropy", f);
    fputc('\n', f);
}

void rt_log_row(FILE *f, rt_losses *l, long step, double seconds, int mixture,
                const rt_mixture_score *score, const rt_eval *e)
{
    fprintf(f, "%ld", step);
    for (int i = 0; i < l->m->n_updates + l->n_terms; i++) {
        double v = l->count[i] ? l->sum[i] / (double)l->count[i] : l->n_sum ? NAN : l->last[i];
        if (isnan(v))
            fputc(',', f);   /* the update did not run since the last row */
        else
            fprintf(f, ",%.6g", v);
        l->sum[i] = 0;
        l->count[i] = 0;
    }
    l->n_sum = 0;
    fprintf(f, ",%.3f", seconds);
    if (mixture && score)
        fprintf(f, ",%d,%.4f,%.6g", score->modes_captured, score->hq_fraction,
                score->reverse_kl);
    else if (mixture)
        fputs(",,,", f);
    if (e && e->on && e->step == step) {
        fprintf(f, ",%.4f,%.4f,%.4f,%.4f", e->fd, e->precision, e->recall, e->entropy);
        if (e->classes)
            fprintf(f, ",%.4f", e->accuracy);
    } else if (e && e->on) {
        fputs(e->classes ? ",,,,," : ",,,,", f);
    }
    fputc('\n', f);
}
