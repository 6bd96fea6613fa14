/*
 * test_prob.c - probabilistic projections (popsim/prob.h): the quantile function goes through
 * the bounds; the innovations are Random123's Philox4x32-10 with Box-Muller; the AR(1) scores
 * are stationary with the stated persistence; yearly TFR, e0 and migration of the trajectories
 * reproduce the bounds (within sampling error); a trajectory with the median everywhere is the
 * deterministic projection; 1 and 2 threads and any order of the units give the same bytes;
 * migrants per person follow the trajectory's size; the aligned median total is the
 * deterministic projection, the accounting still holds and two halves aligned apart give
 * the whole run's bytes;
 * bad bounds and options are refused. Synthetic inputs (no WPP data).
 */
#include <math.h>
#include <string.h>

#include <Random123/philox.h>

#include "popsim/proj.h"
#include "prob_fixture.h"

#define YEARS 40

static const prob_shape SHAPE = { .years = YEARS, .decay = 0.012, .sex_gain = 0.02,
                                  .mx_trend = 0.01, .mig_from = 18, .mig_to = 40,
                                  .mig_in = 40.0, .mig_out = -5.0, .tfr = 1.4, .mean_age = 29.0 };

/* Bounds 2024..2100 widening with the horizon (setup_flat makes every knot the median). */
static const prob_bounds_shape WIDE = {
    .first_year = 2024, .n_years = 77, .w0 = 0.02, .w_slope = 0.008, .tfr_log = 1, .tfr = 1.4,
    .tfr_skew = { 1.2, 1.0 }, .e0 = 76.0, .e0_scale = 6.0, .e0_skew = { 1.3, 1.0 },
    .mig = 2000.0, .mig_scale = 40000.0, .mig_skew = { 1.0, 1.0 }, .tfr_low = 0.9,
    .tfr_high = 1.9 };

static int setup_wide(void **state)
{
    return prob_fixture_setup(state, &SHAPE, &WIDE);
}

static int setup_flat(void **state)
{
    prob_bounds_shape flat = WIDE;
    flat.w0 = flat.w_slope = 0.0;
    return prob_fixture_setup(state, &SHAPE, &flat);
}

static ps_prob *run(const ps_inputs *in, const ps_prob_bounds *b, int n_traj, int threads,
                    int reverse)
{
    const ps_prob_options o = prob_fixture_options(n_traj, threads, 20250701u);
    return prob_fixture_run(in, b, &o, reverse);
}

static void test_prob__quantile_function_passes_through_the_knots(void **state)
{
    (void)state;
    const double knots[PS_PROB_N_KNOTS] = { 0.8, 1.0, 1.3, 1.5, 1.9 };
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        assert_true(ps_prob_marginal(knots, ps_prob_knot_z(k), 0) == knots[k]);
        assert_close(ps_prob_marginal(knots, ps_prob_knot_z(k), 1), knots[k], 1e-14);
    }
    /* the knot scores are the normal quantiles of the levels */
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        assert_close(0.5 * erfc(-ps_prob_knot_z(k) / sqrt(2.0)), ps_prob_level(k), 1e-9);
    }
    double prev = -INFINITY;
    for (double zz = -5.0; zz <= 5.0; zz += 0.01) {
        const double v = ps_prob_marginal(knots, zz, 1);
        assert_true(v > 0.0 && v >= prev);
        prev = v;
    }
    /* linear tails on the linear scale */
    const double slope = (knots[4] - knots[3]) / (ps_prob_knot_z(4) - ps_prob_knot_z(3));
    assert_close(ps_prob_marginal(knots, 3.0, 0), knots[4] + slope * (3.0 - ps_prob_knot_z(4)),
                 1e-12);
}

static void test_prob__innovations_are_philox_box_muller(void **state)
{
    (void)state;
    const uint64_t seed = 0x0123456789abcdefULL;
    for (int traj = 0; traj < 50; traj += 7) {
        for (int proc = 0; proc < PS_PROB_PROC_COUNT; ++proc) {
            for (int year = 0; year < 80; year += 13) {
                philox4x32_ctr_t c = { { (uint32_t)traj, (uint32_t)proc, (uint32_t)year,
                                         0x70726F62u } };
                philox4x32_key_t k = { { (uint32_t)seed, (uint32_t)(seed >> 32) } };
                philox4x32_ctr_t r = philox4x32_R(10, c, k);
                const double u1 =
                    ((double)((((uint64_t)r.v[0] << 21) ^ (r.v[1] >> 11)) &
                              ((UINT64_C(1) << 53) - 1)) + 0.5) * 0x1.0p-53;
                const double u2 =
                    ((double)((((uint64_t)r.v[2] << 21) ^ (r.v[3] >> 11)) &
                              ((UINT64_C(1) << 53) - 1)) + 0.5) * 0x1.0p-53;
                const double want = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
                assert_true(ps_prob_normal(seed, traj, (ps_prob_proc)proc, year) == want);
            }
        }
    }
}

/* Every year's score is N(0, 1); neighbouring years correlate rho, and with a level share L
 * years t and t + k correlate L + (1 - L) rho^k; level 0 is the plain AR(1) bit for bit; odd
 * trajectories are their even twin negated (antithetic pairs). */
