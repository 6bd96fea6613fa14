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

static inline double ps_thousands_to_persons(double thousands)
{
    return thousands * PS_PERSONS_PER_THOUSAND;
}

#ifdef __cplusplus
}
#endif
#endif /* PS_UNITS_H */
