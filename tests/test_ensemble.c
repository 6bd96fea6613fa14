/*
 * test_ensemble.c - the batched ensemble step (ensemble.h) against the cohort-component
 * engine: every trajectory, each with its own rates (or rates shared by all), equals
 * ps_proj_run of the same inputs bit for bit over 50 years (population, births, deaths,
 * migrants credited, emigration shortfall), the accounting identity holds, 1 and 2 threads
 * and any batch size give identical bytes, and a broken identity or a non-finite count is
 * reported with its trajectory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/ensemble.h"
#include "popsim/proj.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101
#define YEARS 50
#define ROWS (PS_SEX_COUNT * N_AGES)

/* Inputs of trajectory k: its own base population, mortality level, fertility, sex ratio
 * and migration; trajectory 3 has emigration larger than a cohort (the shortfall path). */
static void build(ps_inputs *in, int k)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, 2025, 2025 + YEARS, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] =
                (1.0e5 + 977.0 * k) * exp(-0.011 * age) * (1.0 + 0.03 * sex);
        }
    }
    for (int step = 0; step < YEARS; ++step) {
        const double level = 0.00021 * (1.0 + 0.013 * k) * exp(-0.01 * step);
        in->srb[step] = 1.04 + 0.001 * k + 0.0005 * step;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                size_t i = ps_inputs_idx(in, step, 0, sex, age);
                in->mx[i] = level * exp(0.087 * age) + (age == 0 ? 0.004 : 0.0);
                in->mig[i] = (age >= 18 && age < 40 ? 61.5 + k : -13.25) * (sex + 1);
            }
        }
        if (k == 3 && step % 7 == 2) {
            in->mig[ps_inputs_idx(in, step, 0, PS_SEX_MALE, 50)] = -1.0e6;
            in->mig[ps_inputs_idx(in, step, 0, PS_SEX_FEMALE, 0)] = -1.0e6;
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES,
                          1.1 + 0.02 * k, 28.5 + 0.05 * k);
    }
}

/* B trajectories: their inputs, the ccm engine's results, and the ensemble's storage. */
typedef struct fixture {
    int B;
    ps_inputs *in;
    ps_proj **proj;
    ps_result *res;
    double *surv, *asfr, *srb, *mig; /* per trajectory, [...][traj] */
} fixture;

static void fixture_new(fixture *f, int B)
{
    ps_error err;
    f->B = B;
    f->in = calloc((size_t)B, sizeof *f->in);
    f->proj = calloc((size_t)B, sizeof *f->proj);
    f->res = calloc((size_t)B, sizeof *f->res);
    f->surv = malloc((size_t)ROWS * (size_t)B * sizeof *f->surv);
    f->mig = malloc((size_t)ROWS * (size_t)B * sizeof *f->mig);
    f->asfr = malloc((size_t)N_AGES * (size_t)B * sizeof *f->asfr);
    f->srb = malloc((size_t)B * sizeof *f->srb);
    assert_non_null(f->surv);
    for (int k = 0; k < B; ++k) {
        build(&f->in[k], k);
        assert_ps_ok(ps_proj_new(&f->proj[k], &f->in[k], &err), &err);
        assert_ps_ok(ps_proj_run(&f->res[k], f->proj[k], "t", NULL, &err), &err);
    }
}

static void fixture_free(fixture *f)
{
    for (int k = 0; k < f->B; ++k) {
        ps_result_release(&f->res[k]);
        ps_proj_free(f->proj[k]);
        ps_inputs_release(&f->in[k]);
    }
    free(f->in);
    free(f->proj);
    free(f->res);
    free(f->surv);
    free(f->asfr);
    free(f->srb);
    free(f->mig);
}

/* The rates of one step, transposed to [...][traj] (as a probabilistic projection
 * would prepare them). */
static void rates_of_step(fixture *f, int step, ps_ens_rates *r)
{
    const int B = f->B;
    for (int k = 0; k < B; ++k) {
        const ps_inputs *in = &f->in[k];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const double *S = ps_proj_survivorship(f->proj[k], step, 0, (ps_sex)sex);
            for (int age = 0; age < N_AGES; ++age) {
                size_t row = (size_t)sex * N_AGES + (size_t)age;
                f->surv[row * (size_t)B + (size_t)k] = S[age];
                f->mig[row * (size_t)B + (size_t)k] = in->mig[ps_inputs_idx(in, step, 0, sex, age)];
            }
        }
        for (int age = 0; age < N_AGES; ++age) {
            f->asfr[(size_t)age * (size_t)B + (size_t)k] =
                in->asfr[ps_inputs_asfr_idx(in, step, 0, age)];
        }
        f->srb[k] = in->srb[step];
    }
    *r = (ps_ens_rates){ .surv = f->surv, .asfr = f->asfr, .srb = f->srb, .mig = f->mig,
                         .per_traj = PS_ENS_SURV | PS_ENS_ASFR | PS_ENS_SRB | PS_ENS_MIG };
}