static void test_prob__ar1_scores_are_stationary_with_persistence_rho(void **state)
{
    (void)state;
    enum { N = 4000, T = 60 };
    const double rho = 0.8, levels[] = { 0.0, 0.4 };
    double *z = malloc((size_t)N * T * sizeof *z);
    assert_non_null(z);
    for (int l = 0; l < 2; ++l) {
        const double lev = levels[l];
        for (int j = 0; j < N; ++j) {
            ps_prob_path(z + (size_t)j * T, T, rho, lev, NULL, 7, j, PS_PROB_TFR);
        }
        if (lev == 0.0) { /* the AR(1) recursion itself; trajectory 3 is 2's antithetic twin */
            double a = 0.0;
            for (int t = 0; t < T; ++t) {
                const double e = ps_prob_normal(7, 2, PS_PROB_TFR, t);
                a = t == 0 ? e : rho * a + sqrt(1.0 - rho * rho) * e;
                assert_true(z[2 * T + t] == a);
                assert_true(z[3 * T + t] == -a);
            }
        }
        for (int t = 0; t < T; ++t) { /* pairs with a level share too */
            assert_true(z[5 * T + t] == -z[4 * T + t]);
        }
        const int at[] = { 0, 30, T - 1 };
        for (int i = 0; i < 3; ++i) {
            double m = 0.0, v = 0.0;
            for (int j = 0; j < N; ++j) {
                m += z[(size_t)j * T + (size_t)at[i]];
                v += z[(size_t)j * T + (size_t)at[i]] * z[(size_t)j * T + (size_t)at[i]];
            }
            m /= N;
            v = v / N - m * m;
            assert_true(fabs(m) < 4.0 / sqrt(N));
            assert_true(fabs(v - 1.0) < 4.0 * sqrt(2.0 / N));
        }
        const int lag[] = { 1, T - 1 };
        for (int k = 0; k < 2; ++k) {
            double c = 0.0;
            for (int j = 0; j < N; ++j) {
                c += z[(size_t)j * T] * z[(size_t)j * T + (size_t)lag[k]];
            }
            c /= N;
            const double want = lev + (1.0 - lev) * pow(rho, lag[k]);
            /* the sample correlation's standard error is at most 1.1 / sqrt(N) here */
            assert_true(fabs(c - want) < 4.0 * 1.1 / sqrt(N));
        }
    }
    free(z);
}

/* F(x) of the skewed level's x = sqrt(L) h(u) + sqrt(1 - L) a, by Simpson's rule on a fine
 * grid of u (a node at u = 0, h's kink): independent of the library's Gauss-Legendre. */
static double skew_cdf_simpson(const ps_prob_level_map *m, double level, double x)
{
    enum { N = 20000 }; /* even: [-10, 10] in steps of 0.001 */
    const double a = -10.0, h = 20.0 / N;
    double s = 0.0;
    for (int i = 0; i <= N; ++i) {
        const double u = a + i * h, w = (i == 0 || i == N) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        const double r = (x - sqrt(level) * ps_prob_level_map_level(m, u)) / sqrt(1.0 - level);
        s += w * exp(-0.5 * u * u) / sqrt(2.0 * M_PI) * 0.5 * erfc(-r / sqrt(2.0));
    }
    return s * h / 3.0;
}

/* Round 17 (docs/model.md 9.8): the two-piece level h(u) is standardised (mean 0, variance
 * 1, its scales above and below in the ratio e^skew); the table's G(x) = Phi^-1(F(x)) agrees
 * with an independent quadrature and rises; the paths' every year stays N(0, 1); and a high
 * start persists more than a low one with skew > 0 (the other way round below 0). */
static void test_prob__skewed_level_keeps_normal_scores_and_tilts_persistence(void **state)
{
    (void)state;
    ps_error err;
    ps_prob_level_map *m = NULL;
    assert_int_equal(ps_prob_level_map_new(&m, 0.0, 1.0, &err), PS_EINVAL);
    assert_int_equal(ps_prob_level_map_new(&m, 1.0, 1.0, &err), PS_EINVAL);
    assert_int_equal(ps_prob_level_map_new(&m, 0.5, 3.5, &err), PS_EINVAL);
    assert_null(m);
    static const double cases[][2] = { { 0.5, 1.0 }, { 0.4, -1.5 } };
    for (int c = 0; c < 2; ++c) {
        const double L = cases[c][0], sk = cases[c][1];
        assert_ps_ok(ps_prob_level_map_new(&m, L, sk, &err), &err);
        /* h: mean 0, variance 1, scales e^(sk/2) and e^(-sk/2) (Simpson on [-10, 10]) */
        double m1 = 0.0, m2 = 0.0;
        for (int i = 0; i <= 20000; ++i) {
            const double u = -10.0 + i * 0.001, w = (i == 0 || i == 20000) ? 1 : (i % 2 ? 4 : 2);
            const double hu = ps_prob_level_map_level(m, u), f = exp(-0.5 * u * u) / sqrt(2 * M_PI);
            m1 += w * f * hu;
            m2 += w * f * hu * hu;
        }
        assert_true(fabs(m1 * 0.001 / 3.0) < 1e-9 && fabs(m2 * 0.001 / 3.0 - 1.0) < 1e-9);
        const double up = ps_prob_level_map_level(m, 1.0) - ps_prob_level_map_level(m, 0.0);
        const double dn = ps_prob_level_map_level(m, 0.0) - ps_prob_level_map_level(m, -1.0);
        assert_true(fabs(up / dn - exp(sk)) < 1e-12);
        /* beyond the table's [-16, 16] G comes from quadrature: continuous at the edges */
        for (int e = -1; e <= 1; e += 2) {
            const double in = ps_prob_level_map_score(m, e * (16.0 - 1e-9));
            const double out = ps_prob_level_map_score(m, e * (16.0 + 1e-9));
            assert_true(isfinite(out) && fabs(out - in) < 1e-6 && e * (out - in) > -1e-9);
        }
        double prev = -INFINITY;
        for (double x = -6.0; x <= 6.0; x += 0.137) {
            const double g = ps_prob_level_map_score(m, x), F = skew_cdf_simpson(m, L, x);
            assert_true(g > prev);
            prev = g;
            assert_true(fabs(0.5 * erfc(-g / sqrt(2.0)) - F) < 1e-9);
            assert_true(fabs(ps_prob_level_map_cdf(m, x) - F) < 1e-9);
        }
        enum { N = 20000, T = 40 };
        double *z = malloc((size_t)N * T * sizeof *z);
        assert_non_null(z);
        for (int j = 0; j < N; ++j) {
            ps_prob_path(z + (size_t)j * T, T, 0.9, L, m, 7, j, PS_PROB_TFR);
        }
        const int at[] = { 0, T - 1 };
        for (int i = 0; i < 2; ++i) {
            double mean = 0.0, var = 0.0, skw = 0.0;
            for (int j = 0; j < N; ++j) {
                const double v = z[(size_t)j * T + (size_t)at[i]];
                mean += v;
                var += v * v;
                skw += v * v * v;
            }
            mean /= N;
            var = var / N - mean * mean;
            skw /= N;
            assert_true(fabs(mean) < 4.0 / sqrt(N));
            assert_true(fabs(var - 1.0) < 4.0 * sqrt(2.0 / N));
            assert_true(fabs(skw) < 4.0 * sqrt(15.0 / N)); /* E z^3 = 0, var z^3 = 15 */
        }
        /* the last year's mean score after a start in the upper and the lower decile */
        double hi = 0.0, lo = 0.0;
        int nh = 0, nl = 0;
        for (int j = 0; j < N; ++j) {
            const double z0 = z[(size_t)j * T], zT = z[(size_t)j * T + T - 1];
            if (z0 > 1.2816) {
                hi += zT;
                ++nh;
            } else if (z0 < -1.2816) {
                lo += zT;
                ++nl;
            }
        }
        hi /= nh;
        lo /= nl;
        /* each mean's standard error is below 1 / sqrt(0.09 N) = 0.024 */
        printf("  level %.1f, skew %+.1f: mean last score after a high start %+.3f, after a low "
               "one %+.3f\n", L, sk, hi, lo);
        assert_true(sk > 0 ? hi + lo > 0.15 : hi + lo < -0.15);
        free(z);
        ps_prob_level_map_free(m);
        m = NULL;
    }
}

