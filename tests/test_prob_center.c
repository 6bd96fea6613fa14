/*
 * test_prob_center.c - the median correction of probabilistic projections (popsim/prob.h,
 * src/engine/prob_center.c, docs/model.md 9.3): the score shift makes the mean of a skewed
 * marginal its median knot (checked against an independent quadrature, on the linear and the
 * log scale), is 0 for symmetric and flat knots and has the sign of the skew; a run's yearly
 * TFR, e0 and migration are Q_t(z_t + c d_t) (c = 0: exactly the uncentred values, so existing
 * results keep their bytes); centred runs are the same bytes for 1 and 2 threads; a centring
 * outside [0, 1] is refused; the location classes follow their stated thresholds.
 * Synthetic inputs (no WPP data).
 */
#include <math.h>
#include <string.h>

#include "popsim/proj.h"
#include "prob_fixture.h"

#define YEARS 30
#define B_FIRST 2024
#define B_YEARS 32

static const prob_shape SHAPE = { .years = YEARS, .decay = 0.012, .sex_gain = 0.0,
                                  .mx_trend = 0.0, .mig_from = 18, .mig_to = 40,
                                  .mig_in = 40.0, .mig_out = -5.0, .tfr = 1.6, .mean_age = 29.0 };

/* Skewed bounds: TFR wider above, e0 wider below, migration wider above. */
static const prob_bounds_shape SKEWED = {
    .first_year = B_FIRST, .n_years = B_YEARS, .w0 = 0.03, .w_slope = 0.01, .tfr_log = 0,
    .tfr = 1.6, .tfr_skew = { 1.0, 1.5 }, .e0 = 76.0, .e0_scale = 6.0, .e0_skew = { 1.4, 1.0 },
    .mig = 2000.0, .mig_scale = 40000.0, .mig_skew = { 1.0, 1.5 }, .tfr_low = 1.1,
    .tfr_high = 2.1 };

static int setup(void **state)
{
    return prob_fixture_setup(state, &SHAPE, &SKEWED);
}

/* E[Q(Z + d)] by the trapezoid rule on [-10, 10] (independent of the closed form). */
static double quad_mean(const double kn[PS_PROB_N_KNOTS], double d, int log_scale)
{
    const double h = 1.0e-3;
    double s = 0.0, wsum = 0.0;
    for (int i = -10000; i <= 10000; ++i) {
        const double x = i * h, w = exp(-0.5 * x * x) * (i == -10000 || i == 10000 ? 0.5 : 1.0);
        s += w * ps_prob_marginal(kn, x + d, log_scale);
        wsum += w;
    }
    return s / wsum;
}

static void test_prob_center__shift_makes_the_mean_the_median(void **state)
{
    (void)state;
    static const double skewed[3][PS_PROB_N_KNOTS] = {
        { 1.2, 1.35, 1.6, 2.0, 2.4 },           /* wider above */
        { 60.0, 64.0, 70.0, 72.0, 73.0 },        /* wider below */
        { -9000.0, -2000.0, 500.0, 1500.0, 2000.0 } }; /* wider below */
    for (int c = 0; c < 3; ++c) {
        for (int log_scale = 0; log_scale <= (c == 0); ++log_scale) {
            const double *kn = skewed[c];
            const double d = ps_prob_center_shift(kn, log_scale);
            const double spread = kn[4] - kn[0];
            printf("  knots %d log %d: shift %+.5f, mean %.6f, median %.6f\n", c, log_scale, d,
                   quad_mean(kn, d, log_scale), kn[2]);
            assert_true(fabs(quad_mean(kn, d, log_scale) - kn[2]) < 1.0e-6 * spread);
            assert_true(fabs(quad_mean(kn, 0.0, log_scale) - kn[2]) > 1.0e-3 * spread);
            /* wider above: the uncentred mean is above the median, so the shift is negative */
            assert_true(c == 0 ? d < 0.0 : d > 0.0);
        }
    }
    static const double sym[PS_PROB_N_KNOTS] = { 70.0, 72.0, 75.0, 78.0, 80.0 };
    static const double flat[PS_PROB_N_KNOTS] = { 1.5, 1.5, 1.5, 1.5, 1.5 };
    assert_true(fabs(ps_prob_center_shift(sym, 0)) < 1.0e-12);
    assert_true(ps_prob_center_shift(flat, 1) == 0.0);
}

/* E[log Q(Z + d)] for TFR knots, by the same trapezoid rule. */
static double quad_mean_log(const double kn[PS_PROB_N_KNOTS], double d)
{
    const double h = 1.0e-3;
    double s = 0.0, wsum = 0.0;
    for (int i = -10000; i <= 10000; ++i) {
        const double x = i * h, w = exp(-0.5 * x * x) * (i == -10000 || i == 10000 ? 0.5 : 1.0);
        s += w * log(ps_prob_marginal(kn, x + d, 1));
        wsum += w;
    }
    return s / wsum;
}

/* The TFR centring acts on log TFR (docs/model.md 9.3, round 6): its shift puts the mean of
 * log TFR on the log of the median knot. Low-fertility bounds wider below on the log scale
 * (China 2100-like) need an upward shift, larger than the one that centres TFR itself, since
 * the mean of TFR exceeds e^(the mean of log TFR). */