/* Bit-for-bit comparison of one value (memcmp: -0.0 and +0.0 differ too). */
static void assert_same_bits(double got, double want, const char *what, int k, int step, int i)
{
    if (memcmp(&got, &want, sizeof got) != 0) {
        fail_msg("%s of trajectory %d, step %d, cell %d: %.17g != ccm %.17g", what, k, step, i,
                 got, want);
    }
}

/* Run the ensemble over all steps with the given options and compare with ccm. */
static void run_and_compare(fixture *f, const ps_ens_options *opt)
{
    ps_error err;
    const int B = f->B;
    const size_t cells = (size_t)ROWS * (size_t)B;
    double *from = malloc(cells * sizeof *from), *to = malloc(cells * sizeof *to);
    double *deaths = malloc(cells * sizeof *deaths), *migc = malloc(cells * sizeof *migc);
    double *births = malloc(2 * (size_t)B * sizeof *births);
    double *adj = malloc((size_t)B * sizeof *adj);
    assert_non_null(adj);
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, opt, &err), &err);
    assert_int_equal(ps_ens_trajectories(e), B);
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            from[(size_t)i * (size_t)B + (size_t)k] = f->in[k].base.count[i];
        }
    }
    int shortfall_seen = 0;
    for (int step = 0; step < YEARS; ++step) {
        ps_ens_rates r;
        rates_of_step(f, step, &r);
        ps_ens_events ev = { .births = births, .deaths = deaths, .net_migration = migc,
                             .adjustment = adj };
        assert_ps_ok(ps_ens_step(e, &r, from, to, &ev, &err), &err);
        for (int k = 0; k < B; ++k) {
            const ps_result *res = &f->res[k];
            double total0 = 0.0, total1 = 0.0, bsum = 0.0, dsum = 0.0, msum = 0.0;
            for (int i = 0; i < ROWS; ++i) {
                size_t at = (size_t)i * (size_t)B + (size_t)k;
                size_t rc = ps_result_cell(res, step, 0, 0, 0) + (size_t)i;
                assert_same_bits(to[at], res->population[ps_result_cell(res, step + 1, 0, 0, 0) +
                                                         (size_t)i], "population", k, step, i);
                assert_same_bits(deaths[at], res->deaths[rc], "deaths", k, step, i);
                assert_same_bits(migc[at], res->net_migration[rc], "net migration", k, step, i);
                total0 += from[at];
                total1 += to[at];
                dsum += deaths[at];
                msum += migc[at];
            }
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                double b = births[(size_t)sex * (size_t)B + (size_t)k];
                assert_same_bits(b, res->births[ps_result_sexcell(res, step, 0, sex)], "births",
                                 k, step, sex);
                bsum += b;
            }
            /* accounting identity, summed: P(t+1) = P(t) + B - D + M */
            assert_close(total1, total0 + bsum - dsum + msum, 1e-12);
            shortfall_seen |= adj[k] > 0.0;
        }
        double *tmp = from;
        from = to;
        to = tmp;
    }
    assert_true(shortfall_seen || B <= 3);
    ps_ens_free(e);
    free(from);
    free(to);
    free(deaths);
    free(migc);
    free(births);
    free(adj);
}

static void test_ensemble__one_trajectory_equals_the_ccm_engine_bit_for_bit(void **state)
{
    (void)state;
    fixture f;
    fixture_new(&f, 1);
    ps_ens_options opt = PS_ENS_OPTIONS_INIT;
    opt.n_threads = 1;
    run_and_compare(&f, &opt);
    fixture_free(&f);
}

static void test_ensemble__each_trajectory_with_its_own_rates_equals_ccm(void **state)
{
    (void)state;
    fixture f;
    fixture_new(&f, 37); /* not a multiple of the batch: the last batch is partial */
    ps_ens_options opt = { .n_threads = 2, .batch = 8 };
    run_and_compare(&f, &opt);
    fixture_free(&f);
}

/* The adjustment of each step adds up to the run's emigration_shortfall of ccm. */
static void test_ensemble__emigration_shortfall_matches_ccm(void **state)
{
    (void)state;
    ps_error err;
    fixture f;
    fixture_new(&f, 5);
    const int B = f.B;
    double *from = malloc((size_t)ROWS * (size_t)B * sizeof *from);
    double *to = malloc((size_t)ROWS * (size_t)B * sizeof *to);
    double adj[5], total[5] = { 0 };
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, NULL, &err), &err);
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            from[(size_t)i * (size_t)B + (size_t)k] = f.in[k].base.count[i];
        }
    }
    for (int step = 0; step < YEARS; ++step) {
        ps_ens_rates r;
        rates_of_step(&f, step, &r);
        ps_ens_events ev = { .adjustment = adj }; /* the other events are not kept */
        assert_ps_ok(ps_ens_step(e, &r, from, to, &ev, &err), &err);
        for (int k = 0; k < B; ++k) {
            total[k] += adj[k];
        }
        double *tmp = from;
        from = to;
        to = tmp;
    }
    for (int k = 0; k < B; ++k) {
        assert_same_bits(total[k], f.res[k].emigration_shortfall, "shortfall", k, YEARS, 0);
    }
    /* trajectory 3 has emigration larger than a cohort */
    assert_true(total[3] > total[0] + 1.0e6);
    ps_ens_free(e);
    free(from);
    free(to);
    fixture_free(&f);
}

