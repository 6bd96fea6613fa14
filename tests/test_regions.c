/*
 * test_regions.c - regions linked by internal migration (issue #13, popsim/flows.h): the
 * flows' accounting, the equivalence with single-region runs, and the multiregional stable
 * population of Rogers (1975) computed independently with GSL's eigenvalue solver.
 */
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "popsim/demog.h"
#include "popsim/flows.h"
#include "popsim/proj.h"
#include "popsim/status.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101
#define OPEN (N_AGES - 1)

/* Mortality rising with age, different by region and sex (high-entropy values). */
static double mx_of(int reg, int sex, int age)
{
    return 0.0013 + 0.00021 * reg + 0.0004 * sex + 4.7e-5 * exp(0.087 * age);
}

/* A fertility hump at 15..49 whose level depends on the region. */
static double asfr_of(int reg, int age)
{
    if (age < 15 || age > 49) {
        return 0.0;
    }
    double x = (age - 29.5) / 6.3;
    return (0.0731 + 0.0117 * reg) * exp(-0.5 * x * x);
}

/* Inputs for n_reg regions; `same` = one schedule for every region (the region-0 one). */
static void build(ps_inputs *in, int n_reg, int years, int same, double mig_scale)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, 2020, 2020 + years, n_reg, N_AGES, &err), &err);
    for (int reg = 0; reg < n_reg; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->base.count[ps_pop_idx(&in->base, reg, sex, age)] =
                    (1234.5 + 97.25 * reg) * (1.0 + 0.3 * sin(0.21 * age + reg)) *
                    (age < 80 ? 1.0 : exp(-0.11 * (age - 80))) + 3.5 * sex;
            }
        }
        const int r = same ? 0 : reg;
        for (int step = 0; step < years; ++step) {
            in->srb[(size_t)step * (size_t)n_reg + (size_t)reg] = 1.06 + 0.01 * r;
            for (int age = 0; age < N_AGES; ++age) {
                in->asfr[ps_inputs_asfr_idx(in, step, reg, age)] = asfr_of(r, age);
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    in->mx[ps_inputs_idx(in, step, reg, sex, age)] = mx_of(r, sex, age);
                    in->mig[ps_inputs_idx(in, step, reg, sex, age)] =
                        mig_scale * (age < 60 ? (reg % 2 ? -2.25 : 3.75) : 0.5);
                }
            }
        }
    }
}

/* Flows from pair rates spread by the Rogers-Castro schedule. */
static void make_flows(ps_flows *f, int n_reg, const double *pair)
{
    ps_error err;
    double shape[N_AGES];
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    ps_sched_rogers_castro(shape, N_AGES, &rc);
    assert_ps_ok(ps_flows_init(f, n_reg, N_AGES, 1, 0, &err), &err);
    assert_ps_ok(ps_flows_set_pairs(f, pair, shape, &err), &err);
}

static void run(ps_result *res, const ps_inputs *in, const ps_flows *f)
{
    ps_error err;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, f, &err), &err);
    assert_ps_ok(ps_proj_run(res, p, "t", NULL, &err), &err);
    ps_proj_free(p);
}

static const double PAIRS3[9] = { 0.0, 0.0213, 0.0071, 0.0123, 0.0, 0.0347, 0.0052, 0.0161, 0.0 };

static void test_regions__flows_sum_to_zero_in_every_year_and_cell(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_result r;
    build(&in, 3, 25, 0, 1.0);
    make_flows(&f, 3, PAIRS3);
    run(&r, &in, &f);
    double moved = 0.0;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                double net = 0.0, in_sum = 0.0, out_sum = 0.0;
                for (int reg = 0; reg < 3; ++reg) {
                    net += r.internal_net[ps_result_cell(&r, y, reg, sex, age)];
                    in_sum += r.internal_in[ps_result_cell(&r, y, reg, sex, age)];
                    out_sum += r.internal_out[ps_result_cell(&r, y, reg, sex, age)];
                }
                assert_true(fabs(net) <= 1e-12 * in_sum);
                assert_close(in_sum, out_sum, 1e-13);
                moved += in_sum;
            }
        }
    }
    assert_true(moved > 1000.0); /* flows did move people */
    ps_result_release(&r);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

