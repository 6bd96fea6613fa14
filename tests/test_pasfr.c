/*
 * test_pasfr.c - the UN's projection of the age pattern of fertility (src/demog/pasfr.c,
 * docs/model.md 9.9) on synthetic TFR paths and patterns written here: bayesTFR's end of
 * phase II, the year the pattern reaches the norm and how it depends on the TFR path, the
 * hold of a pattern older than the norm, the rules on the youngest and oldest rates, and
 * refused inputs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "popsim/demog.h"
#include "test_util.h"

#define FIRST 1950
#define PRESENT 2023
#define LAST 2100
#define N_YEARS (LAST - FIRST + 1)
#define N_PROJ (LAST - PRESENT)
#define G PS_PASFR_GROUPS

/* A norm and a younger observed pattern (percent), with more of its births under 20. */
static const double norm[G] = { 0.1, 2.0, 11.0, 28.0, 35.0, 19.0, 4.4, 0.45, 0.05 };
static const double young[G] = { 0.3, 3.0, 18.0, 33.0, 27.0, 13.8, 4.4, 0.45, 0.05 };

/* Years FIRST..2023: 6 until 1969, a fall to 1.5 (5-year means 1.9 in 1991-1995, 1.5 in
 * 1996-2000), rises to 1.6 and 1.7 in the next two bins, then `late` from 2011 on. */
static void observed_tfr(double *tfr, double late)
{
    for (int y = FIRST; y <= PRESENT; ++y) {
        double v = 6.0;
        if (y >= 1970 && y <= 1990) {
            v = 6.0 - (y - 1969) * (6.0 - 2.2) / 21.0;
        } else if (y > 1990 && y <= 1995) {
            v = 1.9;
        } else if (y > 1995 && y <= 2000) {
            v = 1.5;
        } else if (y > 2000 && y <= 2005) {
            v = 1.6;
        } else if (y > 2005 && y <= 2010) {
            v = 1.7;
        } else if (y > 2010) {
            v = late;
        }
        tfr[y - FIRST] = v;
    }
}

static void constant_pattern(double *pasfr, const double *p)
{
    for (int y = FIRST; y <= PRESENT; ++y) {
        memcpy(pasfr + (size_t)(y - FIRST) * G, p, sizeof(double) * G);
    }
}

/* The observed TFR of observed_tfr with `level` from 2011, `level` through LAST too, and the
 * same observed pattern every year. */
static void flat_history(double *tfr, double *pasfr, double level, const double *p)
{
    observed_tfr(tfr, level);
    for (int y = PRESENT + 1; y <= LAST; ++y) {
        tfr[y - FIRST] = level;
    }
    constant_pattern(pasfr, p);
}

static double max_diff(const double *a, const double *b)
{
    double d = 0.0;
    for (int g = 0; g < G; ++g) {
        d = fmax(d, fabs(a[g] - b[g]));
    }
    return d;
}

static double mean_age(const double *p)
{
    double m = 0.0;
    for (int g = 0; g < G; ++g) {
        m += p[g] / 100.0 * (12.5 + 5.0 * g);
    }
    return m;
}

static void test_pasfr__end_of_phase2_is_bayestfr_rule(void **state)
{
    (void)state;
    double tfr[N_YEARS];
    observed_tfr(tfr, 1.3);
    for (int y = PRESENT + 1; y <= LAST; ++y) {
        tfr[y - FIRST] = 1.3;
    }
    /* 5-year means 1.5, 1.6, 1.7 in 1996-2010: the bin of the first of the two rises,
     * 2001-2005, and its third year, 2003 */
    assert_int_equal(ps_pasfr_end_of_phase2(tfr, FIRST, N_YEARS), 2003 - FIRST + 1);
    /* one rise is not two: 1.5, 1.6, then 1.55 and 1.3 to the end */
    for (int y = 2006; y <= 2010; ++y) {
        tfr[y - FIRST] = 1.55;
    }
    assert_int_equal(ps_pasfr_end_of_phase2(tfr, FIRST, N_YEARS), N_YEARS);
    /* never below 2: not ended */
    for (int i = 0; i < N_YEARS; ++i) {
        tfr[i] = 2.5 + 0.001 * i;
    }
    assert_int_equal(ps_pasfr_end_of_phase2(tfr, FIRST, N_YEARS), N_YEARS);
    /* falling to the end: not ended */
    for (int i = 0; i < N_YEARS; ++i) {
        tfr[i] = 6.0 - 0.03 * i;
    }
    assert_int_equal(ps_pasfr_end_of_phase2(tfr, FIRST, N_YEARS), N_YEARS);
    /* means 1.45, 1.56, 1.66 in 2086-2100: 2091-2095, its third year 2093 */
    for (int i = 0; i < N_YEARS; ++i) {
        tfr[i] = 6.0 - 0.03 * i;
    }
    for (int y = 2091; y <= 2100; ++y) {
        tfr[y - FIRST] = 1.5 + 0.02 * (y - 2090);
    }
    tfr[2086 - FIRST] = tfr[2087 - FIRST] = tfr[2088 - FIRST] = tfr[2089 - FIRST] = 1.45;
    tfr[2090 - FIRST] = 1.45;
    assert_int_equal(ps_pasfr_end_of_phase2(tfr, FIRST, N_YEARS), 2093 - FIRST + 1);
}