/* Rates shared by all trajectories (no [traj] dimension): each trajectory, with its own
 * base population, equals ccm run with trajectory 0's rates. */
static void test_ensemble__shared_rates_equal_ccm(void **state)
{
    (void)state;
    ps_error err;
    const int B = 11;
    ps_inputs *in = calloc((size_t)B, sizeof *in);
    ps_result *res = calloc((size_t)B, sizeof *res);
    ps_proj **p = calloc((size_t)B, sizeof *p);
    double *from = malloc((size_t)ROWS * (size_t)B * sizeof *from);
    double *to = malloc((size_t)ROWS * (size_t)B * sizeof *to);
    double *births = malloc(2 * (size_t)B * sizeof *births);
    double surv[ROWS];
    assert_non_null(births);
    for (int k = 0; k < B; ++k) {
        build(&in[k], 0);
        for (int i = 0; i < ROWS; ++i) {
            in[k].base.count[i] *= 1.0 + 0.1 * k;
            from[(size_t)i * (size_t)B + (size_t)k] = in[k].base.count[i];
        }
        assert_ps_ok(ps_proj_new(&p[k], &in[k], &err), &err);
        assert_ps_ok(ps_proj_run(&res[k], p[k], "t", NULL, &err), &err);
    }
    ps_ens_options opt = { .n_threads = 2, .batch = 4 };
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &opt, &err), &err);
    for (int step = 0; step < YEARS; ++step) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            memcpy(&surv[sex * N_AGES], ps_proj_survivorship(p[0], step, 0, (ps_sex)sex),
                   N_AGES * sizeof *surv);
        }
        ps_ens_rates r = { .surv = surv,
                           .asfr = &in[0].asfr[ps_inputs_asfr_idx(&in[0], step, 0, 0)],
                           .srb = &in[0].srb[step],
                           .mig = &in[0].mig[ps_inputs_idx(&in[0], step, 0, 0, 0)] };
        ps_ens_events ev = { .births = births };
        assert_ps_ok(ps_ens_step(e, &r, from, to, &ev, &err), &err);
        for (int k = 0; k < B; ++k) {
            for (int i = 0; i < ROWS; ++i) {
                assert_same_bits(to[(size_t)i * (size_t)B + (size_t)k],
                                 res[k].population[ps_result_cell(&res[k], step + 1, 0, 0, 0) +
                                                   (size_t)i], "population", k, step, i);
            }
            assert_same_bits(births[k], res[k].births[ps_result_sexcell(&res[k], step, 0, 0)],
                             "births", k, step, 0);
        }
        double *tmp = from;
        from = to;
        to = tmp;
    }
    ps_ens_free(e);
    for (int k = 0; k < B; ++k) {
        ps_result_release(&res[k]);
        ps_proj_free(p[k]);
        ps_inputs_release(&in[k]);
    }
    free(in);
    free(res);
    free(p);
    free(from);
    free(to);
    free(births);
}

/* 50 years of 100 trajectories with a given thread count and batch; returns the final
 * population [sex][age][traj] (caller frees). */
static double *final_population(fixture *f, int threads, int batch, int finite_only)
{
    ps_error err;
    const int B = f->B;
    double *from = malloc((size_t)ROWS * (size_t)B * sizeof *from);
    double *to = malloc((size_t)ROWS * (size_t)B * sizeof *to);
    assert_non_null(to);
    ps_ens_options opt = { .n_threads = threads, .batch = batch, .finite_only = finite_only };
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &opt, &err), &err);
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            from[(size_t)i * (size_t)B + (size_t)k] = f->in[k].base.count[i];
        }
    }
    for (int step = 0; step < YEARS; ++step) {
        ps_ens_rates r;
        rates_of_step(f, step, &r);
        assert_ps_ok(ps_ens_step(e, &r, from, to, NULL, &err), &err);
        double *tmp = from;
        from = to;
        to = tmp;
    }
    ps_ens_free(e);
    free(to);
    return from;
}

static void test_ensemble__one_and_two_threads_give_identical_results(void **state)
{
    (void)state;
    fixture f;
    fixture_new(&f, 100);
    const size_t bytes = (size_t)ROWS * 100 * sizeof(double);
    double *one = final_population(&f, 1, 0, 0);
    double *two = final_population(&f, 2, 0, 0);
    double *two_small = final_population(&f, 2, 3, 0);
    assert_memory_equal(one, two, bytes);
    assert_memory_equal(one, two_small, bytes);
    assert_true(one[(size_t)(N_AGES + 30) * 100 + 7] > 0.0);
    free(one);
    free(two);
    free(two_small);
    fixture_free(&f);
}

