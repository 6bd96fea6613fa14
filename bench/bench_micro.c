/*
 * bench_micro.c - speed and memory of the microsimulation (printed, never asserted; run by
 * scripts/bench_micro.sh). Synthetic inputs, so no data files are needed: a population of
 * PERSONS with a stationary-like age structure, Gompertz-Makeham mortality, a bell-shaped
 * fertility schedule (TFR 1.5) and, for the full model, net migration, income classes with a
 * low-income top-up, care need, childcare and kin.
 * usage: bench_micro minimal|full [PERSONS] [YEARS] [REGIONS]
 *        bench_micro wpp WPP_DIR LOCATION [SCALE] [YEARS]   (UN WPP inputs, minimal model,
 *        compared with the cohort engine)
 * Prints person-years per second of the run loop (base population excluded), the bytes per
 * stored person and the peak resident memory (getrusage ru_maxrss) per person.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "popsim/micro.h"
#include "popsim/proj.h"
#include "popsim/wpp.h"

#define N_AGES 101
#define CARE_LEVELS 3

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const ps_error *err)
{
    char buf[2048];
    fprintf(stderr, "bench_micro: %s\n", ps_error_format(err, buf, sizeof buf));
    exit(1);
}

/* Gompertz-Makeham death rate with a raised infant rate, deaths per person-year. */
static double mx_at(int sex, int age)
{
    if (age == 0) {
        return 0.006;
    }
    return 0.0004 + (sex == PS_SEX_MALE ? 0.000040 : 0.000022) * exp(0.095 * age);
}

static double asfr_at(int age)
{
    const double tfr = 1.5, mean = 29.0, sd = 5.0;
    return tfr * exp(-0.5 * pow((age - mean) / sd, 2)) / (sd * sqrt(2.0 * M_PI));
}

static void build_inputs(ps_inputs *in, double persons, int years, int regions, int full)
{
    ps_error err;
    if (ps_inputs_init(in, 2025, 2025 + years, regions, N_AGES, &err) != PS_OK) {
        die(&err);
    }
    double w[N_AGES], sum = 0.0, l = 1.0;
    for (int age = 0; age < N_AGES; ++age) {
        w[age] = l * exp(-0.004 * age);
        l *= exp(-mx_at(PS_SEX_FEMALE, age));
        sum += 2.0 * w[age];
    }
    for (int reg = 0; reg < regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->base.count[ps_pop_idx(&in->base, reg, sex, age)] =
                    persons / regions * w[age] / sum;
            }
        }
        for (int s = 0; s < years; ++s) {
            for (int age = 0; age < N_AGES; ++age) {
                in->asfr[ps_inputs_asfr_idx(in, s, reg, age)] =
                    age >= 12 && age <= 52 ? asfr_at(age) : 0.0;
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    double P = in->base.count[ps_pop_idx(&in->base, reg, sex, age)];
                    in->mx[ps_inputs_idx(in, s, reg, sex, age)] = mx_at(sex, age);
                    double rate = age >= 18 && age <= 35   ? 0.004
                                  : age >= 45 && age <= 64 ? -0.003
                                                           : 0.0;
                    in->mig[ps_inputs_idx(in, s, reg, sex, age)] = full ? rate * P : 0.0;
                }
            }
        }
    }
}

static void progress(void *ctx, const ps_micro_progress *p)
{
    char buf[256];
    const int tty = isatty(STDERR_FILENO);
    (void)ctx;
    fprintf(stderr, "%s%s", ps_micro_progress_format(buf, sizeof buf, p, tty),
            tty && p->done ? "\n" : "");
}

/* Low-income top-up: second and later births of low-income mothers 10 % more likely. */
static const double INCOME_MULT[PS_INCOME_COUNT * PS_ORDER_COUNT] = {1.0, 1.1, 1.1, /* low income */
                                                                     1.0, 1.0, 1.0, 1.0, 1.0, 1.0};

