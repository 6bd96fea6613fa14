/*
 * fuzz_h5read.c - libFuzzer harness for the result-file readers (issue #17): the input is
 * written to a file (HDF5 reads files), then read as popsim's commands read it: the scenario
 * list, the provenance attributes, every scenario through ps_h5_read, and every dataset of
 * each scenario group and of its services through the generic reader (src/io/h5read.c).
 * A probabilistic file (issue #14) is read by ps_h5_prob_read as `popsim info`, `plot` and
 * `report` read it. Both go through the validating layer src/io/h5guard.c. Seeds are real result files made by
 * scripts/fuzz.sh with `popsim run` on a shortened Example City.
 */
#include "fuzz_util.h"

#include "popsim/h5out.h"
#include "popsim/h5prob.h"
#include "popsim/h5read.h"
#include "popsim/result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every failure must explain itself. */
static void check_failure(ps_status rc, const ps_error *err)
{
    if (rc != PS_OK && (err->msg[0] == '\0' || err->code != rc)) {
        abort();
    }
}

/* Every dataset directly under `group` through the generic reader. */
static void read_group(const ps_h5r_file *f, const char *group)
{
    char **names = NULL;
    int n = 0;
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = ps_h5r_children(&names, &n, f, group, PS_H5R_DATASET, &err);
    check_failure(rc, &err);
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        char path[1024];
        ps_h5r_array a;
        snprintf(path, sizeof path, "%s/%s", group, names[k]);
        ps_error_clear(&err);
        ps_status st = ps_h5r_read_array(&a, f, path, &err);
        check_failure(st, &err);
        ps_h5r_array_release(&a);
    }
    ps_h5_free_names(names, n);
}

/* The generic reader over a scenario group and its service groups. */
static void read_generic(const char *path, const char *scenario)
{
    ps_h5r_file *f = NULL;
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = ps_h5r_open(&f, path, &err);
    check_failure(rc, &err);
    if (rc != PS_OK) {
        return;
    }
    char group[512], services[600];
    char *title = NULL;
    snprintf(group, sizeof group, "/scenarios/%s", scenario);
    read_group(f, group);
    if (ps_h5r_attr_string(&title, f, group, "title", &err) == PS_OK) {
        free(title);
    }
    snprintf(services, sizeof services, "%s/services", group);
    char **names = NULL;
    int n = 0;
    if (ps_h5r_kind_of(f, services) == PS_H5R_GROUP &&
        ps_h5r_children(&names, &n, f, services, PS_H5R_GROUP, &err) == PS_OK) {
        for (int k = 0; k < n; ++k) {
            char svc[1024];
            snprintf(svc, sizeof svc, "%s/%s", services, names[k]);
            read_group(f, svc);
        }
        ps_h5_free_names(names, n);
    }
    ps_h5r_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        ps_h5_quiet(); /* HDF5's own error printing, as the CLI does */
        quiet = 1;
    }
    const char *path = fuzz_write("input.h5", data, size);
    char **names = NULL;
    int n = 0;
    char value[256];
    ps_error err;
    ps_error_clear(&err);
    if (ps_h5_prob_present(path)) {
        ps_h5_prob_data d;
        ps_status st = ps_h5_prob_read(&d, path, &err);
        check_failure(st, &err);
        ps_h5_prob_data_release(&d);
        ps_error_clear(&err);
    }
    ps_status rc = ps_h5_list(&names, &n, path, &err);
    check_failure(rc, &err);
    if (rc != PS_OK) {
        return 0;
    }
    ps_error_clear(&err);
    check_failure(ps_h5_read_attr(value, sizeof value, path, "popsim_version", &err), &err);
    for (int k = 0; k < n; ++k) {
        ps_result r;
        ps_error_clear(&err);
        rc = ps_h5_read(&r, path, names[k], &err);
        check_failure(rc, &err);
        if (rc == PS_OK) {
            ps_result_release(&r);
        }
        read_generic(path, names[k]);
    }
    ps_h5_free_names(names, n);
    return 0;
}
