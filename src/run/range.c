/*
 * run/range.c - the low / default / high range of each policy variant (issue #12, docs/policy.md
 * sec. 6). At the end of a family run, every variant with policies is projected again under
 * the presets it was not run with, with its services and comparison like the run's own
 * result, and the measures of each preset are kept in res->range; the variant's own result is
 * untouched, so its figures stay bit-identical. The cohort engine takes about a millisecond
 * per projection; the microsimulation records only its chosen preset (computed = 0).
 */
#include <stdlib.h>
#include <string.h>

#include "popsim/range.h"
#include "popsim/services.h"
#include "run/run_int.h"

/* Project member m under preset e into the caller's zeroed `tmp`, with services and the
 * comparison with `base` as ps_run_finish gives the member's own result. */
static ps_status project_preset(ps_result *tmp, const ps_proj *proj, const double *women0,
                                const ps_scenario *scn, const ps_scn_member *m, ps_elasticity e,
                                const ps_result *base, ps_error *err)
{
    ps_run_spec spec = ps_run__member_spec(m, e);
    ps_response_preset(&spec.response, e); /* e even where the member chose its own preset */
    ps_response_apply(&spec.response, &m->response);
    ps_status rc = ps_run_scenario(tmp, proj, women0, &scn->birth_order, &spec, base, err);
    if (rc == PS_OK) {
        rc = ps_services_compute(tmp, m->services, m->n_services, &scn->care_need, err);
    }
    if (rc == PS_OK) {
        ps_services_compare(tmp, base, m->economy.discount_rate);
    }
    return rc;
}

ps_status ps_run__range(ps_result *res, const ps_result *base, const ps_proj *proj,
                        const double *women0, const ps_scenario *scn, int member,
                        ps_elasticity choice, int project, ps_error *err)
{
    const ps_scn_member *m = &scn->members[member];
    const ps_elasticity chosen = m->has_elasticity ? m->elasticity : choice;
    ps_policy_range *range = NULL;
    const int compared = member > 0 && res->baseline != NULL;
    if (m->n_policies == 0 || res->n_instruments != m->n_policies) {
        return PS_OK; /* no instrument: nothing stated, nothing to compare */
    }
    ps_status rc = ps_policy_range_new(&range, m->policies, m->n_policies, &m->response, chosen,
                                       err);
    if (rc != PS_OK) {
        return rc;
    }
    range->compared = compared;
    range->computed = compared && project;
    if (compared) {
        ps_policy_range_take(range, chosen, res);
    }
    for (int p = 0; range->computed && rc == PS_OK && p < PS_RANGE_PRESETS; ++p) {
        const ps_elasticity e = ps_range_preset_order[p];
        ps_result tmp;
        memset(&tmp, 0, sizeof tmp);
        if (e == chosen) {
            continue;
        }
        rc = project_preset(&tmp, proj, women0, scn, m, e, base, err);
        if (rc == PS_OK) {
            ps_policy_range_take(range, e, &tmp);
        } else if (rc == PS_EINVAL) {
            /* The preset is outside what the model allows for this variant (fertility above
             * the biological maximum): its values stay NaN, the run goes on. */
            rc = PS_OK;
            if (err != NULL) {
                memset(err, 0, sizeof *err);
            }
        }
        ps_result_release(&tmp);
    }
    if (rc == PS_OK) {
        free(res->range);
        res->range = range;
    } else {
        free(range);
    }
    return rc;
}
