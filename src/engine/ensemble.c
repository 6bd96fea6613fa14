/*
 * ensemble.c - the cohort-component step of ccm.c for a batch of trajectories at once.
 *
 * Every array is [...][traj]: a "row" is one (sex, age) cell for all trajectories. The
 * kernel walks rows and, within a row, the lanes (trajectories) of one batch with stride 1,
 * so the inner loops vectorise without reassociating anything: each trajectory sees the
 * same floating-point operations in the same order as survive(), births_step() and the
 * age-0 step of ccm.c (the sums over ages of births and of the emigration shortfall run
 * row after row, i.e. age after age, per lane). Branches of ccm.c become selects
 * (x < 0 ? -x : 0.0), which give the same values: 0.0 + f == f and f + 0.0 == f for the
 * non-negative f involved. The accounting identity of docs/model.md sec. 2.4 is checked
 * per cell as in ccm.c, with a branch-free flag per lane.
 *
 * The lane kernels take stride-1, restrict-qualified rows; a rate shared by all
 * trajectories is one value, read outside the lanes (each case is its own loop).
 */
#include "popsim/ensemble.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/pop.h"
#include "popsim/units.h"

/*
 * The lane kernels are compiled for AVX-512, AVX2 and the baseline, chosen at load time
 * (GCC function multi-versioning). The results are the same bits on each: the same IEEE
 * operations in the same order, and no contraction into fused multiply-adds (ISO C mode,
 * -ffp-contract=off).
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define PS_ENS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PS_ENS_CLONES
#endif
#if defined(__GNUC__)
#define PS_ENS_INLINE inline __attribute__((always_inline))
#else
#define PS_ENS_INLINE inline
#endif

/* Relative tolerance of the accounting identity: the value of ccm.c. */
#define PS_ACCOUNTING_REL_TOL 1e-10

/* The first cell of a batch where the identity failed (lane < 0: none). */
typedef struct ens_fault {
    int lane, sex, age, step;
    double got;
    size_t first; /* trajectory of lane 0 */
} ens_fault;

/* Where the lanes a step advances are: trajectories lane0 .. lane0 + L - 1; the populations
 * `from` and `to` have rows of pT values, the lanes' first at pl0 (the caller's arrays: pT =
 * n_traj, pl0 = lane0; a tile's own buffers in ps_ens_advance_fn: pT = L, pl0 = 0). Events and
 * shared-layout rates are always the caller's [..][traj] rows. */
typedef struct ens_lanes {
    size_t lane0, pT, pl0;
    int L;
} ens_lanes;

struct ps_ens {
    int n_traj, n_ages, n_threads, batch, n_batches, finite_only, tile;
    double *scratch;   /* [batch index][ENS_SCRATCH_ROWS][batch] per-batch scratch */
    ens_fault *faults; /* [batch index] */
};

/* Scratch rows of a batch: births, shortfall by sex, adjustment; sinks for the deaths,
 * credited migrants and births by sex when the caller keeps no events; SRB by lane; flags
 * of failed cells. */
enum { ROW_BIRTHS, ROW_SHORT_M, ROW_SHORT_F, ROW_ADJ, ROW_DEATHS, ROW_MIG, ROW_BS,
       ROW_SRB, ROW_FLAGS, ENS_SCRATCH_ROWS };