static void test_prob_center__tfr_shift_centres_log_tfr(void **state)
{
    (void)state;
    static const double sets[3][PS_PROB_N_KNOTS] = {
        { 0.60, 0.846, 1.345, 1.785, 1.993 }, /* wider below in log TFR */
        { 1.20, 1.35, 1.60, 2.00, 2.40 },     /* wider above */
        { 1.00, 1.20, 1.50, 1.875, 2.25 } };   /* symmetric in log TFR */
    for (int s = 0; s < 3; ++s) {
        const double *kn = sets[s];
        const double d = ps_prob_center_shift_tfr_log(kn);
        const double m = quad_mean_log(kn, d), m0 = quad_mean_log(kn, 0.0);
        printf("  TFR knots %d: log shift %+.5f (level-scale shift %+.5f), E[log TFR] %.7f, "
               "log median %.7f, uncentred %.7f\n",
               s, d, ps_prob_center_shift(kn, 1), m, log(kn[2]), m0);
        assert_true(fabs(m - log(kn[2])) < 1.0e-7);
        if (s == 2) {
            assert_true(fabs(d) < 1.0e-9);
        } else {
            assert_true(fabs(m0 - log(kn[2])) > 1.0e-3);
            assert_true(s == 0 ? d > 0.0 : d < 0.0);
        }
        /* e^Q is convex in Q: the level-scale centring wants a smaller upward shift */
        assert_true(ps_prob_center_shift(kn, 1) < d);
    }
    static const double flat[PS_PROB_N_KNOTS] = { 1.5, 1.5, 1.5, 1.5, 1.5 };
    assert_true(ps_prob_center_shift_tfr_log(flat) == 0.0);
}

static ps_prob *run(const prob_fixture *fx, int n_traj, int threads, double center)
{
    ps_prob_options o = prob_fixture_options(n_traj, threads, 7u);
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        o.center[k] = center;
    }
    return prob_fixture_run(&fx->in, &fx->b, &o, 0);
}

static void test_prob_center__runs_draw_the_shifted_scores(void **state)
{
    prob_fixture *fx = *state;
    const ps_prob_bounds *b = &fx->b;
    enum { N = 20, NP = B_YEARS };
    const ps_prob_options o = PS_PROB_OPTIONS_INIT;
    for (int c = 0; c <= 1; ++c) {
        const double center = c ? 0.6 : 0.0;
        ps_prob *p = run(fx, N, 1, center);
        const double *tfr = ps_prob_trajectories(p, PS_PROB_V_TFR);
        const double *e0 = ps_prob_trajectories(p, PS_PROB_V_E0);
        double z[NP];
        int n_shifted = 0;
        for (int j = 0; j < N; ++j) {
            for (int proc = PS_PROB_TFR; proc <= PS_PROB_E0; ++proc) {
                ps_prob_path(z, NP, o.rho[proc], o.level[proc], NULL, 7u, j, (ps_prob_proc)proc);
                for (int y = 0; y <= YEARS; ++y) {
                    const int by = START - B_FIRST + y;
                    const double *kn = proc == PS_PROB_TFR
                                           ? &b->tfr[by * PS_PROB_N_KNOTS]
                                           : &b->e0[(by * PS_SEX_COUNT) * PS_PROB_N_KNOTS];
                    const int lg = proc == PS_PROB_TFR;
                    const double d = lg ? ps_prob_center_shift_tfr(kn, center)
                                        : center * ps_prob_center_shift(kn, lg);
                    const double want = ps_prob_marginal(kn, z[by] + d, lg);
                    const double got = proc == PS_PROB_TFR
                                           ? tfr[(size_t)y * N + (size_t)j]
                                           : e0[((size_t)y * PS_SEX_COUNT) * N + (size_t)j];
                    assert_true(got == want);
                    n_shifted += got != ps_prob_marginal(kn, z[by], lg);
                }
            }
        }
        /* centring 0 is the uncentred process exactly; 0.6 moves every skewed year */
        assert_int_equal(n_shifted, c ? N * 2 * (YEARS + 1) : 0);
        ps_prob_free(p);
    }
}

/* Round 17 (docs/model.md 9.8): a run with a skewed TFR level draws Q(G(sqrt(L) h(u) +
 * sqrt(1 - L) a_t)), the path of ps_prob_path with the map, exactly; skew 0 keeps the
 * symmetric level's draws bit for bit, and a skew changes them. */
static void test_prob_center__runs_draw_the_skewed_level(void **state)
{
    prob_fixture *fx = *state;
    const ps_prob_bounds *b = &fx->b;
    enum { N = 20, NP = B_YEARS };
    ps_error err;
    ps_prob *p[2];
    for (int c = 0; c < 2; ++c) {
        ps_prob_options o = prob_fixture_options(N, 1, 7u);
        o.center[PS_PROB_TFR] = 0.0;
        o.level[PS_PROB_TFR] = 0.5;
        o.level_skew[PS_PROB_TFR] = c ? 1.0 : 0.0;
        p[c] = prob_fixture_run(&fx->in, b, &o, 0);
    }
    ps_prob_level_map *map = NULL;
    assert_ps_ok(ps_prob_level_map_new(&map, 0.5, 1.0, &err), &err);
    const ps_prob_options *o = ps_prob_options_of(p[1]);
    int n_moved = 0;
    for (int c = 0; c < 2; ++c) {
        const double *tfr = ps_prob_trajectories(p[c], PS_PROB_V_TFR);
        for (int j = 0; j < N; ++j) {
            double z[NP];
            ps_prob_path(z, NP, o->rho[PS_PROB_TFR], 0.5, c ? map : NULL, 7u, j, PS_PROB_TFR);
            for (int y = 0; y <= YEARS; ++y) {
                const int by = START - B_FIRST + y;
                const double *kn = &b->tfr[by * PS_PROB_N_KNOTS];
                assert_true(tfr[(size_t)y * N + (size_t)j] == ps_prob_marginal(kn, z[by], 1));
                if (c) {
                    n_moved += tfr[(size_t)y * N + (size_t)j] !=
                               ps_prob_trajectories(p[0], PS_PROB_V_TFR)[(size_t)y * N + j];
                }
            }
        }
    }
    assert_int_equal(n_moved, N * (YEARS + 1));
    ps_prob_level_map_free(map);
    ps_prob_free(p[0]);
    ps_prob_free(p[1]);
}

