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
 * per cell as in ccm.c, with a branch-free flag per row.
 *
 * Rates shared by all trajectories are read as one value per row (the kernel is inlined
 * once for each combination of shared / per-trajectory survivorship, ASFR and migration,
 * so the choice is made at compile time and never inside a lane loop).
 */
#include "popsim/ensemble.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "popsim/pop.h"
#include "popsim/units.h"

/* Relative tolerance of the accounting identity: the value of ccm.c. */
#define PS_ACCOUNTING_REL_TOL 1e-10

#if defined(__GNUC__)
#define PS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PS_ALWAYS_INLINE inline
#endif

/* The first cell of a batch where the identity failed (lane < 0: none). */
typedef struct ens_fault {
    int lane, sex, age;
    double got, want;
} ens_fault;

struct ps_ens {
    int n_traj, n_ages, n_threads, batch, n_batches;
    double *scratch;   /* [batch index][ENS_SCRATCH_ROWS][batch] per-batch scratch */
    ens_fault *faults; /* [batch index] */
};

/* Scratch rows of a batch: births, shortfall by sex, adjustment, and sinks for the
 * deaths, credited migrants and births by sex when the caller keeps no events. */
enum { ROW_BIRTHS, ROW_SHORT_M, ROW_SHORT_F, ROW_ADJ, ROW_DEATHS, ROW_MIG, ROW_BS, ENS_SCRATCH_ROWS };

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
    if (opt->n_threads < 0 || opt->batch < 0 || opt->batch > PS_ENS_BATCH_MAX) {
        return ps_error_set(err, PS_EINVAL, "ensemble options: threads must be >= 0 and the "
                            "batch between 0 and %d (got %d threads, batch %d)", PS_ENS_BATCH_MAX,
                            opt->n_threads, opt->batch);
    }
    ps_ens *e = calloc(1, sizeof *e);
    if (e == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the ensemble workspace");
    }
    e->n_traj = n_traj;
    e->n_ages = n_ages;
    e->n_threads = opt->n_threads > 0 ? opt->n_threads : omp_get_max_threads();
    e->batch = opt->batch > 0 ? opt->batch : PS_ENS_BATCH_DEFAULT;
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

/* Record the first failing lane of a row whose flag is set (rare path, scalar). */
static void note_fault(ens_fault *f, int sex, int age, const double *out, const double *want,
                       const long long *bad, int n_lanes)
{
    for (int j = 0; j < n_lanes && f->lane < 0; ++j) {
        if (bad[j]) {
            *f = (ens_fault){ .lane = j, .sex = sex, .age = age, .got = out[j], .want = want[j] };
        }
    }
}

/* 1 where the cell breaks the identity or is not finite: the test of ccm.c's check_identity. */
static inline long long cell_bad(double got, double want, double before, double D, double Mc)
{
    double scale = fabs(before) + fabs(D) + fabs(Mc) + 1.0;
    return !(fabs(got) <= DBL_MAX) | (fabs(got - want) > PS_ACCOUNTING_REL_TOL * scale);
}

/*
 * Everything a batch works on: row pointers are base + row * stride + lane, with stride 0
 * for shared rates (the kernel then reads lane 0 only) and for the scratch sinks.
 */
typedef struct ens_batch {
    const ps_ens *e;
    const ps_ens_rates *r;
    const double *from;
    double *to;
    double *deaths, *mig_c; /* row bases (already offset by the batch's first lane) */
    size_t d_stride, m_stride; /* row strides of deaths and mig_c: T, or 0 for the sinks */
    double *births_ev;      /* [sex][traj] + first lane, or NULL */
    double *adj_out;        /* the [traj] adjustment + first lane, or the scratch row */
    double *scratch;
    ens_fault *fault;
    size_t lane0;
    int n_lanes;
} ens_batch;

