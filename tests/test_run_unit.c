/*
 * test_run_unit.c - units as bytes and part files (popsim/run_unit.h, popsim/part.h, issue
 * #15): units computed by separate runs (as MPI ranks or Slurm array tasks do), moved as
 * bytes into one run, give the same file as a single run, for a policy family and the
 * microsimulation and for 1, 2 and 3 shares; bytes come back bit for bit; truncated,
 * damaged, repeated or foreign units and part files are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "run_fixture.h"
#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/part.h"
#include "popsim/run.h"
#include "popsim/run_unit.h"
#include "popsim/scenario.h"
#include "popsim/sha256.h"
#include "popsim/version.h"

typedef run_fixture fixture;

static fixture *new_fixture(const char *path)
{
    return run_fixture_new(path, "test_unit");
}

static int setup_family(void **state)
{
    *state = new_fixture(PS_TEST_DATA_DIR "/good/run_family.yaml");
    return 0;
}

static int setup_micro(void **state)
{
    fixture *fx = new_fixture(PS_SOURCE_DIR "/scenarios/example_city_micro.yaml");
    /* Fewer, coarser replicates: the same code paths in a sixth of the time (valgrind). */
    fx->scn.micro.scale = 40.0;
    fx->scn.micro.replicates = 3;
    *state = fx;
    return 0;
}

static ps_run *new_run(const fixture *fx)
{
    ps_error err;
    ps_run *run = NULL;
    ps_error_clear(&err);
    assert_ps_ok(ps_run_new(&run, &fx->scn, &fx->in, &fx->opts, &err), &err);
    return run;
}

static void finish_and_write(ps_run *run, const char *path)
{
    ps_error err;
    ps_error_clear(&err);
    assert_ps_ok(ps_run_finish(run, &err), &err);
    assert_ps_ok(ps_run_write(run, path, &err), &err);
}

/* The single run: every unit in order. */
static void write_serial(const fixture *fx, const char *path)
{
    ps_error err;
    ps_run *run = new_run(fx);
    ps_error_clear(&err);
    assert_ps_ok(ps_run_compute_range(run, 0, ps_run_n_units(run), &err), &err);
    finish_and_write(run, path);
    ps_run_free(run);
}

/* n_tasks runs compute their shares; their owned units go as bytes into one run. */
static void write_distributed(const fixture *fx, int n_tasks, const char *path)
{
    ps_error err;
    ps_run *writer = new_run(fx);
    const int n_units = ps_run_n_units(writer);
    ps_error_clear(&err);
    for (int task = n_tasks - 1; task >= 0; --task) { /* the last share first */
        int first = 0, end = 0;
        ps_run *run = new_run(fx);
        ps_run_share(&first, &end, n_units, task, n_tasks);
        assert_ps_ok(ps_run_compute_range(run, first, end, &err), &err);
        for (int k = first; k < end; ++k) {
            int member = 0, replicate = 0, m = -1, r = -1;
            void *bytes = NULL;
            size_t len = 0;
            ps_run_unit_at(run, k, &member, &replicate);
            assert_ps_ok(ps_run_unit_get(&bytes, &len, run, member, replicate, &err), &err);
            assert_ps_ok(ps_run_unit_put(writer, bytes, len, &m, &r, &err), &err);
            assert_int_equal(m, member);
            assert_int_equal(r, replicate);
            free(bytes);
        }
        ps_run_free(run);
    }
    finish_and_write(writer, path);
    ps_run_free(writer);
}

/* Every dataset and attribute under /scenarios equal, no tolerance. */
static void assert_same_file(const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "h5diff '%s' '%s' /scenarios /scenarios", a, b);
    assert_int_equal(run_fixture_command(cmd), 0);
}

static void check_distributed_equals_serial(const fixture *fx)
{
    char serial[128], dist[128];
    snprintf(serial, sizeof serial, "%s/serial.h5", fx->dir);
    write_serial(fx, serial);
    for (int n_tasks = 1; n_tasks <= 3; ++n_tasks) {
        snprintf(dist, sizeof dist, "%s/dist%d.h5", fx->dir, n_tasks);
        write_distributed(fx, n_tasks, dist);
        assert_same_file(serial, dist);
    }
}