/* ps_prob_restart takes a new skew (bench/calibrate_prob -k): after units of one skew, a
 * restart with another draws what a new run with it draws, byte for byte, and a restart back
 * gives the first run's bytes again; a skew outside the range is refused. */
static void test_prob_center__restart_takes_the_skew(void **state)
{
    prob_fixture *fx = *state;
    enum { N = 20 };
    ps_error err;
    ps_prob_options o = prob_fixture_options(N, 1, 7u);
    o.center[PS_PROB_TFR] = 0.0;
    o.level[PS_PROB_TFR] = 0.5;
    ps_prob *fresh[2];
    for (int c = 0; c < 2; ++c) {
        o.level_skew[PS_PROB_TFR] = c ? 1.0 : 0.0;
        fresh[c] = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    }
    const size_t n_val = (size_t)(YEARS + 1) * N;
    for (int c = 0; c < 2; ++c) { /* from skew 0 to 1, and from 1 back to 0 */
        ps_prob *p = NULL;
        o.level_skew[PS_PROB_TFR] = c ? 1.0 : 0.0;
        assert_ps_ok(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), &err);
        for (int k = 0; k < ps_prob_n_units(p); ++k) {
            assert_ps_ok(ps_prob_unit(p, k, &err), &err);
        }
        double skew[PS_PROB_PROC_COUNT] = { 0.0, 0.0, 0.0 };
        skew[PS_PROB_TFR] = c ? 0.0 : 1.0;
        const double bad[PS_PROB_PROC_COUNT] = { PS_PROB_LEVEL_SKEW_MAX + 0.5, 0.0, 0.0 };
        assert_int_equal(ps_prob_restart(p, o.rho, NULL, bad, &err), PS_EINVAL);
        assert_ps_ok(ps_prob_restart(p, o.rho, NULL, skew, &err), &err);
        for (int k = 0; k < ps_prob_n_units(p); ++k) {
            assert_ps_ok(ps_prob_unit(p, k, &err), &err);
        }
        assert_ps_ok(ps_prob_finish(p, &err), &err);
        const int want = c ? 0 : 1;
        assert_memory_equal(ps_prob_trajectories(p, PS_PROB_V_TFR),
                            ps_prob_trajectories(fresh[want], PS_PROB_V_TFR),
                            n_val * sizeof(double));
        assert_memory_equal(ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL),
                            ps_prob_trajectories(fresh[want], PS_PROB_V_POP_TOTAL),
                            n_val * sizeof(double));
        ps_prob_free(p);
    }
    assert_memory_not_equal(ps_prob_trajectories(fresh[0], PS_PROB_V_TFR),
                            ps_prob_trajectories(fresh[1], PS_PROB_V_TFR), n_val * sizeof(double));
    ps_prob_free(fresh[0]);
    ps_prob_free(fresh[1]);
}

/* The mean of the log-rate marginal: the trapezoid rule on [-10, 10] over the piecewise
 * linear interpolation of log(1 + knot / pop) (the centring's marginal; the log of the drawn
 * migrants is concave between the knots, a difference of about 1e-5 in the shift here). */
static double quad_mean_log_rate(const double kn[PS_PROB_N_KNOTS], double d, double pop)
{
    double t[PS_PROB_N_KNOTS];
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        t[k] = log1p(kn[k] / pop);
    }
    const double h = 1.0e-3;
    double s = 0.0, wsum = 0.0;
    for (int i = -10000; i <= 10000; ++i) {
        const double x = i * h, w = exp(-0.5 * x * x) * (i == -10000 || i == 10000 ? 0.5 : 1.0);
        s += w * ps_prob_marginal(t, x + d, 0);
        wsum += w;
    }
    return s / wsum;
}

/* The shift at which that mean is log(1 + median / pop), by bisection on the quadrature
 * (independent of src/engine/prob_center.c's closed form). */
