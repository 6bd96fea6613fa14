/*
 * policy_int.h - library-internal functions shared by the files of src/policy/.
 */
#ifndef PS_POLICY_INT_H
#define PS_POLICY_INT_H

#include "popsim/policy.h"
#include "popsim/result.h"

/**
 * Special family-planning families (docs/policy.md sec. 8) in step y of region reg, before
 * the share of the step the lever is in force: the eligible parents (parent_share of the
 * persons aged parent_from_age and over, mean of 1 July y and 1 July y+1) and their yearly
 * payments, yuan (12 x parent_monthly each).
 */
void ps_policy__special_family_cell(const ps_result *res, const ps_policy *p, int y, int reg,
                                    double *recipients_out, double *cost_out);

#endif /* PS_POLICY_INT_H */
