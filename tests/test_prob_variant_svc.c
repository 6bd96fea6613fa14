/*
 * test_prob_variant_svc.c - each policy variant's services under uncertainty (issue #14,
 * sec. 2; popsim/prob_family.h `services`, ps_svc_prob_add_result, ps_h5_prob_read_variant)
 * on Example City's planner files (tests/data/uncertainty/policy_svc.yaml): a zero-amount
 * variant's service quantiles, means and P(shortage) equal the baseline's exactly (common
 * random numbers, the same engine); the subsidy's extra births raise childcare demand; 1 and
 * 2 threads give the same bytes; the file's variants/<variant>/ group reads back as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prob_family_fixture.h"
#include "prob_fixture.h"

#include "popsim/h5prob.h"

#define SCN PS_TEST_DATA_DIR "/uncertainty/policy_svc.yaml"

enum { BASE, ZERO, SUBSIDY, MEMBERS };

typedef struct svc_case {
    fam_case fam;
    ps_svc_prob *svc[MEMBERS];
} svc_case;

static void run_case(svc_case *c, int threads)
{
    ps_error err;
    const fam_case *f = &c->fam;
    memset(c->svc, 0, sizeof c->svc);
    fam_case_load(&c->fam, SCN);
    assert_int_equal(f->scn.n_members, MEMBERS);
    const int n_years = ps_inputs_steps(&f->in) + 1;
    for (int m = 0; m < MEMBERS; ++m) {
        const ps_scn_member *mem = &f->scn.members[m];
        assert_true(mem->n_services > 0);
        assert_ps_ok(ps_svc_prob_new(&c->svc[m], mem->services, mem->n_services,
                                     &f->scn.care_need, f->in.region_names[0],
                                     f->in.start_year, n_years, f->in.n_ages, f->opt.n_traj,
                                     &err), &err);
    }
    ps_prob_family_options fo = fam_case_options(f, threads);
    fo.services = c->svc;
    fam_case_run(&c->fam, &fo);
    for (int m = 0; m < MEMBERS; ++m) {
        assert_ps_ok(ps_svc_prob_finish(c->svc[m], &err), &err);
    }
}

static void case_release(svc_case *c)
{
    for (int m = 0; m < MEMBERS; ++m) {
        ps_svc_prob_free(c->svc[m]);
    }
    fam_case_release(&c->fam);
}

/* Bytes of every statistic of one member's services: [svc][var][year][stat], then P. */
static int same_services(const ps_svc_prob *a, const ps_svc_prob *b)
{
    const int Y = ps_svc_prob_n_years(a);
    int same = ps_svc_prob_n_services(a) == ps_svc_prob_n_services(b) &&
               Y == ps_svc_prob_n_years(b);
    for (int k = 0; same && k < ps_svc_prob_n_services(a); ++k) {
        for (int v = 0; same && v < PS_SVC_PROB_VAR_COUNT; ++v) {
            same = memcmp(ps_svc_prob_stats(a, k, (ps_svc_prob_var)v),
                          ps_svc_prob_stats(b, k, (ps_svc_prob_var)v),
                          (size_t)Y * PS_PROB_N_STATS * sizeof(double)) == 0;
        }
        same = same && memcmp(ps_svc_prob_p_shortage(a, k), ps_svc_prob_p_shortage(b, k),
                              (size_t)Y * sizeof(double)) == 0;
    }
    return same;
}

static void test_prob_variant_svc__zero_amount_variant_has_the_baselines_services(void **state)
{
    (void)state;
    svc_case c;
    run_case(&c, 1);
    assert_true(same_services(c.svc[ZERO], c.svc[BASE]));
    /* the subsidy gains births, so its childcare demand (ages 0-2) rises by the end */
    const int last = ps_svc_prob_n_years(c.svc[BASE]) - 1;
    const size_t med = (size_t)last * PS_PROB_N_STATS + PS_PROB_KNOT_MEDIAN;
    const double *gained = c.fam.s.scalar[PS_PROB_POL_GAINED_TOTAL] + PS_PROB_N_STATS;
    assert_true(gained[PS_PROB_KNOT_MEDIAN] > 0.0);
    assert_true(ps_svc_prob_stats(c.svc[SUBSIDY], 0, PS_SVC_PROB_DEMAND)[med] >
                ps_svc_prob_stats(c.svc[BASE], 0, PS_SVC_PROB_DEMAND)[med]);
    assert_false(same_services(c.svc[SUBSIDY], c.svc[BASE]));
    /* P(shortage) is a share of the trajectories where the service has a target */
    const double p = ps_svc_prob_p_shortage(c.svc[SUBSIDY], 0)[last];
    assert_true(p >= 0.0 && p <= 1.0);
    case_release(&c);
}

static void test_prob_variant_svc__threads_give_the_same_bytes(void **state)
{
    (void)state;
    svc_case a, b;
    run_case(&a, 1);
    run_case(&b, 2);
    for (int m = 0; m < MEMBERS; ++m) {
        assert_true(same_services(a.svc[m], b.svc[m]));
    }
    case_release(&a);
    case_release(&b);
}

static void test_prob_variant_svc__file_group_reads_back(void **state)
{
    (void)state;
    svc_case c;
    ps_error err;
    run_case(&c, 1);
    ps_prob *p = prob_fixture_run(&c.fam.in, &c.fam.b, &c.fam.opt, 0);
    char path[96];
    snprintf(path, sizeof path, "/tmp/test_prob_variant_svc_%ld.h5", (long)getpid());
    const char *label = c.fam.in.region_names[0];
    const ps_svc_prob *variants[MEMBERS - 1] = { c.svc[ZERO], NULL }; /* SUBSIDY: none */
    const ps_h5_prob_spec spec = { .group = "policy_svc", .title = "t", .dim = "region",
                                   .labels = &label, .services = c.svc[BASE],
                                   .policy = &c.fam.s, .variant_services = variants };
    assert_ps_ok(ps_h5_write_prob(path, (const ps_prob *const *)&p, 1, &spec, NULL, &err),
                 &err);
    assert_true(ps_h5_prob_variant_present(path, "policy_svc", "zero_subsidy"));
    assert_false(ps_h5_prob_variant_present(path, "policy_svc", "child_subsidy"));
    ps_h5_prob_data d;
    assert_ps_ok(ps_h5_prob_read_variant(&d, path, "policy_svc", "zero_subsidy", &err), &err);
    const int Y = ps_svc_prob_n_years(c.svc[ZERO]);
    assert_int_equal(d.n_years, Y);
    assert_int_equal(d.n_svc, 1);
    assert_string_equal(d.svc_names[0], "childcare");
    for (int y = 0; y < Y; ++y) {
        const double *s = ps_svc_prob_stats(c.svc[ZERO], 0, PS_SVC_PROB_DEMAND);
        for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
            assert_true(d.svc_q[PS_SVC_PROB_DEMAND][(size_t)y * (size_t)d.n_q + (size_t)q] ==
                        s[(size_t)y * PS_PROB_N_STATS + (size_t)q]);
        }
        assert_true(d.svc_p_shortage[y] == ps_svc_prob_p_shortage(c.svc[ZERO], 0)[y]);
    }
    ps_h5_prob_data_release(&d);
    assert_int_equal(ps_h5_prob_read_variant(&d, path, "policy_svc", "child_subsidy", &err),
                     PS_EINVAL);
    unlink(path);
    ps_prob_free(p);
    case_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob_variant_svc__zero_amount_variant_has_the_baselines_services),
        cmocka_unit_test(test_prob_variant_svc__threads_give_the_same_bytes),
        cmocka_unit_test(test_prob_variant_svc__file_group_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