static void test_regions__sum_of_regions_equals_single_run_of_summed_inputs(void **state)
{
    (void)state;
    ps_inputs multi, one;
    ps_flows f;
    ps_result rm, r1;
    ps_error err;
    const int years = 30;
    build(&multi, 3, years, 1, 1.0);
    make_flows(&f, 3, PAIRS3);
    build(&one, 1, years, 1, 0.0);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            double b = 0.0;
            for (int reg = 0; reg < 3; ++reg) {
                b += multi.base.count[ps_pop_idx(&multi.base, reg, sex, age)];
            }
            one.base.count[ps_pop_idx(&one.base, 0, sex, age)] = b;
            for (int step = 0; step < years; ++step) {
                double m = 0.0;
                for (int reg = 0; reg < 3; ++reg) {
                    m += multi.mig[ps_inputs_idx(&multi, step, reg, sex, age)];
                }
                one.mig[ps_inputs_idx(&one, step, 0, sex, age)] = m;
            }
        }
    }
    run(&rm, &multi, &f);
    run(&r1, &one, NULL);
    (void)err;
    for (int y = 0; y < rm.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                double s = 0.0;
                for (int reg = 0; reg < 3; ++reg) {
                    s += rm.population[ps_result_cell(&rm, y, reg, sex, age)];
                }
                const double want = r1.population[ps_result_cell(&r1, y, 0, sex, age)];
                if (!(fabs(s - want) <= 1e-12 * fabs(want))) {
                    fail_msg("year %d sex %d age %d: %.17g != %.17g", y, sex, age, s, want);
                }
            }
        }
    }
    assert_true(fabs(rm.population[ps_result_cell(&rm, years, 0, 0, 30)] -
                     r1.population[ps_result_cell(&r1, years, 0, 0, 30)] / 3.0) > 1.0);
    ps_result_release(&rm);
    ps_result_release(&r1);
    ps_flows_release(&f);
    ps_inputs_release(&multi);
    ps_inputs_release(&one);
}

/* International migrants credited to the cohort reaching `age` (ccm.c's rule). */
static double intl_credited(const ps_inputs *in, int step, int reg, int sex, int age)
{
    const double *M = &in->mig[ps_inputs_idx(in, step, reg, sex, 0)];
    const double h = PS_MID_YEAR_FRACTION;
    if (age == 0) {
        return h * M[0];
    }
    return h * (M[age - 1] + M[age]) + (age == OPEN ? h * M[age] : 0.0);
}

static void test_regions__accounting_identity_holds_per_region_with_in_and_out(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_result r;
    build(&in, 3, 20, 0, 1.0);
    make_flows(&f, 3, PAIRS3);
    run(&r, &in, &f);
    for (int y = 0; y + 1 < r.n_years; ++y) {
        for (int reg = 0; reg < 3; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < N_AGES; ++age) {
                    double before = age == 0 ? r.births[ps_result_sexcell(&r, y, reg, sex)]
                                             : r.population[ps_result_cell(&r, y, reg, sex,
                                                                           age - 1)];
                    if (age == OPEN) {
                        before += r.population[ps_result_cell(&r, y, reg, sex, age)];
                    }
                    const size_t c = ps_result_cell(&r, y, reg, sex, age);
                    double want = before - r.deaths[c] + intl_credited(&in, y, reg, sex, age) +
                                  r.internal_in[c] - r.internal_out[c];
                    assert_close(r.population[ps_result_cell(&r, y + 1, reg, sex, age)], want,
                                 1e-11);
                    assert_true(r.internal_in[c] >= 0.0 && r.internal_out[c] >= 0.0);
                    assert_true(r.internal_net[c] == r.internal_in[c] - r.internal_out[c]);
                }
            }
        }
    }
    ps_result_release(&r);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

/* One region of a multiregional inputs as its own single-region inputs. */
static void extract(ps_inputs *one, const ps_inputs *multi, int reg)
{
    ps_error err;
    const int years = ps_inputs_steps(multi);
    assert_ps_ok(ps_inputs_init(one, multi->start_year, multi->end_year, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        memcpy(&one->base.count[ps_pop_idx(&one->base, 0, sex, 0)],
               &multi->base.count[ps_pop_idx(&multi->base, reg, sex, 0)],
               N_AGES * sizeof(double));
    }
    for (int step = 0; step < years; ++step) {
        one->srb[step] = multi->srb[(size_t)step * (size_t)multi->n_regions + (size_t)reg];
        memcpy(&one->asfr[ps_inputs_asfr_idx(one, step, 0, 0)],
               &multi->asfr[ps_inputs_asfr_idx(multi, step, reg, 0)], N_AGES * sizeof(double));
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            memcpy(&one->mx[ps_inputs_idx(one, step, 0, sex, 0)],
                   &multi->mx[ps_inputs_idx(multi, step, reg, sex, 0)], N_AGES * sizeof(double));
            memcpy(&one->mig[ps_inputs_idx(one, step, 0, sex, 0)],
                   &multi->mig[ps_inputs_idx(multi, step, reg, sex, 0)], N_AGES * sizeof(double));
        }
    }
}