static void test_ensemble__a_broken_identity_names_the_trajectory(void **state)
{
    (void)state;
    ps_error err;
    fixture f;
    fixture_new(&f, 9);
    double *from = malloc((size_t)ROWS * 9 * sizeof *from);
    double *to = malloc((size_t)ROWS * 9 * sizeof *to);
    assert_non_null(to);
    for (int k = 0; k < 9; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            from[(size_t)i * 9 + (size_t)k] = f.in[k].base.count[i];
        }
    }
    ps_ens_rates r;
    rates_of_step(&f, 0, &r);
    f.surv[(size_t)(N_AGES + 40) * 9 + 6] = NAN; /* female survivorship to 40, trajectory 6 */
    ps_ens_options opt = { .n_threads = 2, .batch = 4 };
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, 9, N_AGES, &opt, &err), &err);
    assert_int_equal(ps_ens_step(e, &r, from, to, NULL, &err), PS_ENUMERIC);
    char buf[512];
    ps_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "trajectory 6, female, age 40"));
    ps_ens_free(e);
    free(from);
    free(to);
    fixture_free(&f);
}

/* The rates of all years, [traj] innermost, for the callback of ps_ens_run_fn. */
typedef struct all_rates {
    const ps_ens_rates *rates; /* [step] */
    int B;
} all_rates;

static ps_status copy_batch_rates(ps_ens_rates *out, const ps_ens_rates_buf *buf, int step,
                                  int first, int n, void *ctx, ps_error *err)
{
    const all_rates *a = ctx;
    const ps_ens_rates *r = &a->rates[step];
    (void)err;
    for (int row = 0; row < ROWS; ++row) {
        for (int j = 0; j < n; ++j) {
            size_t at = (size_t)row * (size_t)a->B + (size_t)(first + j);
            buf->surv[(size_t)row * (size_t)n + (size_t)j] = r->surv[at];
            buf->mig[(size_t)row * (size_t)n + (size_t)j] = r->mig[at];
        }
    }
    for (int age = 0; age < N_AGES; ++age) {
        for (int j = 0; j < n; ++j) {
            size_t at = (size_t)age * (size_t)a->B + (size_t)(first + j);
            buf->asfr[(size_t)age * (size_t)n + (size_t)j] = r->asfr[at];
        }
    }
    for (int j = 0; j < n; ++j) {
        buf->srb[j] = r->srb[first + j];
    }
    (void)out; /* every rate is per trajectory here: out already points at buf */
    return PS_OK;
}

/* ps_ens_run and ps_ens_run_fn: all years in one call, the same bytes as year-by-year
 * ps_ens_step, on 1 and 2 threads; a failure names its step. */