/* Survive one sex: rows a = 1 .. n-1 (survive() of ccm.c). */
static PS_ALWAYS_INLINE void survive_rows(const ens_batch *b, int sex, const int s_sh,
                                          const int m_sh)
{
    const double h = PS_MID_YEAR_FRACTION;
    const int n = b->e->n_ages, L = b->n_lanes;
    const size_t T = (size_t)b->e->n_traj;
    double *restrict shortfall = b->scratch + (size_t)(sex == PS_SEX_MALE ? ROW_SHORT_M :
                                                        ROW_SHORT_F) * (size_t)b->e->batch;
    long long bad[PS_ENS_BATCH_MAX];
    double want[PS_ENS_BATCH_MAX];
    for (int j = 0; j < L; ++j) {
        shortfall[j] = 0.0;
    }
    for (int a = 1; a < n; ++a) {
        const size_t row = (size_t)sex * (size_t)n + (size_t)a; /* row of age a */
        const int open = a == n - 1;
        const double *restrict Pp = b->from + (row - 1) * T + b->lane0;
        const double *restrict Pa = b->from + row * T + b->lane0;
        const double *restrict Mp = b->r->mig + (m_sh ? row - 1 : (row - 1) * T + b->lane0);
        const double *restrict Ma = b->r->mig + (m_sh ? row : row * T + b->lane0);
        const double *restrict S = b->r->surv + (s_sh ? row : row * T + b->lane0);
        double *restrict out = b->to + row * T + b->lane0;
        double *restrict D = b->deaths + row * b->d_stride;
        double *restrict Mc = b->mig_c + row * b->m_stride;
        long long any = 0;
        if (!open) {
#pragma omp simd reduction(| : any)
            for (int j = 0; j < L; ++j) {
                const double m0 = Mp[m_sh ? 0 : j], m1 = Ma[m_sh ? 0 : j];
                const double s = S[s_sh ? 0 : j];
                double ex = Pp[j] + h * m0;
                const double mc = h * (m0 + m1);
                double fix = ex < 0.0 ? -ex : 0.0;
                ex = ex < 0.0 ? 0.0 : ex;
                double v = ex * s + h * m1;
                fix = fix + (v < 0.0 ? -v : 0.0);
                v = v < 0.0 ? 0.0 : v;
                const double d = ex * (1.0 - s), c = mc + fix;
                out[j] = v;
                D[j] = d;
                Mc[j] = c;
                shortfall[j] += fix;
                const double before = Pp[j] + 0.0;
                want[j] = before - d + c;
                bad[j] = cell_bad(v, want[j], before, d, c);
                any |= bad[j];
            }
        } else {
#pragma omp simd reduction(| : any)
            for (int j = 0; j < L; ++j) {
                const double m0 = Mp[m_sh ? 0 : j], m1 = Ma[m_sh ? 0 : j];
                const double s = S[s_sh ? 0 : j];
                double ex = Pp[j] + h * m0;
                ex += Pa[j] + h * m1;
                double mc = h * (m0 + m1);
                mc += h * m1;
                double fix = ex < 0.0 ? -ex : 0.0;
                ex = ex < 0.0 ? 0.0 : ex;
                double v = ex * s + h * m1;
                fix = fix + (v < 0.0 ? -v : 0.0);
                v = v < 0.0 ? 0.0 : v;
                const double d = ex * (1.0 - s), c = mc + fix;
                out[j] = v;
                D[j] = d;
                Mc[j] = c;
                shortfall[j] += fix;
                const double before = Pp[j] + Pa[j];
                want[j] = before - d + c;
                bad[j] = cell_bad(v, want[j], before, d, c);
                any |= bad[j];
            }
        }
        if (any) {
            note_fault(b->fault, sex, a, out, want, bad, L);
        }
    }
}

