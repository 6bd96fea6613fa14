/*
 * outputs.c - the microsimulation's part of a result (ps_result_micro, popsim/micro.h):
 * the micro layer types it and releases it, so core's ps_result knows only a pointer and
 * the release function set beside it (issue #11, section 2).
 */
#include <stdlib.h>

#include "popsim/micro.h"

void ps_result_micro_free(ps_result_micro *mo)
{
    if (mo == NULL) {
        return;
    }
    free(mo->births_by_income);
    free(mo->under3);
    free(mo->under3_enrolled);
    free(mo->disabled_elderly);
    free(mo->population_by_replicate);
    free(mo->births_by_replicate);
    free(mo->subsidy_cost_by_income);
    free(mo->sample);
    free(mo);
}
