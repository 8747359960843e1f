/* rt_model_check.c - the contract of rt_model.h, checked once when a
 * trainer starts (see rt_model_check.h). */
#include "train/rt_model_check.h"

int rt_model_trainer_of(const rt_model *m, int net)
{
    for (int u = 0; u < m->n_updates; u++)
        for (int k = 0; k < m->updates[u].n_nets; k++)
            if (m->updates[u].nets[k] == net)
                return u;
    return -1;
}

static int check_nets(const rt_model *m, rt_err *err)
{
    for (int k = 0; k < m->n_nets; k++) {
        const rt_net *n = &m->nets[k];
        if (!n->name || !n->params || (n->state_count && !n->state) ||
            (!n->grads && rt_model_trainer_of(m, k) >= 0))
            return rt_errf(err, "rt_model.nets[%d]: expected a name, params, grads when an "
                           "update trains it, and state when state_count > 0", k);
        if (n->ema && !(n->ema_decay >= 0 && n->ema_decay < 1))
            return rt_errf(err, "network '%s': expected an EMA decay in [0, 1), found %g",
                           n->name, (double)n->ema_decay);
    }
    if (m->n_frozen < 0 || (m->n_frozen && !m->frozen))
        return rt_errf(err, "rt_model: expected n_frozen >= 0 and the frozen table it counts");
    for (int i = 0; i < m->n_frozen; i++) {
        const rt_frozen_net *f = &m->frozen[i];
        if (f->net < 0 || f->net >= m->n_nets || !f->weights || !f->prefix)
            return rt_errf(err, "rt_model.frozen[%d]: expected a network index, a weights file "
                           "and a prefix", i);
        if (rt_model_trainer_of(m, f->net) >= 0)
            return rt_errf(err, "network '%s' is frozen and trained by update '%s': expected "
                           "a frozen network never trained", m->nets[f->net].name,
                           m->updates[rt_model_trainer_of(m, f->net)].name);
    }
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].net < 0 || m->tensors[i].net >= m->n_nets)
            return rt_errf(err, "tensor '%s': network %d, expected 0..%d", m->tensors[i].name,
                           m->tensors[i].net, m->n_nets - 1);
    return 0;
}

static int check_vars(const rt_model *m, rt_err *err)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        if (!x->name || !x->buf || x->size == 0 || x->kind < RT_VAR_DATA ||
            x->kind > RT_VAR_CLASS)
            return rt_errf(err, "rt_model.vars[%d]: expected a name, a buffer, a size > 0 "
                           "and a kind of enum rt_var_kind", v);
        if ((x->kind == RT_VAR_LABEL || x->kind == RT_VAR_CLASS) && x->classes < 1)
            return rt_errf(err, "variable '%s': expected a class count >= 1, found %d",
                           x->name, x->classes);
        if (x->kind == RT_VAR_DATA && x->labels >= 0 &&
            (x->labels >= m->n_vars || m->vars[x->labels].kind != RT_VAR_LABEL))
            return rt_errf(err, "variable '%s': labels %d is not a LABEL variable", x->name,
                           x->labels);
    }
    return 0;
}

static int check_update(const rt_model *m, int u, rt_err *err)
{
    const rt_update *up = &m->updates[u];
    if (!up->name || !up->step || up->repeat < 1 || up->n_nets < 0 || up->n_draws < 0 ||
        (up->n_nets && !up->nets) || (up->n_draws && !up->draws) || up->n_terms < 0 ||
        (up->n_terms && (!up->term_names || !up->term_values)))
        return rt_errf(err, "rt_model.updates[%d]: expected a name, a step, repeat >= 1 and "
                       "the arrays its counts promise", u);
    if (up->from < 0 || up->until < 0 || (up->until > 0 && up->until <= up->from))
        return rt_errf(err, "update '%s': phase from %ld until %ld, expected 0 <= from < until "
                       "(or until 0: no end)", up->name, up->from, up->until);
    for (int k = 0; k < up->n_nets; k++) {
        int net = up->nets[k];
        if (net < 0 || net >= m->n_nets)
            return rt_errf(err, "update '%s': network %d, expected 0..%d", up->name, net,
                           m->n_nets - 1);
        if (rt_model_trainer_of(m, net) != u)
            return rt_errf(err, "network '%s' is trained by updates '%s' and '%s': expected "
                           "one", m->nets[net].name,
                           m->updates[rt_model_trainer_of(m, net)].name, up->name);
        for (int j = 0; j < k; j++)
            if (up->nets[j] == net)
                return rt_errf(err, "update '%s' names network '%s' twice", up->name,
                               m->nets[net].name);
    }
    for (int d = 0; d < up->n_draws; d++)
        if (up->draws[d] < 0 || up->draws[d] >= m->n_vars)
            return rt_errf(err, "update '%s': variable %d, expected 0..%d", up->name,
                           up->draws[d], m->n_vars - 1);
    return 0;
}

static int check_gen(const rt_model *m, rt_err *err)
{
    if (m->gen_net < 0 || m->gen_net >= m->n_nets || !m->generate || m->out_size == 0 ||
        m->n_gen_inputs < 0 || (m->n_gen_inputs && !m->gen_inputs))
        return rt_errf(err, "rt_model: expected gen_net in 0..%d, generate, out_size > 0 and "
                       "gen_inputs", m->n_nets - 1);
    for (int i = 0; i < m->n_gen_inputs; i++) {
        const rt_input_info *in = &m->gen_inputs[i];
        int kind_ok = in->kind == RT_VAR_LATENT || in->kind == RT_VAR_CLASS ||
                      in->kind == RT_VAR_DATA;
        if (!kind_ok || in->size == 0 || (in->kind == RT_VAR_CLASS && in->classes < 1))
            return rt_errf(err, "rt_model.gen_inputs[%d] ('%s'): expected a LATENT, CLASS "
                           "or DATA input with a size (and a class count)", i,
                           in->name ? in->name : "?");
    }
    return 0;
}

/* 1 to RT_DATA_SOURCES_MAX sources, each with a sample; paired ones are
 * files (the mixtures have no rows to align). */
static int check_sources(const rt_model *m, rt_err *err)
{
    if (m->n_sources < 1 || m->n_sources > RT_DATA_SOURCES_MAX || !m->sources)
        return rt_errf(err, "rt_model: expected 1 to %d data sources, found %d",
                       RT_DATA_SOURCES_MAX, m->n_sources);
    for (int s = 0; s < m->n_sources; s++) {
        const rt_data_source *src = &m->sources[s];
        if (!src->name || src->sample_size < 1 || src->sample_ndim < 1 || src->sample_ndim > 3)
            return rt_errf(err, "rt_model.sources[%d]: expected a name and a sample shape", s);
        if (m->paired && src->kind <= RT_DATA_GRID25)
            return rt_errf(err, "source '%s': paired sources are files, found built-in data",
                           src->name);
    }
    return 0;
}

int rt_model_check(const rt_model *m, rt_err *err)
{
    if (m->batch < 1 || m->n_updates < 1 || !m->updates || m->n_vars < 0 ||
        (m->n_vars && !m->vars) || m->n_nets < 1 || !m->nets)
        return rt_errf(err, "rt_model: expected batch >= 1, at least one network and one "
                       "update, and the variables its counts promise");
    for (int u = 0; u < m->n_updates; u++)   /* first: the networks' checks ask who trains */
        if (check_update(m, u, err) != 0)
            return -1;
    if (check_sources(m, err) != 0 || check_nets(m, err) != 0 || check_vars(m, err) != 0 ||
        check_gen(m, err) != 0)
        return -1;
    return 0;
}
