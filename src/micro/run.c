/*
 * run.c - the public life cycle of the microsimulation: option checks and the up-front
 * memory check, the run loop with progress reports, results in the ps_result contract of the
 * cohort engine (counts times the scale), replicates and their mean, and person samples.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "micro/micro_int.h"
#include "popsim/memory.h"
#include "popsim/units.h"

#define PS_MICRO_MAX_REGIONS 65535 /* region is a uint16 */
#define PS_MICRO_MAX_AGES 255      /* age is a uint8 with 255 kept as "none" */
#define PS_MICRO_SHARE_TOL 1e-9    /* income shares must sum to 1 within this */
#define PS_PERSONS_PER_MILLION 1e6

/* ---- option checks ---------------------------------------------------------------------- */

static ps_status check_table(const double *t, size_t n, const char *name, ps_error *err)
{
    for (size_t i = 0; i < n; ++i) {
        if (!(t[i] >= 0.0 && t[i] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "micro %s[%zu] = %g is outside [0, 1] (share)",
                                name, i, t[i]);
        }
    }
    return PS_OK;
}

static ps_status check_care(const ps_inputs *in, const ps_micro_options *o, ps_error *err)
{
    const int A = in->n_ages, years = ps_inputs_steps(in) + 1;
    if (o->care_levels < 1 || o->care_levels > PS_MICRO_CARE_LEVELS_MAX || o->care_prev == NULL) {
        return ps_error_set(err, PS_EINVAL,
                            "micro care_levels = %d must be in [1, %d] with a "
                            "prevalence table",
                            o->care_levels, PS_MICRO_CARE_LEVELS_MAX);
    }
    if (o->care_min_age < 3 || o->care_min_age >= A) { /* ages 0-2 draw enrollment */
        return ps_error_set(err, PS_EINVAL, "micro care_min_age = %d is outside [3, %d] years",
                            o->care_min_age, A - 1);
    }
    if (o->disabled_level < 1 || o->disabled_level > o->care_levels) {
        return ps_error_set(err, PS_EINVAL, "micro disabled_level = %d is outside [1, %d]",
                            o->disabled_level, o->care_levels);
    }
    ps_status rc = check_table(o->care_prev, (size_t)years * (size_t)o->care_levels * (size_t)A,
                               "care_prev", err);
    for (int y = 0; rc == PS_OK && y < years; ++y) {
        for (int l = 1; l < o->care_levels; ++l) {
            for (int age = o->care_min_age; age < A; ++age) {
                const double *P = &o->care_prev[(size_t)y * (size_t)o->care_levels * (size_t)A];
                if (P[(size_t)l * (size_t)A + (size_t)age] >
                    P[(size_t)(l - 1) * (size_t)A + (size_t)age]) {
                    return ps_error_set(err, PS_EINVAL,
                                        "micro care_prev: year %d, age %d: level "
                                        "%d share %g exceeds level %d share %g (levels are "
                                        "nested: 'at least')",
                                        in->start_year + y, age, l + 1,
                                        P[(size_t)l * (size_t)A + (size_t)age], l,
                                        P[(size_t)(l - 1) * (size_t)A + (size_t)age]);
                }
            }
        }
    }
    return rc;
}

static ps_status check_income(const ps_inputs *in, const ps_micro_options *o, ps_error *err)
{
    for (int reg = 0; o->income_share != NULL && reg < in->n_regions; ++reg) {
        const double *s = &o->income_share[(size_t)reg * PS_INCOME_COUNT];
        double sum = 0.0;
        for (int k = 0; k < PS_INCOME_COUNT; ++k) {
            if (!(s[k] >= 0.0 && s[k] <= 1.0)) {
                return ps_error_set(err, PS_EINVAL,
                                    "micro income_share[%d][%d] = %g is outside "
                                    "[0, 1]",
                                    reg, k, s[k]);
            }
            sum += s[k];
        }
        if (fabs(sum - 1.0) > PS_MICRO_SHARE_TOL) {
            return ps_error_set(err, PS_EINVAL,
                                "micro income shares of region %d sum to %.12g, "
                                "not 1",
                                reg, sum);
        }
    }
    for (int i = 0; o->income_mult != NULL && i < PS_INCOME_COUNT * PS_ORDER_COUNT; ++i) {
        if (!(o->income_mult[i] >= 0.0) || !isfinite(o->income_mult[i])) {
            return ps_error_set(err, PS_EINVAL,
                                "micro income_mult[%d][%d] = %g is not a finite "
                                "multiplier >= 0",
                                i / PS_ORDER_COUNT, i % PS_ORDER_COUNT, o->income_mult[i]);
        }
    }
    return PS_OK;
}