static void test_prob__sample_quantile_is_type_7(void **state)
{
    (void)state;
    double x[] = { 5.0, 1.0, 4.0, 2.0, 3.0, 9.0, 7.0 }; /* sorted: 1 2 3 4 5 7 9 */
    double y[7];
    const double p[] = { 0.0, 0.025, 0.5, 0.9, 1.0 };
    const double want[] = { 1.0, 1.15, 4.0, 7.8, 9.0 };
    for (int k = 0; k < 5; ++k) {
        memcpy(y, x, sizeof x);
        assert_close(ps_prob_sample_quantile(y, 7, p[k]), want[k], 1e-14);
    }
}

static void test_prob__median_everywhere_is_the_deterministic_projection(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    ps_prob *p = run(&fx->in, &fx->b, 5, 1, 0);
    ps_proj *proj = NULL;
    ps_result res;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&res, proj, "det", NULL, &err), &err);
    const double *tot = ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL);
    const double *bir = ps_prob_trajectories(p, PS_PROB_V_BIRTHS);
    for (int y = 0; y <= YEARS; ++y) {
        for (int j = 0; j < 5; ++j) {
            assert_close(tot[(size_t)y * 5 + (size_t)j], ps_result_total(&res, START + y), 1e-12);
            if (y < YEARS) {
                assert_close(bir[(size_t)y * 5 + (size_t)j], ps_result_births(&res, START + y),
                             1e-12);
            }
        }
    }
    ps_result_release(&res);
    ps_proj_free(proj);
    ps_prob_free(p);
}

/* Fraction of the trajectories of a row below x. */
static double frac_below(const double *row, int n, double x)
{
    int c = 0;
    for (int j = 0; j < n; ++j) {
        c += row[j] < x;
    }
    return (double)c / n;
}

static void test_prob__yearly_quantiles_reproduce_the_bounds(void **state)
{
    prob_fixture *fx = *state;
    const ps_prob_bounds *b = &fx->b;
    enum { N = 2000 };
    /* the uncentred process (centring 0) puts its yearly quantiles on the bounds; the
     * compiled centring of e0 and migration moves them by design (test_prob_center.c) */
    ps_prob_options o = prob_fixture_options(N, 0, 20250701u);
    o.center[PS_PROB_TFR] = o.center[PS_PROB_E0] = o.center[PS_PROB_MIG] = 0.0;
    ps_prob *p = prob_fixture_run(&fx->in, b, &o, 0);
    const double *tfr = ps_prob_trajectories(p, PS_PROB_V_TFR);
    const double *e0 = ps_prob_trajectories(p, PS_PROB_V_E0);
    const int years[] = { START, START + 15, START + YEARS };
    for (int i = 0; i < 3; ++i) {
        const int y = years[i] - START, by = years[i] - 2024;
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            const double lv = ps_prob_level(k), tol = 4.0 * sqrt(lv * (1.0 - lv) / N);
            assert_true(fabs(frac_below(tfr + (size_t)y * N, N,
                                        b->tfr[by * PS_PROB_N_KNOTS + k]) - lv) < tol);
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                const double x = b->e0[(by * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS + k];
                assert_true(fabs(frac_below(e0 + ((size_t)y * 2 + (size_t)sex) * N, N, x) - lv) <
                            tol);
            }
        }
    }
    /* the stats are the sample quantiles of the stored trajectories */
    const double *st = ps_prob_stats(p, PS_PROB_V_POP_TOTAL);
    const double *tot = ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL);
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    memcpy(x, tot + (size_t)YEARS * N, N * sizeof *x);
    assert_true(st[YEARS * PS_PROB_N_STATS + 0] == ps_prob_sample_quantile(x, N, 0.025));
    assert_true(st[YEARS * PS_PROB_N_STATS + 0] < st[YEARS * PS_PROB_N_STATS + 4]);
    free(x);
    ps_prob_free(p);
}

