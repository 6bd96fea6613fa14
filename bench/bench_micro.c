/*
 * bench_micro.c - speed and memory of the microsimulation (printed, never asserted; run by
 * scripts/bench_micro.sh). Synthetic inputs, so no data files are needed: a population of
 * PERSONS with a stationary-like age structure, Gompertz-Makeham mortality, a bell-shaped
 * fertility schedule (TFR 1.5) and, for the full model, net migration, income classes with a
 * low-income top-up, care need, childcare and kin.
 * usage: bench_micro minimal|full [PERSONS] [YEARS] [REGIONS]
 *        bench_micro wpp WPP_DIR LOCATION [SCALE] [YEARS]   (UN WPP inputs, minimal model,
 *        compared with the cohort engine)
 * env:   BENCH_HUGE_PAGES=1 sets ps_micro_options.huge_pages (transparent huge pages)
 * Prints person-years per second of the run loop (base population excluded) overall and in
 * its first and last five years, the same for a reference kernel run in the same process
 * (below) and the ratio, the time, CPU split and page faults of building the base
 * population, the bytes per stored person and the peak resident memory (getrusage
 * ru_maxrss) per person.
 */
#include <Random123/philox.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
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
#define SPAN_YEARS 5 /* years at each end of the run whose speed is compared */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the process (all threads): on a shared machine, person-years per CPU
 * second are steadier than per wall-clock second when other jobs take the cores. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
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

/*
 * Reference kernel: what a plain loop with the minimal model's events costs on this machine,
 * measured in the same run so that the engine's speed can be stated as a ratio (issue #18).
 * Records of 12 bytes (the engine's bytes per person) in one array of structures; one
 * Philox4x32-10 call (Random123's philox4x32, the engine's generator) per person and year:
 * lane 0 death (q = 1 - exp(-m)), lane 1 a birth to a woman aged 10-54 (ASFR), lane 2 the
 * child's sex, lane 3 its survival; integer tallies per thread of persons by sex and age,
 * deaths and births; each thread squeezes the dead out of its block in place and collects
 * its newborns, then blocks and newborns are joined. Its numbers are not the engine's
 * (no migration, no half-year timing): only its speed is used.
 */
typedef struct ref_person {
    uint8_t age, ychild, mage, scratch;
    uint16_t region, flags;
    uint32_t mother;
} ref_person;

#define REF_FEMALE 1u
#define REF_NEWBORN_SHARE 0.2 /* newborn buffer per thread, as a share of its block */

typedef struct ref_state {
    ref_person *p;
    size_t n, cap;
    uint32_t q_thr[PS_SEX_COUNT][N_AGES], b_thr[N_AGES], boy_thr, s0_thr;
} ref_state;

static uint32_t thr32(double prob)
{
    return prob >= 1.0 ? UINT32_MAX : (uint32_t)(prob * 4294967296.0);
}

static void ref_init(ref_state *r, const ps_inputs *in, size_t cap)
{
    r->p = malloc(cap * sizeof *r->p);
    r->cap = cap;
    r->n = 0;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            r->q_thr[sex][age] = thr32(1.0 - exp(-in->mx[ps_inputs_idx(in, 0, 0, sex, age)]));
            size_t k = (size_t)in->base.count[ps_pop_idx(&in->base, 0, sex, age)];
            for (size_t i = 0; i < k && r->n < cap; ++i) {
                r->p[r->n++] = (ref_person){(uint8_t)age, 255, 255, 0, 0,
                                            (uint16_t)(sex == PS_SEX_FEMALE ? REF_FEMALE : 0u),
                                            UINT32_MAX};
            }
        }
    }
    for (int age = 0; age < N_AGES; ++age) {
        r->b_thr[age] = thr32(in->asfr[ps_inputs_asfr_idx(in, 0, 0, age)]);
    }
    r->boy_thr = thr32(1.0 / 2.05);
    r->s0_thr = thr32(exp(-mx_at(PS_SEX_FEMALE, 0)));
}