static ps_status check_options(const ps_proj *p, const double *women0, const ps_micro_options *o,
                               ps_error *err)
{
    const ps_inputs *in = ps_proj_inputs(p);
    if (!(o->scale >= 1.0) || !isfinite(o->scale)) {
        return ps_error_set(err, PS_EINVAL,
                            "micro scale = %g is below 1: each simulated person "
                            "must stand for at least one person (persons per simulated person)",
                            o->scale);
    }
    if (in->n_regions > PS_MICRO_MAX_REGIONS || in->n_ages > PS_MICRO_MAX_AGES) {
        return ps_error_set(err, PS_EINVAL,
                            "the microsimulation holds at most %d regions and %d "
                            "ages (here %d and %d)",
                            PS_MICRO_MAX_REGIONS, PS_MICRO_MAX_AGES, in->n_regions, in->n_ages);
    }
    if (ps_proj_has_parity(p) && women0 == NULL) {
        return ps_error_set(err, PS_EINVAL,
                            "the birth-order model is calibrated but no base "
                            "women by parity were given (women0 from ps_proj_parity_init)");
    }
    if (o->n_threads < 0 || !(o->progress_interval_s >= 0.0)) {
        return ps_error_set(err, PS_EINVAL,
                            "micro n_threads = %d and progress_interval_s = %g "
                            "must not be negative",
                            o->n_threads, o->progress_interval_s);
    }
    if (o->working_age_min < 0 || o->working_age_max < o->working_age_min ||
        o->working_age_max >= in->n_ages || o->dependent_age < 0) {
        return ps_error_set(err, PS_EINVAL,
                            "micro working ages %d-%d must lie in [0, %d] and "
                            "dependent_age = %d must not be negative",
                            o->working_age_min, o->working_age_max, in->n_ages - 1,
                            o->dependent_age);
    }
    ps_status rc = check_income(in, o, err);
    if (rc == PS_OK && (o->events & PS_MICRO_CARE)) {
        rc = check_care(in, o, err);
    }
    if (rc == PS_OK && (o->events & PS_MICRO_CHILDCARE)) {
        rc = o->enroll_rate == NULL
                 ? ps_error_set(err, PS_EINVAL, "micro childcare needs an enrollment table")
                 : check_table(o->enroll_rate,
                               (size_t)(ps_inputs_steps(in) + 1) * PS_MICRO_CHILDCARE_AGES,
                               "enroll_rate", err);
    }
    return rc;
}

static ps_status check_memory(const ps_inputs *in, const ps_micro_options *o, ps_error *err)
{
    /* Persons split across processes (issue #15): this process's share. */
    const int ranks = o->comm != NULL ? o->comm->n_ranks : 1;
    const size_t need = ps_micro_estimate_bytes_split(in, o->scale, ranks);
    size_t avail = o->memory_limit;
    const char *source = "the memory_limit option";
    if (avail == 0) {
        ps_status rc = ps_mem_available(&avail, &source, err);
        if (rc != PS_OK) {
            return rc;
        }
    }
    if (need <= avail) {
        return PS_OK;
    }
    char need_text[32], avail_text[32];
    ps_mem_format_bytes(need_text, sizeof need_text, need);
    ps_mem_format_bytes(avail_text, sizeof avail_text, avail);
    return ps_error_set(err, PS_ENOMEM,
                        "the microsimulation needs about %s of memory (up to "
                        "%.0f simulated persons x %d bytes at scale %g, plus results and "
                        "workspaces) but only %s are available (%s); use a larger scale "
                        "(persons per simulated person), a shorter horizon or a machine with more "
                        "memory",
                        need_text, ps_micro_estimate_persons(in, o->scale),
                        PS_MICRO_BYTES_PER_PERSON, o->scale, avail_text,
                        source != NULL ? source : "this machine");
}

