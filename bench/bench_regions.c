/*
 * bench_regions.c - speed and memory of the cohort engine with many regions linked by
 * internal migration (issue #13, section 5; printed, never asserted): N regions (default
 * 100) with flows between every pair, 101 single ages, a 50-year horizon; the steps alone in
 * region-years per second, and the peak resident memory of the process.
 * usage: bench_regions [REGIONS] [YEARS] [REPEATS] [FLOWS]   (FLOWS 0: no internal migration)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "popsim/demog.h"
#include "popsim/flows.h"
#include "popsim/proj.h"

#define BENCH_NAME "bench_regions"
#include "bench_util.h"

#define BENCH_AGES 101

/* Fictional regions of different size and rates; every pair has a small migration rate. */
static void fill(ps_inputs *in, int nr, int years)
{
    for (int reg = 0; reg < nr; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < BENCH_AGES; ++age) {
                in->base.count[ps_pop_idx(&in->base, reg, sex, age)] =
                    (5000.0 + 37.0 * reg) * exp(-0.012 * age);
            }
        }
        for (int step = 0; step < years; ++step) {
            for (int age = 0; age < BENCH_AGES; ++age) {
                double x = (age - 29.0) / 6.0;
                in->asfr[ps_inputs_asfr_idx(in, step, reg, age)] =
                    age >= 15 && age <= 49 ? 0.07 * exp(-0.5 * x * x) : 0.0;
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    in->mx[ps_inputs_idx(in, step, reg, sex, age)] =
                        0.001 + 5e-5 * exp(0.085 * age) + 1e-5 * reg;
                }
            }
        }
    }
}

int main(int argc, char **argv)
{
    const int nr = argc > 1 ? atoi(argv[1]) : 100;
    const int years = argc > 2 ? atoi(argv[2]) : 50;
    const int repeats = argc > 3 ? atoi(argv[3]) : 20;
    const int with_flows = argc > 4 ? atoi(argv[4]) : 1;
    ps_error err;
    ps_inputs in;
    ps_flows f;
    if (nr < 2 || years < 1 || repeats < 1) {
        fprintf(stderr, "usage: bench_regions [REGIONS >= 2] [YEARS] [REPEATS]\n");
        return 2;
    }
    if (ps_inputs_init(&in, 2025, 2025 + years, nr, BENCH_AGES, &err) != PS_OK) {
        die(&err);
    }
    fill(&in, nr, years);
    double *pair = malloc((size_t)nr * (size_t)nr * sizeof *pair), shape[BENCH_AGES];
    for (int o = 0; o < nr; ++o) {
        for (int d = 0; d < nr; ++d) {
            pair[(size_t)o * (size_t)nr + (size_t)d] = 0.02 / (nr - 1) * (1.0 + 0.3 * ((o + d) % 3));
        }
    }
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    ps_sched_rogers_castro(shape, BENCH_AGES, &rc);
    if (ps_flows_init(&f, nr, BENCH_AGES, 1, 0, &err) != PS_OK ||
        ps_flows_set_pairs(&f, pair, shape, &err) != PS_OK) {
        die(&err);
    }
    ps_proj *p = NULL;
    double t0 = now();
    if (ps_proj_new(&p, &in, &err) != PS_OK ||
        ps_proj_set_flows(p, with_flows ? &f : NULL, &err) != PS_OK) {
        die(&err);
    }
    double t1 = now();
    /* The steps alone (as bench_ccm): the result is allocated once, outside the timing. */
    double best = INFINITY, best_cpu = INFINITY;
    ps_result res;
    if (ps_proj_run_init(&res, p, "bench", NULL, &err) != PS_OK) {
        die(&err);
    }
    for (int r = 0; r < repeats; ++r) {
        double a = now(), ac = cpu_now();
        for (int step = 0; step < years; ++step) {
            ps_proj_events ev = {
                .births = &res.births[ps_result_sexcell(&res, step, 0, 0)],
                .deaths = &res.deaths[ps_result_cell(&res, step, 0, 0, 0)],
                .net_migration = &res.net_migration[ps_result_cell(&res, step, 0, 0, 0)],
            };
            ps_proj_internal_events(&ev, &res, step);
            if (ps_proj_step(p, step, &res.population[ps_result_cell(&res, step, 0, 0, 0)],
                             &res.population[ps_result_cell(&res, step + 1, 0, 0, 0)], &ev,
                             &err) != PS_OK) {
                die(&err);
            }
        }
        best = fmin(best, now() - a);
        best_cpu = fmin(best_cpu, cpu_now() - ac);
    }
    double total = 0.0;
    for (int reg = 0; reg < nr; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < BENCH_AGES; ++age) {
                total += res.population[ps_result_cell(&res, years, reg, sex, age)];
            }
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double flow_mb = (double)((size_t)nr * PS_SEX_COUNT * BENCH_AGES + (size_t)nr * nr) *
                           sizeof(double) / 1e6;
    printf("regions %d, ages %d, years %d, pairs %d%s\n", nr, BENCH_AGES, years, nr * (nr - 1),
           with_flows ? "" : " (flows off)");
    printf("prepare (life tables)        %10.4f s\n", t1 - t0);
    printf("steps (best of %d)           %10.4f s  = %.0f region-years per second\n", repeats,
           best, (double)nr * years / best);
    printf("steps, CPU time (all threads) %10.4f s  = %.0f region-years per CPU second\n",
           best_cpu, (double)nr * years / best_cpu);
    printf("flows (rates + shares)       %10.3f MB\n", flow_mb);
    printf("peak resident memory         %10.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    printf("population %d                %14.1f persons\n", 2025 + years, total);
    ps_result_release(&res);
    ps_proj_free(p);
    ps_flows_release(&f);
    ps_inputs_release(&in);
    free(pair);
    return 0;
}
