/* rt_frozen.c - see rt_frozen.h. */
#include "train/rt_frozen.h"

#include <stdio.h>
#include <string.h>

#include "formats/rt_safetensors.h"
#include "model/rt_weights.h"

/* The tensors of frozen network f from its file */
static int load_net(const rt_model *m, const rt_frozen_net *f, rt_err *err)
{
    int k = f->net;
    rt_assert(k >= 0 && k < m->n_nets);
    const rt_net *net = &m->nets[k];
    const rt_store store = { m->nets, m->n_nets };
    rt_st st;
    if (rt_st_open_file(f->weights, &st, err) != 0)
        return rt_err_prefix(err, "frozen network '%s': ", net->name);
    size_t own = strlen(net->name);
    int rc = 0;
    for (size_t i = 0; i < m->n_tensors && rc == 0; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->net != k)
            continue;
        char name[512];
        rt_assert(strncmp(t->name, net->name, own) == 0);
        int len = snprintf(name, sizeof name, "%s%s", f->prefix, t->name + own);
        if (len < 0 || (size_t)len >= sizeof name)
            rc = rt_errf(err, "frozen network '%s': the name of tensor '%s' in %s is longer "
                         "than %zu characters", net->name, t->name, f->weights, sizeof name - 1);
        else if (rt_st_read_f32(&st, name, rt_tensor_data(&store, t), t->ndim, t->shape, err) != 0)
            rc = rt_err_prefix(err, "frozen network '%s': ", net->name);
    }
    rt_st_close(&st);
    return rc;
}

int rt_frozen_load(const rt_model *m, rt_err *err)
{
    for (int i = 0; i < m->n_frozen; i++)
        if (load_net(m, &m->frozen[i], err) != 0)
            return -1;
    return 0;
}