/* ---- create / free ---------------------------------------------------------------------- */

static ps_status alloc_tables(ps_micro *m, ps_error *err)
{
    const size_t R = (size_t)m->n_regions, A = (size_t)m->n_ages, cells = R * 2 * A;
    const size_t hz = R * A * PS_PARITY_COUNT * PS_INCOME_COUNT;
    m->surv_thr = calloc(cells, sizeof *m->surv_thr);
    m->e_thr = calloc(cells, sizeof *m->e_thr);
    m->cut_thr = calloc(cells, sizeof *m->cut_thr);
    m->stay_thr = calloc(cells, sizeof *m->stay_thr);
    m->q_thr = calloc(cells, sizeof *m->q_thr);
    m->male_thr = calloc(R, sizeof *m->male_thr);
    m->b1_thr = calloc(hz, sizeof *m->b1_thr);
    m->b2_thr = calloc(hz, sizeof *m->b2_thr);
    m->b1_p = calloc(hz, sizeof *m->b1_p);
    m->b2_p = calloc(hz, sizeof *m->b2_p);
    m->fert_scale = calloc(R, sizeof *m->fert_scale);
    m->inc_thr = calloc(R * 2, sizeof *m->inc_thr);
    m->care_lo = calloc(A * PS_MICRO_CARE_STATES, sizeof *m->care_lo);
    m->care_w = calloc(A * PS_MICRO_CARE_STATES, sizeof *m->care_w);
    m->care_t = calloc(A * PS_MICRO_CARE_LEVELS_MAX, sizeof *m->care_t);
    m->arr_first = calloc(2 * cells + 1, sizeof *m->arr_first);
    if (!m->surv_thr || !m->e_thr || !m->cut_thr || !m->stay_thr || !m->q_thr || !m->male_thr ||
        !m->b1_thr || !m->b2_thr || !m->b1_p || !m->b2_p || !m->fert_scale || !m->inc_thr ||
        !m->care_lo || !m->care_w || !m->care_t || !m->arr_first) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation tables");
    }
    for (size_t reg = 0; m->opt.income_share != NULL && reg < R; ++reg) {
        const double *s = &m->opt.income_share[reg * PS_INCOME_COUNT];
        m->inc_thr[reg * 2] = ps_micro__thr(s[PS_INCOME_LOW]);
        m->inc_thr[reg * 2 + 1] = ps_micro__thr(s[PS_INCOME_LOW] + s[PS_INCOME_SUBSISTENCE]);
    }
    return PS_OK;
}