static double log_rate_shift_by_quadrature(const double kn[PS_PROB_N_KNOTS], double pop)
{
    double lo = -2.0, hi = 2.0;
    for (int it = 0; it < 40; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (quad_mean_log_rate(kn, mid, pop) < log1p(kn[PS_PROB_KNOT_MEDIAN] / pop)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return 0.5 * (lo + hi);
}

/*
 * Migrants per person with the migration centred on log rates (mig_per_person 2,
 * docs/model.md 9.3, round 8): each year's migrants are Q_t(z_t + c d_t), d_t the shift that
 * puts the mean of log(1 + Q_t / P_t) (interpolated between the knots) on
 * log(1 + median_t / P_t), P_t the reference
 * projection's population (the start's for the bounds' year before it); a step's net
 * migrants are then (the inputs' + the two years' mean less the median) x the trajectory's
 * size over P. The shift exceeds the one in persons (log(1 + x) is concave). A year with a
 * knot at or below -P_t has no rate's log: it is centred in persons (bounds year
 * `fallback`, -1 for none). Only draws on the segments above lo80 are compared, so that no
 * emigration the engine has to cut (sec. 2.2) enters; returns how many were compared in the
 * two steps the fallback year enters.
 */
static int check_log_rate_centring(prob_fixture *fx, int fallback)
{
    const ps_prob_bounds *b = &fx->b;
    enum { N = 12, NP = B_YEARS };
    ps_error err;
    ps_proj *proj = NULL;
    ps_result ref;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&ref, proj, "ref", NULL, &err), &err);
    ps_proj_free(proj);
    if (fallback >= 0) { /* that year's lo95: emigration of 1.5 times the population */
        fx->b.mig[fallback * PS_PROB_N_KNOTS] =
            -1.5 * ps_result_total(&ref, B_FIRST + fallback);
    }
    const double c = 0.8;
    ps_prob_options o = prob_fixture_options(N, 1, 7u);
    o.center[PS_PROB_TFR] = o.center[PS_PROB_E0] = 0.0;
    o.center[PS_PROB_MIG] = c;
    o.mig_per_person = 2;
    ps_prob *p = prob_fixture_run(&fx->in, b, &o, 0);
    const int y0 = START - B_FIRST;
    double shift[NP], m_in[YEARS];
    int larger = 0;
    for (int by = 0; by <= y0 + YEARS; ++by) {
        const double *kn = &b->mig[by * PS_PROB_N_KNOTS];
        const double pop = ps_result_total(&ref, START + (by < y0 ? 0 : by - y0));
        const double in_persons = c * ps_prob_center_shift(kn, 0);
        if (by == fallback) {
            assert_true(kn[0] <= -pop);
            shift[by] = in_persons;
            continue;
        }
        shift[by] = c * log_rate_shift_by_quadrature(kn, pop);
        larger += shift[by] > in_persons + 1e-6;
    }
    assert_int_equal(larger, y0 + YEARS + 1 - (fallback >= 0));
    for (int step = 0; step < YEARS; ++step) {
        m_in[step] = 0.0;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                m_in[step] += fx->in.mig[ps_inputs_idx(&fx->in, step, 0, sex, age)];
            }
        }
    }
    const double *mig = ps_prob_trajectories(p, PS_PROB_V_NET_MIG);
    const double *tot = ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL);
    const double z80 = ps_prob_knot_z(1);
    double z[NP], worst = 0.0;
    int at_fallback = 0;
    for (int j = 0; j < N; ++j) {
        ps_prob_path(z, NP, o.rho[PS_PROB_MIG], o.level[PS_PROB_MIG], NULL, 7u, j, PS_PROB_MIG);
        for (int step = 0; step < YEARS; ++step) {
            const int by = y0 + step;
            if (z[by] + shift[by] < z80 || z[by + 1] + shift[by + 1] < z80) {
                continue;
            }
            at_fallback += by == fallback || by + 1 == fallback;
            const double *k0 = &b->mig[by * PS_PROB_N_KNOTS], *k1 = k0 + PS_PROB_N_KNOTS;
            const double drawn = 0.5 * (ps_prob_marginal(k0, z[by] + shift[by], 0) +
                                        ps_prob_marginal(k1, z[by + 1] + shift[by + 1], 0));
            const double dev = drawn - 0.5 * (k0[PS_PROB_KNOT_MEDIAN] + k1[PS_PROB_KNOT_MEDIAN]);
            const size_t at = (size_t)step * N + (size_t)j;
            const double want =
                (m_in[step] + dev) * (tot[at] / ps_result_total(&ref, START + step));
            worst = fmax(worst, fabs(mig[at] - want));
        }
    }
    /* persons; the quadrature's error moves a migrant total by about 1e-4 persons, the
     * centring in persons by 0.1 to 0.3 */
    printf("  largest difference from the quadrature's migrants: %.2e persons\n", worst);
    assert_true(worst < 2e-3);
    ps_prob_free(p);
    ps_result_release(&ref);
    return at_fallback;
}

static void test_prob_center__log_rate_centring_of_migrants_per_person(void **state)
{
    prob_fixture *fx = *state;
    check_log_rate_centring(fx, -1);
    /* the fallback: bounds year 2031's lo95 beyond the population */
    assert_true(check_log_rate_centring(fx, 2031 - B_FIRST) > 0);
}

/* The TFR shift is the centring's where its knots move by at most
 * PS_PROB_CENTER_TFR_MAX_MOVE, and cut back to exactly that move where they would move more. */
static void test_prob_center__tfr_shift_is_capped(void **state)
{
    (void)state;
    static const double mild[PS_PROB_N_KNOTS] = { 1.20, 1.30, 1.50, 1.69, 1.79 };
    static const double skewed[PS_PROB_N_KNOTS] = { 0.60, 0.846, 1.345, 1.785, 1.993 };
    const double *sets[2] = { mild, skewed };
    for (int s = 0; s < 2; ++s) {
        const double *kn = sets[s];
        const double full = ps_prob_center_shift_tfr_log(kn);
        const double got = ps_prob_center_shift_tfr(kn, 1.0);
        double move_full = 0.0, move = 0.0;
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            const double z = ps_prob_knot_z(k);
            move_full = fmax(move_full, fabs(ps_prob_marginal(kn, z + full, 1) / kn[k] - 1.0));
            move = fmax(move, fabs(ps_prob_marginal(kn, z + got, 1) / kn[k] - 1.0));
        }
        assert_true(full != 0.0 && got * full > 0.0); /* same direction */
        assert_true(move <= PS_PROB_CENTER_TFR_MAX_MOVE + 1e-12);
        if (move_full <= PS_PROB_CENTER_TFR_MAX_MOVE) {
            assert_true(got == full);
        } else {
            assert_true(fabs(move - PS_PROB_CENTER_TFR_MAX_MOVE) < 1e-9);
        }
        assert_true(s == 0 ? move_full <= PS_PROB_CENTER_TFR_MAX_MOVE
                           : move_full > PS_PROB_CENTER_TFR_MAX_MOVE); /* both branches run */
        assert_true(ps_prob_center_shift_tfr(kn, 0.0) == 0.0);
    }
}

