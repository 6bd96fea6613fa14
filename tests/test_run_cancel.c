/*
 * test_run_cancel.c - cancellation is per run and per call (issue #11: the library keeps no
 * process-wide cancel flag). Two runs in one process, each with its own cancel callback: the
 * one cancelled stops (between units, or before its write, leaving its target untouched)
 * while the other completes with the same file as a run without any callback; reads of the
 * scenario and of the planner CSVs ask only the callback of their own call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run_fixture.h"
#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/run.h"
#include "popsim/run_unit.h"
#include "popsim/scenario.h"

/* One run's cancel state: the callback answers PS_OK until `stop` is set, and counts. */
typedef struct stopper {
    int stop;
    int asked;
    const char *who;
} stopper;

static ps_status stopper_cancel(void *ctx, ps_error *err)
{
    stopper *s = ctx;
    ++s->asked;
    return s->stop ? ps_error_set(err, PS_EIO, "%s cancelled", s->who) : PS_OK;
}

static int setup_family(void **state)
{
    *state = run_fixture_new(PS_TEST_DATA_DIR "/good/run_family.yaml", "test_cancel");
    return 0;
}

static void path_in(char *buf, size_t size, const run_fixture *fx, const char *name)
{
    snprintf(buf, size, "%s/%s", fx->dir, name);
}

/* The reference: every unit, finished and written, with no cancel callback at all. */
static void write_reference(const run_fixture *fx, const char *path)
{
    ps_error err;
    ps_run *run = NULL;
    ps_error_clear(&err);
    assert_null(fx->opts.cancel);
    assert_ps_ok(ps_run_new(&run, &fx->scn, &fx->in, &fx->opts, &err), &err);
    assert_ps_ok(ps_run_compute_range(run, 0, ps_run_n_units(run), &err), &err);
    assert_ps_ok(ps_run_finish(run, &err), &err);
    assert_ps_ok(ps_run_write(run, path, &err), &err);
    ps_run_free(run);
}

static void assert_same_file(const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "h5diff '%s' '%s' /scenarios /scenarios", a, b);
    assert_int_equal(run_fixture_command(cmd), 0);
}

static ps_run_options options_with(const run_fixture *fx, stopper *s)
{
    ps_run_options o = fx->opts;
    o.cancel = stopper_cancel;
    o.cancel_ctx = s;
    return o;
}

/* Units of A and B alternate; A is cancelled after its first unit, B goes on to the end. */
static void test_run_cancel__interleaved_runs_one_cancelled_between_units(void **state)
{
    const run_fixture *fx = *state;
    char ref[128], out_a[128], out_b[128];
    stopper a = { .stop = 0, .asked = 0, .who = "run A" };
    stopper b = { .stop = 0, .asked = 0, .who = "run B" };
    ps_run_options oa = options_with(fx, &a), ob = options_with(fx, &b);
    ps_run *ra = NULL, *rb = NULL;
    ps_error ea, eb;
    ps_error_clear(&ea);
    ps_error_clear(&eb);
    path_in(ref, sizeof ref, fx, "ref.h5");
    path_in(out_a, sizeof out_a, fx, "a.h5");
    path_in(out_b, sizeof out_b, fx, "b.h5");
    write_reference(fx, ref);
    assert_ps_ok(ps_run_new(&ra, &fx->scn, &fx->in, &oa, &ea), &ea);
    assert_ps_ok(ps_run_new(&rb, &fx->scn, &fx->in, &ob, &eb), &eb);
    const int n = ps_run_n_units(rb);
    assert_true(n >= 2); /* a family: the cancel lands between units */
    ps_status rc_a = PS_OK;
    int done_a = 0;
    for (int k = 0; k < n; ++k) {
        int member = 0, replicate = 0;
        ps_run_unit_at(rb, k, &member, &replicate);
        if (rc_a == PS_OK) {
            rc_a = ps_run_unit(ra, member, replicate, &ea);
            done_a += rc_a == PS_OK;
            a.stop = 1; /* A's "Ctrl-C", after its first unit */
        }
        assert_ps_ok(ps_run_unit(rb, member, replicate, &eb), &eb);
    }
    assert_int_equal(done_a, 1);
    assert_int_equal(rc_a, PS_EIO);
    assert_string_equal(ea.msg, "run A cancelled");
    assert_true(b.asked >= n); /* B's own callback was asked at every unit */
    assert_int_equal(b.stop, 0);
    assert_ps_ok(ps_run_finish(rb, &eb), &eb);
    assert_ps_ok(ps_run_write(rb, out_b, &eb), &eb);
    assert_same_file(ref, out_b);
    struct stat st;
    assert_int_not_equal(stat(out_a, &st), 0); /* A wrote nothing */
    ps_run_free(ra);
    ps_run_free(rb);
}