ps_status ps_micro_new(ps_micro **out, const ps_proj *p, const double *women0,
                       const ps_micro_options *opts, ps_error *err)
{
    *out = NULL;
    const ps_inputs *in = ps_proj_inputs(p);
    ps_status rc = check_options(p, women0, opts, err);
    if (rc == PS_OK) {
        rc = check_memory(in, opts, err);
    }
    ps_micro *m = rc == PS_OK ? calloc(1, sizeof *m) : NULL;
    if (rc == PS_OK && m == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation");
    }
    if (rc != PS_OK) { /* persons split: the others are in their first collective (#15) */
        int agreed = 0;
        return ps_micro__split_agree(opts->comm, &agreed, rc, err);
    }
    m->proj = p;
    m->in = in;
    m->opt = *opts;
    m->n_regions = in->n_regions;
    m->n_ages = in->n_ages;
    m->n_steps = ps_inputs_steps(in);
    m->n_threads = opts->n_threads > 0 ? opts->n_threads : omp_get_max_threads();
    m->has_parity = ps_proj_has_parity(p);
    m->fert_lo = PS_FERTILE_AGE_MIN;
    m->fert_hi = PS_FERTILE_AGE_MAX < in->n_ages - 1 ? PS_FERTILE_AGE_MAX : in->n_ages - 1;
    m->key[0] = opts->seed;
    m->key[1] = opts->replicate;
    m->scale = opts->scale;
    m->comm = opts->comm;
    rc = ps_micro__split_init(m, err); /* persons split across processes (issue #15) */
    if (rc != PS_OK) {
        rc = ps_micro__split_agree(opts->comm, &m->split_failed, rc, err);
        ps_micro_free(m);
        return rc;
    }
    if (!(m->opt.events & PS_MICRO_CARE)) {
        m->opt.care_levels = 0;
        m->opt.care_min_age = m->n_ages; /* nobody is counted in a care state */
    }
    double cap = ps_micro_estimate_persons(in, opts->scale);
    cap = cap < (double)UINT32_MAX ? cap : (double)UINT32_MAX;
    rc = ps_micro__store_alloc(m, (size_t)cap, err);
    if (rc == PS_OK) {
        rc = alloc_tables(m, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__shadow_alloc(m, women0, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__regions_alloc(m, err); /* internal migration and status (#13) */
    }
    if (rc == PS_OK) {
        rc = ps_micro__populate(m, women0, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__status_init(m, err);
    }
    if (rc != PS_OK) {
        rc = ps_micro__split_agree(m->comm, &m->split_failed, rc, err);
        ps_micro_free(m);
        return rc;
    }
    memcpy(m->state_pop, m->sum + m->L.pop,
           (size_t)m->n_regions * 2 * (size_t)m->n_ages * sizeof *m->state_pop);
    memcpy(m->state_par, m->sum + m->L.par,
           (size_t)m->n_regions * (size_t)m->n_ages * PS_PARITY_COUNT * PS_INCOME_COUNT *
               sizeof *m->state_par);
    *out = m;
    return PS_OK;
}

void ps_micro_free(ps_micro *m)
{
    if (m == NULL) {
        return;
    }
    ps_micro__store_free(m);
    ps_micro__shadow_free(m);
    ps_micro__regions_free(m);
    ps_micro__split_free(m);
    free(m->surv_thr);
    free(m->e_thr);
    free(m->cut_thr);
    free(m->stay_thr);
    free(m->q_thr);
    free(m->male_thr);
    free(m->b1_thr);
    free(m->b2_thr);
    free(m->b1_p);
    free(m->b2_p);
    free(m->fert_scale);
    free(m->inc_thr);
    free(m->care_lo);
    free(m->care_w);
    free(m->care_t);
    free(m->arr_first);
    free(m);
}

/* ---- results ---------------------------------------------------------------------------- */

static double *nan_array(size_t n)
{
    double *a = malloc((n > 0 ? n : 1) * sizeof *a);
    for (size_t i = 0; a != NULL && i < n; ++i) {
        a[i] = NAN;
    }
    return a;
}

ps_status ps_micro_extra_init(ps_micro_extra *x, int n_years, int n_regions, int n_ages,
                              int care_levels, ps_error *err)
{
    memset(x, 0, sizeof *x);
    x->n_years = n_years;
    x->n_regions = n_regions;
    x->n_ages = n_ages;
    x->care_levels = care_levels;
    const size_t yr = (size_t)n_years * (size_t)n_regions;
    x->births_by_income = nan_array(yr * PS_INCOME_COUNT * PS_ORDER_COUNT);
    x->under3 = nan_array(yr * PS_INCOME_COUNT);
    x->under3_enrolled = nan_array(yr * PS_INCOME_COUNT);
    x->disabled_elderly = nan_array(yr * 2);
    x->care = care_levels > 0 ? nan_array(yr * (size_t)care_levels * (size_t)n_ages) : NULL;
    x->ledger_by_income = nan_array(yr * PS_INCOME_COUNT); /* ledger.c */
    const size_t booked = (yr - (size_t)n_regions) * PS_INCOME_COUNT; /* all but the last year */
    for (size_t c = 0; x->ledger_by_income != NULL && c < booked; ++c) {
        x->ledger_by_income[c] = 0.0;
    }
    if (!x->births_by_income || !x->under3 || !x->under3_enrolled || !x->disabled_elderly ||
        !x->ledger_by_income ||
        (care_levels > 0 && x->care == NULL)) {
        ps_micro_extra_release(x);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation outputs");
    }
    return PS_OK;
}

void ps_micro_extra_release(ps_micro_extra *x)
{
    free(x->births_by_income);
    free(x->under3);
    free(x->under3_enrolled);
    free(x->care);
    free(x->disabled_elderly);
    free(x->ledger_by_income);
    memset(x, 0, sizeof *x);
}

/* The 1 July state in year index y: population, women by parity, micro-only stocks. */
static void record_state(ps_result *res, ps_micro_extra *x, const ps_micro *m, int y)
{
    const double k = m->scale;
    const int64_t *s = m->sum;
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < m->n_ages; ++age) {
                size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)age);
                res->population[ps_result_cell(res, y, reg, sex, age)] =
                    k * (double)s[m->L.pop + c];
            }
        }
        for (int age = 0; res->women_by_parity != NULL && age < m->n_ages; ++age) {
            for (int j = 0; j < PS_PARITY_COUNT; ++j) {
                int64_t w = 0;
                for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
                    w += s[m->L.par +
                           ps_mi_par(m, (unsigned)reg, (unsigned)age, (unsigned)j, (unsigned)inc)];
                }
                res->women_by_parity[ps_result_paritycell(res, y, reg, age, j)] = k * (double)w;
            }
        }
        if (x == NULL) {
            continue;
        }
        for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
            size_t at = (size_t)reg * PS_INCOME_COUNT + (size_t)inc;
            x->under3[ps_micro_extra_income_cell(x, y, reg, inc)] = k * (double)s[m->L.u3 + at];
            x->under3_enrolled[ps_micro_extra_income_cell(x, y, reg, inc)] =
                k * (double)s[m->L.u3e + at];
        }
        for (int l = 0; l < x->care_levels; ++l) {
            for (int age = 0; age < m->n_ages; ++age) {
                size_t at =
                    ((size_t)reg * PS_MICRO_CARE_STATES + (size_t)l + 1) * (size_t)m->n_ages +
                    (size_t)age;
                x->care[ps_micro_extra_care_cell(x, y, reg, l, age)] =
                    k * (double)s[m->L.care + at];
            }
        }
        if ((m->opt.events & PS_MICRO_KIN) && (m->opt.events & PS_MICRO_CARE)) {
            for (int has = 0; has < 2; ++has) {
                x->disabled_elderly[((size_t)y * (size_t)m->n_regions + (size_t)reg) * 2 +
                                    (size_t)has] =
                    k * (double)s[m->L.dis + (size_t)reg * 2 + (size_t)has];
            }
        }
    }
}

