/*
 * prob_family_fixture.h - a policy family under uncertainty from a scenario file, for
 * test_prob_family.c and test_prob_variant_svc.c: the scenario loaded, its inputs built from
 * the bundled data (PS_SOURCE_DIR), the bounds and options of its uncertainty: section, the
 * family options they give and the run's summary. Header-only like test_util.h.
 */
#ifndef PS_TESTS_PROB_FAMILY_FIXTURE_H
#define PS_TESTS_PROB_FAMILY_FIXTURE_H

#include <string.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/prob_family.h"
#include "popsim/uncertainty.h"

typedef struct fam_case {
    ps_scenario scn;
    ps_inputs in;
    ps_prob_bounds b;
    ps_prob_options opt;
    ps_prob_pol_summary s; /* filled by fam_case_run */
} fam_case;

/* Load the scenario at `path`, build its inputs and its uncertainty bounds and options. */
static inline void fam_case_load(fam_case *c, const char *path)
{
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    memset(c, 0, sizeof *c);
    assert_ps_ok(ps_scn_load(&c->scn, path, &err), &err);
    assert_ps_ok(ps_build_inputs(&c->in, &c->scn, &bo, &err), &err);
    assert_ps_ok(ps_scn_unc_bounds(&c->b, &c->opt, &c->scn, &c->in, &err), &err);
}

/* The family options of the scenario's uncertainty: section (trajectories, seed, persistence,
 * the elasticity drawn unless fixed) on `threads` threads. */
static inline ps_prob_family_options fam_case_options(const fam_case *c, int threads)
{
    ps_prob_family_options fo = PS_PROB_FAMILY_OPTIONS_INIT;
    fo.n_traj = c->opt.n_traj;
    fo.seed = c->opt.seed;
    fo.n_threads = threads;
    memcpy(fo.rho, c->opt.rho, sizeof fo.rho);
    fo.draw_elasticity = !c->scn.uncertainty.elasticity_fixed;
    return fo;
}

/* Run the family into c->s. */
static inline void fam_case_run(fam_case *c, const ps_prob_family_options *fo)
{
    ps_error err;
    assert_ps_ok(ps_prob_family_run(&c->s, &c->scn, &c->in, &c->b, fo, &err), &err);
}

static inline void fam_case_release(fam_case *c)
{
    ps_prob_pol_summary_release(&c->s);
    ps_prob_bounds_release(&c->b);
    ps_inputs_release(&c->in);
    ps_scn_release(&c->scn);
}

#endif /* PS_TESTS_PROB_FAMILY_FIXTURE_H */
