/*
 * bench_ensemble.c - speed of the ensemble step (ensemble.h) in trajectory-years per second,
 * on 1 and 2 threads, against two loops measured in the same run (printed, never asserted):
 *   - "ps_proj_step": the existing engine, one trajectory at a time (OpenMP over
 *     trajectories for 2 threads) - the figure before the ensemble kernel;
 *   - "reference loop": the straightforward step written here, trajectories outermost
 *     ([traj][sex][age]), no checks, no events but births (issue #18's reference loop).
 * Every trajectory has its own survivorship (mortality scaled by a factor) and ASFR (scaled
 * by a factor), as a probabilistic projection of TFR and e0 would prepare them; migration
 * and SRB are shared (a second table shares all rates). For ps_ens_step and the loops the
 * rates are prepared per step outside the timed region; ps_ens_run takes every year's rates
 * prepared beforehand and keeps every year (main memory, not cache); ps_ens_run_fn makes the
 * rates per batch inside the run (timed). Each figure is the best of ROUNDS interleaved
 * rounds (each method once per round, PASSES passes over the whole horizon), so that all
 * methods see the same machine; the third and fourth columns are the 1- and 2-thread rates
 * per CPU second of the process (the machine is shared: wall time also counts other
 * programs' turns, and a thread waiting at a barrier for a descheduled one spins on CPU).
 * "Whole horizon" methods carry each trajectory (the reference loop) or tile of trajectories
 * (ps_ens_advance_fn) through all the years on one thread, with its rates made just before
 * each step inside the timed region, keeping only the final year: the target of issue #18.
 * env: BENCH_METHODS=name,... runs only those methods (names in main(); for perf record);
 *      BENCH_HUGE=1 puts ps_ens_run's arrays of all years on transparent huge pages.
 * usage: bench_ensemble WPP_DIR LOCATION [TRAJECTORIES] [PASSES] [ROUNDS] [BATCH] [TILE]
 */
#define _GNU_SOURCE /* MADV_HUGEPAGE (Linux) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "popsim/ensemble.h"
#include "popsim/proj.h"
#include "popsim/units.h"
#include "popsim/wpp.h"

#define BENCH_NAME "bench_ensemble"
#include "bench_util.h"

typedef struct bench {
    const ps_inputs *in;
    const ps_proj *p;
    int B, n, steps, passes, rounds, batch, tile;
    double *mort_k, *fert_k; /* [traj] factors */
    double *cpu;             /* out: the CPU seconds of the last run_* call */
} bench;

/* Survivorship of trajectory k: 1 - (1 - S) m_k (mortality scaled). */
static double surv_k(const bench *b, int step, int sex, int age, int k)
{
    const double S = ps_proj_survivorship(b->p, step, 0, (ps_sex)sex)[age];
    return 1.0 - (1.0 - S) * b->mort_k[k];
}

static double asfr_k(const bench *b, int step, int age, int k)
{
    return b->in->asfr[ps_inputs_asfr_idx(b->in, step, 0, age)] * b->fert_k[k];
}

/* 1 if `name` is an item of the comma-separated `list`. */
static int listed(const char *list, const char *name)
{
    const size_t len = strlen(name);
    for (const char *p = list; *p != '\0';) {
        const char *end = strchr(p, ',');
        const size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0) {
            return 1;
        }
        p += n + (end != NULL);
    }
    return 0;
}

/* One line of the table: the four rates of a method, or (den != NULL) their ratios to another
 * method's; "-" for a method not measured (BENCH_METHODS). */
static void print_row(const char *label, const double *num, const double *den)
{
    printf("%-46s", label);
    for (int c = 0; c < 4; ++c) {
        const int measured = num[c] > 0.0 && (den == NULL || den[c] > 0.0);
        if (measured) {
            printf(" %8.2f", den != NULL ? num[c] / den[c] : num[c]);
        } else {
            printf(" %8s", "-");
        }
    }
    printf("\n");
}