ps_status ps_ens_new(ps_ens **out, int n_traj, int n_ages, const ps_ens_options *opt,
                     ps_error *err)
{
    const ps_ens_options defaults = PS_ENS_OPTIONS_INIT;
    *out = NULL;
    if (opt == NULL) {
        opt = &defaults;
    }
    if (n_traj < 1 || n_ages < 2) {
        return ps_error_set(err, PS_EINVAL, "an ensemble needs at least 1 trajectory and 2 ages "
                            "(got %d trajectories, %d ages)", n_traj, n_ages);
    }
    if (opt->n_threads < 0 || opt->batch < 0 || opt->batch > PS_ENS_BATCH_MAX ||
        opt->tile < 0 || opt->tile > PS_ENS_BATCH_MAX) {
        return ps_error_set(err, PS_EINVAL, "ensemble options: threads must be >= 0 and the "
                            "batch and tile between 0 and %d (got %d threads, batch %d, tile %d)",
                            PS_ENS_BATCH_MAX, opt->n_threads, opt->batch, opt->tile);
    }
    ps_ens *e = calloc(1, sizeof *e);
    if (e == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the ensemble workspace");
    }
    e->n_traj = n_traj;
    e->n_ages = n_ages;
    e->finite_only = opt->finite_only != 0;
    e->tile = opt->tile;
    e->n_threads = opt->n_threads > 0 ? opt->n_threads : omp_get_max_threads();
    /* default: one batch per thread (long stride-1 rows; smaller batches measured up to 2.5
     * times slower per trajectory-year), at most PS_ENS_BATCH_DEFAULT lanes */
    int per_thread = (n_traj + e->n_threads - 1) / e->n_threads;
    if (per_thread > PS_ENS_BATCH_DEFAULT) {
        per_thread = PS_ENS_BATCH_DEFAULT;
    }
    e->batch = opt->batch > 0 ? opt->batch : per_thread;
    if (e->batch > n_traj) {
        e->batch = n_traj;
    }
    e->n_batches = (n_traj + e->batch - 1) / e->batch;
    e->scratch = malloc((size_t)e->n_batches * ENS_SCRATCH_ROWS * (size_t)e->batch *
                        sizeof *e->scratch);
    e->faults = malloc((size_t)e->n_batches * sizeof *e->faults);
    if (e->scratch == NULL || e->faults == NULL) {
        ps_ens_free(e);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the ensemble workspace");
    }
    *out = e;
    return PS_OK;
}

int ps_ens_trajectories(const ps_ens *e)
{
    return e->n_traj;
}

void ps_ens_free(ps_ens *e)
{
    if (e == NULL) {
        return;
    }
    free(e->scratch);
    free(e->faults);
    free(e);
}

/*
 * 1 where the cell breaks the identity or is not finite, else 0: the test of ccm.c's
 * check_identity in one comparison (got * 0 is NaN for an infinite or NaN cell, 0 otherwise;
 * a NaN in the identity's terms also counts as a failure, so the test is at least as strict).
 */
static inline double cell_bad(double got, double want, double before, double D, double Mc)
{
    double scale = fabs(before) + fabs(D) + fabs(Mc) + 1.0;
    return fabs(got - want) + got * 0.0 <= PS_ACCOUNTING_REL_TOL * scale ? 0.0 : 1.0;
}

/*
 * The lane kernels: one row, L trajectories, every operand a stride-1 row (restrict: no
 * two rows overlap), so each loop vectorises (this file is compiled with -fno-trapping-math,
 * which lets GCC turn the clamps into selects; it changes no value). With `check`, each
 * adds 1 to flags[lane] for a cell that breaks the identity (a per-lane row, not a
 * reduction: no dependence from one vector of lanes to the next); without it, they return
 * whether any count of the row is not finite (an integer OR over the lanes, which
 * vectorises exactly, held in a register: no flag row is read or written per cell). D and
 * Mc are stored only if `keep`. GCC moves both tests out of the loop.
 */

/* 1 if x is infinite or NaN, else 0 (as an integer of the width of a double lane). */
static inline long long not_finite(double x)
{
    return fabs(x) <= DBL_MAX ? 0 : 1;
}

/*
 * Ages 1 .. w (survive() of ccm.c): Pp = P(a-1), Mp = M(a-1), Ma = M(a), S = S(a); at the
 * open age w (`open`) the survivors of w, Pa = P(w), join the cohort. keep, check and open
 * are constants where this is inlined, so each combination is its own plain loop.
 */
static PS_ENS_INLINE long long survive_body(int L, const int keep, const int check, const int open,
                                            const int s_sh, const int m_sh, double *restrict out,
                                            double *restrict D, double *restrict Mc,
                                            double *restrict shortfall,
                                            double *restrict flags, const double *restrict Pp,
                                            const double *restrict Pa, const double *restrict Mp,
                                            const double *restrict Ma, const double *restrict S)
{
    const double h = PS_MID_YEAR_FRACTION;
    long long bad = 0;
    for (int j = 0; j < L; ++j) {
        const double mp = Mp[m_sh ? 0 : j], ma = Ma[m_sh ? 0 : j], sa = S[s_sh ? 0 : j];
        double ex = Pp[j] + h * mp;
        double mc = h * (mp + ma);
        if (open) {
            ex += Pa[j] + h * ma;
            mc += h * ma;
        }
        double fix = ex < 0.0 ? -ex : 0.0;
        ex = ex < 0.0 ? 0.0 : ex;
        double v = ex * sa + h * ma;
        fix = fix + (v < 0.0 ? -v : 0.0);
        v = v < 0.0 ? 0.0 : v;
        const double d = ex * (1.0 - sa), c = mc + fix;
        out[j] = v;
        if (keep) {
            D[j] = d;
            Mc[j] = c;
        }
        shortfall[j] += fix;
        if (check) {
            const double before = open ? Pp[j] + Pa[j] : Pp[j] + 0.0;
            flags[j] += cell_bad(v, before - d + c, before, d, c);
        } else {
            bad |= not_finite(v);
        }
    }
    return bad;
}