static void test_ensemble__run_equals_step_by_step(void **state)
{
    (void)state;
    ps_error err;
    const int B = 41;
    fixture f;
    fixture_new(&f, B);
    const size_t cells = (size_t)ROWS * (size_t)B;
    double *one = malloc((size_t)(YEARS + 1) * cells * sizeof *one);
    double *two = malloc((size_t)(YEARS + 1) * cells * sizeof *two);
    double *surv = malloc((size_t)YEARS * cells * sizeof *surv);
    double *mig = malloc((size_t)YEARS * cells * sizeof *mig);
    double *asfr = malloc((size_t)YEARS * N_AGES * (size_t)B * sizeof *asfr);
    double *srb = malloc((size_t)YEARS * (size_t)B * sizeof *srb);
    ps_ens_rates *rates = malloc(YEARS * sizeof *rates);
    assert_non_null(rates);
    for (int step = 0; step < YEARS; ++step) {
        ps_ens_rates r;
        rates_of_step(&f, step, &r);
        memcpy(&surv[(size_t)step * cells], r.surv, cells * sizeof *surv);
        memcpy(&mig[(size_t)step * cells], r.mig, cells * sizeof *mig);
        memcpy(&asfr[(size_t)step * N_AGES * B], r.asfr, (size_t)N_AGES * B * sizeof *asfr);
        memcpy(&srb[(size_t)step * B], r.srb, (size_t)B * sizeof *srb);
        rates[step] = (ps_ens_rates){ .surv = &surv[(size_t)step * cells],
                                      .mig = &mig[(size_t)step * cells],
                                      .asfr = &asfr[(size_t)step * N_AGES * B],
                                      .srb = &srb[(size_t)step * B], .per_traj = r.per_traj };
    }
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            one[(size_t)i * (size_t)B + (size_t)k] = f.in[k].base.count[i];
        }
    }
    memcpy(two, one, cells * sizeof *two);
    ps_ens *e1 = NULL, *e2 = NULL;
    ps_ens_options o1 = { .n_threads = 1 }, o2 = { .n_threads = 2, .batch = 8 };
    assert_ps_ok(ps_ens_new(&e1, B, N_AGES, &o1, &err), &err);
    assert_ps_ok(ps_ens_new(&e2, B, N_AGES, &o2, &err), &err);
    for (int step = 0; step < YEARS; ++step) {
        assert_ps_ok(ps_ens_step(e1, &rates[step], &one[(size_t)step * cells],
                                 &one[(size_t)(step + 1) * cells], NULL, &err), &err);
    }
    assert_ps_ok(ps_ens_run(e2, YEARS, rates, two, NULL, &err), &err);
    assert_memory_equal(one, two, (size_t)(YEARS + 1) * cells * sizeof *one);
    /* the rates made batch by batch by a callback: the same bytes again (batch 7: the last
     * batch is partial) */
    all_rates ar = { .rates = rates, .B = B };
    ps_ens *e3 = NULL;
    ps_ens_options o3 = { .n_threads = 2, .batch = 7 };
    assert_ps_ok(ps_ens_new(&e3, B, N_AGES, &o3, &err), &err);
    memset(&two[cells], 0, (size_t)YEARS * cells * sizeof *two);
    assert_ps_ok(ps_ens_run_fn(e3, YEARS, copy_batch_rates, &ar, rates[0].per_traj, two, NULL,
                               &err), &err);
    assert_memory_equal(one, two, (size_t)(YEARS + 1) * cells * sizeof *one);
    ps_ens_free(e3);
    /* the last year of the run is ccm's last year */
    assert_same_bits(two[(size_t)YEARS * cells + (size_t)(N_AGES + 30) * B + 5],
                     f.res[5].population[ps_result_cell(&f.res[5], YEARS, 0, PS_SEX_FEMALE, 30)],
                     "population", 5, YEARS, 30);
    surv[(size_t)17 * cells + (size_t)(N_AGES + 60) * B + 33] = NAN; /* step 17, traj 33 */
    assert_int_equal(ps_ens_run(e2, YEARS, rates, two, NULL, &err), PS_ENUMERIC);
    char buf[512];
    ps_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "step 17, trajectory 33, female, age 60"));
    ps_ens_free(e1);
    ps_ens_free(e2);
    free(one);
    free(two);
    free(surv);
    free(mig);
    free(asfr);
    free(srb);
    free(rates);
    fixture_free(&f);
}

/* The rates of all years of fixture f for ps_ens_run (arrays owned by the caller). */
typedef struct year_rates {
    double *surv, *mig, *asfr, *srb;
    ps_ens_rates *rates; /* [step] */
} year_rates;

static void year_rates_new(year_rates *y, fixture *f, int B)
{
    const size_t cells = (size_t)ROWS * (size_t)B;
    y->surv = malloc((size_t)YEARS * cells * sizeof *y->surv);
    y->mig = malloc((size_t)YEARS * cells * sizeof *y->mig);
    y->asfr = malloc((size_t)YEARS * N_AGES * (size_t)B * sizeof *y->asfr);
    y->srb = malloc((size_t)YEARS * (size_t)B * sizeof *y->srb);
    y->rates = malloc(YEARS * sizeof *y->rates);
    assert_true(y->surv && y->mig && y->asfr && y->srb && y->rates);
    for (int step = 0; step < YEARS; ++step) {
        ps_ens_rates r;
        rates_of_step(f, step, &r);
        memcpy(&y->surv[(size_t)step * cells], r.surv, cells * sizeof *y->surv);
        memcpy(&y->mig[(size_t)step * cells], r.mig, cells * sizeof *y->mig);
        memcpy(&y->asfr[(size_t)step * N_AGES * B], r.asfr, (size_t)N_AGES * B * sizeof *y->asfr);
        memcpy(&y->srb[(size_t)step * B], r.srb, (size_t)B * sizeof *y->srb);
        y->rates[step] = (ps_ens_rates){ .surv = &y->surv[(size_t)step * cells],
                                         .mig = &y->mig[(size_t)step * cells],
                                         .asfr = &y->asfr[(size_t)step * N_AGES * B],
                                         .srb = &y->srb[(size_t)step * B],
                                         .per_traj = r.per_traj };
    }
}

static void year_rates_free(year_rates *y)
{
    free(y->surv);
    free(y->mig);
    free(y->asfr);
    free(y->srb);
    free(y->rates);
}

/* A callback that fails for the tile holding trajectory 20 at step 9. */
static ps_status failing_rates(ps_ens_rates *out, const ps_ens_rates_buf *buf, int step,
                               int first, int n, void *ctx, ps_error *err)
{
    if (step == 9 && first <= 20 && 20 < first + n) {
        return ps_error_set(err, PS_EINVAL, "no rates");
    }
    return copy_batch_rates(out, buf, step, first, n, ctx, err);
}