static void test_regions__zero_flows_give_each_region_its_own_run_bit_for_bit(void **state)
{
    (void)state;
    ps_inputs multi;
    ps_flows f;
    ps_result rm;
    ps_error err;
    const int years = 15;
    build(&multi, 3, years, 0, 1.0);
    assert_ps_ok(ps_flows_init(&f, 3, N_AGES, 1, 0, &err), &err);
    run(&rm, &multi, &f);
    for (int reg = 0; reg < 3; ++reg) {
        ps_inputs one;
        ps_result r1;
        extract(&one, &multi, reg);
        run(&r1, &one, NULL);
        for (int y = 0; y < rm.n_years; ++y) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                const size_t a = ps_result_cell(&rm, y, reg, sex, 0);
                const size_t b = ps_result_cell(&r1, y, 0, sex, 0);
                const size_t bytes = N_AGES * sizeof(double);
                assert_memory_equal(&rm.population[a], &r1.population[b], bytes);
                if (y + 1 < rm.n_years) {
                    assert_memory_equal(&rm.deaths[a], &r1.deaths[b], bytes);
                    assert_memory_equal(&rm.net_migration[a], &r1.net_migration[b], bytes);
                    assert_memory_equal(&rm.births[ps_result_sexcell(&rm, y, reg, sex)],
                                        &r1.births[ps_result_sexcell(&r1, y, 0, sex)],
                                        sizeof(double));
                }
            }
        }
        ps_result_release(&r1);
        ps_inputs_release(&one);
    }
    ps_result_release(&rm);
    ps_flows_release(&f);
    ps_inputs_release(&multi);
}

/*
 * The female multiregional projection matrix A (x(t+1) = A x(t), x = F[reg][age]) written
 * from the step's equations (docs/model.md sec. 7), with K(a) the net internal migration
 * operator at age a: K[r][o] = rate_o(a) dest(o, r) for r != o, K[r][r] = -rate_r(a).
 */
static void leslie(gsl_matrix *A, const ps_proj *p, const ps_flows *f, const ps_inputs *in)
{
    const int nr = in->n_regions, n = N_AGES;
    const double h = PS_MID_YEAR_FRACTION;
    gsl_matrix_set_zero(A);
#define IX(reg, age) ((size_t)(reg) * (size_t)n + (size_t)(age))
    for (int r = 0; r < nr; ++r) {
        const double *S = ps_proj_survivorship(p, 0, r, PS_SEX_FEMALE);
        for (int a = 0; a < n; ++a) {
            for (int o = 0; o < nr; ++o) {
                for (int src = (a == 0 ? 0 : a - 1); src <= a; ++src) {
                    const double k = o == r
                        ? -f->out_rate[ps_flows_rate_idx(f, 0, r, PS_SEX_FEMALE, src)]
                        : f->out_rate[ps_flows_rate_idx(f, 0, o, PS_SEX_FEMALE, src)] *
                              f->dest[ps_flows_dest_idx(f, 0, PS_SEX_FEMALE, o, r)];
                    double w = 0.0;
                    if (src == a) {
                        w = h * k + (a == n - 1 ? S[a] * h * k : 0.0); /* end half; open */
                    } else {
                        w = S[a] * h * k; /* start half exposed in the cohort */
                    }
                    if (a == 0 && src == 0) {
                        w = h * k;
                    }
                    *gsl_matrix_ptr(A, IX(r, a), IX(o, src)) += w;
                }
            }
            if (a >= 1) {
                *gsl_matrix_ptr(A, IX(r, a), IX(r, a - 1)) += S[a];
            }
            if (a == n - 1) {
                *gsl_matrix_ptr(A, IX(r, a), IX(r, a)) += S[a];
            }
        }
        /* Births from women at both ends of the step: row 0 uses the rows of ages >= 1. */
        const double srb = in->srb[r], c = S[0] * h / (1.0 + srb);
        for (int x = PS_FERTILE_AGE_MIN; x <= PS_FERTILE_AGE_MAX; ++x) {
            const double fx = in->asfr[ps_inputs_asfr_idx(in, 0, r, x)];
            *gsl_matrix_ptr(A, IX(r, 0), IX(r, x)) += c * fx;
            for (size_t j = 0; j < (size_t)nr * (size_t)n; ++j) {
                *gsl_matrix_ptr(A, IX(r, 0), j) += c * fx * gsl_matrix_get(A, IX(r, x), j);
            }
        }
    }
#undef IX
}