/* Every combination of the flags gets its own loop (the C* macros list the 32 cases). */
#define PS_ENS_CASE5(fn, k, c, o, ss, ms)                                                        \
    case (k) << 4 | (c) << 3 | (o) << 2 | (ss) << 1 | (ms): fn(k, c, o, ss, ms); break;
#define PS_ENS_CASE4(fn, k, c, o, ss)                                                            \
    PS_ENS_CASE5(fn, k, c, o, ss, 0) PS_ENS_CASE5(fn, k, c, o, ss, 1)
#define PS_ENS_CASE3(fn, k, c, o) PS_ENS_CASE4(fn, k, c, o, 0) PS_ENS_CASE4(fn, k, c, o, 1)
#define PS_ENS_CASE2(fn, k, c) PS_ENS_CASE3(fn, k, c, 0) PS_ENS_CASE3(fn, k, c, 1)
#define PS_ENS_CASE1(fn, k) PS_ENS_CASE2(fn, k, 0) PS_ENS_CASE2(fn, k, 1)
#define PS_ENS_FLAGS(k, c, o, ss, ms)                                                            \
    ((k) ? 16 : 0) | ((c) ? 8 : 0) | ((o) ? 4 : 0) | ((ss) ? 2 : 0) | ((ms) ? 1 : 0)

/* A shared rate (s_sh, m_sh) is one value at S[0] or Mp[0], Ma[0] for all lanes. */
PS_ENS_CLONES static long long lanes_survive(int L, int keep, int check, int open, int s_sh,
                                             int m_sh, double *restrict out, double *restrict D,
                                             double *restrict Mc, double *restrict shortfall,
                                             double *restrict flags, const double *restrict Pp,
                                             const double *restrict Pa, const double *restrict Mp,
                                             const double *restrict Ma, const double *restrict S)
{
    long long bad = 0;
#define PS_ENS_SURVIVE(k, c, o, ss, ms)                                                          \
    bad = survive_body(L, k, c, o, ss, ms, out, D, Mc, shortfall, flags, Pp, Pa, Mp, Ma, S)
    switch (PS_ENS_FLAGS(keep, check, open, s_sh, m_sh)) {
        PS_ENS_CASE1(PS_ENS_SURVIVE, 0)
        PS_ENS_CASE1(PS_ENS_SURVIVE, 1)
    default: break;
    }
#undef PS_ENS_SURVIVE
    return bad;
}

/* One age of mothers of births_step() of ccm.c: births += ASFR h (F(t) + F(t+1)). */
static PS_ENS_INLINE void births_body(int L, const int f_sh, double *restrict births,
                                      const double *restrict f, const double *restrict F0,
                                      const double *restrict F1)
{
    for (int j = 0; j < L; ++j) {
        births[j] += f[f_sh ? 0 : j] * PS_MID_YEAR_FRACTION * (F0[j] + F1[j]);
    }
}

PS_ENS_CLONES static void lanes_births(int L, int f_sh, double *restrict births,
                                       const double *restrict f, const double *restrict F0,
                                       const double *restrict F1)
{
    if (f_sh) {
        births_body(L, 1, births, f, F0, F1);
    } else {
        births_body(L, 0, births, f, F0, F1);
    }
}

/* Age 0 of one sex (step_impl() of ccm.c): bs = B x / (1 + SRB), x = SRB for males, 1 for
 * females; adj += the emigration not applied. */