/* Phase III, and the observed TFR (1.7) above the path's last (1.3): the norm is reached 20
 * years after the last observed, and every year sums to 100. */
static void test_pasfr__norm_reached_twenty_years_on_when_the_tfr_stays_low(void **state)
{
    (void)state;
    double tfr[N_YEARS], pasfr[(PRESENT - FIRST + 1) * G], out[N_PROJ * G];
    ps_error err;
    flat_history(tfr, pasfr, 1.3, young);
    assert_ps_ok(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err), &err);
    double sum_norm = 0.0, nn[G];
    for (int g = 0; g < G; ++g) {
        sum_norm += norm[g];
    }
    for (int g = 0; g < G; ++g) {
        nn[g] = 100.0 * norm[g] / sum_norm;
    }
    for (int j = 0; j < N_PROJ; ++j) {
        double s = 0.0;
        for (int g = 0; g < G; ++g) {
            s += out[j * G + g];
        }
        assert_close(s, 100.0, 1e-11);
        const int year = PRESENT + 1 + j;
        if (year >= PRESENT + PS_PASFR_MIN_HORIZON) {
            assert_true(max_diff(out + j * G, nn) < 1e-9);
        } else {
            assert_true(max_diff(out + j * G, nn) > 1e-3);
        }
    }
    /* it moves towards the norm: the mean age rises year by year until then */
    for (int j = 1; j < PS_PASFR_MIN_HORIZON; ++j) {
        assert_true(mean_age(out + j * G) > mean_age(out + (j - 1) * G));
    }
}

/* The same history with a path that rises above everything observed (to 2.0 in 2100): the
 * first year at the path's last TFR is its end, so the norm is reached only in 2100. */
static void test_pasfr__a_higher_path_reaches_the_norm_later(void **state)
{
    (void)state;
    double tfr[N_YEARS], pasfr[(PRESENT - FIRST + 1) * G], low[N_PROJ * G], high[N_PROJ * G];
    ps_error err;
    flat_history(tfr, pasfr, 1.3, young);
    assert_ps_ok(ps_pasfr_project(low, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err), &err);
    for (int y = PRESENT + 1; y <= LAST; ++y) {
        tfr[y - FIRST] = 1.3 + 0.7 * (y - PRESENT) / (double)N_PROJ;
    }
    assert_ps_ok(ps_pasfr_project(high, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err), &err);
    const int j43 = PRESENT + PS_PASFR_MIN_HORIZON - PRESENT - 1;
    /* in 2043 the low path is at the norm; the high one has moved about tau^2 of the way in
     * logit, tau = 20 / 77 (the norm's path blended with the flat trend by tau), a little
     * more in the mean age as its rates under 20 are held while the TFR rises */
    const double m0 = mean_age(young), m_low = mean_age(low + j43 * G);
    const double m_high = mean_age(high + j43 * G);
    printf("mean age: observed %.4f, 2043 low path %.4f, high path %.4f (share %.4f)\n", m0,
           m_low, m_high, (m_high - m0) / (m_low - m0));
    assert_true(m_high > m0 && m_high < m_low);
    assert_true((m_high - m0) / (m_low - m0) < 0.15);
    /* and it gets there in 2100, up to the youngest rates held on the rising path */
    assert_true(max_diff(high + (N_PROJ - 1) * G, low + (N_PROJ - 1) * G) < 0.3);
    assert_true(max_diff(high + (N_PROJ - 2) * G, low + (N_PROJ - 2) * G) >
                max_diff(high + (N_PROJ - 1) * G, low + (N_PROJ - 1) * G));
    /* rates under 20 never rise from one year to the next */
    for (int j = 1; j < N_PROJ; ++j) {
        for (int g = 0; g < PS_PASFR_YOUNG_GROUPS; ++g) {
            const double a = high[j * G + g] * tfr[PRESENT + 1 + j - FIRST];
            const double b = high[(j - 1) * G + g] * tfr[PRESENT + j - FIRST];
            assert_true(a <= b * (1.0 + 1e-12));
        }
    }
}