static void test_regions__two_regions_converge_to_the_multiregional_stable_population(
    void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_result r;
    ps_error err;
    const int years = 700;
    const double pairs[4] = { 0.0, 0.0137, 0.0291, 0.0 };
    build(&in, 2, years, 0, 0.0);
    make_flows(&f, 2, pairs);
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, &f, &err), &err);
    assert_ps_ok(ps_proj_run(&r, p, "stable", NULL, &err), &err);

    const size_t dim = 2 * N_AGES;
    gsl_matrix *A = gsl_matrix_alloc(dim, dim);
    gsl_vector_complex *eval = gsl_vector_complex_alloc(dim);
    gsl_matrix_complex *evec = gsl_matrix_complex_alloc(dim, dim);
    gsl_eigen_nonsymmv_workspace *w = gsl_eigen_nonsymmv_alloc(dim);
    leslie(A, p, &f, &in);
    assert_int_equal(gsl_eigen_nonsymmv(A, eval, evec, w), 0);
    size_t best = 0;
    for (size_t k = 1; k < dim; ++k) {
        if (GSL_REAL(gsl_vector_complex_get(eval, k)) >
            GSL_REAL(gsl_vector_complex_get(eval, best))) {
            best = k;
        }
    }
    const double lambda = GSL_REAL(gsl_vector_complex_get(eval, best));
    assert_true(fabs(GSL_IMAG(gsl_vector_complex_get(eval, best))) < 1e-12);
    double share_eig[2] = { 0.0, 0.0 }, share_run[2] = { 0.0, 0.0 };
    double total_prev = 0.0, total_last = 0.0;
    for (int reg = 0; reg < 2; ++reg) {
        for (int age = 0; age < N_AGES; ++age) {
            share_eig[reg] += GSL_REAL(gsl_matrix_complex_get(evec, (size_t)reg * N_AGES +
                                                              (size_t)age, best));
            share_run[reg] += r.population[ps_result_cell(&r, years, reg, PS_SEX_FEMALE, age)];
            total_prev += r.population[ps_result_cell(&r, years - 1, reg, PS_SEX_FEMALE, age)];
        }
        total_last += share_run[reg];
    }
    assert_close(total_last / total_prev, lambda, 1e-9);
    assert_close(share_run[0] / total_last, share_eig[0] / (share_eig[0] + share_eig[1]), 1e-8);
    /* the regions differ, so the stable shares are not trivially equal */
    assert_true(fabs(share_run[0] / total_last - 0.5) > 0.01);
    gsl_eigen_nonsymmv_free(w);
    gsl_matrix_complex_free(evec);
    gsl_vector_complex_free(eval);
    gsl_matrix_free(A);
    ps_result_release(&r);
    ps_proj_free(p);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

static void test_regions__pairs_factor_into_out_rates_and_destination_shares(void **state)
{
    (void)state;
    ps_flows f;
    double shape[N_AGES];
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    ps_sched_rogers_castro(shape, N_AGES, &rc);
    make_flows(&f, 3, PAIRS3);
    for (int o = 0; o < 3; ++o) {
        for (int d = 0; d < 3; ++d) {
            for (int age = 0; age < N_AGES; age += 7) {
                double m = f.out_rate[ps_flows_rate_idx(&f, 0, o, PS_SEX_MALE, age)] *
                           f.dest[ps_flows_dest_idx(&f, 0, PS_SEX_MALE, o, d)];
                assert_close(m, o == d ? 0.0 : PAIRS3[o * 3 + d] * N_AGES * shape[age], 1e-14);
            }
        }
    }
    ps_flows_release(&f);
}

