/*
 * run/micro.c - the microsimulation part of a run (issue #5; moved from the CLI, issue #11).
 * Every member of the family is simulated replicate by replicate, one unit each (the
 * baseline and its variants of one replicate share the Philox key: common random numbers),
 * the results are averaged in replicate order, and the micro-only outputs (income classes, childcare enrollment, disabled elderly and their
 * children, per-replicate totals, a sample of person records) go to ps_result.micro.
 *
 * Inputs the engine takes from the scenario: the care-need levels (nested prevalence by age
 * and year, the first level the most severe), the childcare enrollment the first childcare
 * service implies on the cohort projection, and the income shares of micro:.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/services.h"
#include "run/run_int.h"

#define ENROLL_AGES 3 /* childcare enrollment of ages 0-2 */

/* [year][level][age] shares in care state level+1 or higher (state L = care_need.levels[0]). */
static double *care_table(const ps_care_need *cn, const ps_inputs *in, int *levels_out)
{
    const int L = cn->n_levels < PS_MICRO_CARE_LEVELS_MAX ? cn->n_levels : PS_MICRO_CARE_LEVELS_MAX;
    const int ny = ps_inputs_steps(in) + 1;
    double *t = calloc((size_t)ny * (size_t)L * (size_t)in->n_ages + 1, sizeof *t);
    for (int y = 0; t != NULL && y < ny; ++y) {
        for (int l = 0; l < L; ++l) {
            for (int age = 0; age < in->n_ages; ++age) {
                double sum = 0.0; /* states l+1..L are levels[0..L-1-l] */
                for (int i = 0; i <= L - 1 - l; ++i) {
                    sum += ps_care_prevalence(cn, i, age, in->start_year + y);
                }
                t[((size_t)y * (size_t)L + (size_t)l) * (size_t)in->n_ages + (size_t)age] =
                    fmin(1.0, sum);
            }
        }
    }
    *levels_out = L;
    return t;
}

/* [year][age 0..2] enrollment of the first childcare service on the cohort projection. */
static ps_status enroll_table(double **out, const ps_service *svc, int n_svc,
                              const ps_care_need *cn, const ps_proj *proj, ps_error *err)
{
    const ps_service *cc = NULL;
    ps_result ccm;
    *out = NULL;
    for (int k = 0; k < n_svc && cc == NULL; ++k) {
        cc = svc[k].kind == PS_SVC_CHILDCARE ? &svc[k] : NULL;
    }
    if (cc == NULL) {
        return PS_OK;
    }
    ps_status rc = ps_proj_run(&ccm, proj, "enrollment", NULL, err);
    if (rc != PS_OK) {
        return rc;
    }
    double *t = calloc((size_t)ccm.n_years * ENROLL_AGES, sizeof *t);
    for (int y = 0; t != NULL && y < ccm.n_years; ++y) {
        for (int age = 0; age < ENROLL_AGES; ++age) {
            double share = ps_service_uptake_at(cc, cn, &ccm, y, 0, age);
            t[(size_t)y * ENROLL_AGES + (size_t)age] = isnan(share) ? 0.0 : share;
        }
    }
    ps_result_release(&ccm);
    if (t == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the enrollment rates");
    }
    *out = t;
    return PS_OK;
}

/* Element-wise mean of n arrays of `count` doubles, in replicate order; NULL if any is. */
static double *mean_of(const ps_micro_extra *x, int n, size_t offset, size_t count, int *ok)
{
    double *out = NULL;
    const double *first;
    memcpy(&first, (const char *)&x[0] + offset, sizeof first);
    if (first == NULL) {
        return NULL;
    }
    if ((out = malloc(count * sizeof *out)) == NULL) {
        *ok = 0;
        return NULL;
    }
    for (size_t i = 0; i < count; ++i) {
        double sum = 0.0;
        for (int r = 0; r < n; ++r) {
            const double *a;
            memcpy(&a, (const char *)&x[r] + offset, sizeof a);
            sum += a[i];
        }
        out[i] = sum / n;
    }
    return out;
}