static void test_prob_center__threads_give_the_same_bytes(void **state)
{
    prob_fixture *fx = *state;
    enum { N = 200 };
    ps_prob *a = run(fx, N, 1, 1.0);
    ps_prob *c = run(fx, N, 2, 1.0);
    const size_t rows = (size_t)(YEARS + 1);
    assert_memory_equal(ps_prob_trajectories(a, PS_PROB_V_POP_TOTAL),
                        ps_prob_trajectories(c, PS_PROB_V_POP_TOTAL), rows * N * sizeof(double));
    assert_memory_equal(ps_prob_stats(a, PS_PROB_V_BIRTHS), ps_prob_stats(c, PS_PROB_V_BIRTHS),
                        rows * PS_PROB_N_STATS * sizeof(double));
    ps_prob_free(a);
    ps_prob_free(c);
}

static void test_prob_center__bad_centring_is_refused(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    ps_prob *p = NULL;
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.center[PS_PROB_MIG] = 1.5;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "centring"));
    assert_null(p);
    o.center[PS_PROB_MIG] = 0.0;
    assert_ps_ok(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), &err);
    const double bad[PS_PROB_PROC_COUNT] = { 0.0, NAN, 0.0 };
    assert_int_equal(ps_prob_recenter(p, bad, &err), PS_EINVAL);
    ps_prob_free(p);
}

static void test_prob_center__location_classes(void **state)
{
    (void)state;
    ps_prob_bounds b;
    /* first year: TFR 1.6, migration 80 % half-width 0.03 x 40000 x 1.28 x 1.25 */
    prob_fixture_bounds(&b, &SKEWED);
    assert_int_equal(ps_prob_post_transition(&b), 1);
    b.tfr[PS_PROB_KNOT_MEDIAN] = PS_PROB_PHASE_TFR + 0.01;
    assert_int_equal(ps_prob_post_transition(&b), 0);
    const double hw = 0.5 * (b.mig[3] - b.mig[1]);
    assert_int_equal(ps_prob_mig_volatile(&b, 0.99 * hw / PS_PROB_MIG_VOLATILE), 1);
    assert_int_equal(ps_prob_mig_volatile(&b, 1.01 * hw / PS_PROB_MIG_VOLATILE), 0);
    assert_int_equal(ps_prob_mig_volatile(&b, 0.0), 0);
    ps_prob_bounds_release(&b);
}

/* A band whose 80 % half-width per person grows as an AR(1)'s from a known start,
 * sqrt(1 - rho^(2t)), t = 1 in 2024, is given back its rho (docs/model.md 9.3). */