/* The events of the step from year index y. */
static void record_events(ps_result *res, ps_micro_extra *x, const ps_micro *m, int y)
{
    const double k = m->scale;
    const int64_t *s = m->sum;
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            res->births[ps_result_sexcell(res, y, reg, sex)] =
                k * (double)s[m->L.births + (size_t)reg * 2 + (size_t)sex];
            for (int age = 0; age < m->n_ages; ++age) {
                size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)age);
                res->deaths[ps_result_cell(res, y, reg, sex, age)] = k * (double)s[m->L.deaths + c];
                res->net_migration[ps_result_cell(res, y, reg, sex, age)] =
                    k * (double)s[m->L.mig + c];
            }
        }
        for (int order = 0; order < PS_ORDER_COUNT; ++order) {
            int64_t b = 0;
            for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
                int64_t v =
                    s[m->L.border + ((size_t)reg * PS_INCOME_COUNT + (size_t)inc) * PS_ORDER_COUNT +
                      (size_t)order];
                b += v;
                if (x != NULL) {
                    x->births_by_income[(ps_micro_extra_income_cell(x, y, reg, inc)) *
                                            PS_ORDER_COUNT +
                                        (size_t)order] = k * (double)v;
                }
            }
            if (res->births_by_order != NULL) {
                res->births_by_order[ps_result_ordercell(res, y, reg, order)] = k * (double)b;
            }
        }
    }
    res->emigration_shortfall += m->sh_shortfall;
    ps_proj_record_rates(res, m->proj, y, m->fert_scale);
    ps_micro__record_regions_events(res, m, y); /* internal migration (#13), if any */
}