/* WPP inputs of a location for 2025..2025+years (the cache lives in a temporary folder). */
static void wpp_inputs(ps_inputs *in, const char *dir, const char *location, int years)
{
    ps_error err;
    char name[128], cache[] = "/tmp/popsim_bench_micro_XXXXXX";
    int code = 0;
    if (mkdtemp(cache) == NULL || ps_wpp_lookup(&code, name, sizeof name, dir, location, &err)) {
        fprintf(stderr, "bench_micro: cannot find %s in %s\n", location, dir);
        exit(1);
    }
    ps_wpp_location *loc = malloc(sizeof *loc);
    if (loc == NULL || ps_wpp_load(loc, dir, code, cache, &err) != PS_OK ||
        ps_wpp_inputs(in, loc, 2025, 2025 + years, &err) != PS_OK) {
        die(&err);
    }
    printf("inputs                       UN WPP 2024, %s (%d), %.1f million persons\n", name, code,
           ps_pop_total(&in->base) / 1e6);
    free(loc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_micro: could not remove %s\n", cache);
    }
}

/* The cohort engine with parity on the same inputs: births and final population. */
static void compare_ccm(const ps_proj *p, const double *women0, const ps_result *micro)
{
    ps_error err;
    ps_result r;
    if (ps_proj_run_init(&r, p, "ccm", NULL, &err) != PS_OK ||
        ps_result_init_parity(&r, &err) != PS_OK) {
        die(&err);
    }
    memcpy(r.women_by_parity, women0,
           (size_t)r.n_regions * (size_t)r.n_ages * PS_PARITY_COUNT * sizeof *women0);
    double births_ccm = 0.0, births_micro = 0.0;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        ps_proj_events ev = {.births = &r.births[ps_result_sexcell(&r, y, 0, 0)],
                             .deaths = &r.deaths[ps_result_cell(&r, y, 0, 0, 0)],
                             .net_migration = &r.net_migration[ps_result_cell(&r, y, 0, 0, 0)]};
        ps_proj_parity par = {.from = &r.women_by_parity[ps_result_paritycell(&r, y, 0, 0, 0)],
                              .to = &r.women_by_parity[ps_result_paritycell(&r, y + 1, 0, 0, 0)],
                              .births_by_order =
                                  &r.births_by_order[ps_result_ordercell(&r, y, 0, 0)]};
        if (ps_proj_step_parity(p, y, &r.population[ps_result_cell(&r, y, 0, 0, 0)],
                                &r.population[ps_result_cell(&r, y + 1, 0, 0, 0)], &ev, &par,
                                &err) != PS_OK) {
            die(&err);
        }
        births_ccm += ps_result_births(&r, r.start_year + y);
        births_micro += ps_result_births(micro, r.start_year + y);
    }
    const int last = r.start_year + r.n_years - 1;
    printf("cohort engine vs micro       births %.4g vs %.4g (%+.3f %%), population %d %.4g vs "
           "%.4g (%+.3f %%)\n",
           births_ccm, births_micro, 100.0 * (births_micro / births_ccm - 1.0), last,
           ps_result_total(&r, last), ps_result_total(micro, last),
           100.0 * (ps_result_total(micro, last) / ps_result_total(&r, last) - 1.0));
    ps_result_release(&r);
}

