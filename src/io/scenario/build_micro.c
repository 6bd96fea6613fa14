/*
 * scenario/build_micro.c - builder of the micro: section (engine: micro).
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"
#include "popsim/micro.h" /* ps_micro_check_care_levels */

/* micro: defaults, overridden by the keys given; only with engine: micro. */
ps_status ps_scn__build_micro(const load_ctx *c, const raw_micro *raw)
{
    ps_scn_micro *m = &c->scn->micro;
    raw_micro v = ps_scn__micro_defaults;
    ps_scn__overlay_given(c, "micro", &ps_scn__micro_section, &v, raw);
    if (ps_scn__given(c, "micro") && c->scn->engine != PS_ENGINE_MICRO) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "micro"),
                               "micro applies only with engine: micro (engine is %s)",
                               c->scn->engine == PS_ENGINE_CCM ? "ccm" : "another engine");
    }
    if (v.low_income_share + v.subsistence_share > 1.0 + SCN_SHARE_SUM_TOL) {
        const char *at = ps_scn__later_key(c, "micro.low_income_share", "micro.subsistence_share");
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, at),
            "micro.low_income_share + micro.subsistence_share = %.10g + %.10g is "
            "above 1 (shares of persons)",
            v.low_income_share, v.subsistence_share);
    }
    m->scale = v.scale;
    m->replicates = (int)v.replicates;
    m->seed = (long long)v.seed;
    m->low_income_share = v.low_income_share;
    m->subsistence_share = v.subsistence_share;
    m->sample = (int)v.sample;
    m->scale_loc = ps_scn__given(c, "micro.scale") ? ps_scn__value_loc(c, "micro.scale")
                                                   : ps_scn__value_loc(c, "engine");
    return PS_OK;
}

/* engine: micro with a care-need model: the micro engine's rule on its levels
 * (ps_micro_check_care_levels), its message located at the care_need key. */
ps_status ps_scn__check_micro_care(const load_ctx *c)
{
    const ps_scenario *scn = c->scn;
    ps_error e;
    ps_error_clear(&e);
    if (scn->engine != PS_ENGINE_MICRO ||
        ps_micro_check_care_levels(scn->care_need.n_levels, &e) == PS_OK) {
        return PS_OK;
    }
    const loc_entry *at = ps_scn__locator_find(&c->loc, "care_need");
    ps_scn_loc none = { 1, 1 };
    return ps_scn__fail_at(c, e.code, at != NULL ? at->key : none, "%s", e.msg);
}
