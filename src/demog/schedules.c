/*
 * schedules.c - model age schedules.
 * Hadwiger (1940) fertility curve in the IUSSP parameterisation (Hoem et al. 1981,
 * Demography 18:2): f(x) = H/(T sqrt(pi)) (T/(x-d))^(3/2) exp(-H^2 (T/(x-d) + (x-d)/T - 2)).
 * Rogers & Castro (1981, IIASA RR-81-30) 7-parameter migration schedule.
 * Defaults and their evidence: ../shared/docs/PARAMETERS.md sec. 5, docs/model.md.
 */
#include "popsim/demog.h"

#include <math.h>

#include "popsim/units.h"

/* Hadwiger location (years) and shape; T follows from the mean age as T = mean - d. */
#define HADWIGER_D 10.0
#define HADWIGER_H 2.8
#define PS_PI 3.14159265358979323846

void ps_sched_hadwiger(double *asfr_out, int n_ages, double tfr, double mean_age)
{
    const double T = mean_age - HADWIGER_D;
    double sum = 0.0;
    for (int age = 0; age < n_ages; ++age) {
        double z = age + PS_MID_YEAR_FRACTION - HADWIGER_D;
        asfr_out[age] = 0.0;
        if (age < PS_FERTILE_AGE_MIN || age > PS_FERTILE_AGE_MAX || z <= 0.0 || T <= 0.0) {
            continue;
        }
        double f = HADWIGER_H / (T * sqrt(PS_PI)) * pow(T / z, 1.5) *
                   exp(-HADWIGER_H * HADWIGER_H * (T / z + z / T - 2.0));
        asfr_out[age] = f;
        sum += f;
    }
    for (int age = 0; age < n_ages && sum > 0.0; ++age) {
        asfr_out[age] *= tfr / sum;
    }
}

void ps_sched_rogers_castro(double *out, int n_ages, const ps_rogers_castro *rc)
{
    double sum = 0.0;
    for (int age = 0; age < n_ages; ++age) {
        double x = age + PS_MID_YEAR_FRACTION;
        double u = x - rc->mu2;
        out[age] = rc->a1 * exp(-rc->alpha1 * x) +
                   rc->a2 * exp(-rc->alpha2 * u - exp(-rc->lambda2 * u)) + rc->c;
        sum += out[age];
    }
    for (int age = 0; age < n_ages && sum > 0.0; ++age) {
        out[age] /= sum;
    }
}
