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

/* Two runs of the fixture's scenario in one process, each with its own cancel callback, the
 * paths of their targets and of the reference file (already written). */
typedef struct pair {
    char ref[128], out_a[128], out_b[128];
    stopper a, b;
    ps_run_options oa, ob;
    ps_run *ra, *rb;
    ps_error ea, eb;
} pair;

static void pair_start(pair *p, const run_fixture *fx)
{
    memset(p, 0, sizeof *p);
    p->a.who = "run A";
    p->b.who = "run B";
    p->oa = fx->opts;
    p->oa.cancel = stopper_cancel;
    p->oa.cancel_ctx = &p->a;
    p->ob = fx->opts;
    p->ob.cancel = stopper_cancel;
    p->ob.cancel_ctx = &p->b;
    ps_error_clear(&p->ea);
    ps_error_clear(&p->eb);
    path_in(p->ref, sizeof p->ref, fx, "ref.h5");
    path_in(p->out_a, sizeof p->out_a, fx, "a.h5");
    path_in(p->out_b, sizeof p->out_b, fx, "b.h5");
    write_reference(fx, p->ref);
    assert_ps_ok(ps_run_new(&p->ra, &fx->scn, &fx->in, &p->oa, &p->ea), &p->ea);
    assert_ps_ok(ps_run_new(&p->rb, &fx->scn, &fx->in, &p->ob, &p->eb), &p->eb);
}

static void pair_free(pair *p)
{
    ps_run_free(p->ra);
    ps_run_free(p->rb);
}

/* Units of A and B alternate; A is cancelled after its first unit, B goes on to the end. */
static void test_run_cancel__interleaved_runs_one_cancelled_between_units(void **state)
{
    const run_fixture *fx = *state;
    pair p;
    pair_start(&p, fx);
    const int n = ps_run_n_units(p.rb);
    assert_true(n >= 2); /* a family: the cancel lands between units */
    ps_status rc_a = PS_OK;
    int done_a = 0;
    for (int k = 0; k < n; ++k) {
        int member = 0, replicate = 0;
        ps_run_unit_at(p.rb, k, &member, &replicate);
        if (rc_a == PS_OK) {
            rc_a = ps_run_unit(p.ra, member, replicate, &p.ea);
            done_a += rc_a == PS_OK;
            p.a.stop = 1; /* A's "Ctrl-C", after its first unit */
        }
        assert_ps_ok(ps_run_unit(p.rb, member, replicate, &p.eb), &p.eb);
    }
    assert_int_equal(done_a, 1);
    assert_int_equal(rc_a, PS_EIO);
    assert_string_equal(p.ea.msg, "run A cancelled");
    assert_true(p.b.asked >= n); /* B's own callback was asked at every unit */
    assert_int_equal(p.b.stop, 0);
    assert_ps_ok(ps_run_finish(p.rb, &p.eb), &p.eb);
    assert_ps_ok(ps_run_write(p.rb, p.out_b, &p.eb), &p.eb);
    assert_same_file(p.ref, p.out_b);
    struct stat st;
    assert_int_not_equal(stat(p.out_a, &st), 0); /* A wrote nothing */
    pair_free(&p);
}

/* Both runs finish; A is cancelled just before its write: its existing target keeps its
 * bytes and no temporary is left, while B's write in between gives the reference file. */
static void test_run_cancel__cancelled_write_keeps_target_other_run_writes(void **state)
{
    const run_fixture *fx = *state;
    char cmd[512];
    pair p;
    pair_start(&p, fx);
    FILE *fp = fopen(p.out_a, "w");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    assert_ps_ok(ps_run_compute_range(p.ra, 0, ps_run_n_units(p.ra), &p.ea), &p.ea);
    assert_ps_ok(ps_run_compute_range(p.rb, 0, ps_run_n_units(p.rb), &p.eb), &p.eb);
    assert_ps_ok(ps_run_finish(p.ra, &p.ea), &p.ea);
    assert_ps_ok(ps_run_finish(p.rb, &p.eb), &p.eb);
    p.a.stop = 1;
    assert_int_equal(ps_run_write(p.ra, p.out_a, &p.ea), PS_EIO);
    assert_non_null(strstr(p.ea.msg, "run A cancelled"));
    assert_ps_ok(ps_run_write(p.rb, p.out_b, &p.eb), &p.eb);
    assert_same_file(p.ref, p.out_b);
    snprintf(cmd, sizeof cmd, "test \"$(cat '%s')\" = old", p.out_a);
    assert_int_equal(run_fixture_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep '^\\.popsim-')\"", fx->dir);
    assert_int_equal(run_fixture_command(cmd), 0);
    pair_free(&p);
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