/* res->micro from the replicates of one member. */
static ps_status fill_micro(ps_result *res, const ps_micro_extra *x, const ps_result *reps,
                            int n, const ps_scn_micro *set, ps_micro_person *sample,
                            size_t n_sample, ps_error *err)
{
    ps_result_micro *mo = calloc(1, sizeof *mo);
    int ok = mo != NULL;
    const size_t cells = (size_t)res->n_years * (size_t)res->n_regions;
    if (!ok) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the micro outputs");
    }
    res->micro = mo;
    res->micro_free = ps_result_micro_free;
    mo->replicates = n;
    mo->scale = set->scale;
    mo->seed = set->seed;
    mo->births_by_income = mean_of(x, n, offsetof(ps_micro_extra, births_by_income),
                                   cells * PS_INCOME_COUNT * PS_ORDER_COUNT, &ok);
    mo->under3 = mean_of(x, n, offsetof(ps_micro_extra, under3), cells * PS_INCOME_COUNT, &ok);
    mo->under3_enrolled = mean_of(x, n, offsetof(ps_micro_extra, under3_enrolled),
                                  cells * PS_INCOME_COUNT, &ok);
    mo->disabled_elderly = mean_of(x, n, offsetof(ps_micro_extra, disabled_elderly), cells * 2,
                                   &ok);
    int monthly = 0; /* the person-by-person subsidy cost (ledger.c), with a monthly subsidy */
    for (int i = 0; i < res->n_instruments; ++i) {
        monthly |= res->ledger[i].lever == PS_LEVER_MONTHLY_SUBSIDY;
    }
    mo->subsidy_cost_by_income =
        monthly ? mean_of(x, n, offsetof(ps_micro_extra, ledger_by_income), cells * PS_INCOME_COUNT,
                          &ok)
                : NULL;
    mo->population_by_replicate = malloc((size_t)n * (size_t)res->n_years * sizeof(double));
    mo->births_by_replicate = malloc((size_t)n * (size_t)res->n_years * sizeof(double));
    ok = ok && mo->population_by_replicate != NULL && mo->births_by_replicate != NULL;
    for (int r = 0; ok && r < n; ++r) {
        for (int y = 0; y < res->n_years; ++y) {
            size_t c = (size_t)r * (size_t)res->n_years + (size_t)y;
            mo->population_by_replicate[c] = ps_result_total(&reps[r], res->start_year + y);
            mo->births_by_replicate[c] = ps_result_births(&reps[r], res->start_year + y);
        }
    }
    if (ok && n_sample > 0) {
        mo->sample = malloc(n_sample * PS_SAMPLE_FIELDS * sizeof *mo->sample);
        ok = mo->sample != NULL;
        for (size_t i = 0; ok && i < n_sample; ++i) {
            const ps_micro_person *p = &sample[i];
            long long *row = &mo->sample[i * PS_SAMPLE_FIELDS];
            row[PS_SAMPLE_ID] = p->id;
            row[PS_SAMPLE_ALIVE] = p->alive;
            row[PS_SAMPLE_AGE] = p->age;
            row[PS_SAMPLE_SEX] = p->sex;
            row[PS_SAMPLE_REGION] = p->region;
            row[PS_SAMPLE_PARITY] = p->parity;
            row[PS_SAMPLE_YOUNGEST_CHILD_AGE] = p->youngest_child_age;
            row[PS_SAMPLE_MOTHER] = p->mother == PS_MICRO_NO_MOTHER ? -1 : (long long)p->mother;
            row[PS_SAMPLE_INCOME] = p->income;
            row[PS_SAMPLE_CARE] = p->care;
            row[PS_SAMPLE_ENROLLED] = p->enrolled;
        }
        mo->n_sample = ok ? (long long)n_sample : 0;
    }
    return ok ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory for the micro outputs");
}

#define MIB (1024.0 * 1024.0)

ps_status ps_run__micro_memory_check(const ps_scenario *scn, const ps_inputs *in,
                                     const ps_mem_shape *results, size_t memory_limit,
                                     int n_ranks, ps_error *err)
{
    size_t avail = 0;
    const char *source = NULL;
    ps_status rc = ps_run__memory_available(&avail, &source, memory_limit, err);
    if (rc != PS_OK) {
        return rc;
    }
    /* The store's estimate already counts one result and the libraries' allowance. */
    ps_mem_shape one = *results;
    one.n_scenarios = 1;
    const size_t store = ps_micro_estimate_bytes_split(in, scn->micro.scale, n_ranks);
    const size_t res = ps_mem_estimate(results);
    const double need = (double)store + (double)res - (double)ps_mem_estimate(&one);
    if (store != SIZE_MAX && res != SIZE_MAX && need <= (double)avail) {
        return PS_OK;
    }
    return ps_error_set_at(err, PS_ENOMEM, scn->path, scn->micro.scale_loc.line,
                           scn->micro.scale_loc.column,
                           "the microsimulation needs about %.1f MiB of memory (up to %.0f "
                           "simulated persons x %d bytes at micro.scale = %g%s, plus %d "
                           "results of %d years) but only %.1f MiB are available (%s); raise "
                           "micro.scale (persons per simulated person), shorten the horizon, "
                           "split the persons across more MPI ranks or run on a machine with "
                           "more memory",
                           need / MIB, ps_micro_estimate_persons(in, scn->micro.scale),
                           PS_MICRO_BYTES_PER_PERSON, scn->micro.scale,
                           n_ranks > 1 ? ", this rank's share of the persons" : "",
                           results->n_scenarios,
                           results->n_steps + 1, (double)avail / MIB,
                           source != NULL ? source : "this machine");
}