ps_status ps_micro_run_init(ps_result *res, ps_micro_extra *extra, const ps_micro *m,
                            const char *name, const char *title, ps_error *err)
{
    const ps_inputs *in = m->in;
    ps_status rc = ps_result_init(res, name, title, in->start_year, m->n_steps + 1, m->n_regions,
                                  m->n_ages, (const char *const *)in->region_names, err);
    if (rc == PS_OK && m->has_parity) {
        rc = ps_result_init_parity(res, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__result_init(res, m, err); /* internal migration and status (#13) */
    }
    if (rc == PS_OK && extra != NULL) {
        rc = ps_micro_extra_init(extra, m->n_steps + 1, m->n_regions, m->n_ages, m->opt.care_levels,
                                 err);
    }
    if (rc != PS_OK) {
        ps_result_release(res);
        return rc;
    }
    res->emigration_shortfall = 0.0;
    if (m->step != 0) {
        ps_result_release(res);
        if (extra != NULL) {
            ps_micro_extra_release(extra);
        }
        return ps_error_set(err, PS_EINVAL,
                            "the microsimulation has already run %d steps; "
                            "create a new one",
                            m->step);
    }
    record_state(res, extra, m, 0);
    ps_micro__record_regions_state(res, m, 0);
    return PS_OK;
}

ps_status ps_micro_step(ps_micro *m, ps_result *res, ps_micro_extra *extra, const double *mult,
                        ps_error *err)
{
    if (m->step >= m->n_steps) {
        return ps_error_set(err, PS_EINVAL, "the microsimulation has done all %d steps",
                            m->n_steps);
    }
    const int y = m->step;
    m->mult = mult;
    ps_status rc = ps_micro__step(m, err);
    m->mult = NULL;
    if (rc != PS_OK) {
        return rc;
    }
    record_events(res, extra, m, y);
    record_state(res, extra, m, y + 1);
    ps_micro__record_regions_state(res, m, y + 1);
    return PS_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

ps_status ps_micro_run(ps_result *res, ps_micro_extra *extra, ps_micro *m, const double *mult,
                       const char *name, const char *title, ps_error *err)
{
    ps_status rc = ps_micro_run_init(res, extra, m, name, title, err);
    if (rc != PS_OK) {
        return rc;
    }
    const double t0 = now_s();
    double last = t0, person_years = 0.0;
    int reported = 0;
    const size_t per_step = (size_t)m->n_regions * PS_ORDER_COUNT;
    for (int s = 0; s < m->n_steps && rc == PS_OK; ++s) {
        person_years += (double)ps_micro_alive(m);
        rc = ps_micro_step(m, res, extra, mult != NULL ? mult + (size_t)s * per_step : NULL, err);
        const double t = now_s();
        const int last_step = s + 1 == m->n_steps;
        if (rc == PS_OK && m->opt.progress != NULL &&
            (t - last >= m->opt.progress_interval_s || (last_step && reported))) {
            ps_micro_progress pr = {.step = s + 1,
                                    .n_steps = m->n_steps,
                                    .year = m->in->start_year + s + 1,
                                    .persons = (double)ps_micro_alive(m),
                                    .elapsed_s = t - t0,
                                    .rate = t > t0 ? person_years / (t - t0) : 0.0,
                                    .done = last_step};
            m->opt.progress(m->opt.progress_ctx, &pr);
            last = t;
            reported = 1;
        }
    }
    if (rc != PS_OK) {
        ps_result_release(res);
        if (extra != NULL) {
            ps_micro_extra_release(extra);
        }
    }
    return rc;
}

ps_status ps_micro_run_replicates(ps_result *res, ps_micro_extra *extra, int n_rep,
                                  const ps_proj *p, const double *women0,
                                  const ps_micro_options *opts, const double *mult,
                                  const char *name, ps_error *err)
{
    ps_status rc = PS_OK;
    int done = 0;
    for (int r = 0; r < n_rep && rc == PS_OK; ++r) {
        ps_micro_options o = *opts;
        ps_micro *m = NULL;
        o.replicate = opts->replicate + (uint32_t)r;
        rc = ps_micro_new(&m, p, women0, &o, err);
        if (rc == PS_OK) {
            rc = ps_micro_run(&res[r], extra != NULL ? &extra[r] : NULL, m, mult, name, NULL, err);
            rc = ps_micro_split_end(m, rc, err); /* persons split: every process agrees */
        }
        if (rc == PS_OK) {
            done = r + 1;
        } else {
            ps_error_prepend(err, "replicate %u: ", (unsigned)o.replicate);
        }
        ps_micro_free(m);
    }
    for (int r = 0; rc != PS_OK && r < done; ++r) {
        ps_result_release(&res[r]);
        if (extra != NULL) {
            ps_micro_extra_release(&extra[r]);
        }
    }
    return rc;
}

/* The replicated arrays of a result, for the mean. */
typedef enum mean_field {
    MF_POPULATION,
    MF_BIRTHS,
    MF_DEATHS,
    MF_NET_MIGRATION,
    MF_ASFR,
    MF_TFR,
    MF_E0,
    MF_BIRTHS_BY_ORDER,
    MF_WOMEN_BY_PARITY,
    MF_INTERNAL_IN,
    MF_INTERNAL_OUT,
    MF_INTERNAL_NET,
    MF_REGISTERED,
    MF_COUNT
} mean_field;

static double *field_of(const ps_result *r, mean_field f, size_t *count)
{
    const size_t yr = (size_t)r->n_years * (size_t)r->n_regions, A = (size_t)r->n_ages;
    switch (f) {
    case MF_POPULATION:
        *count = yr * 2 * A;
        return r->population;
    case MF_BIRTHS:
        *count = yr * 2;
        return r->births;
    case MF_DEATHS:
        *count = yr * 2 * A;
        return r->deaths;
    case MF_NET_MIGRATION:
        *count = yr * 2 * A;
        return r->net_migration;
    case MF_ASFR:
        *count = yr * A;
        return r->asfr;
    case MF_TFR:
        *count = yr;
        return r->tfr;
    case MF_E0:
        *count = yr * 2;
        return r->e0;
    case MF_BIRTHS_BY_ORDER:
        *count = yr * PS_ORDER_COUNT;
        return r->births_by_order;
    case MF_INTERNAL_IN:
        *count = yr * 2 * A;
        return r->internal_in;
    case MF_INTERNAL_OUT:
        *count = yr * 2 * A;
        return r->internal_out;
    case MF_INTERNAL_NET:
        *count = yr * 2 * A;
        return r->internal_net;
    case MF_REGISTERED:
        *count = yr * 2 * A;
        return r->registered;
    default:
        *count = yr * A * PS_PARITY_COUNT;
        return r->women_by_parity;
    }
}

ps_status ps_micro_mean(ps_result *mean, const ps_result *res, int n, ps_error *err)
{
    const ps_result *r0 = &res[0];
    ps_status rc =
        ps_result_init(mean, r0->name, r0->title, r0->start_year, r0->n_years, r0->n_regions,
                       r0->n_ages, (const char *const *)r0->region_names, err);
    if (rc == PS_OK && r0->births_by_order != NULL) {
        rc = ps_result_init_parity(mean, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__mean_init(mean, r0, err); /* internal migration and status (#13) */
    }
    if (rc != PS_OK) {
        ps_result_release(mean);
        return rc;
    }
    for (int f = 0; f < MF_COUNT; ++f) {
        size_t count = 0;
        double *out = field_of(mean, (mean_field)f, &count);
        if (out == NULL || field_of(r0, (mean_field)f, &count) == NULL) {
            continue; /* no birth-order arrays */
        }
        for (size_t i = 0; i < count; ++i) {
            double sum = 0.0; /* in replicate order */
            for (int r = 0; r < n; ++r) {
                sum += field_of(&res[r], (mean_field)f, &count)[i];
            }
            out[i] = sum / n;
        }
    }
    double shortfall = 0.0;
    for (int r = 0; r < n; ++r) {
        shortfall += res[r].emigration_shortfall;
    }
    mean->emigration_shortfall = shortfall / n;
    return PS_OK;
}

/* ---- queries ---------------------------------------------------------------------------- */

int ps_micro_steps_done(const ps_micro *m)
{
    return m->step;
}

size_t ps_micro_stored(const ps_micro *m)
{
    return m->n;
}

size_t ps_micro_alive(const ps_micro *m)
{
    int64_t alive = 0;
    for (size_t c = 0; c < (size_t)m->n_regions * 2 * (size_t)m->n_ages; ++c) {
        alive += m->state_pop[c];
    }
    return (size_t)alive;
}

void ps_micro_person_get(ps_micro_person *out, const ps_micro *m, uint32_t id)
{
    const unsigned f = m->flags[id];
    out->id = id;
    out->mother = m->mother[id];
    out->alive = (f & PS_MF_ALIVE) != 0;
    out->age = m->age[id];
    out->sex = (int)ps_mf_sex(f);
    out->region = m->region[id];
    out->parity = (int)ps_mf_parity(f);
    out->youngest_child_age = m->ychild[id] == PS_MICRO_AGE_NONE ? -1 : m->ychild[id];
    out->mother_age_at_birth = m->mage[id] == PS_MICRO_AGE_NONE ? -1 : m->mage[id];
    out->income = (int)ps_mf_income(f);
    out->care = (int)ps_mf_care(f);
    out->enrolled = (f & PS_MF_ENROLLED) != 0;
}

ps_status ps_micro_sample(ps_micro_person **out, size_t *n_out, const ps_micro *m, size_t every,
                          size_t max, int alive_only, ps_error *err)
{
    *out = NULL;
    *n_out = 0;
    if (every == 0) {
        return ps_error_set(err, PS_EINVAL, "a 1-in-m sample needs m >= 1 (got 0)");
    }
    size_t n = 0;
    for (size_t id = 0; id < m->n && (max == 0 || n < max); id += every) {
        n += !alive_only || (m->flags[id] & PS_MF_ALIVE);
    }
    ps_micro_person *s = malloc((n > 0 ? n : 1) * sizeof *s);
    if (s == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for a sample of %zu persons", n);
    }
    size_t k = 0;
    for (size_t id = 0; id < m->n && k < n; id += every) {
        if (!alive_only || (m->flags[id] & PS_MF_ALIVE)) {
            ps_micro_person_get(&s[k++], m, (uint32_t)id);
        }
    }
    *out = s;
    *n_out = n;
    return PS_OK;
}

const char *ps_micro_progress_format(char *buf, size_t size, const ps_micro_progress *p, int tty)
{
    char stamp[32] = "";
    if (!tty) {
        time_t t = time(NULL);
        struct tm tm;
        if (localtime_r(&t, &tm) != NULL) {
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S ", &tm);
        }
    }
    snprintf(buf, size,
             "%smicro: year %d (%d/%d), %.2f M persons, %.1f M person-years/s, "
             "%.1f s%s",
             tty ? "\r" : stamp, p->year, p->step, p->n_steps, p->persons / PS_PERSONS_PER_MILLION,
             p->rate / PS_PERSONS_PER_MILLION, p->elapsed_s, !tty ? "\n" : "");
    return buf;
}