static void test_regions__od_flows_add_up_to_in_and_out(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_result r;
    build(&in, 3, 3, 0, 1.0);
    make_flows(&f, 3, PAIRS3);
    run(&r, &in, &f);
    double *od = malloc(9 * PS_SEX_COUNT * N_AGES * sizeof *od);
    assert_non_null(od);
    ps_flows_od(od, &f, 1, &r.population[ps_result_cell(&r, 1, 0, 0, 0)]);
    /* Age 0 on both sides: in and out of the youngest are credited half (ccm.c). */
    for (int reg = 0; reg < 3; ++reg) {
        double in_sum = 0.0, out_sum = 0.0;
        for (int other = 0; other < 3; ++other) {
            in_sum += od[((size_t)(other * 3 + reg) * PS_SEX_COUNT + PS_SEX_FEMALE) * N_AGES];
            out_sum += od[((size_t)(reg * 3 + other) * PS_SEX_COUNT + PS_SEX_FEMALE) * N_AGES];
        }
        const size_t c = ps_result_cell(&r, 1, reg, PS_SEX_FEMALE, 0);
        assert_close(PS_MID_YEAR_FRACTION * in_sum, r.internal_in[c], 1e-13);
        assert_close(PS_MID_YEAR_FRACTION * out_sum, r.internal_out[c], 1e-13);
        assert_true(r.internal_out[c] > 0.0);
    }
    free(od);
    ps_result_release(&r);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

static void test_regions__bad_flows_are_refused(void **state)
{
    (void)state;
    ps_flows f;
    ps_error err;
    assert_ps_ok(ps_flows_init(&f, 2, N_AGES, 1, 1, &err), &err);
    f.out_rate[ps_flows_rate_idx(&f, 0, 1, PS_SEX_FEMALE, 23)] = 1.25;
    assert_int_equal(ps_flows_validate(&f, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "age 23"));
    assert_non_null(strstr(err.msg, "1.25"));
    f.out_rate[ps_flows_rate_idx(&f, 0, 1, PS_SEX_FEMALE, 23)] = 0.02;
    f.dest[ps_flows_dest_idx(&f, 0, PS_SEX_MALE, 0, 1)] = 0.75;
    assert_int_equal(ps_flows_validate(&f, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "sum to 0.75"));
    f.dest[ps_flows_dest_idx(&f, 0, PS_SEX_MALE, 0, 0)] = 0.25;
    assert_int_equal(ps_flows_validate(&f, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "for itself"));
    ps_flows_release(&f);

    const double pairs[4] = { 0.0, -0.5, 0.01, 0.0 };
    double shape[N_AGES];
    for (int age = 0; age < N_AGES; ++age) {
        shape[age] = 1.0 / N_AGES;
    }
    assert_ps_ok(ps_flows_init(&f, 2, N_AGES, 1, 0, &err), &err);
    assert_int_equal(ps_flows_set_pairs(&f, pairs, shape, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "-0.5"));
    const double big[4] = { 0.0, 1.5, 0.01, 0.0 };
    assert_int_equal(ps_flows_set_pairs(&f, big, shape, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "outside [0, 1]"));
    ps_flows_release(&f);

    ps_inputs in;
    ps_proj *p = NULL;
    build(&in, 3, 2, 0, 1.0);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_flows_init(&f, 2, N_AGES, 1, 0, &err), &err);
    assert_int_equal(ps_proj_set_flows(p, &f, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "does not fit"));
    assert_null(ps_proj_flows(p));
    ps_flows_release(&f);
    ps_proj_free(p);
    ps_inputs_release(&in);
}

static void test_regions__out_migration_exceeding_a_cohort_is_an_error(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_error err;
    ps_result r;
    build(&in, 2, 3, 0, 0.0);
    /* A cohort of 40-year-olds far larger than the 39-year-olds behind it, and every one
     * of them leaving: the end-of-step half of their departures exceeds the cohort. */
    in.base.count[ps_pop_idx(&in.base, 1, PS_SEX_MALE, 40)] = 987654.5;
    assert_ps_ok(ps_flows_init(&f, 2, N_AGES, 1, 0, &err), &err);
    for (int age = 0; age < N_AGES; ++age) {
        f.out_rate[ps_flows_rate_idx(&f, 0, 1, PS_SEX_MALE, age)] = 1.0;
    }
    f.dest[ps_flows_dest_idx(&f, 0, 0, 1, 0)] = 1.0;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, &f, &err), &err);
    assert_int_equal(ps_proj_run(&r, p, "t", NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "region 'region2'"));
    assert_non_null(strstr(err.msg, "out-migration"));
    ps_proj_free(p);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