/* An array of all years (main memory): with BENCH_HUGE=1 on transparent huge pages
 * (2 MiB-aligned, madvise MADV_HUGEPAGE), else plain malloc. Freed with free(). */
static void *xmalloc_big(size_t bytes)
{
    const char *huge = getenv("BENCH_HUGE");
    if (huge == NULL || strcmp(huge, "1") != 0) {
        return xmalloc(bytes);
    }
    const size_t align = (size_t)2 << 20;
    void *p = aligned_alloc(align, (bytes + align - 1) / align * align);
    if (p == NULL) {
        return xmalloc(bytes);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, (bytes + align - 1) / align * align, MADV_HUGEPAGE);
#endif
    return p;
}

/* Wall and CPU seconds of the timed parts of one run_* call, summed over its passes. */
typedef struct stopwatch {
    double wall, cpu, wall0, cpu0;
} stopwatch;

static void stopwatch_start(stopwatch *w)
{
    w->wall0 = now();
    w->cpu0 = cpu_now();
}

static void stopwatch_stop(stopwatch *w)
{
    w->wall += now() - w->wall0;
    w->cpu += cpu_now() - w->cpu0;
}

/* What a run_* call returns: its wall seconds, with its CPU seconds in *b->cpu. */
static double stopwatch_result(const bench *b, const stopwatch *w)
{
    *b->cpu = w->cpu;
    return w->wall;
}

/* Every trajectory at the base population: pop[row][traj] (the ensemble's layout). */
static void fill_base_by_row(const bench *b, double *pop)
{
    const int rows = PS_SEX_COUNT * b->n;
    for (int i = 0; i < rows; ++i) {
        for (int k = 0; k < b->B; ++k) {
            pop[(size_t)i * b->B + k] = b->in->base.count[i];
        }
    }
}

/* Every trajectory at the base population: pop[traj][row] (one trajectory at a time). */
static void fill_base_by_traj(const bench *b, double *pop)
{
    const int rows = PS_SEX_COUNT * b->n;
    for (int k = 0; k < b->B; ++k) {
        memcpy(&pop[(size_t)k * rows], b->in->base.count, (size_t)rows * sizeof *pop);
    }
}

static void swap_buffers(double **from, double **to)
{
    double *tmp = *from;
    *from = *to;
    *to = tmp;
}

/* ---- the ensemble kernel ---------------------------------------------------------------- */

static double run_ensemble(const bench *b, int threads, int keep_all, int per_traj,
                           int finite_only)
{
    const int B = b->B, n = b->n, rows = PS_SEX_COUNT * n;
    const size_t cells = (size_t)rows * (size_t)B;
    double *from = xmalloc(cells * sizeof *from), *to = xmalloc(cells * sizeof *to);
    double *surv = xmalloc(cells * sizeof *surv), *asfr = xmalloc((size_t)n * B * sizeof *asfr);
    double *births = xmalloc(2 * (size_t)B * sizeof *births), *adj = xmalloc((size_t)B * 8);
    double *deaths = keep_all ? xmalloc(cells * sizeof *deaths) : NULL;
    double *mig = keep_all ? xmalloc(cells * sizeof *mig) : NULL;
    ps_error err;
    ps_ens_options opt = { .n_threads = threads, .batch = b->batch, .finite_only = finite_only };
    double *surv0 = xmalloc((size_t)rows * sizeof *surv0);
    ps_ens *e = NULL;
    if (ps_ens_new(&e, B, n, &opt, &err) != PS_OK) {
        die(&err);
    }
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        fill_base_by_row(b, from);
        for (int s = 0; s < b->steps; ++s) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < n; ++age) {
                    surv0[sex * n + age] = surv_k(b, s, sex, age, B / 2);
                    for (int k = 0; per_traj && k < B; ++k) {
                        surv[((size_t)sex * n + age) * B + k] = surv_k(b, s, sex, age, k);
                    }
                }
            }
            for (int age = 0; per_traj && age < n; ++age) {
                for (int k = 0; k < B; ++k) {
                    asfr[(size_t)age * B + k] = asfr_k(b, s, age, k);
                }
            }
            const double *asfr0 = &b->in->asfr[ps_inputs_asfr_idx(b->in, s, 0, 0)];
            ps_ens_rates r = { .surv = per_traj ? surv : surv0,
                               .asfr = per_traj ? asfr : asfr0,
                               .srb = &b->in->srb[s],
                               .mig = &b->in->mig[ps_inputs_idx(b->in, s, 0, 0, 0)],
                               .per_traj = per_traj ? PS_ENS_SURV | PS_ENS_ASFR : 0u };
            ps_ens_events ev = { .births = births, .deaths = deaths, .net_migration = mig,
                                 .adjustment = adj };
            stopwatch_start(&sw);
            if (ps_ens_step(e, &r, from, to, &ev, &err) != PS_OK) {
                die(&err);
            }
            stopwatch_stop(&sw);
            swap_buffers(&from, &to);
        }
    }
    ps_ens_free(e);
    free(from); free(to); free(surv); free(asfr); free(births); free(adj); free(deaths); free(mig);
    free(surv0);
    return stopwatch_result(b, &sw);
}