/* A pattern older than the norm whose trend keeps it ageing stops at its oldest. */
static void test_pasfr__an_older_pattern_is_held_at_its_oldest(void **state)
{
    (void)state;
    static const double old_2009[G] = { 0.1, 2.0, 9.0, 25.0, 36.0, 21.0, 6.4, 0.45, 0.05 };
    static const double old_2023[G] = { 0.1, 1.6, 7.0, 22.0, 37.0, 24.0, 7.8, 0.45, 0.05 };
    double tfr[N_YEARS], pasfr[(PRESENT - FIRST + 1) * G], out[N_PROJ * G];
    ps_error err;
    flat_history(tfr, pasfr, 1.5, old_2009);
    for (int y = PRESENT - PS_PASFR_TREND_YEARS + 1; y <= PRESENT; ++y) {
        memcpy(pasfr + (size_t)(y - FIRST) * G, old_2023, sizeof old_2023);
    }
    assert_ps_ok(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err), &err);
    int jmax = 0;
    for (int j = 1; j < N_PROJ; ++j) {
        if (mean_age(out + j * G) > mean_age(out + jmax * G)) {
            jmax = j;
        }
    }
    assert_true(jmax > 0 && jmax < N_PROJ - 1);
    assert_true(mean_age(out + jmax * G) > mean_age(norm));
    for (int j = jmax + 1; j < N_PROJ; ++j) {
        assert_true(max_diff(out + j * G, out + jmax * G) < 1e-12);
    }
}

/* Rates of 45 and over stay below 5 times the last observed; ages 20-44 take up the rest. */
static void test_pasfr__oldest_rates_are_capped(void **state)
{
    (void)state;
    static const double tiny_old[G] = { 0.1, 2.0, 11.0, 28.0, 35.0, 19.5, 4.4, 0.001, 0.0 };
    double tfr[N_YEARS], pasfr[(PRESENT - FIRST + 1) * G], out[N_PROJ * G];
    ps_error err;
    flat_history(tfr, pasfr, 1.3, tiny_old);
    assert_ps_ok(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err), &err);
    const double cap = PS_PASFR_OLD_CAP * 0.001; /* percent of the same TFR */
    for (int j = 0; j < N_PROJ; ++j) {
        assert_true(out[j * G + 7] <= cap * (1.0 + 1e-9));
        assert_true(out[j * G + 8] == 0.0); /* none observed at 50-54: none projected */
    }
    assert_close(out[(N_PROJ - 1) * G + 7], cap, 1e-9); /* the norm's 0.45 % is capped */
}

static void test_pasfr__bad_inputs_are_refused(void **state)
{
    (void)state;
    double tfr[N_YEARS], pasfr[(PRESENT - FIRST + 1) * G], out[N_PROJ * G];
    ps_error err;
    flat_history(tfr, pasfr, 1.3, young);
    tfr[2050 - FIRST] = 0.0;
    assert_int_equal(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err),
                     PS_EINVAL);
    assert_non_null(strstr(err.msg, "2050"));
    tfr[2050 - FIRST] = NAN;
    assert_int_equal(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err),
                     PS_EINVAL);
    tfr[2050 - FIRST] = 1.3;
    /* fewer observed years than the trend needs, no projected year */
    assert_int_equal(ps_pasfr_project(out, tfr + 70, pasfr + 70 * G, norm, FIRST + 70, PRESENT,
                                      LAST, &err),
                     PS_EINVAL);
    assert_int_equal(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, PRESENT, &err),
                     PS_EINVAL);
    pasfr[(PRESENT - FIRST) * G + 3] = -1.0;
    assert_int_equal(ps_pasfr_project(out, tfr, pasfr, norm, FIRST, PRESENT, LAST, &err),
                     PS_EINVAL);
    assert_non_null(strstr(err.msg, "ages 25-29 in 2023 (-1)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pasfr__end_of_phase2_is_bayestfr_rule),
        cmocka_unit_test(test_pasfr__norm_reached_twenty_years_on_when_the_tfr_stays_low),
        cmocka_unit_test(test_pasfr__a_higher_path_reaches_the_norm_later),
        cmocka_unit_test(test_pasfr__an_older_pattern_is_held_at_its_oldest),
        cmocka_unit_test(test_pasfr__oldest_rates_are_capped),
        cmocka_unit_test(test_pasfr__bad_inputs_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
