/*
 * special_family.c - the special family-planning families lever (计划生育特殊家庭特别扶助,
 * issue #12, docs/policy.md sec. 8): parents whose only child died or is disabled receive a
 * monthly amount each from an age on (49 in the national rule). The scenario gives the share
 * of all persons of those ages who are such parents; the lever is a cost only: it pays
 * parents past childbearing, so it has no fertility response (model.c values it at 0 per
 * birth).
 */
#include "policy/policy_int.h"
#include "popsim/units.h"

/* Persons of both sexes aged from_age and over in region reg on 1 July of year index y. */
static double persons_from(const ps_result *res, int y, int reg, int from_age)
{
    double sum = 0.0;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = from_age; age < res->n_ages; ++age) {
            sum += res->population[ps_result_cell(res, y, reg, sex, age)];
        }
    }
    return sum;
}

void ps_policy__special_family_cell(const ps_result *res, const ps_policy *p, int y, int reg,
                                    double *recipients_out, double *cost_out)
{
    const double parents = p->parent_share * PS_MID_YEAR_FRACTION *
                           (persons_from(res, y, reg, p->parent_from_age) +
                            persons_from(res, y + 1, reg, p->parent_from_age));
    *recipients_out = parents;
    *cost_out = parents * PS_MONTHS_PER_YEAR * p->parent_monthly;
}