/* ps_ens_run: all years in one call; the rates of every year are prepared beforehand and all
 * the years' populations kept, so it reads and writes main memory, not cache. */
static double run_ensemble_run(const bench *b, int threads, int finite_only)
{
    const int B = b->B, n = b->n, rows = PS_SEX_COUNT * n, steps = b->steps;
    const size_t cells = (size_t)rows * (size_t)B;
    double *pop = xmalloc_big((size_t)(steps + 1) * cells * sizeof *pop);
    double *surv = xmalloc_big((size_t)steps * cells * sizeof *surv);
    double *asfr = xmalloc_big((size_t)steps * n * B * sizeof *asfr);
    ps_ens_rates *rates = xmalloc((size_t)steps * sizeof *rates);
    for (int s = 0; s < steps; ++s) {
        double *S = &surv[(size_t)s * cells], *f = &asfr[(size_t)s * n * B];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < n; ++age) {
                for (int k = 0; k < B; ++k) {
                    S[((size_t)sex * n + age) * B + k] = surv_k(b, s, sex, age, k);
                }
            }
        }
        for (int age = 0; age < n; ++age) {
            for (int k = 0; k < B; ++k) {
                f[(size_t)age * B + k] = asfr_k(b, s, age, k);
            }
        }
        rates[s] = (ps_ens_rates){ .surv = S, .asfr = f, .srb = &b->in->srb[s],
                                   .mig = &b->in->mig[ps_inputs_idx(b->in, s, 0, 0, 0)],
                                   .per_traj = PS_ENS_SURV | PS_ENS_ASFR };
    }
    ps_error err;
    ps_ens_options opt = { .n_threads = threads, .batch = b->batch, .finite_only = finite_only };
    ps_ens *e = NULL;
    if (ps_ens_new(&e, B, n, &opt, &err) != PS_OK) {
        die(&err);
    }
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        memset(pop, 0, (size_t)(steps + 1) * cells * sizeof *pop); /* page faults untimed */
        fill_base_by_row(b, pop);
        stopwatch_start(&sw);
        if (ps_ens_run(e, steps, rates, pop, NULL, &err) != PS_OK) {
            die(&err);
        }
        stopwatch_stop(&sw);
    }
    ps_ens_free(e);
    free(pop); free(surv); free(asfr); free(rates);
    return stopwatch_result(b, &sw);
}

/* The callback of ps_ens_run_fn: survivorship and ASFR of trajectories first .. first+n-1
 * made from the step's life table and the trajectory's factors (shared migration and SRB). */
