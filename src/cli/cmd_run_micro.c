/*
 * cmd_run_micro.c - `popsim run` with engine: micro (issue #5). Every member of the family
 * is simulated replicate by replicate (the baseline and its variants of one replicate share
 * the Philox key: common random numbers), the results are averaged in replicate order, and
 * the micro-only outputs (income classes, childcare enrollment, disabled elderly and their
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
#include <unistd.h>

#include "cli.h"
#include "signals.h"
#include "popsim/family.h"
#include "popsim/memory.h"
#include "popsim/micro.h"
#include "popsim/services.h"

#define ENROLL_AGES 3 /* childcare enrollment of ages 0-2 */

typedef struct progress_ctx {
    int tty;
    int quiet;
    int replicate, n_replicates;
    const char *member;
} progress_ctx;

static void print_progress(void *ctx, const ps_micro_progress *p)
{
    const progress_ctx *pc = ctx;
    char line[256];
    if (pc->quiet) {
        return;
    }
    ps_micro_progress_format(line, sizeof line, p, pc->tty);
    if (pc->tty) {
        fprintf(stderr, "%s [%s, replicate %d/%d]%s", line, pc->member, pc->replicate + 1,
                pc->n_replicates, p->done ? "\n" : "");
    } else {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        fprintf(stderr, "%s [%s, replicate %d/%d]\n", line, pc->member, pc->replicate + 1,
                pc->n_replicates);
    }
}

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

ps_status cli_micro_memory_check(const ps_scenario *scn, const ps_inputs *in,
                                 const ps_mem_shape *results, ps_error *err)
{
    size_t avail = 0;
    const char *source = NULL;
    ps_status rc = ps_mem_available(&avail, &source, err);
    if (rc != PS_OK) {
        return rc;
    }
    /* The store's estimate already counts one result and the libraries' allowance. */
    ps_mem_shape one = *results;
    one.n_scenarios = 1;
    const size_t store = ps_micro_estimate_bytes(in, scn->micro.scale);
    const size_t res = ps_mem_estimate(results);
    const double need = (double)store + (double)res - (double)ps_mem_estimate(&one);
    if (store != SIZE_MAX && res != SIZE_MAX && need <= (double)avail) {
        return PS_OK;
    }
    return ps_error_set_at(err, PS_ENOMEM, scn->path, scn->micro.scale_loc.line,
                           scn->micro.scale_loc.column,
                           "the microsimulation needs about %.1f MiB of memory (up to %.0f "
                           "simulated persons x %d bytes at micro.scale = %g, plus %d results "
                           "of %d years) but only %.1f MiB are available (%s); raise "
                           "micro.scale (persons per simulated person), shorten the horizon "
                           "or run on a machine with more memory",
                           need / MIB, ps_micro_estimate_persons(in, scn->micro.scale),
                           PS_MICRO_BYTES_PER_PERSON, scn->micro.scale, results->n_scenarios,
                           results->n_steps + 1, (double)avail / MIB,
                           source != NULL ? source : "this machine");
}

