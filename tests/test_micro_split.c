/*
 * test_micro_split.c - one microsimulation with its persons split across processes (issue
 * #15, src/micro/split.c), without MPI: N threads play N ranks, the ps_micro_comm hooks
 * implemented with shared memory and a barrier. With arrivals, births, care need, childcare
 * and kin, every rank's results equal those of one process bit for bit for N = 2 and 3; each
 * rank's memory estimate is its share, so a limit between the share and the whole refuses
 * one process and admits two; bad hooks are refused. A process that fails mid-step (or in
 * ps_micro_new) makes every process leave with an error naming it, instead of leaving them
 * waiting in a collective (the status agreement, ps_micro_comm.agree).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/micro.h"
#include "popsim/proj.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025
#define YEARS 6
#define PERSONS 161803.0 /* about 10 blocks of ownership at scale 1 */
#define MAX_RANKS 3

/* ---- inputs ----------------------------------------------------------------------------- */

typedef struct fixture {
    ps_inputs in;
    ps_proj *p;
    double care[(YEARS + 1) * N_AGES];  /* one level: [year][age] */
    double enroll[(YEARS + 1) * 3];     /* [year][age 0..2] */
    double shares[PS_INCOME_COUNT];
} fixture;

static void fixture_init(fixture *f)
{
    ps_error err;
    memset(f, 0, sizeof *f);
    assert_ps_ok(ps_inputs_init(&f->in, START, START + YEARS, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            f->in.base.count[ps_pop_idx(&f->in.base, 0, sex, age)] =
                PERSONS * 0.5 * exp(-0.0123 * age) / 64.7;
        }
    }
    for (int s = 0; s < YEARS; ++s) {
        f->in.srb[s] = 1.07;
        for (int age = 0; age < N_AGES; ++age) {
            f->in.asfr[ps_inputs_asfr_idx(&f->in, s, 0, age)] =
                age >= 16 && age <= 45 ? 0.0537 : 0.0;
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                const double P = f->in.base.count[ps_pop_idx(&f->in.base, 0, sex, age)];
                f->in.mx[ps_inputs_idx(&f->in, s, 0, sex, age)] =
                    0.00041 + 0.0000317 * exp(0.0913 * age);
                f->in.mig[ps_inputs_idx(&f->in, s, 0, sex, age)] =
                    age >= 18 && age <= 35 ? 0.0113 * P : age >= 55 ? -0.0041 * P : 0.0;
            }
        }
    }
    assert_ps_ok(ps_proj_new(&f->p, &f->in, &err), &err);
    for (int y = 0; y <= YEARS; ++y) {
        for (int age = 60; age < N_AGES; ++age) {
            f->care[y * N_AGES + age] = fmin(0.87, 0.0317 * exp(0.0821 * (age - 60)));
        }
        for (int a = 0; a < 3; ++a) {
            f->enroll[y * 3 + a] = 0.071 + 0.13 * a;
        }
    }
    f->shares[PS_INCOME_LOW] = 0.113;
    f->shares[PS_INCOME_SUBSISTENCE] = 0.047;
    f->shares[PS_INCOME_OTHER] = 0.84;
}

static void fixture_release(fixture *f)
{
    ps_proj_free(f->p);
    ps_inputs_release(&f->in);
}

static ps_micro_options options(const fixture *f)
{
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    o.seed = 271828;
    o.n_threads = 1;
    o.events = PS_MICRO_ALL;
    o.income_share = f->shares;
    o.care_levels = 1;
    o.care_prev = f->care;
    o.disabled_level = 1;
    o.enroll_rate = f->enroll;
    o.memory_limit = (size_t)1 << 40;
    return o;
}

/* ---- N ranks as N threads --------------------------------------------------------------- */

typedef struct world {
    int n;
    pthread_barrier_t bar;
    const void *ptr[MAX_RANKS];
    const uint64_t *cnt[MAX_RANKS];
    int failed[MAX_RANKS];
} world;

typedef struct rank_ctx {
    world *w;
    int rank;
    const fixture *f;
    size_t memory_limit; /* bytes; 0 = the options' */
    ps_micro_comm comm;
    int agreements;      /* calls of the agree hook */
    ps_status rc;
    ps_error err;
    ps_result res;
    ps_micro_extra extra;
} rank_ctx;