static void test_prob_center__migration_persistence_from_band_growth(void **state)
{
    (void)state;
    ps_error err;
    ps_prob_bounds b;
    const double rho = 0.9, pop = 5e6;
    static const double z[PS_PROB_N_KNOTS] = { -1.96, -1.2816, 0.0, 1.2816, 1.96 };
    assert_ps_ok(ps_prob_bounds_init(&b, 2024, 77, &err), &err);
    for (int y = 0; y < b.n_years; ++y) {
        const double sd = 0.004 * pop * sqrt(1.0 - pow(rho, 2.0 * (y + 1)));
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            b.mig[y * PS_PROB_N_KNOTS + k] = 1000.0 + sd * z[k];
        }
    }
    /* by hand: t = 7 in 2030, 27 in 2050 */
    const double g = sqrt((1.0 - pow(0.9, 54.0)) / (1.0 - pow(0.9, 14.0)));
    assert_close(ps_prob_mig_growth(&b, pop, pop), g, 1e-12);
    assert_close(ps_prob_mig_growth(&b, pop, 2.0 * pop), 0.5 * g, 1e-12); /* per person */
    assert_close(ps_prob_rho_from_growth(g, 2024, 0.0, 0.999), rho, 1e-9);
    assert_close(ps_prob_rho_from_growth(g, 2024, 0.95, 0.999), 0.95, 0.0);
    assert_close(ps_prob_rho_from_growth(g, 2024, 0.0, 0.85), 0.85, 0.0);
    /* a band that does not widen, or no growth at all: the floor */
    assert_close(ps_prob_rho_from_growth(0.98, 2024, 0.3, 0.99), 0.3, 0.0);
    assert_close(ps_prob_rho_from_growth(NAN, 2024, 0.3, 0.99), 0.3, 0.0);
    /* growth beyond the random walk's sqrt(54 / 14): the cap */
    assert_close(ps_prob_rho_from_growth(2.0, 2024, 0.3, 0.99), 0.99, 0.0);
    /* the floor: the band of rho = PS_PROB_RHO_MIG_FLOOR has 99 % of its 2050 variance by 2030 */
    assert_true(fabs(pow(PS_PROB_RHO_MIG_FLOOR, 14.0) - 0.01) < 0.0005);
    assert_true(isnan(ps_prob_mig_growth(&b, 0.0, pop)));
    /* ps_prob_options_by_class: from the growth, else by the volatility class */
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    ps_prob_options_by_class(&o, &b, pop, g, ps_prob_mig_early_growth(&b, pop, pop));
    assert_close(o.rho[PS_PROB_MIG], rho, 1e-9); /* above the floor: the early widening unused */
    /* the migration centring from that persistence over the bounds' 77 years */
    assert_close(o.center[PS_PROB_MIG], 1.0 - 1.0 / ps_prob_n_eff(rho, 0.0, 77), 1e-9);
    assert_true(o.center[PS_PROB_MIG] > 0.75 && o.center[PS_PROB_MIG] < 0.8); /* 0.784 */
    /* TFR uncentred: the median is aligned (round 16) */
    assert_true(o.align_median == 1);
    assert_true(o.center[PS_PROB_TFR] == 0.0);
    /* without the alignment (every year's populations kept), the TFR centring from the TFR
     * persistence and level share of the phase, the same way (round 6) */
    o.keep_population = 1;
    ps_prob_options_by_class(&o, &b, pop, g, ps_prob_mig_early_growth(&b, pop, pop));
    assert_true(o.align_median == 0);
    const int post = ps_prob_post_transition(&b);
    assert_close(o.center[PS_PROB_TFR],
                 1.0 - 1.0 / ps_prob_n_eff(post ? PS_PROB_RHO_TFR_POST : PS_PROB_RHO_TFR_TRANSITION,
                                           post ? PS_PROB_LEVEL_TFR_POST
                                                : PS_PROB_LEVEL_TFR_TRANSITION,
                                           77),
                 1e-12);
    assert_true(o.center[PS_PROB_TFR] > 0.0 && o.center[PS_PROB_TFR] < 1.0);
    o.keep_population = 0;
    ps_prob_options_by_class(&o, &b, pop, 1.0, NAN);
    assert_close(o.rho[PS_PROB_MIG], PS_PROB_RHO_MIG_FLOOR, 0.0);
    ps_prob_options_by_class(&o, &b, pop, NAN, 1.1); /* no growth: the class, early or not */
    assert_close(o.rho[PS_PROB_MIG],
                        ps_prob_mig_volatile(&b, pop) ? PS_PROB_RHO_MIG_VOLATILE
                                                      : PS_PROB_RHO_MIG_STEADY, 0.0);
    ps_prob_bounds_release(&b);
    /* bounds that start after 2030 have no growth */
    assert_ps_ok(ps_prob_bounds_init(&b, 2031, 30, &err), &err);
    assert_true(isnan(ps_prob_mig_growth(&b, pop, pop)));
    assert_true(isnan(ps_prob_mig_early_growth(&b, pop, pop)));
    ps_prob_bounds_release(&b);
}

/* Below the floor (rounds 9, 10): a band of an AR(1) with rho = 0.4 has stopped widening by 2030,
 * so its growth gives the floor; its widening from the first year (t = 1) to 2030 (t = 7)
 * gives rho back, and ps_prob_options_by_class takes it, between
 * PS_PROB_RHO_MIG_EARLY_FLOOR and the floor. */
