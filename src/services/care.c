/*
 * care.c - the care-need model's corrections (docs/services.md sec. 2): prevalence by sex
 * (a factor per sex on the level's age table) and care settings split by level of need
 * (the persons of each level spread over home, community and institution with their own
 * shares, instead of one split for everyone).
 */
#include "popsim/services.h"

double ps_care_prevalence_sex(const ps_care_need *cn, int level, int sex, int age, int year)
{
    const ps_care_level *l = &cn->levels[level];
    double p = ps_care_prevalence(cn, level, age, year);
    return l->by_sex ? p * l->sex_factor[sex] : p;
}

double ps_care_setting_share(const ps_care_need *cn, int setting, int level)
{
    const ps_care_setting *k = &cn->settings[setting];
    return (k->level_share != NULL && level >= 0) ? k->level_share[level] : k->share;
}