static ps_status make_rates(ps_ens_rates *out, const ps_ens_rates_buf *buf, int step, int first,
                            int n, void *ctx, ps_error *err)
{
    const bench *b = ctx;
    (void)err;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const double *S = ps_proj_survivorship(b->p, step, 0, (ps_sex)sex);
        for (int age = 0; age < b->n; ++age) {
            double *row = &buf->surv[((size_t)sex * b->n + age) * n];
            for (int j = 0; j < n; ++j) {
                row[j] = 1.0 - (1.0 - S[age]) * b->mort_k[first + j];
            }
        }
    }
    const double *f = &b->in->asfr[ps_inputs_asfr_idx(b->in, step, 0, 0)];
    for (int age = 0; age < b->n; ++age) {
        for (int j = 0; j < n; ++j) {
            buf->asfr[(size_t)age * n + j] = f[age] * b->fert_k[first + j];
        }
    }
    out->srb = &b->in->srb[step];
    out->mig = &b->in->mig[ps_inputs_idx(b->in, step, 0, 0, 0)];
    return PS_OK;
}

/* ps_ens_run_fn: the rates made batch by batch inside the run (their making is timed). */
static double run_ensemble_fn(const bench *b, int threads, int finite_only)
{
    const int B = b->B, rows = PS_SEX_COUNT * b->n, steps = b->steps;
    const size_t cells = (size_t)rows * (size_t)B;
    double *pop = xmalloc_big((size_t)(steps + 1) * cells * sizeof *pop);
    ps_error err;
    ps_ens_options opt = { .n_threads = threads, .batch = b->batch, .finite_only = finite_only };
    ps_ens *e = NULL;
    if (ps_ens_new(&e, B, b->n, &opt, &err) != PS_OK) {
        die(&err);
    }
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        memset(pop, 0, (size_t)(steps + 1) * cells * sizeof *pop); /* page faults untimed */
        fill_base_by_row(b, pop);
        stopwatch_start(&sw);
        if (ps_ens_run_fn(e, steps, make_rates, (void *)b, PS_ENS_SURV | PS_ENS_ASFR, pop,
                          NULL, &err) != PS_OK) {
            die(&err);
        }
        stopwatch_stop(&sw);
    }
    ps_ens_free(e);
    free(pop);
    return stopwatch_result(b, &sw);
}

/* ps_ens_advance_fn: the whole horizon per batch, tile by tile in the thread's own buffers,
 * rates made per tile inside the run (timed), only the final year kept. */
static double run_ensemble_advance(const bench *b, int threads, int finite_only)
{
    const int B = b->B, rows = PS_SEX_COUNT * b->n;
    const size_t cells = (size_t)rows * (size_t)B;
    double *pop = xmalloc(cells * sizeof *pop), *fin = xmalloc(cells * sizeof *fin);
    ps_error err;
    ps_ens_options opt = { .n_threads = threads, .batch = b->batch, .finite_only = finite_only,
                           .tile = b->tile };
    ps_ens *e = NULL;
    if (ps_ens_new(&e, B, b->n, &opt, &err) != PS_OK) {
        die(&err);
    }
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        fill_base_by_row(b, pop);
        stopwatch_start(&sw);
        if (ps_ens_advance_fn(e, b->steps, make_rates, (void *)b, PS_ENS_SURV | PS_ENS_ASFR,
                              pop, fin, &err) != PS_OK) {
            die(&err);
        }
        stopwatch_stop(&sw);
    }
    ps_ens_free(e);
    free(pop);
    free(fin);
    return stopwatch_result(b, &sw);
}

/* ---- the reference loop: straightforward, trajectory by trajectory ---------------------- */

