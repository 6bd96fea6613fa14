/*
 * care_check.c - the microsimulation's rule on care-need models: how many levels its persons'
 * care states can hold (called by the scenario loader, src/io/scenario/build_micro.c).
 */
#include "popsim/micro.h"

ps_status ps_micro_check_care_levels(int n_levels, ps_error *err)
{
    if (n_levels < 0 || n_levels > PS_MICRO_CARE_LEVELS_MAX) {
        return ps_error_set(err, PS_EINVAL,
                            "care_need has %d levels; engine: micro models at most %d (a "
                            "person's care state is 0 for none or one of %d levels)",
                            n_levels, PS_MICRO_CARE_LEVELS_MAX, PS_MICRO_CARE_LEVELS_MAX);
    }
    return PS_OK;
}