static void test_prob__threads_and_unit_order_give_the_same_bytes(void **state)
{
    prob_fixture *fx = *state;
    enum { N = 300 };
    ps_prob *a = run(&fx->in, &fx->b, N, 1, 0);
    ps_prob *c = run(&fx->in, &fx->b, N, 2, 1);
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t rows = (size_t)(YEARS + 1) * (size_t)ps_prob_var_cells((ps_prob_var)v);
        assert_memory_equal(ps_prob_trajectories(a, (ps_prob_var)v),
                            ps_prob_trajectories(c, (ps_prob_var)v), rows * N * sizeof(double));
        assert_memory_equal(ps_prob_stats(a, (ps_prob_var)v), ps_prob_stats(c, (ps_prob_var)v),
                            rows * PS_PROB_N_STATS * sizeof(double));
    }
    /* a different seed gives different trajectories */
    const double t0 = ps_prob_trajectories(a, PS_PROB_V_TFR)[(size_t)10 * N];
    assert_true(t0 != ps_prob_trajectories(a, PS_PROB_V_TFR)[(size_t)10 * N + 1]);
    ps_prob_free(a);
    ps_prob_free(c);
}

/* ps_prob_units: many units in one ensemble call (chunks of PS_PROB_UNITS_CHUNK, a partial
 * last unit) give the bytes of one ps_prob_unit per unit; bad ranges and units already done
 * are refused. */
static void test_prob__units_in_one_call_give_the_bytes_of_single_units(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    const int N = (PS_PROB_UNITS_CHUNK + 1) * PS_PROB_UNIT_TRAJ - 50;
    ps_prob *a = run(&fx->in, &fx->b, N, 1, 0);
    const ps_prob_options o = prob_fixture_options(N, 2, 20250701u);
    ps_prob *c = NULL;
    assert_ps_ok(ps_prob_new(&c, &fx->in, &fx->b, &o, &err), &err);
    const int n_units = ps_prob_n_units(c);
    assert_int_equal(n_units, PS_PROB_UNITS_CHUNK + 1);
    assert_ps_ok(ps_prob_unit(c, 1, &err), &err);
    assert_int_equal(ps_prob_units(c, 0, 3, &err), PS_EINVAL); /* unit 1 is done */
    assert_int_equal(ps_prob_units(c, 2, n_units + 1, &err), PS_EINVAL);
    assert_int_equal(ps_prob_units(c, 3, 2, &err), PS_EINVAL);
    assert_ps_ok(ps_prob_units(c, 0, 1, &err), &err);
    assert_ps_ok(ps_prob_units(c, 2, n_units, &err), &err);
    assert_ps_ok(ps_prob_finish(c, &err), &err);
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t rows = (size_t)(YEARS + 1) * (size_t)ps_prob_var_cells((ps_prob_var)v);
        assert_memory_equal(ps_prob_trajectories(a, (ps_prob_var)v),
                            ps_prob_trajectories(c, (ps_prob_var)v),
                            rows * (size_t)N * sizeof(double));
        assert_memory_equal(ps_prob_stats(a, (ps_prob_var)v), ps_prob_stats(c, (ps_prob_var)v),
                            rows * PS_PROB_N_STATS * sizeof(double));
    }
    ps_prob_free(a);
    ps_prob_free(c);
}

static void test_prob__variant_uses_the_low_tfr(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    ps_prob *p = NULL;
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.variant = PS_PROB_VARIANT_LOW;
    o.keep_trajectories = 1;
    assert_ps_ok(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), &err);
    assert_int_equal(ps_prob_n_traj(p), 1);
    assert_ps_ok(ps_prob_unit(p, 0, &err), &err);
    assert_ps_ok(ps_prob_finish(p, &err), &err);
    assert_true(ps_prob_trajectories(p, PS_PROB_V_TFR)[5] == 0.9);
    /* e0 at the median */
    assert_true(ps_prob_trajectories(p, PS_PROB_V_E0)[5 * 2] == fx->b.e0[6 * 2 * 5 + 2]);
    ps_prob_free(p);
}

static void test_prob__bad_bounds_and_options_are_refused(void **state)
{
    prob_fixture *fx = *state;
    const ps_inputs *in = &fx->in;
    ps_prob_bounds *b = &fx->b;
    ps_error err;
    ps_prob *p = NULL;
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.rho[PS_PROB_MIG] = 1.0;
    assert_int_equal(ps_prob_new(&p, in, b, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "rho"));
    o = (ps_prob_options)PS_PROB_OPTIONS_INIT;
    o.level[PS_PROB_TFR] = 0.5;
    o.level_skew[PS_PROB_TFR] = PS_PROB_LEVEL_SKEW_MAX * 1.01; /* round 17's range */
    assert_int_equal(ps_prob_new(&p, in, b, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "level skew [0]"));
    o.level_skew[PS_PROB_TFR] = NAN;
    assert_int_equal(ps_prob_new(&p, in, b, &o, &err), PS_EINVAL);
    o = (ps_prob_options)PS_PROB_OPTIONS_INIT;
    o.n_traj = -3;
    assert_int_equal(ps_prob_new(&p, in, b, &o, &err), PS_EINVAL);
    b->tfr[3 * PS_PROB_N_KNOTS + 1] = 2.0; /* lo80 above the median */
    assert_int_equal(ps_prob_new(&p, in, b, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "TFR bounds for 2027"));
    ps_prob_bounds_release(b);
    assert_ps_ok(ps_prob_bounds_init(b, 2030, 77, &err), &err);
    assert_int_equal(ps_prob_new(&p, in, b, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "cover"));
    assert_null(p);
    ps_prob_bounds_release(b);
    prob_fixture_bounds(b, &WIDE);
    assert_ps_ok(ps_prob_new(&p, in, b, NULL, &err), &err);
    assert_int_equal(ps_prob_finish(p, &err), PS_EINVAL);
    assert_int_equal(ps_prob_unit(p, ps_prob_n_units(p), &err), PS_EINVAL);
    ps_prob_free(p);
}

