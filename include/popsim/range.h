/*
 * popsim/range.h - the low / default / high range of a policy variant's results (issue #12,
 * docs/policy.md sec. 6): the variant is projected again under each response preset of
 * ps_response_preset, and births gained, cost and cost per additional birth of each preset
 * are kept beside the response parameters used and the instruments as the scenario states
 * them. Written to /scenarios/<name>/response/ and policy/<instrument>/stated
 * (docs/output-format.md).
 */
#ifndef PS_RANGE_H
#define PS_RANGE_H

#include "popsim/error.h"
#include "popsim/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The results kept for each preset (the ps_result scalars of the same names). */
typedef enum ps_range_measure {
    PS_RANGE_BIRTHS_GAINED = 0,
    PS_RANGE_BIRTHS_GAINED_DISCOUNTED,
    PS_RANGE_BIRTHS_GAINED_WINDOW,
    PS_RANGE_BIRTHS_GAINED_WINDOW_DISCOUNTED,
    PS_RANGE_COST_TOTAL,
    PS_RANGE_COST_TOTAL_DISCOUNTED,
    PS_RANGE_COST_PER_BIRTH,
    PS_RANGE_COST_PER_BIRTH_DISCOUNTED,
    PS_RANGE_COST_PER_BIRTH_WINDOW,
    PS_RANGE_COST_PER_BIRTH_WINDOW_DISCOUNTED,
    PS_RANGE_COUNT
} ps_range_measure;

/** The variable name of a measure ("births_gained", ..., "cost_per_additional_birth_window_
 * discounted"), which is also the name of the ps_result scalar it copies. */
const char *ps_range_measure_name(ps_range_measure m);

/** The ps_result scalar behind a measure. */
double ps_range_measure_of(const struct ps_result *r, ps_range_measure m);

/* The presets in the file's order along the `elasticity` dimension: low, default, high. */
#define PS_RANGE_PRESETS 3
extern const ps_elasticity ps_range_preset_order[PS_RANGE_PRESETS];

/*
 * A variant's range. value[p] holds the measures under preset ps_range_preset_order[p]
 * (NaN where not computed: the microsimulation projects only the chosen preset); the
 * chosen preset's values are the variant's own results, bit for bit.
 * stated[0..n_stated-1] are the scenario's instruments (in ledger order) with name = NULL.
 */
typedef struct ps_policy_range {
    ps_elasticity chosen;                         /* preset of the variant's own results */
    int compared;  /* 1: a variant with a baseline (the range exists); 0: only the stated
                    * terms (a baseline with instruments) */
    int computed;                                 /* 1: every preset projected, 0: only chosen */
    double value[PS_RANGE_PRESETS][PS_RANGE_COUNT];
    ps_response response[PS_RANGE_PRESETS];       /* preset with the scenario's overrides */
    int n_stated;
    ps_policy stated[];                           /* flexible: one block, released by free() */
} ps_policy_range;

/**
 * A range for `n_stated` instruments copied from `policies` (names not kept), every value
 * NaN, each preset's response from ps_response_preset with `overrides` applied.
 * @param[out] out  new block owned by the caller (free), NULL on failure
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_policy_range_new(ps_policy_range **out, const ps_policy *policies, int n_stated,
                              const ps_response *overrides, ps_elasticity chosen, ps_error *err);

/** Store the measures of finished result `r` as preset e's values. */
void ps_policy_range_take(ps_policy_range *range, ps_elasticity e, const struct ps_result *r);

/* One stated term of an instrument: its name (a static string) and value. */
typedef struct ps_policy_term {
    const char *name; /* e.g. "amount_2", "max_age", "eligible_share" */
    const char *unit; /* as ps_policy_term_unit */
    double value;
} ps_policy_term;

#define PS_POLICY_TERMS_MAX 16

/** The terms of `p` as the scenario states them, by lever (docs/output-format.md); returns
 * how many were written to out (at most PS_POLICY_TERMS_MAX). */
int ps_policy_terms(ps_policy_term out[PS_POLICY_TERMS_MAX], const ps_policy *p);

/** Set term `name` of `p` (whose lever must be set) from a file; returns 1, or 0 for a name
 * the lever does not have (left unchanged). Integer terms take the value truncated. */
int ps_policy_set_term(ps_policy *p, const char *name, double value);

/** The unit of term `name` of a lever ("yuan", "yuan per month", "years", "calendar year",
 * "share", "flag", "days", "months", "places per 1000 persons"); NULL if it has none. */
const char *ps_policy_term_unit(ps_lever lever, const char *name);

#ifdef __cplusplus
}
#endif
#endif /* PS_RANGE_H */
