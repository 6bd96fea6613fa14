/*
 * scn_prob_variants.c - each policy variant's services under uncertainty (issue #14, sec. 2;
 * docs/services.md sec. 10): a scenario with `uncertainty:`, `services:` and policy variants
 * computes, per trajectory, every variant's services from the variant's own projection of
 * that trajectory (popsim/prob_family.h, common random numbers), so a variant's extra births
 * raise its childcare demand; the summaries go to <group>/variants/<variant>/ of the file.
 * The baseline's (member 0) come from the family's baseline run too, not from the ensemble
 * (which has no birth-order model), so a variant's differ from them only by its policy: a
 * zero-amount variant's are the baseline's, bit for bit.
 */
#include <stdlib.h>

#include "scn_prob_cli.h"

ps_status cli_variant_svc_new(ps_svc_prob ***out, const ps_scenario *scn, const ps_inputs *in,
                              const ps_prob *p, ps_error *err)
{
    ps_status rc = PS_OK;
    int any = 0;
    *out = NULL;
    for (int m = 0; m < scn->n_members; ++m) {
        any = any || scn->members[m].n_services > 0;
    }
    if (!any) {
        return PS_OK;
    }
    ps_svc_prob **v = calloc((size_t)scn->n_members, sizeof *v);
    if (v == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the variants' services");
    }
    for (int m = 0; rc == PS_OK && m < scn->n_members; ++m) {
        const ps_scn_member *mem = &scn->members[m];
        if (mem->n_services > 0) {
            rc = ps_svc_prob_new(&v[m], mem->services, mem->n_services, &scn->care_need,
                                 in->region_names[0], ps_prob_start_year(p),
                                 ps_prob_n_years(p), in->n_ages, ps_prob_n_traj(p), err);
            if (rc != PS_OK) {
                ps_error_prepend(err, "variant '%s': ", mem->name);
            }
        }
    }
    if (rc != PS_OK) {
        cli_variant_svc_free(v, scn->n_members);
        return rc;
    }
    *out = v;
    return PS_OK;
}

ps_status cli_variant_svc_finish(ps_svc_prob *const *vsvc, int n_members, ps_error *err)
{
    ps_status rc = PS_OK;
    for (int m = 0; rc == PS_OK && m < n_members; ++m) {
        rc = vsvc[m] != NULL ? ps_svc_prob_finish(vsvc[m], err) : PS_OK;
    }
    return rc;
}

void cli_variant_svc_free(ps_svc_prob **vsvc, int n_members)
{
    for (int m = 0; vsvc != NULL && m < n_members; ++m) {
        ps_svc_prob_free(vsvc[m]);
    }
    free(vsvc);
}