static PS_ENS_INLINE long long age0_body(int L, const int keep, const int check, const int s_sh,
                                         const int m_sh, int male, double *restrict out,
                                         double *restrict D, double *restrict Mc,
                                         double *restrict bs_out, double *restrict adj,
                                         double *restrict flags, const double *restrict births,
                                         const double *restrict srb, const double *restrict M,
                                         const double *restrict S)
{
    const double h = PS_MID_YEAR_FRACTION;
    long long bad = 0;
    for (int j = 0; j < L; ++j) {
        const double s0 = S[s_sh ? 0 : j], m0 = M[m_sh ? 0 : j];
        const double bs = births[j] * (male ? srb[j] : 1.0) / (1.0 + srb[j]);
        const double v = bs * s0 + h * m0;
        const double fix = v < 0.0 ? -v : 0.0;
        const double d = bs * (1.0 - s0), c = h * m0 + fix;
        out[j] = v + fix;
        if (keep) {
            D[j] = d;
            Mc[j] = c;
        }
        adj[j] += fix;
        bs_out[j] = bs;
        if (check) {
            flags[j] += cell_bad(v + fix, bs - d + c, bs, d, c);
        } else {
            bad |= not_finite(v + fix);
        }
    }
    return bad;
}

PS_ENS_CLONES static long long lanes_age0(int L, int keep, int check, int s_sh, int m_sh, int male,
                                          double *restrict out, double *restrict D,
                                          double *restrict Mc, double *restrict bs_out,
                                          double *restrict adj, double *restrict flags,
                                          const double *restrict births, const double *restrict srb,
                                          const double *restrict M, const double *restrict S)
{
    long long bad = 0;
#define PS_ENS_AGE0(k, c, o, ss, ms)                                                             \
    bad = age0_body(L, k, c, ss, ms, male, out, D, Mc, bs_out, adj, flags, births, srb, M, S)
    switch (PS_ENS_FLAGS(keep, check, 0, s_sh, m_sh)) {
        PS_ENS_CASE3(PS_ENS_AGE0, 0, 0, 0)
        PS_ENS_CASE3(PS_ENS_AGE0, 0, 1, 0)
        PS_ENS_CASE3(PS_ENS_AGE0, 1, 0, 0)
        PS_ENS_CASE3(PS_ENS_AGE0, 1, 1, 0)
    default: break;
    }
#undef PS_ENS_AGE0
    return bad;
}

/* A rate row for the lanes of the batch: the caller's row, or the one shared value. */
static const double *rate_row(const double *base, int per_traj, size_t row, size_t T,
                              size_t lane0)
{
    return per_traj ? base + row * T + lane0 : base + row;
}

/* Diagnose mode, after a row: the first lane the row flagged (no earlier row had one); without
 * `check`, the first lane whose count is not finite. */
static int diagnose_row(ens_fault *f, int check, const double *flags, int sex, int age,
                        const double *out, int L)
{
    for (int j = 0; j < L && f->lane < 0; ++j) {
        if (check ? flags[j] != 0.0 : not_finite(out[j]) != 0) {
            *f = (ens_fault){ .lane = j, .sex = sex, .age = age, .got = out[j],
                              .first = f->first };
        }
    }
    return f->lane >= 0;
}

/*
 * Advance the lanes of batch `bat`. The kernels flag failed cells per lane over the whole
 * batch (or, finite_only, return whether a row has a non-finite count: one test per batch
 * and year), read once at the end; in diagnose mode (a rerun of a failed batch, which recomputes
 * the same values) the flags are read after every row to name the first failing cell.
 */
