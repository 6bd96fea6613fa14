/*
 * popsim/units.h - named constants and the only unit conversions in the library.
 * Inside the library rates are per person-year and counts are persons; "per 1,000"
 * and "thousands" appear only at the edges (input files, labels), converted here.
 */
#ifndef PS_UNITS_H
#define PS_UNITS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Persons in one "thousand" as used by the UN WPP files (counts in thousands). */
#define PS_PERSONS_PER_THOUSAND 1000.0
/* Rates quoted "per 1,000" (crude rates, spots per 1,000 population). */
#define PS_PER_THOUSAND 1000.0
/* Months in a year, for monthly amounts. */
#define PS_MONTHS_PER_YEAR 12.0
/* Width of a standard age group in years (5-year tables). */
#define PS_AGE_GROUP_YEARS 5
/*
 * Fraction of the year's events placed at its middle: net migrants are added half at
 * the start and half at the end of a step, and births use the mean of the female
 * population at both ends (UN WPP single-year method).
 */
#define PS_MID_YEAR_FRACTION 0.5
/* Last single year of age; the group of that age is open (100 means 100+). */
#define PS_DEFAULT_MAX_AGE 100
/* Youngest and oldest single ages at which births are counted (mother's age). */
#define PS_FERTILE_AGE_MIN 10
#define PS_FERTILE_AGE_MAX 54

/*
 * What a count or rate can mean (issue #17): values beyond these are refused where they are
 * given, and the engines check their results against them.
 * - PS_POPULATION_MAX: persons in one base population or one result cell, 1e11 (ten times
 *   the world's population; a real city or country is at most 1.5e9).
 * - PS_MIGRATION_MAX: net migrants in a year, either direction, persons (the range of the
 *   scenario key migration.total and of the migration CSV files).
 * - PS_ASFR_MAX: births per woman-year at any single age, 0.8 (the highest single-age rates
 *   recorded, in natural-fertility populations such as the Hutterites, are about 0.5).
 * - PS_TFR_MAX: children per woman, 15 (the highest recorded population TFR is about 10).
 */
#define PS_POPULATION_MAX 1e11
#define PS_MIGRATION_MAX 1e9
#define PS_ASFR_MAX 0.8
#define PS_TFR_MAX 15.0

static inline double ps_thousands_to_persons(double thousands)
{
    return thousands * PS_PERSONS_PER_THOUSAND;
}

#ifdef __cplusplus
}
#endif
#endif /* PS_UNITS_H */