static void reference_step(int n, const double *P, double *out, const double *S,
                           const double *f, double srb, const double *M, double *births)
{
    const double h = PS_MID_YEAR_FRACTION;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const double *Ps = P + sex * n, *Ss = S + sex * n, *Ms = M + sex * n;
        double *o = out + sex * n;
        for (int a = 1; a < n - 1; ++a) {
            o[a] = (Ps[a - 1] + h * Ms[a - 1]) * Ss[a] + h * Ms[a];
        }
        o[n - 1] = (Ps[n - 2] + h * Ms[n - 2] + Ps[n - 1] + h * Ms[n - 1]) * Ss[n - 1] +
                   h * Ms[n - 1];
    }
    const double *F0 = P + PS_SEX_FEMALE * n, *F1 = out + PS_SEX_FEMALE * n;
    double bt = 0.0;
    for (int x = PS_FERTILE_AGE_MIN; x <= PS_FERTILE_AGE_MAX; ++x) {
        bt += f[x] * h * (F0[x] + F1[x]);
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        births[sex] = bt * (sex == PS_SEX_MALE ? srb : 1.0) / (1.0 + srb);
        out[sex * n] = births[sex] * S[sex * n] + h * M[sex * n];
    }
}

static double run_reference(const bench *b, int threads, int per_traj)
{
    const int B = b->B, n = b->n, rows = PS_SEX_COUNT * n;
    const size_t cells = (size_t)rows * (size_t)B;
    double *from = xmalloc(cells * sizeof *from), *to = xmalloc(cells * sizeof *to);
    double *surv = xmalloc(cells * sizeof *surv), *asfr = xmalloc((size_t)n * B * sizeof *asfr);
    double *births = xmalloc(2 * (size_t)B * sizeof *births);
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        fill_base_by_traj(b, from);
        for (int s = 0; s < b->steps; ++s) {
            for (int k = 0; k < (per_traj ? B : 1); ++k) {
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    for (int age = 0; age < n; ++age) {
                        surv[(size_t)k * rows + sex * n + age] = surv_k(b, s, sex, age, k);
                    }
                }
                for (int age = 0; age < n; ++age) {
                    asfr[(size_t)k * n + age] = asfr_k(b, s, age, k);
                }
            }
            const double srb = b->in->srb[s];
            const double *M = &b->in->mig[ps_inputs_idx(b->in, s, 0, 0, 0)];
            stopwatch_start(&sw);
#pragma omp parallel for num_threads(threads) schedule(static)
            for (int k = 0; k < B; ++k) {
                const size_t kr = per_traj ? (size_t)k : 0;
                reference_step(n, &from[(size_t)k * rows], &to[(size_t)k * rows],
                               &surv[kr * rows], &asfr[kr * n], srb, M, &births[2 * k]);
            }
            stopwatch_stop(&sw);
            swap_buffers(&from, &to);
        }
    }
    free(from); free(to); free(surv); free(asfr); free(births);
    return stopwatch_result(b, &sw);
}

/* The reference loop over the whole horizon: each thread takes trajectories and carries each
 * through all the years, making its rates for the year just before its step (timed, as in
 * ps_ens_advance_fn): no barrier per year, only the final year kept. */
static double run_reference_horizon(const bench *b, int threads)
{
    const int B = b->B, n = b->n, rows = PS_SEX_COUNT * n;
    const size_t cells = (size_t)rows * (size_t)B;
    double *pop = xmalloc(cells * sizeof *pop);
    double *work = xmalloc((size_t)threads * (size_t)(3 * rows + n + 2) * sizeof *work);
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        fill_base_by_traj(b, pop);
        stopwatch_start(&sw);
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int k = 0; k < B; ++k) {
            double *w = work + (size_t)omp_get_thread_num() * (size_t)(3 * rows + n + 2);
            double *P = w, *Q = w + rows, *S = w + 2 * rows, *f = S + rows, *bt = f + n;
            memcpy(P, &pop[(size_t)k * rows], (size_t)rows * sizeof *P);
            for (int s = 0; s < b->steps; ++s) {
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    const double *S0 = ps_proj_survivorship(b->p, s, 0, (ps_sex)sex);
                    for (int age = 0; age < n; ++age) {
                        S[sex * n + age] = 1.0 - (1.0 - S0[age]) * b->mort_k[k];
                    }
                }
                const double *f0 = &b->in->asfr[ps_inputs_asfr_idx(b->in, s, 0, 0)];
                for (int age = 0; age < n; ++age) {
                    f[age] = f0[age] * b->fert_k[k];
                }
                reference_step(n, P, Q, S, f, b->in->srb[s],
                               &b->in->mig[ps_inputs_idx(b->in, s, 0, 0, 0)], bt);
                double *tmp = P;
                P = Q;
                Q = tmp;
            }
            memcpy(&pop[(size_t)k * rows], P, (size_t)rows * sizeof *P);
        }
        stopwatch_stop(&sw);
    }
    free(pop);
    free(work);
    return stopwatch_result(b, &sw);
}

