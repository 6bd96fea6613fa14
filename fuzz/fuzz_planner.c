/*
 * fuzz_planner.c - libFuzzer harness for the planner CSV readers (src/io/planner.c). The
 * first byte picks the reader (population, mx, e0, asfr, tfr, srb, migration by age,
 * migration total); the rest is the file. Results must be finite after PS_OK.
 */
#include "fuzz_util.h"

#include <math.h>

#include "popsim/planner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { START = 2020, END = 2030, N_AGES = 101, N_STEPS = END - START };

static double out[(size_t)N_STEPS * 2 * N_AGES + 2 * N_AGES];

static ps_status run_reader(int kind, const char *path, size_t *n_out, ps_error *err)
{
    switch (kind) {
    case 0:
        *n_out = 2 * N_AGES;
        return ps_plan_read_population(out, N_AGES, path, err);
    case 1:
        *n_out = (size_t)N_STEPS * 2 * N_AGES;
        return ps_plan_read_mx(out, START, END, N_AGES, path, err);
    case 2:
        *n_out = (size_t)N_STEPS * 2;
        return ps_plan_read_e0(out, START, END, path, err);
    case 3:
        *n_out = (size_t)N_STEPS * N_AGES;
        return ps_plan_read_asfr(out, START, END, N_AGES, path, err);
    case 4:
        *n_out = N_STEPS;
        return ps_plan_read_tfr(out, START, END, path, err);
    case 5:
        *n_out = N_STEPS;
        return ps_plan_read_srb(out, START, END, path, err);
    case 6:
        *n_out = (size_t)N_STEPS * 2 * N_AGES;
        return ps_plan_read_migration(out, START, END, N_AGES, path, err);
    default:
        *n_out = N_STEPS;
        return ps_plan_read_migration_total(out, START, END, path, err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *path = fuzz_write("planner.csv", data + 1, size - 1);
    size_t n = 0;
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = run_reader(data[0] % 8, path, &n, &err);
    if (rc != PS_OK && (err.msg[0] == '\0' || err.code != rc)) {
        abort(); /* every failure must explain itself */
    }
    for (size_t i = 0; rc == PS_OK && i < n; ++i) {
        if (!isfinite(out[i])) {
            abort(); /* a reader must never hand on NaN or infinity */
        }
    }
    return 0;
}