/* One year of the reference kernel; returns the persons alive at its start. */
static size_t ref_year(ref_state *r, uint32_t year, int64_t *tallies, ref_person *newborns,
                       size_t nb_cap, size_t *kept, size_t *born)
{
    const size_t n = r->n;
    const int T = omp_get_max_threads();
    const size_t tally_len = (size_t)PS_SEX_COUNT * N_AGES * 2 + 2;
#pragma omp parallel num_threads(T)
    {
        const int t = omp_get_thread_num();
        const size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
        int64_t *tal = tallies + (size_t)t * tally_len;
        ref_person *nb = newborns + (size_t)t * nb_cap;
        size_t w = lo, k = 0;
        for (size_t i = lo; i < hi; ++i) {
            ref_person q = r->p[i];
            const unsigned sex = q.flags & REF_FEMALE;
            philox4x32_ctr_t c = {{(uint32_t)i, year, 0, 0}};
            philox4x32_key_t key = {{20250601u, 0}};
            philox4x32_ctr_t u = philox4x32_R(10, c, key);
            const unsigned a = q.age + 1u < N_AGES ? q.age + 1u : N_AGES - 1u;
            if (u.v[0] < r->q_thr[sex][q.age]) {
                tal[(size_t)N_AGES * 2 + (size_t)sex * N_AGES + a] += 1; /* deaths */
                continue;
            }
            if (sex == REF_FEMALE && q.age >= 10 && q.age <= 54 && u.v[1] < r->b_thr[q.age]) {
                const unsigned girl = u.v[2] >= r->boy_thr;
                tal[(size_t)N_AGES * 4 + girl] += 1; /* births */
                q.ychild = 0;
                if (u.v[3] < r->s0_thr && k < nb_cap) {
                    nb[k++] = (ref_person){0, 255, q.age, 0, q.region, (uint16_t)girl,
                                           (uint32_t)i};
                    tal[(size_t)girl * N_AGES] += 1;
                }
            }
            q.age = (uint8_t)a;
            q.ychild = (uint8_t)(q.ychild < 254 ? q.ychild + 1 : q.ychild);
            tal[(size_t)sex * N_AGES + a] += 1; /* persons on 1 July */
            r->p[w++] = q;
        }
        kept[t] = w - lo;
        born[t] = k;
    }
    size_t at = 0;
    for (int t = 0; t < T; ++t) {
        const size_t lo = n * (size_t)t / (size_t)T;
        memmove(r->p + at, r->p + lo, kept[t] * sizeof *r->p);
        at += kept[t];
    }
    for (int t = 0; t < T; ++t) {
        const size_t room = r->cap - at, k = born[t] < room ? born[t] : room;
        memcpy(r->p + at, newborns + (size_t)t * nb_cap, k * sizeof *r->p);
        at += k;
    }
    r->n = at;
    return n;
}

/* Person-years per second of the reference kernel over `years` years, overall and in the
 * first and last SPAN_YEARS years (span[0], span[1]); per CPU second in *per_cpu. */