static int reduce(rank_ctx *r, void *buf, size_t n, int is_or)
{
    world *w = r->w;
    uint64_t *tmp = calloc(n + 1, sizeof *tmp);
    w->ptr[r->rank] = buf;
    pthread_barrier_wait(&w->bar);
    for (int k = 0; tmp != NULL && k < w->n; ++k) {
        const uint64_t *src = w->ptr[k];
        for (size_t i = 0; i < n; ++i) {
            tmp[i] = is_or ? (tmp[i] | src[i]) : tmp[i] + src[i]; /* two's complement sums */
        }
    }
    pthread_barrier_wait(&w->bar);
    if (tmp != NULL) {
        memcpy(buf, tmp, n * sizeof *tmp);
    }
    free(tmp);
    return tmp == NULL;
}

static int sum_i64(void *ctx, int64_t *buf, size_t n)
{
    return reduce(ctx, buf, n, 0);
}

static int or_u64(void *ctx, uint64_t *buf, size_t n)
{
    return reduce(ctx, buf, n, 1);
}

static int exchange(void *ctx, const void *send, const uint64_t *send_bytes, void *recv,
                    uint64_t *recv_bytes)
{
    rank_ctx *r = ctx;
    world *w = r->w;
    w->ptr[r->rank] = send;
    w->cnt[r->rank] = send_bytes;
    pthread_barrier_wait(&w->bar);
    size_t at = 0;
    for (int k = 0; k < w->n; ++k) {
        if (send == NULL && recv == NULL) {
            recv_bytes[k] = w->cnt[k][r->rank];
            continue;
        }
        size_t off = 0; /* where rank k's bytes for this rank start */
        for (int j = 0; j < r->rank; ++j) {
            off += (size_t)w->cnt[k][j];
        }
        memcpy((char *)recv + at, (const char *)w->ptr[k] + off, (size_t)w->cnt[k][r->rank]);
        at += (size_t)w->cnt[k][r->rank];
    }
    pthread_barrier_wait(&w->bar);
    return 0;
}

static int agree(void *ctx, int failed)
{
    rank_ctx *r = ctx;
    world *w = r->w;
    int lowest = -1;
    r->agreements += 1;
    w->failed[r->rank] = failed;
    pthread_barrier_wait(&w->bar);
    for (int k = w->n - 1; k >= 0; --k) {
        lowest = w->failed[k] ? k : lowest;
    }
    pthread_barrier_wait(&w->bar);
    return lowest;
}

static void *rank_main(void *arg)
{
    rank_ctx *r = arg;
    ps_micro_options o = options(r->f);
    ps_micro *m = NULL;
    o.comm = &r->comm;
    o.memory_limit = r->memory_limit > 0 ? r->memory_limit : o.memory_limit;
    r->rc = ps_micro_new(&m, r->f->p, NULL, &o, &r->err);
    if (r->rc == PS_OK) {
        r->rc = ps_micro_run(&r->res, &r->extra, m, NULL, "split", NULL, &r->err);
    }
    r->rc = ps_micro_split_end(m, r->rc, &r->err);
    ps_micro_free(m);
    return NULL;
}

/* Run the fixture on n threads as n ranks into ranks[0..n-1]; rank fail_rank (-1: none)
 * fails at step fail_step, or has only fail_limit bytes of memory (when not 0). */
static void run_split_failing(rank_ctx *ranks, world *w, const fixture *f, int n, size_t limit,
                              int fail_rank, int fail_step, size_t fail_limit)
{
    pthread_t th[MAX_RANKS];
    w->n = n;
    assert_int_equal(pthread_barrier_init(&w->bar, NULL, (unsigned)n), 0);
    for (int k = 0; k < n; ++k) {
        memset(&ranks[k], 0, sizeof ranks[k]);
        ranks[k] = (rank_ctx){.w = w, .rank = k, .f = f, .memory_limit = limit};
        ranks[k].comm = (ps_micro_comm){.rank = k, .n_ranks = n, .ctx = &ranks[k],
                                        .sum_i64 = sum_i64, .or_u64 = or_u64,
                                        .exchange = exchange, .agree = agree,
                                        .test_fail_step = k == fail_rank ? fail_step : 0};
        if (k == fail_rank && fail_limit > 0) {
            ranks[k].memory_limit = fail_limit;
        }
        assert_int_equal(pthread_create(&th[k], NULL, rank_main, &ranks[k]), 0);
    }
    for (int k = 0; k < n; ++k) {
        pthread_join(th[k], NULL);
    }
    pthread_barrier_destroy(&w->bar);
}