/*
 * Migrants per person (docs/model.md 9.3, round 7): with no spread every trajectory is still
 * the deterministic projection (its size is the reference's); with spread, each trajectory's
 * net migrants of a step are those it gets in persons (same seed, same draws) times its
 * population at the start of the step over the deterministic one, so larger trajectories
 * get more; a variant or a value other than 0 or 1 is refused.
 */
static void test_prob__migrants_per_person_follow_the_trajectory_size(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    enum { NT = 256 };
    ps_proj *proj = NULL;
    ps_result res;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&res, proj, "det", NULL, &err), &err);
    ps_prob_options o = prob_fixture_options(NT, 2, 20250701u);
    ps_prob *persons = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    o.mig_per_person = 1;
    ps_prob *rate = prob_fixture_run(&fx->in, &fx->b, &o, 1);
    const double *m0 = ps_prob_trajectories(persons, PS_PROB_V_NET_MIG);
    const double *m1 = ps_prob_trajectories(rate, PS_PROB_V_NET_MIG);
    const double *p0 = ps_prob_trajectories(persons, PS_PROB_V_POP_TOTAL);
    const double *p1 = ps_prob_trajectories(rate, PS_PROB_V_POP_TOTAL);
    int larger = 0, differs = 0;
    for (int y = 0; y < YEARS; ++y) {
        const double det = ps_result_total(&res, START + y);
        for (int j = 0; j < NT; ++j) {
            const size_t at = (size_t)y * NT + (size_t)j;
            assert_close(m1[at], m0[at] * (p1[at] / det), 1e-9);
            larger += y == YEARS - 1 && p1[at] > det && m1[at] > m0[at] * (1.0 + 1e-12);
            differs += p1[at] != p0[at];
        }
    }
    assert_true(larger > NT / 10); /* the fixture's net migration is positive */
    assert_true(differs > NT);
    ps_prob_free(persons);
    ps_prob_free(rate);
    ps_prob *p = NULL;
    o.variant = PS_PROB_VARIANT_LOW;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "migrants per person"));
    o = prob_fixture_options(NT, 1, 1u);
    o.mig_per_person = 4;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), PS_EINVAL);
    assert_null(p);
    /* the size elasticity: within [0, 1], and with mode 3 alone */
    static const struct {
        int mode;
        double e;
    } bad[] = { { 3, -0.1 }, { 3, 1.5 }, { 3, NAN }, { 1, 0.15 }, { 0, 0.15 } };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        o.mig_per_person = bad[k].mode;
        o.mig_size_elasticity = bad[k].e;
        assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), PS_EINVAL);
        assert_null(p);
        assert_non_null(strstr(err.msg, "size elasticity"));
    }
    o.mig_size_elasticity = 0.0;
    /* a population that the deterministic projection empties: refused, never NaN migrants */
    ps_inputs empty;
    prob_fixture_inputs(&empty, &SHAPE);
    const size_t cells = (size_t)PS_SEX_COUNT * N_AGES;
    memset(empty.base.count, 0, cells * sizeof *empty.base.count);
    memset(empty.mig, 0, (size_t)YEARS * cells * sizeof *empty.mig);
    for (int mode = 1; mode <= 3; ++mode) {
        o.mig_per_person = mode;
        assert_int_equal(ps_prob_new(&p, &empty, &fx->b, &o, &err), PS_EINVAL);
        assert_null(p);
        assert_non_null(strstr(err.msg, "projection's population on 1 July 2025 is 0"));
    }
    o.mig_per_person = 0; /* in persons the empty population is a valid, if dull, run */
    assert_ps_ok(ps_prob_new(&p, &empty, &fx->b, &o, &err), &err);
    ps_prob_free(p);
    ps_inputs_release(&empty);
    ps_result_release(&res);
    ps_proj_free(proj);
}

/*
 * Migrants per person, applied age by age (docs/model.md 9.3, rounds 7 and 8): with spread
 * only in migration, each trajectory's populations of every year are the deterministic
 * projection from its own base with the migrants of each step set to (the inputs' + its
 * deviation x the age pattern) x its population at the start of the step over the
 * reference's (mig_per_person 1), or to the inputs' x that ratio + the deviation x the
 * pattern (3), the deviation times that ratio^e with a size elasticity e (round 13). The
 * deviation is read back from the trajectory's summarised migrants, so a kernel that scaled
 * by another year's size, or spread the deviation over other ages, fails here; with the
 * elasticity it must be the one drawn (the persons run's, same draws) times ratio^e.
 */