struct ps_run_micro {
    const ps_scenario *scn;
    int n_members, n_replicates;
    double *income; /* [reg][PS_INCOME_COUNT] */
    double *care;   /* care_table(), NULL without care-need levels */
    double *enroll; /* enroll_table(), NULL without a childcare service */
    int levels;
    ps_result *reps;         /* [member][replicate] */
    ps_micro_extra *extras;  /* [member][replicate] */
    ps_micro_person **samples; /* [member], from replicate 0 */
    size_t *n_samples;
};

void ps_run__micro_free(ps_run_micro *mr)
{
    if (mr == NULL) {
        return;
    }
    const size_t n = (size_t)mr->n_members * (size_t)mr->n_replicates;
    for (size_t k = 0; mr->reps != NULL && mr->extras != NULL && k < n; ++k) {
        ps_result_release(&mr->reps[k]);
        ps_micro_extra_release(&mr->extras[k]);
    }
    for (int i = 0; mr->samples != NULL && i < mr->n_members; ++i) {
        free(mr->samples[i]);
    }
    free(mr->samples);
    free(mr->n_samples);
    free(mr->reps);
    free(mr->extras);
    free(mr->care);
    free(mr->enroll);
    free(mr->income);
    free(mr);
}

ps_status ps_run__micro_new(ps_run_micro **out, const ps_proj *proj, const ps_scenario *scn,
                            const ps_inputs *in, ps_error *err)
{
    const int nm = scn->n_members, R = scn->micro.replicates;
    ps_run_micro *mr = calloc(1, sizeof *mr);
    ps_status rc = PS_OK;
    *out = NULL;
    if (mr != NULL) {
        mr->scn = scn;
        mr->n_members = nm;
        mr->n_replicates = R;
        mr->income = malloc((size_t)in->n_regions * PS_INCOME_COUNT * sizeof *mr->income);
        mr->reps = calloc((size_t)nm * (size_t)R, sizeof *mr->reps);
        mr->extras = calloc((size_t)nm * (size_t)R, sizeof *mr->extras);
        mr->samples = calloc((size_t)nm, sizeof *mr->samples);
        mr->n_samples = calloc((size_t)nm, sizeof *mr->n_samples);
    }
    if (mr == NULL || mr->income == NULL || mr->reps == NULL || mr->extras == NULL ||
        mr->samples == NULL || mr->n_samples == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation");
    }
    for (int reg = 0; rc == PS_OK && reg < in->n_regions; ++reg) {
        double *row = &mr->income[reg * PS_INCOME_COUNT];
        row[PS_INCOME_LOW] = scn->micro.low_income_share;
        row[PS_INCOME_SUBSISTENCE] = scn->micro.subsistence_share;
        row[PS_INCOME_OTHER] =
            fmax(0.0, 1.0 - scn->micro.low_income_share - scn->micro.subsistence_share);
    }
    if (rc == PS_OK && scn->care_need.n_levels > 0 &&
        (mr->care = care_table(&scn->care_need, in, &mr->levels)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the care-need table");
    }
    if (rc == PS_OK) {
        rc = enroll_table(&mr->enroll, scn->members[0].services, scn->members[0].n_services,
                          &scn->care_need, proj, err);
    }
    if (rc != PS_OK) {
        ps_run__micro_free(mr);
        return rc;
    }
    *out = mr;
    return PS_OK;
}

typedef struct unit_progress {
    const ps_run_options *opts;
    const char *member;
    int replicate, n_replicates;
} unit_progress;

static void on_step(void *ctx, const ps_micro_progress *p)
{
    const unit_progress *up = ctx;
    ps_run_progress rp = { .member = up->member, .replicate = up->replicate,
                           .n_replicates = up->n_replicates, .step = *p };
    up->opts->progress(up->opts->progress_ctx, &rp);
}

static ps_micro_options unit_options(const ps_run_micro *mr, const ps_run_options *opts,
                                     int replicate, unit_progress *up)
{
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    o.seed = (uint32_t)mr->scn->micro.seed;
    o.replicate = (uint32_t)replicate;
    o.scale = mr->scn->micro.scale;
    o.n_threads = opts->n_threads;
    o.memory_limit = opts->memory_limit;
    o.income_share = mr->income;
    o.events = PS_MICRO_KIN | (mr->care != NULL ? PS_MICRO_CARE : 0u) |
               (mr->enroll != NULL ? PS_MICRO_CHILDCARE : 0u);
    o.care_levels = mr->levels;
    o.care_prev = mr->care;
    o.disabled_level = mr->levels > 0 ? mr->levels : 1;
    o.enroll_rate = mr->enroll;
    o.comm = opts->micro_comm; /* persons split across processes (issue #15) */
    o.progress = opts->progress != NULL && (o.comm == NULL || o.comm->rank == 0) ? on_step : NULL;
    o.progress_ctx = up;
    return o;
}

ps_status ps_run__micro_unit(ps_run_micro *mr, const ps_proj *proj, const double *women0,
                             const ps_run_options *opts, int member, int replicate,
                             ps_error *err)
{
    const ps_scenario *scn = mr->scn;
    const ps_scn_member *m = &scn->members[member];
    const size_t R = (size_t)mr->n_replicates;
    const size_t cell = (size_t)member * R + (size_t)replicate;
    unit_progress up = { .opts = opts, .member = m->name, .replicate = replicate,
                         .n_replicates = mr->n_replicates };
    ps_micro_options o = unit_options(mr, opts, replicate, &up);
    ps_run_spec spec = ps_run__member_spec(m, opts->elasticity);
    ps_micro *mi = NULL;
    ps_status rc = PS_OK;
    if (o.comm != NULL && o.comm->n_ranks > 1 && scn->micro.sample > PS_MICRO_SPLIT_BLOCK_IDS) {
        /* The sample's ids are the first block, which process 0 owns. */
        return ps_error_set_at(err, PS_EINVAL, scn->path, 0, 0,
                               "micro.sample = %d is more than the %d person records "
                               "that process 0 holds when persons are split across "
                               "processes", scn->micro.sample, PS_MICRO_SPLIT_BLOCK_IDS);
    }
    rc = ps_micro_new(&mi, proj, women0, &o, err);
    if (rc == PS_OK) {
        rc = ps_run_scenario_micro(&mr->reps[cell], &mr->extras[cell], mi, &scn->birth_order,
                                   &spec, member == 0 ? NULL : &mr->reps[(size_t)replicate],
                                   err);
        if (rc != PS_OK) {
            ps_run__locate_member_error(err, scn, m);
        }
    }
    if (rc == PS_OK && replicate == 0 && scn->micro.sample > 0) {
        rc = ps_micro_sample(&mr->samples[member], &mr->n_samples[member], mi, 1,
                             (size_t)scn->micro.sample, 0, err);
    }
    rc = ps_micro_split_end(mi, rc, err); /* persons split: a failure reaches every process */
    ps_micro_free(mi);
    return rc;
}

ps_status ps_run__micro_finish(ps_result *res, ps_run_micro *mr, ps_error *err)
{
    const size_t R = (size_t)mr->n_replicates;
    ps_status rc = PS_OK;
    for (int i = 0; rc == PS_OK && i < mr->n_members; ++i) {
        const ps_result *rr = &mr->reps[(size_t)i * R];
        rc = ps_family_mean(&res[i], rr, (int)R, i == 0 ? NULL : &res[0], err);
        if (rc == PS_OK) {
            rc = fill_micro(&res[i], &mr->extras[(size_t)i * R], rr, (int)R, &mr->scn->micro,
                            mr->samples[i], mr->n_samples[i], err);
        }
    }
    return rc;
}

void ps_run__micro_slot(ps_run__unit_slot *slot, const ps_run_micro *mr, int member,
                        int replicate)
{
    const size_t cell = (size_t)member * (size_t)mr->n_replicates + (size_t)replicate;
    slot->res = &mr->reps[cell];
    slot->extra = &mr->extras[cell];
    if (replicate == 0) {
        slot->sample = &mr->samples[member];
        slot->n_sample = &mr->n_samples[member];
    }
}