/* Births of the step from women at both ends (births_step() of ccm.c). */
static PS_ALWAYS_INLINE void birth_rows(const ens_batch *b, const int f_sh)
{
    const double h = PS_MID_YEAR_FRACTION;
    const int n = b->e->n_ages, L = b->n_lanes;
    const size_t T = (size_t)b->e->n_traj;
    double *restrict births = b->scratch + (size_t)ROW_BIRTHS * (size_t)b->e->batch;
    for (int j = 0; j < L; ++j) {
        births[j] = 0.0;
    }
    for (int age = PS_FERTILE_AGE_MIN; age <= PS_FERTILE_AGE_MAX && age < n; ++age) {
        const size_t row = (size_t)PS_SEX_FEMALE * (size_t)n + (size_t)age;
        const double *restrict F0 = b->from + row * T + b->lane0;
        const double *restrict F1 = b->to + row * T + b->lane0;
        const double *restrict f = b->r->asfr + (f_sh ? (size_t)age : (size_t)age * T + b->lane0);
#pragma omp simd
        for (int j = 0; j < L; ++j) {
            births[j] += f[f_sh ? 0 : j] * h * (F0[j] + F1[j]);
        }
    }
}

/* Age 0 of one sex: the births of the step surviving to 1 July, plus migrants. */
static PS_ALWAYS_INLINE void age0_row(const ens_batch *b, int sex, const int s_sh, const int m_sh)
{
    const double h = PS_MID_YEAR_FRACTION;
    const int n = b->e->n_ages, L = b->n_lanes;
    const size_t T = (size_t)b->e->n_traj, row = (size_t)sex * (size_t)n;
    const int srb_sh = !(b->r->per_traj & PS_ENS_SRB);
    const double *restrict births = b->scratch + (size_t)ROW_BIRTHS * (size_t)b->e->batch;
    const double *restrict srb = b->r->srb + (srb_sh ? 0 : b->lane0);
    const double *restrict M = b->r->mig + (m_sh ? row : row * T + b->lane0);
    const double *restrict S = b->r->surv + (s_sh ? row : row * T + b->lane0);
    double *restrict out = b->to + row * T + b->lane0;
    double *restrict D = b->deaths + row * b->d_stride;
    double *restrict Mc = b->mig_c + row * b->m_stride;
    double *restrict adj = b->adj_out;
    double *restrict bs_out = b->births_ev != NULL ? b->births_ev + (size_t)sex * T
                                                   : b->scratch + (size_t)ROW_BS *
                                                                     (size_t)b->e->batch;
    const double *restrict shortfall_m = b->scratch + (size_t)ROW_SHORT_M * (size_t)b->e->batch;
    const double *restrict shortfall_f = b->scratch + (size_t)ROW_SHORT_F * (size_t)b->e->batch;
    long long bad[PS_ENS_BATCH_MAX];
    double want[PS_ENS_BATCH_MAX];
    long long any = 0;
    if (sex == PS_SEX_MALE) { /* ccm.c: adjustment = 0 + male shortfall + female shortfall */
        for (int j = 0; j < L; ++j) {
            adj[j] = 0.0 + shortfall_m[j] + shortfall_f[j];
        }
    }
#pragma omp simd reduction(| : any)
    for (int j = 0; j < L; ++j) {
        const double q = srb[srb_sh ? 0 : j];
        const double bs = births[j] * (sex == PS_SEX_MALE ? q : 1.0) / (1.0 + q);
        const double s = S[s_sh ? 0 : j], m = M[m_sh ? 0 : j];
        const double v = bs * s + h * m;
        const double fix = v < 0.0 ? -v : 0.0;
        const double d = bs * (1.0 - s), c = h * m + fix;
        out[j] = v + fix;
        D[j] = d;
        Mc[j] = c;
        adj[j] += fix;
        bs_out[j] = bs;
        want[j] = bs - d + c;
        bad[j] = cell_bad(v + fix, want[j], bs, d, c);
        any |= bad[j];
    }
    if (any) {
        note_fault(b->fault, sex, 0, out, want, bad, L);
    }
}