static void test_prob__migrants_per_person_are_applied_by_age_at_the_steps_start(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    enum { NT = 6 };
    ps_prob_bounds b;
    prob_fixture_bounds(&b, &WIDE);
    for (int y = 0; y < b.n_years; ++y) { /* fertility and mortality at their medians */
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            double *t = &b.tfr[y * PS_PROB_N_KNOTS];
            t[k] = t[PS_PROB_KNOT_MEDIAN];
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                double *e = &b.e0[(y * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS];
                e[k] = e[PS_PROB_KNOT_MEDIAN];
            }
        }
    }
    ps_proj *proj = NULL;
    ps_result ref;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&ref, proj, "ref", NULL, &err), &err);
    ps_proj_free(proj);
    /* the age pattern: |inputs' migrants| over all steps, ages and sexes, summing to 1 */
    const size_t cells = (size_t)PS_SEX_COUNT * N_AGES;
    double pat[PS_SEX_COUNT * N_AGES] = { 0.0 }, abs_sum = 0.0;
    for (size_t i = 0; i < (size_t)YEARS * cells; ++i) {
        pat[i % cells] += fabs(fx->in.mig[i]);
        abs_sum += fabs(fx->in.mig[i]);
    }
    /* everything per person; the inputs' migrants alone; and the deviation with elasticity */
    static const int modes[] = { 1, 3, 3 };
    static const double elasticity[] = { 0.0, 0.0, 0.4 };
    ps_prob_options o0 = prob_fixture_options(NT, 1, 20250701u); /* persons: the draws */
    ps_prob *persons = prob_fixture_run(&fx->in, &b, &o0, 0);
    const double *mig0 = ps_prob_trajectories(persons, PS_PROB_V_NET_MIG);
    for (int mi = 0; mi < 3; ++mi) {
        const int mode = modes[mi];
        ps_prob_options o = prob_fixture_options(NT, 1, 20250701u);
        o.mig_per_person = mode;
        o.mig_size_elasticity = elasticity[mi];
        o.keep_population = 1;
        ps_prob *p = prob_fixture_run(&fx->in, &b, &o, 0);
        assert_int_equal(ps_prob_n_units(p), 1);
        int lanes = 0;
        const double *pop = ps_prob_unit_population(p, 0, &lanes); /* [year][sex][age][lane] */
        assert_non_null(pop);
        assert_int_equal(lanes, NT);
        const double *mig = ps_prob_trajectories(p, PS_PROB_V_NET_MIG);
        int moved = 0;
        double worst_drawn = 0.0;
        for (int j = 0; j < NT; ++j) {
            ps_inputs in;
            prob_fixture_inputs(&in, &SHAPE);
            for (size_t c = 0; c < cells; ++c) { /* the trajectory's own base */
                in.base.count[c] = pop[c * NT + (size_t)j];
            }
            for (int step = 0; step < YEARS; ++step) {
                double size = 0.0, m_in = 0.0;
                for (size_t c = 0; c < cells; ++c) {
                    size += pop[((size_t)step * cells + c) * NT + (size_t)j];
                    m_in += fx->in.mig[(size_t)step * cells + c];
                }
                const double scale = size / ps_result_total(&ref, START + step);
                const double m = mig[(size_t)step * NT + (size_t)j];
                const double dev = mode == 3 ? m - m_in * scale : m / scale - m_in;
                moved += fabs(scale - 1.0) > 1e-4;
                if (mode == 3) { /* the drawn deviation, scaled by the size ratio ^ e */
                    const double drawn = mig0[(size_t)step * NT + (size_t)j] - m_in;
                    const double want = drawn * pow(scale, elasticity[mi]);
                    worst_drawn = fmax(worst_drawn, fabs(dev - want) / (1.0 + fabs(want)));
                }
                for (size_t c = 0; c < cells; ++c) {
                    const size_t i = (size_t)step * cells + c;
                    const double d = dev * pat[c] / abs_sum;
                    in.mig[i] = mode == 3 ? fx->in.mig[i] * scale + d
                                          : (fx->in.mig[i] + d) * scale;
                }
            }
            ps_result res;
            assert_ps_ok(ps_proj_new(&proj, &in, &err), &err);
            assert_ps_ok(ps_proj_run(&res, proj, "traj", NULL, &err), &err);
            for (int y = 0; y <= YEARS; ++y) {
                for (size_t c = 0; c < cells; ++c) {
                    assert_close(pop[((size_t)y * cells + c) * NT + (size_t)j],
                                 res.population[(size_t)y * cells + c], 1e-9);
                }
            }
            ps_result_release(&res);
            ps_proj_free(proj);
            ps_inputs_release(&in);
        }
        assert_true(moved > NT * YEARS / 2); /* the sizes did move away from the reference */
        assert_true(worst_drawn < 1e-9);
        ps_prob_free(p);
    }
    ps_prob_free(persons);
    ps_result_release(&ref);
    ps_prob_bounds_release(&b);
}

static void test_prob__migrants_per_person_without_spread_are_deterministic(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    ps_proj *proj = NULL;
    ps_result res;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&res, proj, "det", NULL, &err), &err);
    ps_prob_options o = prob_fixture_options(5, 1, 20250701u);
    ps_prob *persons = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    o.mig_per_person = 1;
    ps_prob *p = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    const double *tot = ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL);
    for (int y = 0; y <= YEARS; ++y) {
        for (int j = 0; j < 5; ++j) {
            assert_close(tot[(size_t)y * 5 + (size_t)j], ps_result_total(&res, START + y), 1e-12);
        }
    }
    static const ps_prob_var flows[] = { PS_PROB_V_NET_MIG, PS_PROB_V_DEATHS, PS_PROB_V_BIRTHS };
    for (int k = 0; k < 3; ++k) { /* the flows are the persons run's, the last year NaN */
        const double *a = ps_prob_trajectories(persons, flows[k]);
        const double *b = ps_prob_trajectories(p, flows[k]);
        for (int i = 0; i < YEARS * 5; ++i) {
            assert_close(b[i], a[i], 1e-12);
        }
    }
    ps_result_release(&res);
    ps_proj_free(proj);
    ps_prob_free(persons);
    ps_prob_free(p);
}


/*
 * docs/model.md 9.7: with align_median, every year's median total is the deterministic
 * projection; the factors are that projection over the unaligned median (the same draws
 * without the option); populations are the unaligned times the year's factor, births, deaths
 * and net migrants times the step's, the alignment's flow (0 without it) is the factors'
 * change times the next population, and with it the accounting identity's residual (the
 * emigration not applied) scales with the step's factor.
 * Aligning two halves of the units apart, from every trajectory's totals, gives the bytes of
 * the whole run (as MPI ranks do). Misuse is refused.
 */