/* ps_ens_advance_fn: the whole horizon tile by tile in the threads' own buffers gives the
 * bytes of the last year of ps_ens_run_fn for any thread count, batch and tile (partial
 * batches and tiles, a tile wider than the batch, in place); failures name step and
 * trajectory. */
static void test_ensemble__advance_equals_the_last_year_of_run(void **state)
{
    (void)state;
    ps_error err;
    const int B = 41;
    fixture f;
    fixture_new(&f, B);
    year_rates y;
    year_rates_new(&y, &f, B);
    const size_t cells = (size_t)ROWS * (size_t)B;
    double *all = malloc((size_t)(YEARS + 1) * cells * sizeof *all);
    double *base = malloc(cells * sizeof *base), *fin = malloc(cells * sizeof *fin);
    assert_true(all && base && fin);
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            base[(size_t)i * (size_t)B + (size_t)k] = f.in[k].base.count[i];
        }
    }
    memcpy(all, base, cells * sizeof *all);
    all_rates ar = { .rates = y.rates, .B = B };
    const unsigned pt = y.rates[0].per_traj;
    ps_ens *e = NULL;
    ps_ens_options o1 = { .n_threads = 1 };
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &o1, &err), &err);
    assert_ps_ok(ps_ens_run_fn(e, YEARS, copy_batch_rates, &ar, pt, all, NULL, &err), &err);
    ps_ens_free(e);
    const double *last = &all[(size_t)YEARS * cells];
    /* the engine's own last year: ccm's, bit for bit */
    assert_same_bits(last[(size_t)(N_AGES + 30) * B + 5],
                     f.res[5].population[ps_result_cell(&f.res[5], YEARS, 0, PS_SEX_FEMALE, 30)],
                     "population", 5, YEARS, 30);
    const ps_ens_options cfg[] = {
        { .n_threads = 1 }, { .n_threads = 2 }, { .n_threads = 2, .batch = 8, .tile = 3 },
        { .n_threads = 2, .batch = 7 }, { .n_threads = 2, .batch = 41, .tile = 5 },
        { .n_threads = 2, .batch = 10, .tile = 64 }, { .n_threads = 1, .finite_only = 1 },
        { .n_threads = 2, .batch = 13, .tile = 4, .finite_only = 1 }
    };
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; ++c) {
        assert_ps_ok(ps_ens_new(&e, B, N_AGES, &cfg[c], &err), &err);
        memset(fin, 0, cells * sizeof *fin);
        assert_ps_ok(ps_ens_advance_fn(e, YEARS, copy_batch_rates, &ar, pt, base, fin, &err),
                     &err);
        assert_memory_equal(last, fin, cells * sizeof *fin);
        if (c == 2) { /* in place */
            memcpy(fin, base, cells * sizeof *fin);
            assert_ps_ok(ps_ens_advance_fn(e, YEARS, copy_batch_rates, &ar, pt, fin, fin, &err),
                         &err);
            assert_memory_equal(last, fin, cells * sizeof *fin);
        }
        ps_ens_free(e);
    }
    char buf[512];
    ps_ens_options o2 = { .n_threads = 2, .batch = 8, .tile = 3 };
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &o2, &err), &err);
    assert_int_equal(ps_ens_advance_fn(e, YEARS, failing_rates, &ar, pt, base, fin, &err),
                     PS_EINVAL);
    ps_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "step 9: the rates of trajectories 19.."));
    y.surv[(size_t)17 * cells + (size_t)(N_AGES + 60) * B + 33] = NAN; /* step 17, traj 33 */
    assert_int_equal(ps_ens_advance_fn(e, YEARS, copy_batch_rates, &ar, pt, base, fin, &err),
                     PS_ENUMERIC);
    ps_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "step 17, trajectory 33, female, age 60"));
    ps_ens_free(e);
    ps_ens_options bad = { .n_threads = 1, .tile = -1 };
    assert_int_equal(ps_ens_new(&e, B, N_AGES, &bad, &err), PS_EINVAL);
    free(all);
    free(base);
    free(fin);
    year_rates_free(&y);
    fixture_free(&f);
}

/* What the hook of ps_ens_advance_hook saw, checked against ps_ens_run_fn's stored years.
 * Each tile writes only its own lanes of `seen` and `wrong` (the hook runs on several
 * threads at once). */
typedef struct hook_check {
    const double *all;  /* [year][row][B] ps_ens_run_fn's populations */
    const double *base; /* [row][B] the start, for the hook to fill when `from` is NULL */
    int B, fill;
    int *seen;          /* [year][B] calls per year and lane */
    int *wrong;         /* [B] cells that differ from `all` */
} hook_check;