/* ---- registration status (popsim/status.h) ------------------------------------------------ */

/* Rules for n_reg regions: base shares, a conversion rate at ages lo..hi. */
static void make_rules(ps_registration *g, int n_reg, const double *share, double conv, int lo,
                       int hi)
{
    ps_error err;
    assert_ps_ok(ps_registration_init(g, n_reg, N_AGES, &err), &err);
    for (int reg = 0; reg < n_reg; ++reg) {
        g->base_share[reg] = share[reg];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = lo; age <= hi; ++age) {
                g->conversion[((size_t)reg * PS_SEX_COUNT + (size_t)sex) * N_AGES +
                              (size_t)age] = conv;
            }
        }
    }
}

static void run_status(ps_result *res, const ps_inputs *in, const ps_flows *f,
                       const ps_registration *g)
{
    ps_error err;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, f, &err), &err);
    assert_ps_ok(ps_proj_set_registration(p, g, &err), &err);
    assert_ps_ok(ps_proj_run(res, p, "t", NULL, &err), &err);
    ps_proj_free(p);
}

static void test_regions__registration_leaves_residents_unchanged_and_within_them(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_registration g;
    ps_result with, without;
    const double share[3] = { 0.61, 0.83, 1.0 };
    build(&in, 3, 20, 0, 1.0);
    make_flows(&f, 3, PAIRS3);
    make_rules(&g, 3, share, 0.037, 16, 59);
    g.arrive_registered = 0.25;
    run_status(&with, &in, &f, &g);
    run(&without, &in, &f);
    assert_null(without.registered);
    assert_non_null(with.registered);
    const size_t cells = (size_t)with.n_years * 3 * PS_SEX_COUNT * N_AGES;
    assert_memory_equal(with.population, without.population, cells * sizeof(double));
    for (size_t k = 0; k < cells; ++k) {
        assert_true(with.registered[k] >= 0.0 && with.registered[k] <= with.population[k]);
    }
    /* Conversions raise the registered share above that of the same rules without them. */
    ps_registration none;
    ps_result plain;
    make_rules(&none, 3, share, 0.0, 16, 59);
    none.arrive_registered = 0.25;
    run_status(&plain, &in, &f, &none);
    for (int reg = 0; reg < 2; ++reg) {
        double r_conv = 0.0, r_none = 0.0, r0 = 0.0, p0 = 0.0;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                r0 += with.registered[ps_result_cell(&with, 0, reg, sex, age)];
                p0 += with.population[ps_result_cell(&with, 0, reg, sex, age)];
                r_conv += with.registered[ps_result_cell(&with, 20, reg, sex, age)];
                r_none += plain.registered[ps_result_cell(&plain, 20, reg, sex, age)];
            }
        }
        assert_close(r0 / p0, share[reg], 1e-14);
        if (!(r_conv > 1.05 * r_none)) {
            fail_msg("region %d: registered %.1f with conversion, %.1f without", reg, r_conv,
                     r_none);
        }
    }
    for (size_t k = 0; k < cells; ++k) {
        assert_true(plain.registered[k] <= with.registered[k] + 1e-9 * with.population[k]);
    }
    ps_result_release(&plain);
    ps_registration_release(&none);
    ps_result_release(&with);
    ps_result_release(&without);
    ps_registration_release(&g);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

static void test_regions__registered_share_is_kept_without_moves_or_conversion(void **state)
{
    (void)state;
    ps_inputs in;
    ps_registration g;
    ps_result r;
    const double share[2] = { 0.3719, 0.8123 };
    build(&in, 2, 30, 0, 0.0);
    make_rules(&g, 2, share, 0.0, 0, 0);
    run_status(&r, &in, NULL, &g);
    for (int y = 0; y < r.n_years; ++y) {
        for (int reg = 0; reg < 2; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < N_AGES; ++age) {
                    const size_t c = ps_result_cell(&r, y, reg, sex, age);
                    assert_close(r.registered[c], share[reg] * r.population[c], 1e-12);
                }
            }
        }
    }
    ps_result_release(&r);
    ps_registration_release(&g);
    ps_inputs_release(&in);
}