static void test_prob__aligned_median_is_the_deterministic_projection(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    enum { NT = 300 };
    ps_prob_options o = prob_fixture_options(NT, 2, 20251203u);
    o.mig_per_person = 3;
    o.mig_size_elasticity = 0.2;
    ps_prob *raw = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    assert_null(ps_prob_alignment(raw));
    o.align_median = 1;
    ps_prob *al = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    const double *g = ps_prob_alignment(al);
    assert_non_null(g);
    ps_proj *proj = NULL;
    ps_result det;
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
    assert_ps_ok(ps_proj_run(&det, proj, "det", NULL, &err), &err);
    ps_proj_free(proj);
    const double *P0 = ps_prob_trajectories(raw, PS_PROB_V_POP_TOTAL);
    const double *P1 = ps_prob_trajectories(al, PS_PROB_V_POP_TOTAL);
    const double *st = ps_prob_stats(al, PS_PROB_V_POP_TOTAL);
    const double *st0 = ps_prob_stats(raw, PS_PROB_V_POP_TOTAL);
    const int G = ps_prob_var_cells(PS_PROB_V_POP_GROUP);
    double buf[NT], drift = 0.0;
    for (int y = 0; y <= YEARS; ++y) {
        const double d = ps_result_total(&det, START + y);
        memcpy(buf, P0 + (size_t)y * NT, sizeof buf);
        const double m0 = ps_prob_sample_quantile(buf, NT, 0.5);
        drift = fmax(drift, fabs(m0 / d - 1.0));
        assert_close(g[y], d / m0, 1e-13);
        assert_close(st[(size_t)y * PS_PROB_N_STATS + PS_PROB_KNOT_MEDIAN], d, 1e-12);
        for (int k = 0; k < PS_PROB_N_QUANTILES; ++k) { /* every quantile moves with it */
            assert_close(st[(size_t)y * PS_PROB_N_STATS + (size_t)k],
                         g[y] * st0[(size_t)y * PS_PROB_N_STATS + (size_t)k], 1e-12);
        }
        for (int j = 0; j < NT; ++j) {
            const size_t at = (size_t)y * NT + (size_t)j;
            assert_close(P1[at], g[y] * P0[at], 1e-14);
            for (int c = 0; c < G; ++c) {
                const size_t ac = ((size_t)y * (size_t)G + (size_t)c) * NT + (size_t)j;
                assert_close(ps_prob_trajectories(al, PS_PROB_V_POP_GROUP)[ac],
                             g[y] * ps_prob_trajectories(raw, PS_PROB_V_POP_GROUP)[ac], 1e-14);
            }
            if (y == YEARS) {
                continue;
            }
            double f0[4], f1[4];
            static const ps_prob_var flows[4] = { PS_PROB_V_BIRTHS, PS_PROB_V_DEATHS,
                                                  PS_PROB_V_NET_MIG, PS_PROB_V_ALIGN_FLOW };
            for (int v = 0; v < 4; ++v) {
                f0[v] = ps_prob_trajectories(raw, flows[v])[at];
                f1[v] = ps_prob_trajectories(al, flows[v])[at];
            }
            for (int v = 0; v < 3; ++v) {
                assert_close(f1[v], g[y] * f0[v], 1e-14);
            }
            const size_t at1 = at + NT;
            assert_true(f0[3] == 0.0);
            assert_true(f1[3] == (g[y + 1] - g[y]) * P0[at1]);
            /* P(s+1) - P(s) - B + D - M - A: minus the emigration not applied, in persons */
            const double r0 = P0[at1] - P0[at] - f0[0] + f0[1] - f0[2] - f0[3];
            const double r1 = P1[at1] - P1[at] - f1[0] + f1[1] - f1[2] - f1[3];
            assert_true(fabs(r1 - g[y] * r0) <= 1e-9 * P1[at1]);
        }
    }
    assert_true(drift > 1e-4); /* the unaligned median is off the projection */
    /* two halves of the units, aligned apart from every trajectory's totals */
    assert_true(ps_prob_n_units(al) >= 2);
    const int half = ps_prob_n_units(al) / 2, split = half * PS_PROB_UNIT_TRAJ;
    ps_prob *part[2] = { NULL, NULL };
    double *all = malloc((size_t)(YEARS + 1) * NT * sizeof *all);
    assert_non_null(all);
    for (int k = 0; k < 2; ++k) {
        assert_ps_ok(ps_prob_new(&part[k], &fx->in, &fx->b, &o, &err), &err);
        assert_ps_ok(k == 0 ? ps_prob_units(part[k], 0, half, &err)
                            : ps_prob_units(part[k], half, ps_prob_n_units(al), &err), &err);
    }
    double *tmp = malloc((size_t)(YEARS + 1) * NT * sizeof *tmp);
    assert_non_null(tmp);
    for (int k = 0; k < 2; ++k) { /* [year][lane] of each part into [year][trajectory] */
        const int t0 = k == 0 ? 0 : split, t1 = k == 0 ? split : NT;
        assert_ps_ok(ps_prob_rows_get(part[k], 0, YEARS + 1, t0, t1, tmp, &err), &err);
        for (int y = 0; y <= YEARS; ++y) {
            memcpy(all + (size_t)y * NT + t0, tmp + (size_t)y * (size_t)(t1 - t0),
                   (size_t)(t1 - t0) * sizeof *all);
        }
    }
    for (int k = 0; k < 2; ++k) {
        const int t0 = k == 0 ? 0 : split, t1 = k == 0 ? split : NT;
        assert_int_equal(ps_prob_align(part[k], NULL, t0, t1, &err), PS_EINVAL); /* units */
        assert_int_equal(ps_prob_align(part[k], all, -PS_PROB_UNIT_TRAJ, t1, &err), PS_EINVAL);
        assert_int_equal(ps_prob_align(part[k], all, t0, NT + PS_PROB_UNIT_TRAJ, &err),
                         PS_EINVAL); /* ranges outside the run, refused before use */
        assert_ps_ok(ps_prob_align(part[k], all, t0, t1, &err), &err);
        assert_memory_equal(ps_prob_alignment(part[k]), g, (YEARS + 1) * sizeof *g);
        for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
            const size_t rows = (size_t)(YEARS + 1) * (size_t)ps_prob_var_cells((ps_prob_var)v);
            for (size_t r = 0; r < rows; ++r) {
                assert_memory_equal(ps_prob_trajectories(part[k], (ps_prob_var)v) + r * NT + t0,
                                    ps_prob_trajectories(al, (ps_prob_var)v) + r * NT + t0,
                                    (size_t)(t1 - t0) * sizeof(double));
            }
        }
        assert_int_equal(ps_prob_align(part[k], all, t0, t1, &err), PS_EINVAL); /* twice */
        ps_prob_free(part[k]);
    }
    free(tmp);
    free(all);
    /* misuse: without the option, with a variant, with every year's populations, not 0/1 */
    ps_prob *p = NULL;
    ps_prob_options bad = prob_fixture_options(NT, 1, 1u);
    assert_ps_ok(ps_prob_new(&p, &fx->in, &fx->b, &bad, &err), &err);
    assert_ps_ok(ps_prob_units(p, 0, ps_prob_n_units(p), &err), &err);
    assert_int_equal(ps_prob_align(p, NULL, 0, NT, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "align_median"));
    ps_prob_free(p);
    p = NULL;
    bad.align_median = 1;
    bad.variant = PS_PROB_VARIANT_LOW;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &bad, &err), PS_EINVAL);
    bad.variant = PS_PROB_VARIANT_NONE;
    bad.keep_population = 1;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &bad, &err), PS_EINVAL);
    bad.keep_population = 0;
    bad.align_median = 2;
    assert_int_equal(ps_prob_new(&p, &fx->in, &fx->b, &bad, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "alignment"));
    assert_null(p);
    ps_result_release(&det);
    ps_prob_free(raw);
    ps_prob_free(al);
}

