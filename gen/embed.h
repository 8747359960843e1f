/* embed.h - the weights a sampler carries inside its executable
 * (`ganc build --embed-weights FILE`).
 *
 * The file is checked against the model being built before anything is
 * written: it must be a weights file of this model (its `model` metadata)
 * with this architecture (`arch_hash`), and hold every generator tensor
 * at its shape.  Only the generator's tensors (parameters and running
 * statistics) are copied into the sampler's folder, as a safetensors file
 * of their own with the same metadata and a fresh checksum: the
 * discriminator stays out of the shipped program.
 */
#ifndef GAN_EMBED_H
#define GAN_EMBED_H

#include "model.h"

/* Writes DIR/embedded.safetensors from the weights file `from` for model m
 * (its size in bytes into *size).  0, or 2 (the file does not fit the
 * model, or cannot be read) / 1 (it cannot be written), with a message on
 * stderr naming the file and what was expected. */
int gan_embed_weights(const gan_model *m, const char *from, const char *dir, long *size);

#endif
