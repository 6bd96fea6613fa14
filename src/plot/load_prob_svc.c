/*
 * load_prob_svc.c - services of a probabilistic file (issue #14, sec. 2; docs/charts.md,
 * "Probabilistic files") as a fan: the childcare service's demand (the first service of kind
 * childcare, else one named "childcare") at the five stored levels, with the median of the
 * trajectories' target capacity drawn against it as a dashed line. Places, not thousands:
 * a city's childcare counts in the thousands, so the axis stays in places.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

static const char *const demand_text[PS_PLOT_LANG_COUNT] = {
    "Childcare demand, children under 3 (places)", "托育需求，3岁以下婴幼儿（托位）"
};
static const char *const capacity_text[PS_PLOT_LANG_COUNT] = {
    "Target capacity (median of the trajectories)", "目标托位数（各轨迹中位数）"
};

/* Index of the childcare service of the file, -1 if none. */
static int childcare_index(const ps_h5_prob_data *d)
{
    for (int k = 0; k < d->n_svc; ++k) {
        if (strcmp(d->svc_kinds[k], "childcare") == 0) {
            return k;
        }
    }
    for (int k = 0; k < d->n_svc; ++k) {
        if (strcmp(d->svc_names[k], "childcare") == 0) {
            return k;
        }
    }
    return -1;
}

/* Column of level p in the file, -1 if absent. */
static int level_col(const ps_h5_prob_data *d, double p)
{
    for (int q = 0; q < d->n_q; ++q) {
        if (fabs(d->levels[q] - p) <= PS_PLOT_QUANTILE_TOL) {
            return q;
        }
    }
    return -1;
}

/* [year] values of service k's variable v at level column col of location loc. */
static double *svc_series(const ps_h5_prob_data *d, ps_svc_prob_var v, int k, int loc, int col)
{
    double *out = malloc((size_t)d->n_years * sizeof *out);
    for (int y = 0; out != NULL && y < d->n_years; ++y) {
        out[y] = d->svc_q[v][(((size_t)loc * (size_t)d->n_years + (size_t)y) *
                                  (size_t)d->n_svc + (size_t)k) * (size_t)d->n_q + (size_t)col];
    }
    return out;
}

ps_status ps_plot__load_prob_svc(plot_scenario *sc, const ps_h5_prob_data *d, int loc,
                                 ps_error *err)
{
    static const double wanted[FAN_Q_COUNT] = { 0.025, 0.10, 0.50, 0.90, 0.975 };
    const int k = childcare_index(d);
    if (k < 0 || d->svc_q[PS_SVC_PROB_DEMAND] == NULL) {
        return PS_OK;
    }
    plot_fan *fan = &sc->fans[sc->n_fans++];
    char name[160];
    snprintf(name, sizeof name, "service_demand service=%s", d->svc_names[k]);
    fan->label = -1;
    fan->counts = 0;
    fan->per = 1.0;
    fan->text = demand_text;
    fan->ref_text = capacity_text;
    if ((fan->var = malloc(strlen(name) + 1)) == NULL ||
        (fan->units = malloc(sizeof "1")) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    strcpy(fan->var, name);
    strcpy(fan->units, "1");
    for (int q = 0; q < FAN_Q_COUNT; ++q) {
        const int col = level_col(d, wanted[q]);
        if (col >= 0 && (fan->q[q] = svc_series(d, PS_SVC_PROB_DEMAND, k, loc, col)) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    const int med = level_col(d, wanted[FAN_Q50]);
    if (med >= 0 && d->svc_q[PS_SVC_PROB_CAPACITY] != NULL &&
        (fan->ref = svc_series(d, PS_SVC_PROB_CAPACITY, k, loc, med)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    return PS_OK;
}