static void test_run_unit__family_shares_moved_as_bytes_give_the_serial_file(void **state)
{
    check_distributed_equals_serial(*state);
}

static void test_run_unit__micro_shares_moved_as_bytes_give_the_serial_file(void **state)
{
    check_distributed_equals_serial(*state);
}

/* A different family (another elasticity preset) must not pass the same comparison. */
static void test_run_unit__a_different_run_differs(void **state)
{
    fixture *fx = *state;
    char serial[128], other[128], cmd[512];
    char id_a[65], id_b[65];
    snprintf(serial, sizeof serial, "%s/serial.h5", fx->dir);
    snprintf(other, sizeof other, "%s/other.h5", fx->dir);
    write_serial(fx, serial);
    ps_run *a = new_run(fx);
    ps_run_identity(id_a, a);
    fx->opts.elasticity = PS_ELASTICITY_HIGH;
    ps_run *b = new_run(fx);
    ps_run_identity(id_b, b);
    assert_string_not_equal(id_a, id_b);
    assert_int_equal(strlen(id_a), 64);
    ps_run_free(a);
    ps_run_free(b);
    write_distributed(fx, 2, other);
    snprintf(cmd, sizeof cmd, "h5diff -q '%s' '%s' /scenarios /scenarios", serial, other);
    assert_int_equal(run_fixture_command(cmd), 1);
}

/* get -> put -> get gives the same bytes: nothing is lost or rounded on the way. */
static void test_run_unit__bytes_come_back_bit_for_bit(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    ps_run *a = new_run(fx), *b = new_run(fx);
    ps_error_clear(&err);
    assert_ps_ok(ps_run_compute_range(a, 0, ps_run_n_units(a), &err), &err);
    for (int k = 0; k < ps_run_n_units(a); ++k) {
        int member = 0, replicate = 0;
        void *x = NULL, *y = NULL;
        size_t nx = 0, ny = 0;
        ps_run_unit_at(a, k, &member, &replicate);
        assert_false(ps_run_unit_done(b, member, replicate));
        assert_ps_ok(ps_run_unit_get(&x, &nx, a, member, replicate, &err), &err);
        assert_ps_ok(ps_run_unit_put(b, x, nx, NULL, NULL, &err), &err);
        assert_true(ps_run_unit_done(b, member, replicate));
        assert_ps_ok(ps_run_unit_get(&y, &ny, b, member, replicate, &err), &err);
        assert_int_equal(nx, ny);
        assert_memory_equal(x, y, nx);
        free(x);
        free(y);
    }
    ps_run_free(a);
    ps_run_free(b);
}

static void test_run_unit__malformed_repeated_or_missing_units_are_refused(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    ps_run *a = new_run(fx), *b = new_run(fx);
    void *x = NULL;
    size_t nx = 0;
    ps_error_clear(&err);
    assert_int_equal(ps_run_unit_get(&x, &nx, a, 0, 0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "not done"));
    assert_int_equal(ps_run_compute_range(a, 0, ps_run_n_units(a) + 1, &err), PS_EINVAL);
    assert_ps_ok(ps_run_compute_range(a, 1, 2, &err), &err); /* member 1 and its baseline */
    assert_true(ps_run_unit_done(a, 0, 0));
    assert_ps_ok(ps_run_unit_get(&x, &nx, a, 1, 0, &err), &err);
    const size_t cuts[] = { 0, 7, 16, nx / 2, nx - 1 };
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; ++c) {
        assert_int_equal(ps_run_unit_put(b, x, cuts[c], NULL, NULL, &err), PS_EPARSE);
        assert_non_null(strstr(err.msg, "truncated or malformed"));
        assert_false(ps_run_unit_done(b, 1, 0));
    }
    unsigned char *longer = malloc(nx + 1);
    assert_non_null(longer);
    memcpy(longer, x, nx);
    longer[nx] = 0;
    assert_int_equal(ps_run_unit_put(b, longer, nx + 1, NULL, NULL, &err), PS_EPARSE);
    longer[0] = 'X';
    assert_int_equal(ps_run_unit_put(b, longer, nx, NULL, NULL, &err), PS_EPARSE);
    free(longer);
    assert_ps_ok(ps_run_unit_put(b, x, nx, NULL, NULL, &err), &err);
    assert_int_equal(ps_run_unit_put(b, x, nx, NULL, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "already done"));
    assert_int_equal(ps_run_finish(b, &err), PS_EINVAL); /* unit 0 is missing */
    assert_non_null(strstr(err.msg, "unit 0 of 2 is not done"));
    free(x);
    ps_run_free(a);
    ps_run_free(b);
}