static void step_lanes(ps_ens *e, const ps_ens_rates *r, int batch_rates, const double *from,
                       double *to, const ps_ens_events *ev, int bat, const ens_lanes *ln,
                       int diagnose)
{
    const size_t T = (size_t)e->n_traj, lane0 = ln->lane0;
    const size_t W = (size_t)e->batch, n = (size_t)e->n_ages;
    const int L = ln->L;
    const size_t PT = ln->pT, pl0 = ln->pl0; /* the populations' rows */
    /* per-trajectory rates: rows of all trajectories, or (batch_rates) of this batch only */
    const size_t rT = batch_rates ? (size_t)L : T, rl0 = batch_rates ? 0 : lane0;
    const int s_pt = (r->per_traj & PS_ENS_SURV) != 0, f_pt = (r->per_traj & PS_ENS_ASFR) != 0;
    const int m_pt = (r->per_traj & PS_ENS_MIG) != 0, q_pt = (r->per_traj & PS_ENS_SRB) != 0;
    double *scratch = e->scratch + (size_t)bat * ENS_SCRATCH_ROWS * W;
    double *row_of[ENS_SCRATCH_ROWS];
    for (int k = 0; k < ENS_SCRATCH_ROWS; ++k) {
        row_of[k] = scratch + (size_t)k * W;
    }
    /* events: the caller's rows, or a sink row reused for every age (stride 0) */
    const int keep_d = ev != NULL && ev->deaths != NULL;
    const int keep_m = ev != NULL && ev->net_migration != NULL;
    const int keep_b = ev != NULL && ev->births != NULL;
    const int keep = keep_d || keep_m;
    const int check = !e->finite_only;
    double *deaths = keep_d ? ev->deaths + lane0 : row_of[ROW_DEATHS];
    double *migc = keep_m ? ev->net_migration + lane0 : row_of[ROW_MIG];
    const size_t d_stride = keep_d ? T : 0, m_stride = keep_m ? T : 0;
    double *adj = ev != NULL && ev->adjustment != NULL ? ev->adjustment + lane0 : row_of[ROW_ADJ];
    double *flags = row_of[ROW_FLAGS];
    ens_fault *fault = &e->faults[bat];
    long long bad = 0;
    fault->lane = -1;
    fault->first = lane0;
    for (int j = 0; j < L; ++j) {
        flags[j] = 0.0;
    }

    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        double *shortfall = row_of[sex == PS_SEX_MALE ? ROW_SHORT_M : ROW_SHORT_F];
        const size_t row0 = (size_t)sex * n;
        const double *Mp = rate_row(r->mig, m_pt, row0, rT, rl0);
        for (int j = 0; j < L; ++j) {
            shortfall[j] = 0.0;
        }
        for (size_t a = 1; a < n; ++a) {
            const size_t row = row0 + a;
            const double *Ma = rate_row(r->mig, m_pt, row, rT, rl0);
            const double *S = rate_row(r->surv, s_pt, row, rT, rl0);
            double *out = to + row * PT + pl0, *D = deaths + row * d_stride;
            double *Mc = migc + row * m_stride;
            const double *Pp = from + (row - 1) * PT + pl0;
            const double *Pa = a < n - 1 ? NULL : from + row * PT + pl0;
            bad |= lanes_survive(L, keep, check, Pa != NULL, !s_pt, !m_pt, out, D, Mc, shortfall,
                                 flags, Pp, Pa, Mp, Ma, S);
            if (diagnose && diagnose_row(fault, check, flags, sex, (int)a, out, L)) {
                return;
            }
            Mp = Ma;
        }
    }

    double *births = row_of[ROW_BIRTHS];
    for (int j = 0; j < L; ++j) {
        births[j] = 0.0;
    }
    for (size_t age = PS_FERTILE_AGE_MIN; age <= PS_FERTILE_AGE_MAX && age < n; ++age) {
        const size_t row = (size_t)PS_SEX_FEMALE * n + age;
        lanes_births(L, !f_pt, births, rate_row(r->asfr, f_pt, age, rT, rl0),
                     from + row * PT + pl0, to + row * PT + pl0);
    }

    /* ccm.c: adjustment = 0 + male shortfall + female shortfall + male fix + female fix */
    const double *sm = row_of[ROW_SHORT_M], *sf = row_of[ROW_SHORT_F];
    for (int j = 0; j < L; ++j) {
        adj[j] = 0.0 + sm[j] + sf[j];
    }
    double *srb = row_of[ROW_SRB]; /* per lane: SRB enters a division, kept simple */
    for (int j = 0; j < L; ++j) {
        srb[j] = r->srb[q_pt ? rl0 + (size_t)j : 0];
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const size_t row = (size_t)sex * n;
        double *out = to + row * PT + pl0, *D = deaths + row * d_stride;
        double *Mc = migc + row * m_stride;
        double *bs = keep_b ? ev->births + (size_t)sex * T + lane0 : row_of[ROW_BS];
        bad |= lanes_age0(L, keep, check, !s_pt, !m_pt, sex == PS_SEX_MALE, out, D, Mc, bs,
                          adj, flags, births, srb, rate_row(r->mig, m_pt, row, rT, rl0),
                          rate_row(r->surv, s_pt, row, rT, rl0));
        if (diagnose && diagnose_row(fault, check, flags, sex, 0, out, L)) {
            return;
        }
    }
    for (int j = 0; check && j < L; ++j) {
        bad |= flags[j] != 0.0;
    }
    if (bad && !diagnose) { /* rerun to name the cell: same inputs, same values */
        step_lanes(e, r, batch_rates, from, to, ev, bat, ln, 1);
    }
}

