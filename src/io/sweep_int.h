/*
 * io/sweep_int.h - what the scenario loader (io/scenario/) and the `sweep:` builder
 * (io/sweep.c) share: read access to the loader's locator (every key path of the file with
 * its location and text), the numeric rows of its key tables, and the member copy that
 * `extends` uses.
 */
#ifndef PS_IO_SWEEP_INT_H
#define PS_IO_SWEEP_INT_H

#include <stddef.h>

#include "popsim/scenario.h"

struct load_ctx; /* io/scenario/scenario_int.h */

/* One node of the file: "sweep.dimensions[0].values[2]" with where it stands. */
typedef struct ps_scn__node {
    const char *path;
    ps_scn_loc key;   /* where its key starts (items: the item) */
    ps_scn_loc value; /* where its value starts */
    int kind;         /* 1 scalar, 2 mapping, 3 sequence */
    const char *text; /* scalar as written; NULL otherwise */
} ps_scn__node;

#define PS_SCN__SCALAR 1
#define PS_SCN__MAPPING 2
#define PS_SCN__SEQUENCE 3

/* A numeric key of a section: where it is in the section's raw struct, its range. */
typedef struct ps_scn__numkey {
    size_t offset; /* into raw_policy / ps_response / ps_economy / raw_point */
    int is_int;
    double min, max;
    const char *unit;
    unsigned levers; /* policy keys: bit (1 << lever) of the levers it applies to; 0 = all */
} ps_scn__numkey;

/* 1 and *out if the file gives `path`, else 0. */
int ps_scn__find(const struct load_ctx *c, const char *path, ps_scn__node *out);
size_t ps_scn__n_nodes(const struct load_ctx *c);
void ps_scn__node_at(const struct load_ctx *c, size_t index, ps_scn__node *out);

/* The keys a section read through the locator allows (io/scenario/section_keys.c). */
typedef struct ps_scn__keyset {
    const char *section;       /* "sweep" */
    const char *const *words;  /* the keys of the section's mapping */
    size_t n_words;
    const char *sub_parent;    /* NULL: the mapping under every key ("uncertainty.tfr.");
                                * else the items of this sequence ("sweep.dimensions[N].") */
    const char *const *sub_words; /* the keys of those mappings (n_sub 0: not checked) */
    size_t n_sub;
} ps_scn__keyset;

/* Every key path under ks->section is one of its words (and one level down, of its sub
 * words): PS_OK, else PS_EPARSE at the first other key in `file`, "unknown key 'x' in
 * mapping 'sweep' (expected one of base, design, ...)". */
ps_status ps_scn__check_keys(const struct load_ctx *c, const ps_scn__keyset *ks,
                             const char *file, ps_error *err);

/* ps_error_set_at at `at` in `file` with a printf message (the sections' fail()). */
ps_status ps_scn__fail_in(ps_error *err, ps_status code, const char *file, ps_scn_loc at,
                          const char *fmt, ...) PS_PRINTF(5, 6);

/* 1 and *out if `text` is a finite decimal number written in full (strtod), else 0. */
int ps_scn__parse_real(const char *text, double *out);

/* A path written in the scenario file, resolved against the scenario's folder (absolute paths
 * as written); NULL when out of memory. The caller frees it. */
char *ps_scn__scenario_relative(const ps_scenario *scn, const char *text);

/* Row `key` of section "policies", "response", "economy" or "uptake_path" (its points) if
 * it is a number: 1 and *out; else 0. */
int ps_scn__number_key(const char *section, const char *key, ps_scn__numkey *out);

/* dst (zeroed) becomes a deep copy of src's policies, economy, response and services. */
ps_status ps_scn__copy_member(const struct load_ctx *c, ps_scn_member *dst,
                              const ps_scn_member *src);

/* Read `sweep:` (if given) and append one member per point to scn->members (io/sweep.c). */
ps_status ps_scn__build_sweep(const struct load_ctx *c, ps_scenario *scn, ps_error *err);

/* Release scn->sweep (ps_scn_release). */
void ps_scn__sweep_release(ps_scn_sweep *sw);

#endif /* PS_IO_SWEEP_INT_H */