static void test_prob_center__migration_persistence_below_the_floor(void **state)
{
    (void)state;
    ps_error err;
    ps_prob_bounds b;
    const double pop = 5e6;
    static const double z[PS_PROB_N_KNOTS] = { -1.96, -1.2816, 0.0, 1.2816, 1.96 };
    static const double rhos[] = { 0.0, 0.4, 0.65 };
    for (size_t r = 0; r < sizeof rhos / sizeof rhos[0]; ++r) {
        const double rho = rhos[r];
        assert_ps_ok(ps_prob_bounds_init(&b, 2024, 77, &err), &err);
        for (int y = 0; y < b.n_years; ++y) {
            const double sd = 0.02 * pop * sqrt(1.0 - pow(rho, 2.0 * (y + 1)));
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                b.mig[y * PS_PROB_N_KNOTS + k] = -500.0 + sd * z[k];
            }
        }
        const double g = ps_prob_mig_growth(&b, pop, pop);
        const double e = ps_prob_mig_early_growth(&b, pop, pop);
        /* by hand: (1 - rho^14) / (1 - rho^2) */
        assert_close(e, sqrt((1.0 - pow(rho, 14.0)) / (1.0 - rho * rho)), 1e-12);
        assert_close(ps_prob_mig_early_growth(&b, pop, 2.0 * pop), 0.5 * e, 1e-12);
        assert_close(ps_prob_rho_from_growth(g, 2024, PS_PROB_RHO_MIG_FLOOR, PS_PROB_RHO_MIG_CAP),
                     PS_PROB_RHO_MIG_FLOOR, 0.0);
        ps_prob_options o = PS_PROB_OPTIONS_INIT;
        ps_prob_options_by_class(&o, &b, pop, g, e);
        printf("  rho %.2f: growth %.6f, early widening %.6f, persistence %.6f\n", rho, g, e,
               o.rho[PS_PROB_MIG]);
        assert_close(o.rho[PS_PROB_MIG], rho, 1e-9);
        assert_close(o.center[PS_PROB_MIG], 1.0 - 1.0 / ps_prob_n_eff(rho, 0.0, 77), 1e-9);
        /* round 11: the medium's migrants per person, but not with a variant */
        assert_int_equal(o.mig_per_person, PS_PROB_MIG_PER_PERSON_LOCATION);
        assert_int_equal(PS_PROB_MIG_PER_PERSON_LOCATION, 3);
        /* round 13: and the deviation with the size elasticity (pinned: a change is seen;
         * 0.4 since round 15) */
        assert_close(o.mig_size_elasticity, PS_PROB_MIG_SIZE_ELASTICITY_LOCATION, 0.0);
        assert_close(PS_PROB_MIG_SIZE_ELASTICITY_LOCATION, 0.4, 0.0);
        assert_int_equal(o.align_median, 1); /* round 14: the median aligned */
        ps_prob_options ov = PS_PROB_OPTIONS_INIT;
        ov.variant = PS_PROB_VARIANT_HIGH;
        ps_prob_options_by_class(&ov, &b, pop, g, e);
        assert_int_equal(ov.mig_per_person, 0);
        assert_close(ov.mig_size_elasticity, 0.0, 0.0);
        assert_int_equal(ov.align_median, 0);
        assert_close(ov.rho[PS_PROB_MIG], rho, 1e-9);
        /* no early widening known: the floor, as before round 9 */
        ps_prob_options_by_class(&o, &b, pop, g, NAN);
        assert_close(o.rho[PS_PROB_MIG], PS_PROB_RHO_MIG_FLOOR, 0.0);
        ps_prob_bounds_release(&b);
    }
    /* both rules in one (round 10): the early widening's below the floor, within its own
     * floor (what bench/prob_checks overrides); the growth's where the early widening gives
     * the floor, and where the band narrowed by more than the threshold */
    const double g9 = sqrt((1.0 - pow(0.9, 54.0)) / (1.0 - pow(0.9, 14.0)));
    const double e9 = sqrt((1.0 - pow(0.9, 14.0)) / (1.0 - 0.81)); /* the same AR(1) */
    assert_close(ps_prob_rho_mig_from_bands(g9, e9, 2024, 0.0, 0.72, 0.99, 0.85), 0.9, 1e-9);
    /* the growth's 0.9 but no early widening: the early widening wins (Liberia's case) */
    assert_close(ps_prob_rho_mig_from_bands(g9, 1.0, 2024, 0.0, 0.72, 0.99, 0.85), 0.0, 0.0);
    assert_close(ps_prob_rho_mig_from_bands(g9, 1.2, 2024, 0.0, 0.72, 0.99, 0.85),
                 ps_prob_rho_from_early_growth(1.2, 2024, 0.0, 0.72), 0.0);
    assert_true(ps_prob_rho_from_early_growth(1.2, 2024, 0.0, 0.72) > 0.3);
    assert_true(ps_prob_rho_from_early_growth(1.2, 2024, 0.0, 0.72) < 0.72);
    /* a narrowing band: the growth's, at or above the floor */
    assert_close(ps_prob_rho_mig_from_bands(g9, 0.5, 2024, 0.0, 0.72, 0.99, 0.85), 0.9, 1e-9);
    assert_close(ps_prob_rho_mig_from_bands(0.98, 0.84, 2024, 0.0, 0.72, 0.99, 0.85), 0.72, 0.0);
    assert_close(ps_prob_rho_mig_from_bands(0.98, 0.85, 2024, 0.0, 0.72, 0.99, 0.85), 0.0, 0.0);
    assert_close(ps_prob_rho_mig_from_bands(0.98, 1.2, 2024, 0.0, 0.72, 0.99, 0.85),
                 ps_prob_rho_from_early_growth(1.2, 2024, 0.0, 0.72), 0.0);
    assert_close(ps_prob_rho_mig_from_bands(0.98, 1.0, 2024, 0.3, 0.72, 0.99, 0.85), 0.3, 0.0);
    assert_close(ps_prob_rho_mig_from_bands(0.98, NAN, 2024, 0.0, 0.72, 0.99, 0.85), 0.72, 0.0);
    assert_close(ps_prob_rho_mig_from_bands(g9, NAN, 2024, 0.0, 0.72, 0.99, 0.85), 0.9, 1e-9);
    /* bounds from 2024: the early widening of rho -> the floor is the ratio's cap */
    assert_close(ps_prob_rho_from_early_growth(0.95, 2024, 0.0, 0.72), 0.0, 0.0);
    assert_close(ps_prob_rho_from_early_growth(NAN, 2024, 0.1, 0.72), 0.1, 0.0);
    assert_close(ps_prob_rho_from_early_growth(3.0, 2024, 0.0, 0.72), 0.72, 0.0);
}

/* ps_prob_n_eff against the double sum it stands for: 1 / n_eff = (1 / T^2) sum_{i,j}
 * corr(|i - j|), with corr(k) = L + (1 - L) rho^k; the centring's limits. */