/* ---- the existing engine, one trajectory at a time --------------------------------------- */

static double run_proj_step(const bench *b, int threads)
{
    const int B = b->B, n = b->n, rows = PS_SEX_COUNT * n;
    const size_t cells = (size_t)rows * (size_t)B;
    double *from = xmalloc(cells * sizeof *from), *to = xmalloc(cells * sizeof *to);
    double *deaths = xmalloc(cells * sizeof *deaths), *mig = xmalloc(cells * sizeof *mig);
    double *births = xmalloc(2 * (size_t)B * sizeof *births);
    int failed = 0;
    stopwatch sw = { 0 };
    for (int pass = 0; pass < b->passes; ++pass) {
        fill_base_by_traj(b, from);
        for (int s = 0; s < b->steps; ++s) {
            stopwatch_start(&sw);
#pragma omp parallel for num_threads(threads) schedule(static) reduction(| : failed)
            for (int k = 0; k < B; ++k) {
                ps_error kerr;
                ps_proj_events ev = { .births = &births[2 * k],
                                      .deaths = &deaths[(size_t)k * rows],
                                      .net_migration = &mig[(size_t)k * rows] };
                failed |= ps_proj_step(b->p, s, &from[(size_t)k * rows],
                                       &to[(size_t)k * rows], &ev, &kerr) != PS_OK;
            }
            stopwatch_stop(&sw);
            swap_buffers(&from, &to);
        }
    }
    free(from); free(to); free(deaths); free(mig); free(births);
    if (failed) {
        fprintf(stderr, "bench_ensemble: ps_proj_step failed\n");
        exit(1);
    }
    return stopwatch_result(b, &sw);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ensemble WPP_DIR LOCATION [TRAJECTORIES] [PASSES] [ROUNDS] "
                        "[BATCH] [TILE]\n");
        return 2;
    }
    ps_error err;
    char name[128], cache[] = "/tmp/popsim_bench_ens_XXXXXX";
    int code = 0;
    if (mkdtemp(cache) == NULL) {
        return 1;
    }
    if (ps_wpp_lookup(&code, name, sizeof name, argv[1], argv[2], &err) != PS_OK) {
        die(&err);
    }
    ps_wpp_location *loc = xmalloc(sizeof *loc);
    if (ps_wpp_load(loc, argv[1], code, cache, &err) != PS_OK) {
        die(&err);
    }
    ps_inputs in;
    if (ps_wpp_inputs(&in, loc, 2025, 2100, &err) != PS_OK) {
        die(&err);
    }
    ps_proj *p = NULL;
    if (ps_proj_new(&p, &in, &err) != PS_OK) {
        die(&err);
    }
    bench b = { .in = &in, .p = p, .n = in.n_ages, .steps = ps_inputs_steps(&in),
                .B = argc > 3 ? atoi(argv[3]) : 1000, .passes = argc > 4 ? atoi(argv[4]) : 1,
                .rounds = argc > 5 ? atoi(argv[5]) : 7, .batch = argc > 6 ? atoi(argv[6]) : 0,
                .tile = argc > 7 ? atoi(argv[7]) : 0 };
    if (b.B < 1 || b.passes < 1 || b.rounds < 1) {
        fprintf(stderr, "bench_ensemble: TRAJECTORIES, PASSES and ROUNDS must be >= 1\n");
        return 2;
    }
    b.mort_k = xmalloc((size_t)b.B * sizeof *b.mort_k);
    b.fert_k = xmalloc((size_t)b.B * sizeof *b.fert_k);
    for (int k = 0; k < b.B; ++k) {
        double u = (k + 0.5) / b.B - 0.5; /* -0.5 .. 0.5 */
        b.mort_k[k] = 1.0 + 0.4 * u;
        b.fert_k[k] = 1.0 + 0.5 * u;
    }
    const double ty = (double)b.B * b.steps * b.passes; /* trajectory-years per round */
    printf("location %s (%d): %d trajectories x %d years, best of %d interleaved rounds of %d "
           "pass(es)\n",
           name, code, b.B, b.steps, b.rounds, b.passes);
    printf("%-46s %8s %8s %8s %8s\n", "M trajectory-years per second", "wall 1th", "wall 2th",
           "cpu 1th", "cpu 2th");
    /* every method at 1 then 2 threads, all in this one run */
    /* Interleaved: every round runs each method once (PASSES passes), so all see the same
     * machine; the best round of each counts. */
    enum { PROJ, REF_P, ENS_P, FIN_P, ALL_P, RUN_P, RFN_P, FN_P, FNF_P, REF_H, ADV_P, ADVF_P,
           REF_S, ENS_S, FIN_S, N_METHODS };
    static const char *const method_name[N_METHODS] = {
        "proj", "ref", "step", "step_fin", "step_all", "run", "run_fin", "fn", "fn_fin",
        "ref_horizon", "adv", "adv_fin", "ref_shared", "step_shared", "step_shared_fin"
    };
    /* BENCH_METHODS=name,name,...: run only those (for perf record); default all */
    const char *only = getenv("BENCH_METHODS");
    double best[N_METHODS][2], best_cpu[N_METHODS][2], cpu = 0.0;
    bench one = b;
    one.cpu = &cpu;
    for (int m = 0; m < N_METHODS; ++m) {
        best[m][0] = best[m][1] = best_cpu[m][0] = best_cpu[m][1] = 1e300;
    }
    for (int round = 0; round < b.rounds; ++round) {
        for (int m = 0; m < N_METHODS; ++m) {
            if (only != NULL && !listed(only, method_name[m])) {
                continue;
            }
            for (int th = 0; th < 2; ++th) {
                double t = m == PROJ    ? run_proj_step(&one, th + 1)
                           : m == REF_P ? run_reference(&one, th + 1, 1)
                           : m == ENS_P ? run_ensemble(&one, th + 1, 0, 1, 0)
                           : m == FIN_P ? run_ensemble(&one, th + 1, 0, 1, 1)
                           : m == ALL_P ? run_ensemble(&one, th + 1, 1, 1, 0)
                           : m == RUN_P ? run_ensemble_run(&one, th + 1, 0)
                           : m == RFN_P ? run_ensemble_run(&one, th + 1, 1)
                           : m == FN_P  ? run_ensemble_fn(&one, th + 1, 0)
                           : m == FNF_P ? run_ensemble_fn(&one, th + 1, 1)
                           : m == REF_H ? run_reference_horizon(&one, th + 1)
                           : m == ADV_P ? run_ensemble_advance(&one, th + 1, 0)
                           : m == ADVF_P ? run_ensemble_advance(&one, th + 1, 1)
                           : m == REF_S ? run_reference(&one, th + 1, 0)
                           : m == ENS_S ? run_ensemble(&one, th + 1, 0, 0, 0)
                                        : run_ensemble(&one, th + 1, 0, 0, 1);
                best[m][th] = t < best[m][th] ? t : best[m][th];
                best_cpu[m][th] = cpu < best_cpu[m][th] ? cpu : best_cpu[m][th];
            }
        }
    }
    double rate[N_METHODS][4];
    for (int m = 0; m < N_METHODS; ++m) {
        rate[m][0] = ty / best[m][0] / 1e6;
        rate[m][1] = ty / best[m][1] / 1e6;
        rate[m][2] = ty / best_cpu[m][0] / 1e6;
        rate[m][3] = ty / best_cpu[m][1] / 1e6;
        if (best[m][0] >= 1e300) { /* not measured */
            rate[m][0] = rate[m][1] = rate[m][2] = rate[m][3] = 0.0;
        }
    }
    print_row("ps_proj_step, one trajectory at a time", rate[PROJ], NULL);
    printf("rates per trajectory (survivorship, ASFR):\n");
    print_row("  reference loop (plain, no checks)", rate[REF_P], NULL);
    print_row("  ps_ens_step (births + adjustment kept)", rate[ENS_P], NULL);
    print_row("  ps_ens_step, finite_only", rate[FIN_P], NULL);
    print_row("  ps_ens_step (all events kept)", rate[ALL_P], NULL);
    print_row("  ps_ens_run (all years in one call)", rate[RUN_P], NULL);
    print_row("  ps_ens_run, finite_only", rate[RFN_P], NULL);
    print_row("  ps_ens_run_fn (rates made per batch, timed)", rate[FN_P], NULL);
    print_row("  ps_ens_run_fn, finite_only", rate[FNF_P], NULL);
    print_row("  ratio ps_ens_step / reference loop", rate[ENS_P], rate[REF_P]);
    print_row("  ratio finite_only / reference loop", rate[FIN_P], rate[REF_P]);
    printf("whole horizon per thread, rates made inside (timed), final year kept:\n");
    print_row("  reference loop, trajectory by trajectory", rate[REF_H], NULL);
    print_row("  ps_ens_advance_fn (identity checked)", rate[ADV_P], NULL);
    print_row("  ps_ens_advance_fn, finite_only", rate[ADVF_P], NULL);
    print_row("  ratio advance_fn / reference loop", rate[ADV_P], rate[REF_H]);
    print_row("  ratio advance_fn finite_only / reference", rate[ADVF_P], rate[REF_H]);
    printf("rates shared by all trajectories:\n");
    print_row("  reference loop (plain, no checks)", rate[REF_S], NULL);
    print_row("  ps_ens_step (births + adjustment kept)", rate[ENS_S], NULL);
    print_row("  ps_ens_step, finite_only", rate[FIN_S], NULL);
    print_row("  ratio ps_ens_step / reference loop", rate[ENS_S], rate[REF_S]);
    print_row("ratio ps_ens_step (per traj) / ps_proj_step", rate[ENS_P], rate[PROJ]);
    print_row("ratio ps_ens_run / reference loop (per traj)", rate[RUN_P], rate[REF_P]);
    print_row("ratio ps_ens_run_fn / reference loop (per traj)", rate[FN_P], rate[REF_P]);
    print_row("ratio run_fn finite_only / reference loop", rate[FNF_P], rate[REF_P]);
    printf("target >= 10 M trajectory-years/s on 2 threads (rates per trajectory): "
           "ps_ens_step %s, ps_ens_run_fn %s, ps_ens_run_fn finite_only %s, "
           "ps_ens_advance_fn finite_only %s (wall; per CPU second x 2: %.2f)\n",
           rate[ENS_P][1] >= 10.0 ? "met" : "NOT met", rate[FN_P][1] >= 10.0 ? "met" : "NOT met",
           rate[FNF_P][1] >= 10.0 ? "met" : "NOT met", rate[ADVF_P][1] >= 10.0 ? "met" : "NOT met",
           2.0 * rate[ADVF_P][3]);
    free(b.mort_k);
    free(b.fert_k);
    ps_proj_free(p);
    ps_inputs_release(&in);
    free(loc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
    return system(cmd) == 0 ? 0 : 1;
}