/* step_lanes for the whole of batch `bat`, the populations in the caller's [..][traj] rows. */
static void step_batch(ps_ens *e, const ps_ens_rates *r, int batch_rates, const double *from,
                       double *to, const ps_ens_events *ev, int bat, int diagnose)
{
    const size_t T = (size_t)e->n_traj, lane0 = (size_t)bat * (size_t)e->batch;
    const size_t W = (size_t)e->batch;
    const ens_lanes ln = { .lane0 = lane0, .pT = T, .pl0 = lane0,
                           .L = (int)(T - lane0 < W ? T - lane0 : W) };
    step_lanes(e, r, batch_rates, from, to, ev, bat, &ln, diagnose);
}

/* The error of a failed batch (f->lane >= 0); ps_ens_run also names the step. */
static ps_status fault_error(const ps_ens *e, const ens_fault *f, int with_step,
                             ps_error *err)
{
    char where[32] = "";
    if (with_step) {
        snprintf(where, sizeof where, "step %d, ", f->step);
    }
    return ps_error_set(err, PS_ENUMERIC, "%strajectory %d, %s, age %d: %s (%.17g)", where,
                        (int)f->first + f->lane, ps_sex_name((ps_sex)f->sex), f->age,
                        e->finite_only ? "the count is not finite"
                                       : "accounting identity fails or the count is not finite",
                        f->got);
}

/* After the batches of a whole-horizon call: the failure of the earliest step over all
 * batches (a rate callback's status st[bat], or a non-finite cell), as the one error reported;
 * the callback's failure names the first trajectory of its batch (by_tile = 0) or of its tile
 * (by_tile = 1, as recorded in the fault). */
static ps_status batches_status(const ps_ens *e, const ps_status *st, int n_batches, int by_tile,
                                ps_error *err)
{
    int first = -1;
    for (int bat = 0; bat < n_batches; ++bat) {
        const ens_fault *f = &e->faults[bat];
        if ((f->lane >= 0 || st[bat] != PS_OK) && (first < 0 || f->step < e->faults[first].step)) {
            first = bat;
        }
    }
    if (first < 0) {
        return PS_OK;
    }
    if (st[first] != PS_OK) {
        const size_t from = by_tile ? e->faults[first].first : (size_t)first * (size_t)e->batch;
        return ps_error_set(err, st[first], "step %d: the rates of trajectories %zu.. could not be "
                            "prepared", e->faults[first].step, from);
    }
    return fault_error(e, &e->faults[first], 1, err);
}

ps_status ps_ens_step(ps_ens *e, const ps_ens_rates *r, const double *from, double *to,
                      ps_ens_events *ev, ps_error *err)
{
    const int n_batches = e->n_batches;
    ps_ens *ce = e;
#pragma omp parallel for num_threads(ce->n_threads) schedule(static) default(none)             \
    shared(ce, r, from, to, ev, n_batches) if (n_batches > 1 && ce->n_threads > 1)
    for (int bat = 0; bat < n_batches; ++bat) {
        step_batch(ce, r, 0, from, to, ev, bat, 0);
        ce->faults[bat].step = 0;
    }
    for (int bat = 0; bat < n_batches; ++bat) {
        if (e->faults[bat].lane >= 0) {
            return fault_error(e, &e->faults[bat], 0, err);
        }
    }
    return PS_OK;
}

ps_status ps_ens_run(ps_ens *e, int n_steps, const ps_ens_rates *rates, double *pop,
                     ps_ens_events *ev, ps_error *err)
{
    const int n_batches = e->n_batches;
    const size_t cells = (size_t)PS_SEX_COUNT * (size_t)e->n_ages * (size_t)e->n_traj;
    ps_ens *ce = e;
#pragma omp parallel for num_threads(ce->n_threads) schedule(dynamic, 1) default(none)          \
    shared(ce, rates, pop, ev, n_batches, n_steps, cells) if (n_batches > 1 && ce->n_threads > 1)
    for (int bat = 0; bat < n_batches; ++bat) {
        for (int step = 0; step < n_steps; ++step) {
            step_batch(ce, &rates[step], 0, pop + (size_t)step * cells,
                       pop + (size_t)(step + 1) * cells, ev != NULL ? &ev[step] : NULL, bat, 0);
            ce->faults[bat].step = step;
            if (ce->faults[bat].lane >= 0) {
                break; /* this batch stops; the others go on */
            }
        }
    }
    int first = -1;
    for (int bat = 0; bat < n_batches; ++bat) {
        const ens_fault *f = &e->faults[bat];
        if (f->lane >= 0 && (first < 0 || f->step < e->faults[first].step)) {
            first = bat;
        }
    }
    return first < 0 ? PS_OK : fault_error(e, &e->faults[first], 1, err);
}