static void test_regions__children_take_their_mothers_status(void **state)
{
    (void)state;
    ps_inputs in;
    ps_registration g;
    ps_result r;
    const double share[2] = { 1.0, 0.0 };
    build(&in, 2, 25, 0, 0.0);
    make_rules(&g, 2, share, 0.0, 0, 0);
    run_status(&r, &in, NULL, &g);
    for (int y = 1; y < r.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t c0 = ps_result_cell(&r, y, 0, sex, 0);
            const size_t c1 = ps_result_cell(&r, y, 1, sex, 0);
            assert_true(r.population[c0] > 100.0 && r.population[c1] > 100.0);
            assert_close(r.registered[c0], r.population[c0], 1e-12);
            assert_true(r.registered[c1] == 0.0);
        }
    }
    ps_result_release(&r);
    ps_registration_release(&g);
    ps_inputs_release(&in);
}

static void test_regions__immigrants_arrive_unregistered(void **state)
{
    (void)state;
    ps_inputs open, closed;
    ps_registration g;
    ps_result ro, rc;
    const double share[1] = { 1.0 };
    build(&open, 1, 15, 0, 0.0);
    build(&closed, 1, 15, 0, 0.0);
    for (int step = 0; step < 15; ++step) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 18; age < 40; ++age) {
                open.mig[ps_inputs_idx(&open, step, 0, sex, age)] = 23.75;
            }
        }
    }
    make_rules(&g, 1, share, 0.0, 0, 0);
    run_status(&ro, &open, NULL, &g);
    run_status(&rc, &closed, NULL, &g);
    for (int y = 0; y < ro.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                const size_t c = ps_result_cell(&ro, y, 0, sex, age);
                /* the registered are those of the closed population; the rest are immigrants */
                assert_close(ro.registered[c], rc.population[c], 1e-11);
            }
        }
    }
    const size_t c = ps_result_cell(&ro, 10, 0, PS_SEX_FEMALE, 30);
    assert_true(ro.population[c] - ro.registered[c] > 100.0);
    ps_result_release(&ro);
    ps_result_release(&rc);
    ps_registration_release(&g);
    ps_inputs_release(&open);
    ps_inputs_release(&closed);
}

static void test_regions__bad_registration_rules_are_refused(void **state)
{
    (void)state;
    ps_registration g;
    ps_error err;
    const double share[2] = { 0.5, 1.25 };
    make_rules(&g, 2, share, 0.0, 0, 0);
    assert_int_equal(ps_registration_validate(&g, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "region 2"));
    g.base_share[1] = 0.5;
    g.conversion[7] = -0.01;
    assert_int_equal(ps_registration_validate(&g, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "age 7"));
    g.conversion[7] = 0.0;
    g.arrive_registered = 2.0;
    assert_int_equal(ps_registration_validate(&g, &err), PS_EINVAL);
    ps_registration_release(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions__flows_sum_to_zero_in_every_year_and_cell),
        cmocka_unit_test(test_regions__sum_of_regions_equals_single_run_of_summed_inputs),
        cmocka_unit_test(test_regions__accounting_identity_holds_per_region_with_in_and_out),
        cmocka_unit_test(test_regions__zero_flows_give_each_region_its_own_run_bit_for_bit),
        cmocka_unit_test(test_regions__two_regions_converge_to_the_multiregional_stable_population),
        cmocka_unit_test(test_regions__pairs_factor_into_out_rates_and_destination_shares),
        cmocka_unit_test(test_regions__od_flows_add_up_to_in_and_out),
        cmocka_unit_test(test_regions__bad_flows_are_refused),
        cmocka_unit_test(test_regions__out_migration_exceeding_a_cohort_is_an_error),
        cmocka_unit_test(test_regions__registration_leaves_residents_unchanged_and_within_them),
        cmocka_unit_test(test_regions__registered_share_is_kept_without_moves_or_conversion),
        cmocka_unit_test(test_regions__children_take_their_mothers_status),
        cmocka_unit_test(test_regions__immigrants_arrive_unregistered),
        cmocka_unit_test(test_regions__bad_registration_rules_are_refused),
    };
    return cmocka_run_group_tests_name("regions", tests, NULL, NULL);
}