static double ref_run(const ps_inputs *in, double persons, int years, double span[2],
                      double *per_cpu)
{
    ref_state r;
    ref_init(&r, in, (size_t)(persons * 1.5) + 1024);
    const int T = omp_get_max_threads();
    const size_t nb_cap = (size_t)(persons * REF_NEWBORN_SHARE / T) + 1024;
    const size_t tally_len = (size_t)PS_SEX_COUNT * N_AGES * 2 + 2;
    int64_t *tallies = calloc((size_t)T * tally_len, sizeof *tallies);
    ref_person *nb = malloc((size_t)T * nb_cap * sizeof *nb);
    size_t *kept = calloc((size_t)T, sizeof *kept), *born = calloc((size_t)T, sizeof *born);
    double py = 0.0, t_all = 0.0, c_all = 0.0, py_span[2] = {0.0, 0.0}, t_span[2] = {0.0, 0.0};
    for (int y = 0; y < years; ++y) {
        const double t0 = now(), c0 = cpu_now();
        const double alive = (double)ref_year(&r, (uint32_t)y + 1, tallies, nb, nb_cap, kept, born);
        const double dt = now() - t0;
        c_all += cpu_now() - c0;
        py += alive;
        t_all += dt;
        for (int e = 0; e < 2; ++e) {
            if (e == 0 ? y < SPAN_YEARS : y >= years - SPAN_YEARS) {
                py_span[e] += alive;
                t_span[e] += dt;
            }
        }
    }
    for (int e = 0; e < 2; ++e) {
        span[e] = py_span[e] / t_span[e];
    }
    free(r.p);
    free(tallies);
    free(nb);
    free(kept);
    free(born);
    *per_cpu = py / c_all;
    return py / t_all;
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
    o.huge_pages = getenv("BENCH_HUGE_PAGES") != NULL && atoi(getenv("BENCH_HUGE_PAGES")) != 0;
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
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    double t0 = now();
    if (ps_micro_new(&m, p, women0, &o, &err) != PS_OK) {
        die(&err);
    }
    double t1 = now();
    getrusage(RUSAGE_SELF, &ru1);
    const double base_persons = (double)ps_micro_alive(m);
    ps_result res;
    ps_micro_extra extra;
    if (ps_micro_run_init(&res, &extra, m, "bench", NULL, &err) != PS_OK) {
        die(&err);
    }
    double py = 0.0, t_run = 0.0, c_run = 0.0, py_span[2] = {0.0, 0.0}, t_span[2] = {0.0, 0.0},
           c_span[2] = {0.0, 0.0};
    for (int s = 0; s < years; ++s) {
        const double alive = (double)ps_micro_alive(m), t2 = now(), c2 = cpu_now();
        if (ps_micro_step(m, &res, &extra, NULL, &err) != PS_OK) {
            die(&err);
        }
        const double dt = now() - t2, dc = cpu_now() - c2;
        py += alive;
        t_run += dt;
        c_run += dc;
        for (int e = 0; e < 2; ++e) {
            if (e == 0 ? s < SPAN_YEARS : s >= years - SPAN_YEARS) {
                py_span[e] += alive;
                t_span[e] += dt;
                c_span[e] += dc;
            }
        }
    }
    const double speed = py / t_run;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double rss = (double)ru.ru_maxrss * 1024.0;
    printf("model                        %s, %d region(s), %d years, %d thread(s), scale %g\n",
           full  ? "full (migration, income, care, childcare, kin)"
           : wpp ? "minimal (ageing, death, birth) + WPP migration"
                 : "minimal (ageing, death, birth)",
           regions, years, omp_get_max_threads(), o.scale);
    const double cpu_user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime),
                 cpu_sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
    printf("base population              %.0f simulated persons (built in %.2f s)\n", base_persons,
           t1 - t0);
    printf("base population CPU          user %.2f s, system %.2f s (%.0f %%), %ld minor page "
           "faults, %.1f ns per person\n",
           cpu_user, cpu_sys, 100.0 * cpu_sys / fmax(cpu_user + cpu_sys, 1e-9),
           ru1.ru_minflt - ru0.ru_minflt, 1e9 * (t1 - t0) / base_persons);
    printf("persons stored at the end    %zu (%.0f alive), store capacity %.1f MiB\n",
           ps_micro_stored(m), (double)ps_micro_alive(m),
           (double)ps_micro_store_bytes(m) / 1048576.0);
    printf("bytes per person (arrays)    %d\n", PS_MICRO_BYTES_PER_PERSON);
    printf("person-years simulated       %.4g\n", py);
    printf("run time                     %.3f s\n", t_run);
    printf("speed                        %.1f million person-years per second\n", speed / 1e6);
    if (years >= 2 * SPAN_YEARS) {
        printf("speed over the horizon       years 1-%d %.1f M, years %d-%d %.1f M (ratio %.2f)\n",
               SPAN_YEARS, py_span[0] / t_span[0] / 1e6, years - SPAN_YEARS + 1, years,
               py_span[1] / t_span[1] / 1e6, (py_span[1] / t_span[1]) / (py_span[0] / t_span[0]));
        printf("per CPU second, horizon      years 1-%d %.1f M, years %d-%d %.1f M (ratio %.2f)\n",
               SPAN_YEARS, py_span[0] / c_span[0] / 1e6, years - SPAN_YEARS + 1, years,
               py_span[1] / c_span[1] / 1e6, (py_span[1] / c_span[1]) / (py_span[0] / c_span[0]));
    }
    if (!wpp && regions == 1) {
        double rspan[2], ref_cpu = 0.0;
        const double ref = ref_run(&in, persons, years, rspan, &ref_cpu);
        printf("reference kernel             %.1f million person-years per second (years 1-%d "
               "%.1f M, last %d %.1f M)\n",
               ref / 1e6, SPAN_YEARS, rspan[0] / 1e6, SPAN_YEARS, rspan[1] / 1e6);
        printf("ratio to the reference       %.2f (per CPU second: engine %.1f M, reference %.1f M, "
               "ratio %.2f)\n",
               speed / ref, py / c_run / 1e6, ref_cpu / 1e6, (py / c_run) / ref_cpu);
    }
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