/* A planner's widths growing with the horizon: the process reproduces them as well. */
static void test_prob__planner_widths_growing_with_the_horizon(void **state)
{
    (void)state;
    enum { NY = 77, N = 2000 };
    ps_inputs in;
    ps_prob_bounds b;
    ps_error err;
    double tfr[NY], e0[NY * 2], mig[NY];
    for (int y = 0; y < NY; ++y) {
        tfr[y] = 1.4;
        e0[2 * y] = 76.0 + 0.1 * y;
        e0[2 * y + 1] = 81.0 + 0.1 * y;
        mig[y] = 2000.0;
    }
    const ps_prob_spread sp = { .tfr_w0 = 0.05, .tfr_slope = 0.004, .e0_w0 = 0.5,
                                .e0_slope = 0.05, .mig_w0 = 500.0, .mig_slope = 20.0 };
    assert_ps_ok(ps_prob_bounds_spread(&b, 2024, NY, tfr, e0, mig, &sp, &err), &err);
    /* the 80 % band of 2064 is 1.4 exp(+-(0.05 + 0.004 x 40)) */
    assert_close(b.tfr[40 * PS_PROB_N_KNOTS + 3], 1.4 * exp(0.21), 1e-14);
    assert_close(b.e0[(40 * 2 + 1) * PS_PROB_N_KNOTS + 4] - 85.0, 2.5 * 1.959963984540054 /
                 1.2815515655446004, 1e-12);
    prob_fixture_inputs(&in, &SHAPE);
    ps_prob *p = run(&in, &b, N, 0, 0);
    const double *t = ps_prob_trajectories(p, PS_PROB_V_TFR);
    const int y = 30; /* 2055 */
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        const double lv = ps_prob_level(k);
        assert_true(fabs(frac_below(t + (size_t)y * N, N,
                                    b.tfr[(y + 1) * PS_PROB_N_KNOTS + k]) - lv) <
                    4.0 * sqrt(lv * (1.0 - lv) / N));
    }
    ps_prob_free(p);
    ps_prob_bounds_release(&b);
    ps_inputs_release(&in);
    ps_prob_spread bad = sp;
    bad.e0_slope = -0.1;
    assert_int_equal(ps_prob_bounds_spread(&b, 2024, NY, tfr, e0, mig, &bad, &err), PS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob__quantile_function_passes_through_the_knots),
        cmocka_unit_test(test_prob__innovations_are_philox_box_muller),
        cmocka_unit_test(test_prob__ar1_scores_are_stationary_with_persistence_rho),
        cmocka_unit_test(test_prob__skewed_level_keeps_normal_scores_and_tilts_persistence),
        cmocka_unit_test(test_prob__sample_quantile_is_type_7),
        cmocka_unit_test_setup_teardown(
            test_prob__median_everywhere_is_the_deterministic_projection, setup_flat,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__yearly_quantiles_reproduce_the_bounds,
                                        setup_wide, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__threads_and_unit_order_give_the_same_bytes,
                                        setup_wide, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__units_in_one_call_give_the_bytes_of_single_units,
                                        setup_wide, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__variant_uses_the_low_tfr, setup_wide,
                                        prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__bad_bounds_and_options_are_refused, setup_wide,
                                        prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_prob__migrants_per_person_are_applied_by_age_at_the_steps_start, setup_wide,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob__migrants_per_person_follow_the_trajectory_size,
                                        setup_wide, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_prob__migrants_per_person_without_spread_are_deterministic, setup_flat,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_prob__aligned_median_is_the_deterministic_projection, setup_wide,
            prob_fixture_teardown),
        cmocka_unit_test(test_prob__planner_widths_growing_with_the_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
