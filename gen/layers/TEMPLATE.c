/* TEMPLATE.c - a layer kind to copy: a learned scale (and shift) per channel,
 * y = x·w + b, with w and b of one value per feature of a vector or per
 * channel of an image.
 *
 * It is compiled with the other kinds (the Makefile builds every file of
 * gen/layers), so it keeps compiling as layer.h changes, but it is in no
 * table: ganc does not know a kind called "template".  Everything a kind is lives in
 * its file: its settings (a struct and the table of keys that fills it),
 * the rules across keys, the output shape, the tensors and the ops.
 *
 * Checklist for a new kind NAME:
 *   1. Copy this file to gen/layers/NAME.c; rename template_settings,
 *      gan_layer_template and the "template" strings; write the file header
 *      (what it computes, what it leaves out, which PyTorch module it follows).
 *   2. Add &gan_layer_NAME to the table in gen/layers.c (and to the extern
 *      line above it).  That one line is the only change outside this file.
 *   3. Document it: `make test-quick` fails in build/tests/test_gen_layers,
 *      which writes the regenerated document to build/tests/model-language.md
 *      (the layer-kind tables come from the kinds' own tables);
 *      `cp build/tests/model-language.md docs/model-language.md`, then read
 *      it and add prose where a table row is not enough.
 *   4. Add a layer of the kind to a model under tests/models/ (test_gen_layers
 *      checks that every kind appears there), so that tests/gradcheck.sh checks
 *      its gradients by finite differences; teach tests/parity/torch_step.py
 *      its forward pass so that tests/parity.sh compares it with PyTorch.
 *   5. For each error the kind reports, a file under tests/bad/ stating it
 *      (`# expect: LINE:COL: message`).
 * A kind built from existing IR ops needs nothing else: autodiff.c derives
 * its gradient and the emitters fuse and unroll it.  A new IR op is work in
 * ir.c, autodiff.c and the emitters (gen/emit_node.c).
 */
#include "../layer.h"

/* 1. The kind's settings: the typed struct its code reads (l->settings), one
 * field per key.  Field types follow the table's: GAN_SET_INT, _BOOL and
 * _ENUM fill an int, GAN_SET_NUM a float, GAN_SET_SHAPE a gan_shape. */
typedef struct {
    int bias;
    float scale_init;
} template_settings;

/* 2. The table of keys, ending with { 0 }.  layers.c reads each key from the
 * layer's YAML map (its default when absent, an error at the value's
 * position when it has the wrong type or is out of range, an error at the
 * layer when a required key is missing), writes docs/model-language.md's
 * rows from it, and infer.c hashes the GAN_ARCH ones.  Decide `use` with
 * care: GAN_ARCH (the default) for what changes what the trained network
 * computes, GAN_TRAINING for what only changes how it trains (initial
 * values, rates, momentum); the architecture hash decides whether saved
 * weights may be loaded into a model.  A key added later to a kind that
 * models were trained with takes GAN_ARCH_IF_SET, with the default that
 * computes what those models did, so that their weights still load. */
static const gan_setting settings[] = {
    { .key = "bias", .type = GAN_SET_BOOL, .at = offsetof(template_settings, bias), .def = 1,
      .use = GAN_ARCH, .doc = "learn a shift b as well as the scale w" },
    { .key = "scale_init", .type = GAN_SET_NUM, .at = offsetof(template_settings, scale_init),
      .def = 1.0, .lo = -10, .hi = 10, .use = GAN_TRAINING,
      .doc = "the value every entry of w starts from" },
    { 0 },
};

/* 3. Rules the table cannot state, across keys (optional).  Each key was
 * read and range-checked already; report at the position of the key that
 * is wrong with gan_layer_key_pos, and keep going (no return value: the
 * error count stops ganc before it infers shapes). */
static void validate(gan_layer *l, gan_diag *d)
{
    const template_settings *s = l->settings;
    if (s->scale_init == 0.0f && !s->bias)
        gan_error(d, gan_layer_key_pos(l, "scale_init"), "template layer '%s': a 'scale_init' "
                  "of 0 without 'bias' starts the layer at 0, where its gradient is 0 too",
                  l->name);
}

/* 4. The output shape from the input shapes (per sample, without the
 * batch); report at l->pos (or l->input_pos[k]) and return -1 if they do
 * not fit.  min_inputs/max_inputs are checked before. */
static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

/* 5. The layer's tensors (optional: a kind without weights leaves it NULL).
 * Each gets a name "generator.LAYER.SUFFIX", a shape, and an
 * initialisation (rt_model.h: RT_INIT_*).  A kind with PyTorch-style weights
 * would call gan_declare_weight and set has_weights so that the layer takes
 * 'init' and 'init_std'. */
static void declare(gan_model *m, gan_net *net, int li)
{
    const gan_layer *l = &net->layers[li];
    const template_settings *s = l->settings;
    int c[1] = { l->out.d[0] };
    gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, 1, c, RT_INIT_UNIFORM, s->scale_init,
                         s->scale_init);
    if (s->bias)
        gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, c, RT_INIT_ZERO, 0, 0);
}

/* 6. The forward pass as primitive IR ops on the batch (in[k] are nodes of
 * shape (batch, ...)); the last op carries the layer's name, the others may
 * carry "NAME_what" labels, which become names in the generated C.  Read
 * tensors with gan_lower_param (their indices start at l->first_tensor, in
 * the order declare added them); c->training tells training from inference. */
static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const template_settings *s = l->settings;
    ir_graph *g = c->g;
    int C = l->out.d[0];
    /* one value per channel, broadcast over height and width of an image */
    ir_shape cs = l->out.rank == 1 ? ir_shape1(C) : (ir_shape){ 3, { C, 1, 1, 1 } };
    int w = ir_reshape(g, gan_lower_param(c, l->first_tensor), cs, NULL);
    int y = ir_binary(g, IR_MUL, in[0], w, s->bias ? ir_strf(g, "%s_scaled", l->name) : l->name);
    if (!s->bias)
        return y;
    int b = ir_reshape(g, gan_lower_param(c, l->first_tensor + 1), cs, NULL);
    return ir_binary(g, IR_ADD, y, b, l->name);
}

/* 7. The kind.  summary and output are the docs' table row; settings_size
 * lets layers.c allocate the struct. */
const gan_layer_kind gan_layer_template = {
    .name = "template",
    .summary = "y = x·w + b with one learned w and b per feature or channel",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(template_settings),
    .validate = validate, .infer = infer, .declare = declare, .lower = lower,
};