static void check_year(int year, double *pop, int first, int n, void *ctx)
{
    hook_check *h = ctx;
    const size_t B = (size_t)h->B, L = (size_t)n;
    for (size_t r = 0; h->fill && year == 0 && r < ROWS; ++r) {
        memcpy(pop + r * L, h->base + r * B + (size_t)first, L * sizeof *pop);
    }
    const double *want = h->all + (size_t)year * ROWS * B;
    for (size_t r = 0; r < ROWS; ++r) {
        for (size_t j = 0; j < L; ++j) {
            h->wrong[(size_t)first + j] +=
                memcmp(&pop[r * L + j], &want[r * B + (size_t)first + j], sizeof *pop) != 0;
        }
    }
    for (size_t j = 0; j < L; ++j) {
        h->seen[(size_t)year * B + (size_t)first + j]++;
    }
}

/* ps_ens_advance_hook: the hook sees every year of every trajectory exactly once, with the
 * bytes of ps_ens_run_fn's stored years, and the events of each step are ps_ens_run_fn's,
 * for any thread count, batch and tile; with `from` NULL the hook fills the start; `to` is
 * the final year when given. */
static void test_ensemble__advance_hook_sees_every_year_of_run(void **state)
{
    (void)state;
    ps_error err;
    const int B = 37;
    fixture f;
    fixture_new(&f, B);
    year_rates y;
    year_rates_new(&y, &f, B);
    const size_t cells = (size_t)ROWS * (size_t)B, nb = (size_t)YEARS * PS_SEX_COUNT * (size_t)B;
    double *all = malloc((size_t)(YEARS + 1) * cells * sizeof *all);
    double *fin = malloc(cells * sizeof *fin);
    double *births_ref = malloc(nb * sizeof *births_ref), *births = malloc(nb * sizeof *births);
    double *adj_ref = malloc((size_t)YEARS * (size_t)B * sizeof *adj_ref);
    double *adj = malloc((size_t)YEARS * (size_t)B * sizeof *adj);
    int *seen = malloc((size_t)(YEARS + 1) * (size_t)B * sizeof *seen);
    int *wrong = malloc((size_t)B * sizeof *wrong);
    ps_ens_events ev_ref[YEARS], ev[YEARS];
    assert_true(all && fin && births_ref && births && adj_ref && adj && seen && wrong);
    for (int k = 0; k < B; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            all[(size_t)i * (size_t)B + (size_t)k] = f.in[k].base.count[i];
        }
    }
    for (int s = 0; s < YEARS; ++s) {
        const size_t at = (size_t)s * PS_SEX_COUNT * (size_t)B;
        ev_ref[s] = (ps_ens_events){ .births = births_ref + at,
                                     .adjustment = adj_ref + (size_t)s * (size_t)B };
        ev[s] = (ps_ens_events){ .births = births + at, .adjustment = adj + (size_t)s * (size_t)B };
    }
    all_rates ar = { .rates = y.rates, .B = B };
    const unsigned pt = y.rates[0].per_traj;
    ps_ens *e = NULL;
    ps_ens_options o1 = { .n_threads = 1 };
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &o1, &err), &err);
    assert_ps_ok(ps_ens_run_fn(e, YEARS, copy_batch_rates, &ar, pt, all, ev_ref, &err), &err);
    ps_ens_free(e);
    const ps_ens_options cfg[] = {
        { .n_threads = 1 }, { .n_threads = 2 }, { .n_threads = 2, .batch = 8, .tile = 3 },
        { .n_threads = 2, .batch = 10, .tile = 64, .finite_only = 1 }
    };
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; ++c) {
        hook_check h = { .all = all, .base = all, .B = B, .fill = c % 2 == 1, .seen = seen,
                         .wrong = wrong };
        memset(seen, 0, (size_t)(YEARS + 1) * (size_t)B * sizeof *seen);
        memset(wrong, 0, (size_t)B * sizeof *wrong);
        memset(births, 0, nb * sizeof *births);
        memset(fin, 0, cells * sizeof *fin);
        assert_ps_ok(ps_ens_new(&e, B, N_AGES, &cfg[c], &err), &err);
        assert_ps_ok(ps_ens_advance_hook(e, YEARS, copy_batch_rates, &ar, pt,
                                         h.fill ? NULL : all, c < 2 ? fin : NULL, ev,
                                         check_year, &h, &err), &err);
        ps_ens_free(e);
        for (int i = 0; i < (YEARS + 1) * B; ++i) {
            assert_int_equal(seen[i], 1);
        }
        for (int k = 0; k < B; ++k) {
            assert_int_equal(wrong[k], 0);
        }
        assert_memory_equal(births_ref, births, nb * sizeof *births);
        assert_memory_equal(adj_ref, adj, (size_t)YEARS * (size_t)B * sizeof *adj);
        if (c < 2) {
            assert_memory_equal(&all[(size_t)YEARS * cells], fin, cells * sizeof *fin);
        }
    }
    /* a wrong year is seen: the check can fail */
    all[(size_t)5 * cells + (size_t)(N_AGES + 20) * (size_t)B + 11] += 1.0;
    hook_check h = { .all = all, .base = all, .B = B, .seen = seen, .wrong = wrong };
    memset(wrong, 0, (size_t)B * sizeof *wrong);
    assert_ps_ok(ps_ens_new(&e, B, N_AGES, &o1, &err), &err);
    assert_ps_ok(ps_ens_advance_hook(e, YEARS, copy_batch_rates, &ar, pt, all, NULL, NULL,
                                     check_year, &h, &err), &err);
    ps_ens_free(e);
    assert_int_equal(wrong[11], 1);
    assert_int_equal(wrong[10], 0);
    free(all);
    free(fin);
    free(births_ref);
    free(births);
    free(adj_ref);
    free(adj);
    free(seen);
    free(wrong);
    year_rates_free(&y);
    fixture_free(&f);
}