/* Every byte of a unit, in turn, replaced: the put never reads outside the bytes (the
 * sanitizer builds check that) and either refuses them or takes a unit of this run. */
static void test_run_unit__damaged_bytes_are_refused_or_harmless(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    ps_run *a = new_run(fx), *b = new_run(fx);
    void *x = NULL;
    size_t nx = 0;
    int refused = 0, taken = 0;
    ps_error_clear(&err);
    assert_ps_ok(ps_run_compute_range(a, 0, 1, &err), &err);
    assert_ps_ok(ps_run_unit_get(&x, &nx, a, 0, 0, &err), &err);
    unsigned char *y = malloc(nx);
    assert_non_null(y);
    const size_t step = nx / 10 + 1;
    for (size_t at = 0; at < nx; at += (at < 200 ? 1 : step)) {
        const unsigned char values[] = { 0xFF, 0x00, 0x7F };
        for (size_t v = 0; v < sizeof values; ++v) {
            memcpy(y, x, nx);
            if (y[at] == values[v]) {
                continue;
            }
            y[at] = values[v];
            ps_status rc = ps_run_unit_put(b, y, nx, NULL, NULL, &err);
            assert_true(rc == PS_OK || rc == PS_EPARSE || rc == PS_EINVAL);
            if (rc == PS_OK) { /* a changed value, not a changed shape: start again */
                ++taken;
                ps_run_free(b);
                b = new_run(fx);
            } else {
                ++refused;
            }
        }
    }
    assert_true(refused > 100); /* the first 200 bytes are the header, names and shape */
    assert_true(taken > 0);
    free(y);
    free(x);
    ps_run_free(a);
    ps_run_free(b);
}

static void test_run_unit__shares_cover_every_unit_once(void **state)
{
    (void)state;
    for (int n_units = 1; n_units <= 40; ++n_units) {
        for (int n_tasks = 1; n_tasks <= 9; ++n_tasks) {
            int next = 0, lo = n_units, hi = 0;
            for (int task = 0; task < n_tasks; ++task) {
                int first = -1, end = -1;
                ps_run_share(&first, &end, n_units, task, n_tasks);
                assert_int_equal(first, next);
                assert_true(end >= first);
                lo = end - first < lo ? end - first : lo;
                hi = end - first > hi ? end - first : hi;
                next = end;
            }
            assert_int_equal(next, n_units);
            assert_true(hi - lo <= 1);
        }
    }
}

static ps_part make_part(unsigned char **bytes, size_t *lens, int *units, char **args)
{
    static unsigned char u0[] = { 1, 2, 3, 0, 255 }, u1[] = { 42 };
    ps_part p;
    memset(&p, 0, sizeof p);
    snprintf(p.scenario_sha256, sizeof p.scenario_sha256, "%064d", 7);
    snprintf(p.identity, sizeof p.identity, "%064d", 8);
    snprintf(p.git_commit, sizeof p.git_commit, "%s", ps_git_commit());
    snprintf(p.version, sizeof p.version, "%s", ps_version());
    p.seed = 4294967295ULL;
    p.n_units = 12;
    p.task = 2;
    p.n_tasks = 5;
    args[0] = (char *)"/abs/path/scenario.yaml";
    args[1] = (char *)"--elasticity";
    args[2] = (char *)"high";
    p.n_args = 3;
    p.args = args;
    bytes[0] = u0;
    bytes[1] = u1;
    lens[0] = sizeof u0;
    lens[1] = sizeof u1;
    units[0] = 4;
    units[1] = 5;
    p.n = 2;
    p.units = units;
    p.lens = lens;
    p.bytes = bytes;
    return p;
}