int main(int argc, char **argv)
{
    const int wpp = argc > 3 && strcmp(argv[1], "wpp") == 0;
    if (!wpp && (argc < 2 || (strcmp(argv[1], "minimal") != 0 && strcmp(argv[1], "full") != 0))) {
        fprintf(stderr, "usage: bench_micro minimal|full [PERSONS] [YEARS] [REGIONS]\n"
                        "       bench_micro wpp WPP_DIR LOCATION [SCALE] [YEARS]\n");
        return 2;
    }
    const int full = strcmp(argv[1], "full") == 0;
    const double persons = !wpp && argc > 2 ? atof(argv[2]) : 10e6;
    const int years = wpp ? (argc > 5 ? atoi(argv[5]) : 25) : (argc > 3 ? atoi(argv[3]) : 25);
    ps_error err;
    ps_inputs in;
    if (wpp) {
        wpp_inputs(&in, argv[2], argv[3], years);
    } else {
        build_inputs(&in, persons, years, argc > 4 ? atoi(argv[4]) : 1, full);
    }
    const int regions = in.n_regions;
    ps_proj *p = NULL;
    if (ps_proj_new(&p, &in, &err) != PS_OK) {
        die(&err);
    }
    double *women0 = malloc((size_t)regions * N_AGES * PS_PARITY_COUNT * sizeof *women0);
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    if (ps_proj_parity_init(p, &bo, women0, &err) != PS_OK) {
        die(&err);
    }
    const size_t n_years = (size_t)years + 1;
    double *care = calloc(n_years * CARE_LEVELS * N_AGES, sizeof *care);
    double *enroll = calloc(n_years * 3, sizeof *enroll);
    double *shares = malloc((size_t)regions * PS_INCOME_COUNT * sizeof *shares);
    for (size_t y = 0; y < n_years; ++y) {
        for (int age = 60; age < N_AGES; ++age) {
            double p1 = fmin(0.9, 0.02 * exp(0.08 * (age - 60)) * (1.0 + 0.005 * (double)y));
            for (int l = 0; l < CARE_LEVELS; ++l) {
                care[(y * CARE_LEVELS + (size_t)l) * N_AGES + (size_t)age] = p1 * pow(0.5, l);
            }
        }
        for (int a = 0; a < 3; ++a) {
            enroll[y * 3 + (size_t)a] = 0.05 + 0.1 * a + 0.002 * (double)y;
        }
    }
    for (int reg = 0; reg < regions; ++reg) {
        shares[reg * 3 + 0] = 0.12;
        shares[reg * 3 + 1] = 0.05;
        shares[reg * 3 + 2] = 0.83;
    }
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    o.seed = 20250601;
    o.scale = wpp && argc > 4 ? atof(argv[4]) : 1.0;
    o.progress = progress;
    if (full) {
        o.events = PS_MICRO_ALL;
        o.income_share = shares;
        o.income_mult = INCOME_MULT;
        o.care_levels = CARE_LEVELS;
        o.care_prev = care;
        o.disabled_level = 2;
        o.enroll_rate = enroll;
    }
    ps_micro *m = NULL;
    double t0 = now();
    if (ps_micro_new(&m, p, women0, &o, &err) != PS_OK) {
        die(&err);
    }
    double t1 = now();
    const double base_persons = (double)ps_micro_alive(m);
    ps_result res;
    ps_micro_extra extra;
    double py = 0.0;
    double t2 = now();
    if (ps_micro_run(&res, &extra, m, NULL, "bench", NULL, &err) != PS_OK) {
        die(&err);
    }
    for (int s = 0; s < years; ++s) { /* simulated persons alive at the start of each step */
        py += ps_result_total(&res, 2025 + s) / o.scale;
    }
    double t3 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double rss = (double)ru.ru_maxrss * 1024.0;
    printf("model                        %s, %d region(s), %d years, %d thread(s), scale %g\n",
           full  ? "full (migration, income, care, childcare, kin)"
           : wpp ? "minimal (ageing, death, birth) + WPP migration"
                 : "minimal (ageing, death, birth)",
           regions, years, omp_get_max_threads(), o.scale);
    printf("base population              %.0f simulated persons (built in %.2f s)\n", base_persons,
           t1 - t0);
    printf("persons stored at the end    %zu (%.0f alive), store capacity %.1f MiB\n",
           ps_micro_stored(m), (double)ps_micro_alive(m),
           (double)ps_micro_store_bytes(m) / 1048576.0);
    printf("bytes per person (arrays)    %d\n", PS_MICRO_BYTES_PER_PERSON);
    printf("person-years simulated       %.4g\n", py);
    printf("run time                     %.3f s\n", t3 - t2);
    printf("speed                        %.1f million person-years per second\n",
           py / (t3 - t2) / 1e6);
    printf("peak RSS                     %.1f MiB = %.1f bytes per stored person, %.1f per base "
           "person\n",
           rss / 1048576.0, rss / (double)ps_micro_stored(m), rss / base_persons);
    printf("memory estimate              %.1f MiB (ps_micro_estimate_bytes, incl. 64 MiB "
           "allowance)\n",
           (double)ps_micro_estimate_bytes(&in, o.scale) / 1048576.0);
    printf("(births in the first year %.0f, last population %.0f)\n", ps_result_births(&res, 2025),
           ps_result_total(&res, 2025 + years));
    if (wpp) {
        compare_ccm(p, women0, &res);
    }
    ps_result_release(&res);
    ps_micro_extra_release(&extra);
    ps_micro_free(m);
    ps_proj_free(p);
    ps_inputs_release(&in);
    free(women0);
    free(care);
    free(enroll);
    free(shares);
    return 0;
}
