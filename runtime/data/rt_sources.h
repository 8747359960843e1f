/* rt_sources.h - every data source of a model opened as its rt_data_source
 * (model/rt_model.h) says: a file read once, however many sources read it
 * (`from`), then each source's rows of the classes it keeps
 * (keep_classes), each image through the transforms before the first
 * random one; the rest of the list runs as each sample is drawn
 * (rt_data_draw_transforms).
 *
 * A source that keeps every row and transforms nothing is the file's
 * rt_data itself, as before transforms existed: its runs are unchanged.
 * Otherwise the file is read into a source of its own, used only to make
 * the others and closed (its shuffle draws from a private rng, so the
 * training rng sees only the sources a model trains on), and each source
 * holds its own rows: memory for the file and for every source made from
 * it, while they are made.
 * Leaves out: sharing rows between two sources that keep and fix the same
 * (each holds a copy).
 */
#ifndef RT_SOURCES_H
#define RT_SOURCES_H

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "model/rt_model.h"

/* Opens the n sources src[0..n) into data[0..n): paths[s] and labels[s]
 * are the file and label file of source s (the model's, or the trainer's
 * flags'; a source `from` another reads that one's).  All randomness
 * comes from rng (borrowed, as rt_data_open's).  Returns 0, or -1 with err
 * naming the source and what is wrong (a `from` naming no source, classes
 * out of range, a filter that keeps no row, transforms that do not fit
 * the file's images, ...), every source closed and data[] NULL. */
int rt_sources_open(const rt_data_source *src, int n, const char *const *paths,
                    const char *const *labels, rt_rng *rng, rt_data **data, rt_err *err);

/* The source whose file source s reads: s itself, or its `from`'s index;
 * -1 (with err) when `from` names no other source of src[0..n) or one
 * that reads another's file itself. */
int rt_sources_file_of(const rt_data_source *src, int n, int s, rt_err *err);

#endif