ps_status ps_ens_run_fn(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx, unsigned per_traj,
                        double *pop, ps_ens_events *ev, ps_error *err)
{
    const int n_batches = e->n_batches;
    const size_t n = (size_t)e->n_ages, W = (size_t)e->batch;
    const size_t cells = (size_t)PS_SEX_COUNT * n * (size_t)e->n_traj;
    const size_t per_batch = (2 * PS_SEX_COUNT + 1) * n * W + W; /* surv, mig, asfr, srb */
    double *buf = malloc((size_t)n_batches * per_batch * sizeof *buf); /* once per run */
    ps_status *st = calloc((size_t)n_batches, sizeof *st);
    if (buf == NULL || st == NULL) {
        free(buf);
        free(st);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the ensemble's rates");
    }
    ps_ens *ce = e;
#pragma omp parallel for num_threads(ce->n_threads) schedule(dynamic, 1) default(none)          \
    shared(ce, fn, ctx, per_traj, pop, ev, n_batches, n_steps, cells, buf, st, n, W, per_batch)   \
    if (n_batches > 1 && ce->n_threads > 1)
    for (int bat = 0; bat < n_batches; ++bat) {
        double *b = buf + (size_t)bat * per_batch;
        const int first = bat * ce->batch;
        const int count = ce->n_traj - first < ce->batch ? ce->n_traj - first : ce->batch;
        ce->faults[bat].lane = -1;
        for (int step = 0; step < n_steps; ++step) {
            const ps_ens_rates_buf rb = { .surv = b, .mig = b + PS_SEX_COUNT * n * W,
                                          .asfr = b + 2 * PS_SEX_COUNT * n * W,
                                          .srb = b + (2 * PS_SEX_COUNT + 1) * n * W };
            ps_ens_rates r = { .surv = rb.surv, .mig = rb.mig, .asfr = rb.asfr, .srb = rb.srb,
                               .per_traj = per_traj };
            ps_error local;
            st[bat] = fn(&r, &rb, step, first, count, ctx, &local);
            if (st[bat] != PS_OK) {
                ce->faults[bat].step = step;
                break;
            }
            r.per_traj = per_traj;
            step_batch(ce, &r, 1, pop + (size_t)step * cells, pop + (size_t)(step + 1) * cells,
                       ev != NULL ? &ev[step] : NULL, bat, 0);
            ce->faults[bat].step = step;
            if (ce->faults[bat].lane >= 0) {
                break;
            }
        }
    }
    ps_status rc = batches_status(e, st, n_batches, 0, err);
    free(buf);
    free(st);
    return rc;
}

/*
 * The tile width of ps_ens_advance_fn: the lanes whose two population buffers and rates
 * (2 + 2 + 2 + 1 rows of ages: populations, survivorship, migrants, ASFR) fit in
 * PS_ENS_TILE_BYTES, a multiple of 8 lanes (one AVX-512 vector), at least 8 (or the option's
 * width), at most the batch.
 */
static int advance_tile(const ps_ens *e, int opt_tile)
{
    const size_t per_lane = (size_t)7 * (size_t)e->n_ages * sizeof(double) + sizeof(double);
    int tile = (int)(PS_ENS_TILE_BYTES / per_lane) / 8 * 8;
    if (tile < 8) {
        tile = 8;
    }
    if (opt_tile > 0) {
        tile = opt_tile;
    }
    return tile < e->batch ? tile : e->batch;
}

/* ps_ens_advance_fn and ps_ens_advance_hook: `from` NULL = the hook fills each tile's start;
 * `to` NULL = the final years are not kept; ev NULL = no events; hook NULL = none. */