static void run_split(rank_ctx *ranks, world *w, const fixture *f, int n, size_t limit)
{
    run_split_failing(ranks, w, f, n, limit, -1, 0, 0);
}

static void assert_same(const double *a, const double *b, size_t n, const char *what, int rank)
{
    for (size_t i = 0; i < n; ++i) {
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0) {
            fail_msg("%s[%zu] of rank %d = %.17g, one process %.17g", what, i, rank, b[i], a[i]);
        }
    }
}

static void split_equals_one_process(int n)
{
    fixture f;
    ps_error err;
    ps_result ref;
    ps_micro_extra xref;
    ps_micro *m = NULL;
    fixture_init(&f);
    ps_micro_options o = options(&f);
    assert_ps_ok(ps_micro_new(&m, f.p, NULL, &o, &err), &err);
    assert_ps_ok(ps_micro_run(&ref, &xref, m, NULL, "split", NULL, &err), &err);
    ps_micro_free(m);
    world w;
    rank_ctx ranks[MAX_RANKS];
    run_split(ranks, &w, &f, n, 0);
    const size_t yr = (size_t)ref.n_years, cells = yr * PS_SEX_COUNT * N_AGES;
    double disabled = 0.0;
    for (size_t i = 0; i < yr * 2; ++i) {
        disabled += isnan(xref.disabled_elderly[i]) ? 0.0 : xref.disabled_elderly[i];
    }
    assert_true(disabled > 0.0); /* the kin exchange has something to mark */
    for (int k = 0; k < n; ++k) {
        assert_int_equal(ranks[k].rc, PS_OK);
        assert_same(ref.population, ranks[k].res.population, cells, "population", k);
        assert_same(ref.deaths, ranks[k].res.deaths, cells, "deaths", k);
        assert_same(ref.net_migration, ranks[k].res.net_migration, cells, "net_migration", k);
        assert_same(ref.births, ranks[k].res.births, yr * PS_SEX_COUNT, "births", k);
        assert_same(xref.disabled_elderly, ranks[k].extra.disabled_elderly, yr * 2,
                    "disabled_elderly", k);
        assert_same(xref.under3_enrolled, ranks[k].extra.under3_enrolled, yr * PS_INCOME_COUNT,
                    "under3_enrolled", k);
        assert_same(xref.births_by_income, ranks[k].extra.births_by_income,
                    yr * PS_INCOME_COUNT * PS_ORDER_COUNT, "births_by_income", k);
        ps_result_release(&ranks[k].res);
        ps_micro_extra_release(&ranks[k].extra);
    }
    ps_result_release(&ref);
    ps_micro_extra_release(&xref);
    fixture_release(&f);
}

static void test_micro_split__two_ranks_give_the_bits_of_one_process(void **state)
{
    (void)state;
    split_equals_one_process(2);
}

static void test_micro_split__three_ranks_give_the_bits_of_one_process(void **state)
{
    (void)state;
    split_equals_one_process(3);
}

static void test_micro_split__each_rank_checks_its_share_of_the_memory(void **state)
{
    (void)state;
    fixture f;
    ps_error err;
    ps_micro *m = NULL;
    fixture_init(&f);
    const size_t whole = ps_micro_estimate_bytes(&f.in, 1.0);
    const size_t share = ps_micro_estimate_bytes_split(&f.in, 1.0, 2);
    assert_int_equal(ps_micro_estimate_bytes_split(&f.in, 1.0, 1), whole);
    assert_true(share < whole);
    assert_true(ps_micro_estimate_bytes_split(&f.in, 1.0, 3) < share);
    ps_micro_options o = options(&f);
    o.memory_limit = share + (whole - share) / 2;
    assert_int_equal(ps_micro_new(&m, f.p, NULL, &o, &err), PS_ENOMEM);
    assert_null(m);
    const ps_micro_comm two = {.rank = 1, .n_ranks = 2, .ctx = NULL, .sum_i64 = sum_i64,
                               .or_u64 = or_u64, .exchange = exchange, .agree = NULL};
    o.comm = &two; /* the memory check comes before any collective */
    ps_micro_options bad = o;
    bad.memory_limit = share - 1;
    assert_int_equal(ps_micro_new(&m, f.p, NULL, &bad, &err), PS_ENOMEM);
    assert_non_null(strstr(err.msg, "microsimulation needs about"));
    world w; /* two ranks under the limit that refused one process */
    rank_ctx ranks[MAX_RANKS];
    run_split(ranks, &w, &f, 2, o.memory_limit);
    for (int k = 0; k < 2; ++k) {
        assert_int_equal(ranks[k].rc, PS_OK);
        assert_true(ranks[k].res.population[0] > 0.0);
        ps_result_release(&ranks[k].res);
        ps_micro_extra_release(&ranks[k].extra);
    }
    fixture_release(&f);
}

