/*
 * bench_ccm.c - speed figures for the cohort-component path (printed, never asserted):
 * WPP input loading cold and from the cache, rate preparation (life tables), and the
 * projection step alone in country-years per second.
 * usage: bench_ccm WPP_DIR LOCATION [REPEATS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "popsim/proj.h"
#include "popsim/wpp.h"

#define BENCH_NAME "bench_ccm"
#include "bench_util.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ccm WPP_DIR LOCATION [REPEATS]\n");
        return 2;
    }
    int repeats = argc > 3 ? atoi(argv[3]) : 20000;
    ps_error err;
    char name[128], cache[] = "/tmp/popsim_bench_cache_XXXXXX";
    int code = 0;
    if (mkdtemp(cache) == NULL) {
        return 1;
    }
    if (ps_wpp_lookup(&code, name, sizeof name, argv[1], argv[2], &err) != PS_OK) {
        die(&err);
    }
    ps_wpp_location *loc = malloc(sizeof *loc);
    double t0 = now();
    if (ps_wpp_load(loc, argv[1], code, cache, &err) != PS_OK) {
        die(&err);
    }
    double t1 = now();
    if (ps_wpp_load(loc, argv[1], code, cache, &err) != PS_OK) {
        die(&err);
    }
    double t2 = now();
    ps_inputs in;
    if (ps_wpp_inputs(&in, loc, 2025, 2100, &err) != PS_OK) {
        die(&err);
    }
    double t3 = now();
    ps_proj *p = NULL;
    if (ps_proj_new(&p, &in, &err) != PS_OK) {
        die(&err);
    }
    double t4 = now();
    const int steps = ps_inputs_steps(&in);
    const size_t cells = ps_pop_size(&in.base);
    double *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b);
    double *births = malloc(2 * sizeof *births), *deaths = malloc(cells * sizeof *deaths);
    double *mig = malloc(cells * sizeof *mig);
    ps_proj_events ev = { .births = births, .deaths = deaths, .net_migration = mig };
    double checksum = 0.0;
    double t5 = now();
    for (int r = 0; r < repeats; ++r) {
        memcpy(a, in.base.count, cells * sizeof *a);
        for (int s = 0; s < steps; ++s) {
            if (ps_proj_step(p, s, a, b, &ev, &err) != PS_OK) {
                die(&err);
            }
            double *tmp = a;
            a = b;
            b = tmp;
        }
        checksum += a[50];
    }
    double t6 = now();
    double years = (double)repeats * steps;
    printf("location                     %s (%d), %d projected years\n", name, code, steps);
    printf("load WPP files (no cache)    %8.1f ms\n", 1e3 * (t1 - t0));
    printf("load WPP from cache          %8.3f ms\n", 1e3 * (t2 - t1));
    printf("prepare inputs (graduation, e0 scaling) %8.2f ms\n", 1e3 * (t3 - t2));
    printf("prepare rates (life tables)  %8.3f ms\n", 1e3 * (t4 - t3));
    printf("projection step              %8.3f us per projected year\n", 1e6 * (t6 - t5) / years);
    printf("projection step rate         %8.2f million country-years per second\n",
           years / (t6 - t5) / 1e6);
    printf("(checksum %.6g)\n", checksum);
    free(a); free(b); free(births); free(deaths); free(mig);
    ps_proj_free(p);
    ps_inputs_release(&in);
    free(loc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
    return system(cmd) == 0 ? 0 : 1;
}