static ps_status advance(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx, unsigned per_traj,
                         const double *from, double *to, ps_ens_events *ev, ps_ens_year_fn hook,
                         void *hook_ctx, ps_error *err)
{
    if (from == NULL && hook == NULL) { /* nothing would fill the start */
        return ps_error_set(err, PS_EINVAL, "an ensemble advance needs a start population or "
                            "a hook that fills it");
    }
    const int n_batches = e->n_batches, tile = advance_tile(e, e->tile);
    const size_t n = (size_t)e->n_ages, W = (size_t)tile, T = (size_t)e->n_traj;
    const size_t rows = (size_t)PS_SEX_COUNT * n;
    /* per thread: two population buffers, then the rates (surv, mig, asfr, srb) */
    const size_t per_thread = 2 * rows * W + (2 * PS_SEX_COUNT + 1) * n * W + W;
    double *buf = malloc((size_t)e->n_threads * per_thread * sizeof *buf); /* once per call */
    ps_status *st = calloc((size_t)n_batches, sizeof *st);
    if (buf == NULL || st == NULL) {
        free(buf);
        free(st);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the ensemble's tiles");
    }
    ps_ens *ce = e;
#pragma omp parallel for num_threads(ce->n_threads) schedule(dynamic, 1) default(none)          \
    shared(ce, fn, ctx, per_traj, from, to, ev, hook, hook_ctx, n_batches, n_steps, buf, st, n, \
           W, T, rows, per_thread, tile) if (n_batches > 1 && ce->n_threads > 1)
    for (int bat = 0; bat < n_batches; ++bat) {
        const int thread = ce->n_threads > 1 && n_batches > 1 ? omp_get_thread_num() : 0;
        double *pa = buf + (size_t)thread * per_thread, *pb = pa + rows * W;
        double *rbuf = pb + rows * W;
        const int b0 = bat * ce->batch;
        const int b1 = ce->n_traj - b0 < ce->batch ? ce->n_traj : b0 + ce->batch;
        ce->faults[bat].lane = -1;
        for (int t0 = b0; t0 < b1 && st[bat] == PS_OK && ce->faults[bat].lane < 0; t0 += tile) {
            const int L = b1 - t0 < tile ? b1 - t0 : tile;
            const ens_lanes ln = { .lane0 = (size_t)t0, .pT = (size_t)L, .pl0 = 0, .L = L };
            double *cur = pa, *nxt = pb;
            for (size_t row = 0; from != NULL && row < rows; ++row) { /* the tile's lanes */
                memcpy(cur + row * (size_t)L, from + row * T + (size_t)t0,
                       (size_t)L * sizeof *cur);
            }
            if (hook != NULL) {
                hook(0, cur, t0, L, hook_ctx);
            }
            for (int step = 0; step < n_steps; ++step) {
                const ps_ens_rates_buf rb = {
                    .surv = rbuf, .mig = rbuf + PS_SEX_COUNT * n * (size_t)L,
                    .asfr = rbuf + 2 * PS_SEX_COUNT * n * (size_t)L,
                    .srb = rbuf + (2 * PS_SEX_COUNT + 1) * n * (size_t)L
                };
                ps_ens_rates r = { .surv = rb.surv, .mig = rb.mig, .asfr = rb.asfr,
                                   .srb = rb.srb, .per_traj = per_traj };
                ps_error local;
                ce->faults[bat].step = step;
                st[bat] = fn(&r, &rb, step, t0, L, ctx, &local);
                if (st[bat] != PS_OK) {
                    ce->faults[bat].first = (size_t)t0;
                    break;
                }
                r.per_traj = per_traj;
                step_lanes(ce, &r, 1, cur, nxt, ev != NULL ? &ev[step] : NULL, bat, &ln, 0);
                ce->faults[bat].step = step;
                if (ce->faults[bat].lane >= 0) {
                    break;
                }
                if (hook != NULL) {
                    hook(step + 1, nxt, t0, L, hook_ctx);
                }
                double *tmp = cur;
                cur = nxt;
                nxt = tmp;
            }
            if (to != NULL && st[bat] == PS_OK && ce->faults[bat].lane < 0) {
                for (size_t row = 0; row < rows; ++row) {
                    memcpy(to + row * T + (size_t)t0, cur + row * (size_t)L,
                           (size_t)L * sizeof *cur);
                }
            }
        }
    }
    ps_status rc = batches_status(e, st, n_batches, 1, err);
    free(buf);
    free(st);
    return rc;
}

ps_status ps_ens_advance_fn(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx,
                            unsigned per_traj, const double *from, double *to, ps_error *err)
{
    return advance(e, n_steps, fn, ctx, per_traj, from, to, NULL, NULL, NULL, err);
}

ps_status ps_ens_advance_hook(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx,
                              unsigned per_traj, const double *from, double *to,
                              ps_ens_events *ev, ps_ens_year_fn hook, void *hook_ctx,
                              ps_error *err)
{
    return advance(e, n_steps, fn, ctx, per_traj, from, to, ev, hook, hook_ctx, err);
}
