/*
 * test_prob_split.c - the quantile rows split over MPI ranks (issue #15, sec. 4; popsim/prob.h:
 * ps_prob_n_rows, ps_prob_rows_get, ps_prob_summarise_rows, ps_prob_finish_stats), without
 * MPI: three objects stand for three ranks, each computing one block of 300 trajectories
 * (128, 128 and 44); the summary's rows are cut into three uneven slices, each slice's rows
 * of every "rank" are summarised from the three pieces, and the first object finished with
 * the slices' statistics holds ps_prob_finish's bytes for the whole run, for 1 and 2 threads.
 * Wrong pieces (lanes that do not add up, a unit not done, a finished run) are refused, and
 * a run whose rows were dropped (ps_prob_drop_rows) takes only the statistics.
 * Synthetic inputs (no WPP data).
 */
#include <stdlib.h>
#include <string.h>

#include "prob_fixture.h"

#define YEARS 30
#define RANKS 3

#define SHAPE PROB_SHAPE_30Y

#define WIDE PROB_WIDE_30Y

static int setup_wide(void **state)
{
    return prob_fixture_setup(state, &SHAPE, &WIDE);
}

/* Rank q's rows of R over RANKS, one more row for rank 0 than the even cut (uneven). */
static void slice(size_t *r0, size_t *r1, size_t R, int q)
{
    *r0 = q == 0 ? 0 : R * (size_t)q / RANKS + 1;
    *r1 = q == RANKS - 1 ? R : R * ((size_t)q + 1) / RANKS + 1;
}

static void split_equals_finish(prob_fixture *fx, int threads)
{
    enum { T = 300 };
    ps_error err;
    ps_prob_options o = prob_fixture_options(T, threads, 91u);
    o.keep_trajectories = 0;
    ps_prob *whole = prob_fixture_run(&fx->in, &fx->b, &o, 0);
    ps_prob *rank[RANKS] = { NULL, NULL, NULL };
    int lanes[RANKS], first[RANKS];
    for (int q = 0; q < RANKS; ++q) {
        assert_ps_ok(ps_prob_new(&rank[q], &fx->in, &fx->b, &o, &err), &err);
        assert_int_equal(ps_prob_n_units(rank[q]), RANKS);
        assert_ps_ok(ps_prob_unit(rank[q], q, &err), &err);
        first[q] = q * PS_PROB_UNIT_TRAJ;
        lanes[q] = (q + 1) * PS_PROB_UNIT_TRAJ < T ? PS_PROB_UNIT_TRAJ : T - first[q];
    }
    const size_t R = ps_prob_n_rows(rank[0]);
    assert_int_equal(R * PS_PROB_N_STATS, ps_prob_stats_doubles(YEARS + 1));
    double *x = malloc(R * T * sizeof *x);
    double *stats = malloc(R * PS_PROB_N_STATS * sizeof *stats);
    double *want = malloc(R * PS_PROB_N_STATS * sizeof *want);
    assert_non_null(x);
    assert_non_null(stats);
    assert_non_null(want);
    for (int q = 0; q < RANKS; ++q) {
        size_t r0 = 0, r1 = 0, at = 0;
        slice(&r0, &r1, R, q);
        for (int k = 0; k < RANKS; ++k) { /* piece k: "rank" k's trajectories of the slice */
            assert_ps_ok(ps_prob_rows_get(rank[k], r0, r1, first[k], first[k] + lanes[k],
                                          x + at, &err), &err);
            at += (r1 - r0) * (size_t)lanes[k];
        }
        assert_ps_ok(ps_prob_summarise_rows(rank[q], stats + r0 * PS_PROB_N_STATS, x, r1 - r0,
                                            lanes, RANKS, &err), &err);
    }
    /* another rank's unit is not done here */
    assert_int_equal(ps_prob_rows_get(rank[0], 0, 1, first[1], first[1] + 1, x, &err),
                     PS_EINVAL);
    /* the rows, once sent, can go: then only the statistics finish the run */
    for (int q = 0; q < RANKS; ++q) {
        ps_prob_drop_rows(rank[q]);
    }
    assert_null(ps_prob_trajectories(rank[1], PS_PROB_V_POP_TOTAL));
    assert_int_equal(ps_prob_rows_get(rank[1], 0, 1, first[1], first[1] + 1, x, &err),
                     PS_EINVAL);
    assert_int_equal(ps_prob_finish(rank[1], &err), PS_EINVAL);
    assert_int_equal(ps_prob_unit(rank[1], 0, &err), PS_EINVAL);
    /* the lanes must add up to the trajectories */
    const int short_lanes[RANKS] = { PS_PROB_UNIT_TRAJ, PS_PROB_UNIT_TRAJ, 1 };
    assert_int_equal(ps_prob_summarise_rows(rank[0], stats, x, 1, short_lanes, RANKS, &err),
                     PS_EINVAL);
    assert_ps_ok(ps_prob_finish_stats(rank[0], stats, &err), &err);
    assert_int_equal(ps_prob_finish_stats(rank[0], stats, &err), PS_EINVAL);
    assert_int_equal(ps_prob_rows_get(rank[0], 0, 1, 0, 1, x, &err), PS_EINVAL);
    assert_ps_ok(ps_prob_stats_get(whole, want, &err), &err);
    assert_ps_ok(ps_prob_stats_get(rank[0], stats, &err), &err);
    assert_memory_equal(stats, want, R * PS_PROB_N_STATS * sizeof *stats);
    free(x);
    free(stats);
    free(want);
    for (int q = 0; q < RANKS; ++q) {
        ps_prob_free(rank[q]);
    }
    ps_prob_free(whole);
}

static void test_prob_split__slices_of_pieces_give_the_finish_bytes_1_thread(void **state)
{
    split_equals_finish(*state, 1);
}

static void test_prob_split__slices_of_pieces_give_the_finish_bytes_2_threads(void **state)
{
    split_equals_finish(*state, 2);
}

/* A run that keeps its trajectories for the file cannot be finished from statistics. */
static void test_prob_split__keep_trajectories_refused(void **state)
{
    prob_fixture *fx = *state;
    ps_error err;
    ps_prob *p = NULL;
    const ps_prob_options o = prob_fixture_options(10, 1, 91u);
    assert_ps_ok(ps_prob_new(&p, &fx->in, &fx->b, &o, &err), &err);
    double *stats = calloc(ps_prob_stats_doubles(YEARS + 1), sizeof *stats);
    assert_non_null(stats);
    assert_int_equal(ps_prob_finish_stats(p, stats, &err), PS_EINVAL);
    free(stats);
    ps_prob_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_prob_split__slices_of_pieces_give_the_finish_bytes_1_thread, setup_wide,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_prob_split__slices_of_pieces_give_the_finish_bytes_2_threads, setup_wide,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_split__keep_trajectories_refused, setup_wide,
                                        prob_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