static void test_micro_split__bad_hooks_are_refused(void **state)
{
    (void)state;
    fixture f;
    ps_error err;
    ps_micro *m = NULL;
    fixture_init(&f);
    ps_micro_options o = options(&f);
    const ps_micro_comm out_of_range = {.rank = 2, .n_ranks = 2, .sum_i64 = sum_i64,
                                        .or_u64 = or_u64, .exchange = exchange};
    o.comm = &out_of_range;
    assert_int_equal(ps_micro_new(&m, f.p, NULL, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "rank in [0, 2) (here 2)"));
    const ps_micro_comm no_exchange = {.rank = 0, .n_ranks = 2, .sum_i64 = sum_i64,
                                       .or_u64 = or_u64, .exchange = NULL, .agree = agree};
    o.comm = &no_exchange;
    assert_int_equal(ps_micro_new(&m, f.p, NULL, &o, &err), PS_EINVAL);
    assert_null(m);
    const ps_micro_comm no_agree = {.rank = 0, .n_ranks = 2, .sum_i64 = sum_i64,
                                    .or_u64 = or_u64, .exchange = exchange, .agree = NULL};
    o.comm = &no_agree;
    assert_int_equal(ps_micro_new(&m, f.p, NULL, &o, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "every collective hook"));
    assert_null(m);
    fixture_release(&f);
}

/* Every rank leaves with an error: the failed one with its own, the others naming it; each
 * rank made the same number of agreements (none waited for a missing one). */
static void assert_all_left(const rank_ctx *ranks, int n, int fail_rank, ps_status code,
                            const char *own)
{
    char named[64];
    snprintf(named, sizeof named, "process %d of the %d processes", fail_rank, n);
    for (int k = 0; k < n; ++k) {
        if (k == fail_rank) {
            assert_int_equal(ranks[k].rc, code);
            assert_non_null(strstr(ranks[k].err.msg, own));
        } else {
            assert_int_equal(ranks[k].rc, PS_EIO);
            assert_non_null(strstr(ranks[k].err.msg, named));
        }
        assert_int_equal(ranks[k].agreements, ranks[0].agreements);
    }
    assert_true(ranks[0].agreements > 0);
}

static void test_micro_split__a_rank_failing_mid_step_stops_every_rank(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    world w;
    rank_ctx ranks[MAX_RANKS];
    for (int n = 2; n <= 3; ++n) {
        for (int fail_rank = 0; fail_rank < n; ++fail_rank) {
            const int step = 1 + (fail_rank + n) % (YEARS - 1); /* steps 1..5 */
            run_split_failing(ranks, &w, &f, n, 0, fail_rank, step, 0);
            assert_all_left(ranks, n, fail_rank, PS_ENOMEM, "newborns exchanged");
        }
    }
    fixture_release(&f);
}

static void test_micro_split__a_rank_refused_at_creation_stops_every_rank(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    world w;
    rank_ctx ranks[MAX_RANKS];
    const size_t share = ps_micro_estimate_bytes_split(&f.in, 1.0, 3);
    run_split_failing(ranks, &w, &f, 3, 0, 2, 0, share / 2); /* rank 2 alone lacks memory */
    assert_all_left(ranks, 3, 2, PS_ENOMEM, "microsimulation needs about");
    fixture_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_micro_split__two_ranks_give_the_bits_of_one_process),
        cmocka_unit_test(test_micro_split__three_ranks_give_the_bits_of_one_process),
        cmocka_unit_test(test_micro_split__each_rank_checks_its_share_of_the_memory),
        cmocka_unit_test(test_micro_split__bad_hooks_are_refused),
        cmocka_unit_test(test_micro_split__a_rank_failing_mid_step_stops_every_rank),
        cmocka_unit_test(test_micro_split__a_rank_refused_at_creation_stops_every_rank),
    };
    return cmocka_run_group_tests_name("micro_split", tests, NULL, NULL);
}