ps_status cli_run_micro(ps_result *res, int *n_res, ps_proj *proj, const ps_scenario *scn,
                        const ps_inputs *in, ps_elasticity elasticity, int quiet, ps_error *err)
{
    const int nm = scn->n_members, R = scn->micro.replicates;
    const size_t women_cells = (size_t)in->n_regions * (size_t)in->n_ages * PS_PARITY_COUNT;
    double *women0 = malloc(women_cells * sizeof *women0);
    double *income = malloc((size_t)in->n_regions * PS_INCOME_COUNT * sizeof *income);
    double *care = NULL, *enroll = NULL;
    ps_result *reps = calloc((size_t)nm * (size_t)R, sizeof *reps);
    ps_micro_extra *extras = calloc((size_t)nm * (size_t)R, sizeof *extras);
    ps_micro_person **samples = calloc((size_t)nm, sizeof *samples);
    size_t *n_samples = calloc((size_t)nm, sizeof *n_samples);
    int levels = 0;
    progress_ctx pc = { .tty = isatty(STDERR_FILENO), .quiet = quiet, .n_replicates = R };
    ps_status rc = PS_OK;
    if (women0 == NULL || income == NULL || reps == NULL || extras == NULL || samples == NULL ||
        n_samples == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation");
    }
    if (rc == PS_OK) {
        rc = ps_proj_parity_init(proj, &scn->birth_order, women0, err);
    }
    for (int reg = 0; rc == PS_OK && reg < in->n_regions; ++reg) {
        income[reg * PS_INCOME_COUNT + PS_INCOME_LOW] = scn->micro.low_income_share;
        income[reg * PS_INCOME_COUNT + PS_INCOME_SUBSISTENCE] = scn->micro.subsistence_share;
        income[reg * PS_INCOME_COUNT + PS_INCOME_OTHER] =
            fmax(0.0, 1.0 - scn->micro.low_income_share - scn->micro.subsistence_share);
    }
    if (rc == PS_OK && scn->care_need.n_levels > 0 &&
        (care = care_table(&scn->care_need, in, &levels)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the care-need table");
    }
    if (rc == PS_OK) {
        rc = enroll_table(&enroll, scn->members[0].services, scn->members[0].n_services,
                          &scn->care_need, proj, err);
    }
    ps_micro_options opt = PS_MICRO_OPTIONS_INIT;
    opt.seed = (uint32_t)scn->micro.seed;
    opt.scale = scn->micro.scale;
    opt.income_share = income;
    opt.events = PS_MICRO_KIN | (care != NULL ? PS_MICRO_CARE : 0u) |
                 (enroll != NULL ? PS_MICRO_CHILDCARE : 0u);
    opt.care_levels = levels;
    opt.care_prev = care;
    opt.disabled_level = levels > 0 ? levels : 1;
    opt.enroll_rate = enroll;
    opt.progress = print_progress;
    opt.progress_ctx = &pc;
    for (int r = 0; rc == PS_OK && r < R; ++r) {
        for (int i = 0; rc == PS_OK && i < nm; ++i) {
            const ps_scn_member *m = &scn->members[i];
            ps_run_spec spec = { .name = m->name, .title = m->title, .policies = m->policies,
                                 .n_policies = m->n_policies,
                                 .response = cli_member_response(m, elasticity),
                                 .economy = m->economy };
            ps_micro *mi = NULL;
            ps_micro_options o = opt;
            o.replicate = (uint32_t)r;
            pc.replicate = r;
            pc.member = m->name;
            if ((rc = cli_check_interrupt(err)) == PS_OK) {
                rc = ps_micro_new(&mi, proj, women0, &o, err);
            }
            if (rc == PS_OK) {
                rc = ps_run_scenario_micro(&reps[(size_t)i * (size_t)R + (size_t)r],
                                           &extras[(size_t)i * (size_t)R + (size_t)r], mi,
                                           &scn->birth_order, &spec,
                                           i == 0 ? NULL : &reps[(size_t)r], err);
                if (rc != PS_OK) {
                    cli_locate_member_error(err, scn, m);
                }
            }
            if (rc == PS_OK && r == 0 && scn->micro.sample > 0) {
                rc = ps_micro_sample(&samples[i], &n_samples[i], mi, 1,
                                     (size_t)scn->micro.sample, 0, err);
            }
            ps_micro_free(mi);
        }
    }
    for (int i = 0; rc == PS_OK && i < nm; ++i) {
        const ps_result *rr = &reps[(size_t)i * (size_t)R];
        rc = ps_family_mean(&res[i], rr, R, i == 0 ? NULL : &res[0], err);
        if (rc == PS_OK) {
            *n_res = i + 1;
            rc = fill_micro(&res[i], &extras[(size_t)i * (size_t)R], rr, R, &scn->micro,
                            samples[i], n_samples[i], err);
        }
    }
    for (size_t k = 0; reps != NULL && extras != NULL && k < (size_t)nm * (size_t)R; ++k) {
        ps_result_release(&reps[k]);
        ps_micro_extra_release(&extras[k]);
    }
    for (int i = 0; samples != NULL && i < nm; ++i) {
        free(samples[i]);
    }
    free(samples);
    free(n_samples);
    free(reps);
    free(extras);
    free(care);
    free(enroll);
    free(income);
    free(women0);
    return rc;
}