/* Both runs finish; A is cancelled just before its write: its existing target keeps its
 * bytes and no temporary is left, while B's write in between gives the reference file. */
static void test_run_cancel__cancelled_write_keeps_target_other_run_writes(void **state)
{
    const run_fixture *fx = *state;
    char ref[128], out_a[128], out_b[128], cmd[512];
    stopper a = { .stop = 0, .asked = 0, .who = "run A" };
    stopper b = { .stop = 0, .asked = 0, .who = "run B" };
    ps_run_options oa = options_with(fx, &a), ob = options_with(fx, &b);
    ps_run *ra = NULL, *rb = NULL;
    ps_error ea, eb;
    ps_error_clear(&ea);
    ps_error_clear(&eb);
    path_in(ref, sizeof ref, fx, "ref.h5");
    path_in(out_a, sizeof out_a, fx, "a.h5");
    path_in(out_b, sizeof out_b, fx, "b.h5");
    write_reference(fx, ref);
    FILE *fp = fopen(out_a, "w");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    assert_ps_ok(ps_run_new(&ra, &fx->scn, &fx->in, &oa, &ea), &ea);
    assert_ps_ok(ps_run_new(&rb, &fx->scn, &fx->in, &ob, &eb), &eb);
    assert_ps_ok(ps_run_compute_range(ra, 0, ps_run_n_units(ra), &ea), &ea);
    assert_ps_ok(ps_run_compute_range(rb, 0, ps_run_n_units(rb), &eb), &eb);
    assert_ps_ok(ps_run_finish(ra, &ea), &ea);
    assert_ps_ok(ps_run_finish(rb, &eb), &eb);
    a.stop = 1;
    assert_int_equal(ps_run_write(ra, out_a, &ea), PS_EIO);
    assert_non_null(strstr(ea.msg, "run A cancelled"));
    assert_ps_ok(ps_run_write(rb, out_b, &eb), &eb);
    assert_same_file(ref, out_b);
    snprintf(cmd, sizeof cmd, "test \"$(cat '%s')\" = old", out_a);
    assert_int_equal(run_fixture_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep '^\\.popsim-')\"", fx->dir);
    assert_int_equal(run_fixture_command(cmd), 0);
    ps_run_free(ra);
    ps_run_free(rb);
}

/* Reads ask the callback of their own call: the same scenario and inputs are refused
 * "interrupted while reading" under a cancelled callback and read under another one. */
static void test_run_cancel__reads_ask_only_their_own_callback(void **state)
{
    const run_fixture *fx = *state;
    const char *city = PS_SOURCE_DIR "/scenarios/example_city.yaml";
    stopper a = { .stop = 1, .asked = 0, .who = "reader A" };
    stopper b = { .stop = 0, .asked = 0, .who = "reader B" };
    ps_cancel ca = { .fn = stopper_cancel, .ctx = &a }, cb = { .fn = stopper_cancel, .ctx = &b };
    ps_scenario scn;
    ps_inputs in;
    ps_error err;
    (void)fx;
    ps_error_clear(&err);
    assert_int_equal(ps_scn_load_with(&scn, city, &ca, &err), PS_EIO);
    assert_string_equal(err.path, city);
    assert_non_null(strstr(err.msg, "interrupted while reading"));
    assert_int_equal(a.asked, 1);
    assert_ps_ok(ps_scn_load_with(&scn, city, &cb, &err), &err);
    assert_true(b.asked >= 1);
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    bo.cancel = ca;
    assert_int_equal(ps_build_inputs(&in, &scn, &bo, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "interrupted while reading"));
    assert_non_null(strstr(err.path, ".csv"));
    const int asked_b = b.asked;
    bo.cancel = cb;
    assert_ps_ok(ps_build_inputs(&in, &scn, &bo, &err), &err);
    assert_true(b.asked > asked_b); /* every planner CSV asked B's callback */
    ps_inputs_release(&in);
    ps_scn_release(&scn);
}

int main(void)
{
    ps_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_run_cancel__interleaved_runs_one_cancelled_between_units, setup_family,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run_cancel__cancelled_write_keeps_target_other_run_writes, setup_family,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run_cancel__reads_ask_only_their_own_callback,
                                        setup_family, run_fixture_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