static void test_prob_center__n_eff_is_the_variance_of_the_mean(void **state)
{
    (void)state;
    static const double rhos[] = { 0.0, 0.5, 0.72, 0.9, 0.99 }, levels[] = { 0.0, 0.3 };
    static const int years[] = { 1, 2, 25, 77 };
    for (size_t r = 0; r < sizeof rhos / sizeof rhos[0]; ++r) {
        for (size_t l = 0; l < sizeof levels / sizeof levels[0]; ++l) {
            for (size_t t = 0; t < sizeof years / sizeof years[0]; ++t) {
                const int n = years[t];
                double sum = 0.0;
                for (int i = 0; i < n; ++i) {
                    for (int j = 0; j < n; ++j) {
                        sum += levels[l] + (1.0 - levels[l]) * pow(rhos[r], abs(i - j));
                    }
                }
                assert_close(ps_prob_n_eff(rhos[r], levels[l], n), (double)n * n / sum, 1e-9);
            }
        }
    }
    assert_close(ps_prob_n_eff(0.0, 0.0, 77), 77.0, 1e-12);   /* independent years */
    assert_close(ps_prob_n_eff(1.0, 0.0, 77), 1.0, 1e-12);    /* one draw */
    assert_true(isnan(ps_prob_n_eff(0.9, 0.0, 0)));
    assert_close(ps_prob_center_for_sum(0.0, 0.0, 4), 0.75, 1e-12); /* (n - 1) / n */
    assert_close(ps_prob_center_for_sum(1.0, 0.0, 77), 0.0, 1e-12);
    assert_close(ps_prob_center_for_sum(0.5, 1.0, 77), 0.0, 1e-12); /* all level: one draw */
    assert_true(ps_prob_center_for_sum(0.72, 0.0, 77) > ps_prob_center_for_sum(0.99, 0.0, 77));
}

/* The claim behind ps_prob_center_for_sum, by simulation with its own generator: yearly
 * deviations Q(z_t + c d), Q(x) = a x below 0 and b x above (skewed, median 0), z an AR(1),
 * d the score shift that makes each year's mean 0. The median of their sum over T years
 * drifts far up without centring and down with full centring; with c = 1 - 1 / n_eff it is
 * nearer 0 than either, still above (the rule centres an exact sum a little less than its
 * optimum, near 1 - 1 / (2 n_eff - 1), which brings it within a fifth of the smaller drift). */
static uint64_t xs_state = 88172645463325252ULL;
static double xs_uniform(void)
{
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return ((double)(xs_state >> 11) + 0.5) / 9007199254740992.0;
}
static double xs_normal(void)
{
    return sqrt(-2.0 * log(xs_uniform())) * cos(6.283185307179586 * xs_uniform());
}
static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}
static void test_prob_center__centring_for_sum_keeps_the_median(void **state)
{
    (void)state;
    enum { N_SIM = 20001, T = 40 };
    const double a = 1.0, b = 2.0, rho = 0.8;
    /* E[Q(Z + d)] = a d + (b - a) (phi(d) + d Phi(d)), increasing in d: bisection for 0 */
    double lo = -3.0, hi = 3.0;
    for (int it = 0; it < 100; ++it) {
        const double d = 0.5 * (lo + hi);
        const double m = a * d + (b - a) * (exp(-0.5 * d * d) / sqrt(2.0 * M_PI) +
                                            d * 0.5 * erfc(-d / sqrt(2.0)));
        *(m < 0.0 ? &lo : &hi) = d;
    }
    const double d = 0.5 * (lo + hi);
    const double n_eff = ps_prob_n_eff(rho, 0.0, T);
    const double cs[4] = { 0.0, 1.0, ps_prob_center_for_sum(rho, 0.0, T),
                           1.0 - 1.0 / (2.0 * n_eff - 1.0) };
    double med[4];
    double *sums = malloc(N_SIM * sizeof *sums);
    assert_non_null(sums);
    for (int c = 0; c < 4; ++c) {
        xs_state = 88172645463325252ULL; /* the same draws for every centring */
        for (int s = 0; s < N_SIM; ++s) {
            double z = xs_normal(), sum = 0.0;
            for (int t = 0; t < T; ++t) {
                if (t > 0) {
                    z = rho * z + sqrt(1.0 - rho * rho) * xs_normal();
                }
                const double x = z + cs[c] * d;
                sum += x < 0.0 ? a * x : b * x;
            }
            sums[s] = sum;
        }
        qsort(sums, N_SIM, sizeof *sums, cmp_double);
        med[c] = sums[N_SIM / 2];
    }
    free(sums);
    /* uncentred the median drifts up (the mean is above the median every year), fully
     * centred down; the rule's lies between, nearer 0 than either; the exact-sum form's
     * within a fifth of the smaller drift */
    assert_true(med[0] > 0.0 && med[1] < 0.0);
    assert_true(med[2] > 0.0 && med[2] < -med[1] && med[2] < 0.2 * med[0]);
    assert_true(fabs(med[3]) < 0.2 * fmin(fabs(med[0]), fabs(med[1])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob_center__shift_makes_the_mean_the_median),
        cmocka_unit_test(test_prob_center__n_eff_is_the_variance_of_the_mean),
        cmocka_unit_test(test_prob_center__centring_for_sum_keeps_the_median),
        cmocka_unit_test_setup_teardown(test_prob_center__runs_draw_the_shifted_scores, setup,
                                        prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_center__restart_takes_the_skew, setup,
                                        prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_center__runs_draw_the_skewed_level, setup,
                                        prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_center__log_rate_centring_of_migrants_per_person,
                                        setup, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_center__threads_give_the_same_bytes, setup,
                                        prob_fixture_teardown),
        cmocka_unit_test(test_prob_center__tfr_shift_is_capped),
        cmocka_unit_test(test_prob_center__tfr_shift_centres_log_tfr),
        cmocka_unit_test_setup_teardown(test_prob_center__bad_centring_is_refused, setup,
                                        prob_fixture_teardown),
        cmocka_unit_test(test_prob_center__location_classes),
        cmocka_unit_test(test_prob_center__migration_persistence_from_band_growth),
        cmocka_unit_test(test_prob_center__migration_persistence_below_the_floor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