/* finite_only skips the identity test, not the arithmetic: the same bytes; a non-finite
 * count is still caught and named. */
static void test_ensemble__finite_only_gives_the_same_bytes_and_catches_nan(void **state)
{
    (void)state;
    ps_error err;
    fixture f;
    fixture_new(&f, 100);
    const size_t bytes = (size_t)ROWS * 100 * sizeof(double);
    double *checked = final_population(&f, 2, 0, 0);
    double *finite = final_population(&f, 2, 0, 1);
    assert_memory_equal(checked, finite, bytes);
    free(checked);
    free(finite);

    double *from = malloc(bytes), *to = malloc(bytes);
    assert_non_null(to);
    for (int k = 0; k < 100; ++k) {
        for (int i = 0; i < ROWS; ++i) {
            from[(size_t)i * 100 + (size_t)k] = f.in[k].base.count[i];
        }
    }
    from[(size_t)(N_AGES + 70) * 100 + 57] = INFINITY; /* women aged 70, trajectory 57 */
    ps_ens_rates r;
    rates_of_step(&f, 0, &r);
    ps_ens_options opt = { .n_threads = 2, .batch = 16, .finite_only = 1 };
    ps_ens *e = NULL;
    assert_ps_ok(ps_ens_new(&e, 100, N_AGES, &opt, &err), &err);
    assert_int_equal(ps_ens_step(e, &r, from, to, NULL, &err), PS_ENUMERIC);
    char buf[512];
    ps_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "trajectory 57, female, age 71"));
    ps_ens_free(e);
    free(from);
    free(to);
    fixture_free(&f);
}

static void test_ensemble__bad_shapes_and_options_are_refused(void **state)
{
    (void)state;
    ps_error err;
    ps_ens *e = (ps_ens *)&err;
    assert_int_equal(ps_ens_new(&e, 0, N_AGES, NULL, &err), PS_EINVAL);
    assert_null(e);
    assert_int_equal(ps_ens_new(&e, 10, 1, NULL, &err), PS_EINVAL);
    ps_ens_options opt = { .n_threads = -1, .batch = 0 };
    assert_int_equal(ps_ens_new(&e, 10, N_AGES, &opt, &err), PS_EINVAL);
    opt = (ps_ens_options){ .n_threads = 1, .batch = PS_ENS_BATCH_MAX + 1 };
    assert_int_equal(ps_ens_new(&e, 10, N_AGES, &opt, &err), PS_EINVAL);
    assert_null(e);
    /* an advance with neither a start population nor a hook to fill it */
    double to[PS_SEX_COUNT * N_AGES * 10];
    assert_ps_ok(ps_ens_new(&e, 10, N_AGES, NULL, &err), &err);
    assert_int_equal(ps_ens_advance_fn(e, 1, copy_batch_rates, NULL, 0, NULL, to, &err),
                     PS_EINVAL);
    assert_non_null(strstr(err.msg, "needs a start population"));
    assert_int_equal(ps_ens_advance_hook(e, 1, copy_batch_rates, NULL, 0, NULL, to, NULL, NULL,
                                         NULL, &err), PS_EINVAL);
    ps_ens_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ensemble__one_trajectory_equals_the_ccm_engine_bit_for_bit),
        cmocka_unit_test(test_ensemble__each_trajectory_with_its_own_rates_equals_ccm),
        cmocka_unit_test(test_ensemble__emigration_shortfall_matches_ccm),
        cmocka_unit_test(test_ensemble__shared_rates_equal_ccm),
        cmocka_unit_test(test_ensemble__one_and_two_threads_give_identical_results),
        cmocka_unit_test(test_ensemble__a_broken_identity_names_the_trajectory),
        cmocka_unit_test(test_ensemble__run_equals_step_by_step),
        cmocka_unit_test(test_ensemble__advance_equals_the_last_year_of_run),
        cmocka_unit_test(test_ensemble__advance_hook_sees_every_year_of_run),
        cmocka_unit_test(test_ensemble__finite_only_gives_the_same_bytes_and_catches_nan),
        cmocka_unit_test(test_ensemble__bad_shapes_and_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
