/*
 * run_fixture.h - the fixture of the run-layer tests (test_run.c, test_run_unit.c,
 * test_run_cancel.c): a scenario loaded and its inputs built through the public API, the
 * run options that name it, and a temporary folder for result files; shell commands
 * (popsim, h5diff) by exit status. Header-only like test_util.h: one executable per test.
 */
#ifndef PS_TEST_RUN_FIXTURE_H
#define PS_TEST_RUN_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/run.h"
#include "popsim/scenario.h"

typedef struct run_fixture {
    ps_scenario scn;
    ps_inputs in;
    ps_run_options opts; /* name and title of the scenario, one thread */
    char dir[64];        /* temporary folder for the result files */
} run_fixture;

/* Load `path`, build its inputs (the bundled data: PS_SOURCE_DIR) and make a temporary
 * folder /tmp/ps_<tag>_XXXXXX. Fails the test on any error. */
static inline run_fixture *run_fixture_new(const char *path, const char *tag)
{
    run_fixture *fx = calloc(1, sizeof *fx);
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    ps_error_clear(&err);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/ps_%s_XXXXXX", tag);
    assert_non_null(mkdtemp(fx->dir));
    assert_ps_ok(ps_scn_load(&fx->scn, path, &err), &err);
    assert_ps_ok(ps_build_inputs(&fx->in, &fx->scn, &bo, &err), &err);
    ps_run_options o = PS_RUN_OPTIONS_INIT;
    o.name = fx->scn.name;
    o.title = fx->scn.title;
    o.n_threads = 1;
    fx->opts = o;
    return fx;
}

/* cmocka teardown: remove the folder and release the scenario and inputs. */
static inline int run_fixture_free(void **state)
{
    run_fixture *fx = *state;
    char cmd[256];
    if (fx != NULL) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
        (void)system(cmd);
        ps_inputs_release(&fx->in);
        ps_scn_release(&fx->scn);
        free(fx);
    }
    return 0;
}

/* The exit status of a shell command, or -1 if it did not exit. */
static inline int run_fixture_command(const char *cmd)
{
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif /* PS_TEST_RUN_FIXTURE_H */