/* One batch, with the sharing of survivorship, ASFR and migration fixed at compile time. */
static PS_ALWAYS_INLINE void run_batch(const ens_batch *b, const int s_sh, const int f_sh,
                                       const int m_sh)
{
    survive_rows(b, PS_SEX_MALE, s_sh, m_sh);
    survive_rows(b, PS_SEX_FEMALE, s_sh, m_sh);
    birth_rows(b, f_sh);
    age0_row(b, PS_SEX_MALE, s_sh, m_sh);
    age0_row(b, PS_SEX_FEMALE, s_sh, m_sh);
}

static void dispatch(const ens_batch *b)
{
    const unsigned pt = b->r->per_traj;
    switch ((pt & PS_ENS_SURV ? 0u : 4u) | (pt & PS_ENS_ASFR ? 0u : 2u) |
            (pt & PS_ENS_MIG ? 0u : 1u)) {
    case 0: run_batch(b, 0, 0, 0); break;
    case 1: run_batch(b, 0, 0, 1); break;
    case 2: run_batch(b, 0, 1, 0); break;
    case 3: run_batch(b, 0, 1, 1); break;
    case 4: run_batch(b, 1, 0, 0); break;
    case 5: run_batch(b, 1, 0, 1); break;
    case 6: run_batch(b, 1, 1, 0); break;
    default: run_batch(b, 1, 1, 1); break;
    }
}

static void step_batch(ps_ens *e, const ps_ens_rates *r, const double *from, double *to,
                       const ps_ens_events *ev, int bat)
{
    const size_t T = (size_t)e->n_traj, lane0 = (size_t)bat * (size_t)e->batch;
    double *scratch = e->scratch + (size_t)bat * ENS_SCRATCH_ROWS * (size_t)e->batch;
    const int keep_d = ev != NULL && ev->deaths != NULL;
    const int keep_m = ev != NULL && ev->net_migration != NULL;
    ens_batch b = {
        .e = e, .r = r, .from = from, .to = to,
        .deaths = keep_d ? ev->deaths + lane0 : scratch + (size_t)ROW_DEATHS * (size_t)e->batch,
        .mig_c = keep_m ? ev->net_migration + lane0 : scratch + (size_t)ROW_MIG * (size_t)e->batch,
        .births_ev = ev != NULL && ev->births != NULL ? ev->births + lane0 : NULL,
        .adj_out = ev != NULL && ev->adjustment != NULL ? ev->adjustment + lane0
                                                        : scratch + (size_t)ROW_ADJ * (size_t)e->batch,
        .scratch = scratch, .fault = &e->faults[bat], .lane0 = lane0,
        .n_lanes = (int)(T - lane0 < (size_t)e->batch ? T - lane0 : (size_t)e->batch),
    };
    b.d_stride = keep_d ? T : 0; /* a sink is one row reused for every age */
    b.m_stride = keep_m ? T : 0;
    e->faults[bat].lane = -1;
    dispatch(&b);
}

ps_status ps_ens_step(ps_ens *e, const ps_ens_rates *r, const double *from, double *to,
                      ps_ens_events *ev, ps_error *err)
{
    const int n_batches = e->n_batches;
    ps_ens *ce = e;
#pragma omp parallel for num_threads(ce->n_threads) schedule(static) default(none)             \
    shared(ce, r, from, to, ev, n_batches)
    for (int bat = 0; bat < n_batches; ++bat) {
        step_batch(ce, r, from, to, ev, bat);
    }
    for (int bat = 0; bat < n_batches; ++bat) {
        const ens_fault *f = &e->faults[bat];
        if (f->lane >= 0) {
            return ps_error_set(err, PS_ENUMERIC,
                                "trajectory %d, %s, age %d: accounting identity fails: "
                                "%.17g != %.17g",
                                bat * e->batch + f->lane, ps_sex_name((ps_sex)f->sex), f->age,
                                f->got, f->want);
        }
    }
    return PS_OK;
}