static void test_run_unit__part_file_round_trip_and_damage_refused(void **state)
{
    const fixture *fx = *state;
    unsigned char *bytes[2];
    size_t lens[2];
    int units[2];
    char *args[3], path[128], cmd[512];
    ps_error err;
    ps_part in = make_part(bytes, lens, units, args), out;
    ps_error_clear(&err);
    snprintf(path, sizeof path, "%s/part_2.pspart", fx->dir);
    assert_ps_ok(ps_part_write(path, &in, &err), &err);
    assert_ps_ok(ps_part_read(&out, path, &err), &err);
    assert_string_equal(out.scenario_sha256, in.scenario_sha256);
    assert_string_equal(out.identity, in.identity);
    assert_string_equal(out.git_commit, ps_git_commit());
    assert_string_equal(out.version, ps_version());
    assert_true(out.seed == 4294967295ULL);
    assert_int_equal(out.n_units, 12);
    assert_int_equal(out.task, 2);
    assert_int_equal(out.n_tasks, 5);
    assert_int_equal(out.n_args, 3);
    assert_string_equal(out.args[2], "high");
    assert_int_equal(out.n, 2);
    assert_int_equal(out.units[1], 5);
    assert_int_equal(out.lens[0], 5);
    assert_memory_equal(out.bytes[0], bytes[0], 5);
    assert_int_equal(out.bytes[1][0], 42);
    ps_part_release(&out);
    /* One byte changed in the middle: the checksum no longer matches. */
    snprintf(cmd, sizeof cmd, "printf 'Z' | dd of='%s' bs=1 seek=40 conv=notrunc 2>/dev/null",
             path);
    assert_int_equal(run_fixture_command(cmd), 0);
    assert_int_equal(ps_part_read(&out, path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "checksum"));
    assert_string_equal(err.path, path);
    ps_part_release(&out);
    /* A byte changed and the checksum made valid again: refused by the parser, never read
     * past the end. */
    assert_ps_ok(ps_part_write(path, &in, &err), &err);
    for (long at = 8; at < 400; at += 3) {
        FILE *f = fopen(path, "rb");
        unsigned char buf[4096];
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        assert_true(n > 64 && n < sizeof buf);
        if ((size_t)at >= n - 64) {
            break;
        }
        buf[at] = (unsigned char)(buf[at] ^ 0xA5);
        char sum[65];
        ps_sha256_hex(sum, buf, n - 64);
        memcpy(buf + n - 64, sum, 64);
        snprintf(cmd, sizeof cmd, "%s.bad", path);
        f = fopen(cmd, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, n, f), n);
        fclose(f);
        ps_status rc = ps_part_read(&out, cmd, &err);
        assert_true(rc == PS_OK || rc == PS_EPARSE);
        ps_part_release(&out);
    }
    /* Cut short. */
    assert_ps_ok(ps_part_write(path, &in, &err), &err);
    snprintf(cmd, sizeof cmd, "truncate -s 100 '%s'", path);
    assert_int_equal(run_fixture_command(cmd), 0);
    assert_int_equal(ps_part_read(&out, path, &err), PS_EPARSE);
    ps_part_release(&out);
    /* Not a part at all, and no file. */
    snprintf(cmd, sizeof cmd, "printf 'hello' > '%s'", path);
    assert_int_equal(run_fixture_command(cmd), 0);
    assert_int_equal(ps_part_read(&out, path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "not a popsim part file"));
    ps_part_release(&out);
    snprintf(path, sizeof path, "%s/none.pspart", fx->dir);
    assert_int_equal(ps_part_read(&out, path, &err), PS_EIO);
    ps_part_release(&out);
}

int main(void)
{
    ps_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_run_unit__family_shares_moved_as_bytes_give_the_serial_file, setup_family,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run_unit__micro_shares_moved_as_bytes_give_the_serial_file, setup_micro,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run_unit__a_different_run_differs, setup_family,
                                        run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run_unit__bytes_come_back_bit_for_bit, setup_micro,
                                        run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run_unit__malformed_repeated_or_missing_units_are_refused, setup_family,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run_unit__damaged_bytes_are_refused_or_harmless,
                                        setup_family, run_fixture_free),
        cmocka_unit_test(test_run_unit__shares_cover_every_unit_once),
        cmocka_unit_test_setup_teardown(test_run_unit__part_file_round_trip_and_damage_refused,
                                        setup_family, run_fixture_free),
    };
    return cmocka_run_group_tests_name("run_unit", tests, NULL, NULL);
}
