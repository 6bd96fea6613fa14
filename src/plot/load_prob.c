/*
 * load_prob.c - a probabilistic result file (issue #14, docs/output-format.md, "Probabilistic
 * runs") as a chart set: each location becomes a scenario that has only fans, one per
 * summary the file holds (total population, births, TFR, e0 by sex, old-age dependency,
 * 65+ share), with the 2.5, 10, 50, 90 and 97.5 % levels it stores. Only the shown location
 * is charted and reported (the first; ps_plot_show_location picks another), so `--location
 * all` files give one location's charts, not 236 locations' (docs/charts.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "core/str_int.h"

static const plot_msg series_label[PS_H5_PROB_SERIES_COUNT] = {
    [PS_H5_PROB_POP_TOTAL] = MSG_PROB_POP,    [PS_H5_PROB_BIRTHS] = MSG_PROB_BIRTHS,
    [PS_H5_PROB_TFR] = MSG_PROB_TFR,          [PS_H5_PROB_E0_FEMALE] = MSG_PROB_E0_FEMALE,
    [PS_H5_PROB_E0_MALE] = MSG_PROB_E0_MALE,  [PS_H5_PROB_DEP_OLD] = MSG_PROB_DEP_OLD,
    [PS_H5_PROB_SHARE_65] = MSG_PROB_SHARE_65,
};

/* One fan of location `loc` from series `ser` of the file. */
static ps_status add_fan(plot_fan *fan, const ps_h5_prob_data *d, ps_h5_prob_series ser,
                         int loc, ps_error *err)
{
    static const double wanted[FAN_Q_COUNT] = { 0.025, 0.10, 0.50, 0.90, 0.975 };
    const char *var = ps_h5_prob_series_var(ser), *sex = ps_h5_prob_series_sex(ser);
    char name[96];
    snprintf(name, sizeof name, sex != NULL ? "%s sex=%s" : "%s", var, sex);
    fan->label = (int)series_label[ser];
    fan->counts = ser == PS_H5_PROB_POP_TOTAL || ser == PS_H5_PROB_BIRTHS;
    fan->per = ser == PS_H5_PROB_DEP_OLD || ser == PS_H5_PROB_SHARE_65 ? PS_PLOT_PER_HUNDRED
                                                                        : 1.0;
    if ((fan->var = ps__strdup(name)) == NULL ||
        (fan->units = ps__strdup(ser == PS_H5_PROB_E0_FEMALE || ser == PS_H5_PROB_E0_MALE
                                   ? "year" : "1")) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int q = 0; q < FAN_Q_COUNT; ++q) {
        int col = -1;
        for (int k = 0; k < d->n_q; ++k) {
            if (fabs(d->levels[k] - wanted[q]) <= PS_PLOT_QUANTILE_TOL) {
                col = k;
            }
        }
        if (col < 0) {
            continue;
        }
        if ((fan->q[q] = malloc((size_t)d->n_years * sizeof(double))) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory");
        }
        for (int y = 0; y < d->n_years; ++y) {
            fan->q[q][y] = d->q[ser][((size_t)loc * (size_t)d->n_years + (size_t)y) *
                                         (size_t)d->n_q + (size_t)col];
        }
    }
    return PS_OK;
}

static ps_status load_location(plot_scenario *sc, const ps_h5_prob_data *d, int loc,
                               ps_error *err)
{
    ps_status rc = PS_OK;
    sc->baseline_idx = -1;
    sc->births_gained = NAN;
    sc->cost_per_birth = NAN;
    sc->res.start_year = d->start_year;
    sc->res.n_years = d->n_years;
    if ((sc->res.name = ps__strdup(d->labels[loc])) == NULL ||
        (sc->fans = calloc(PS_H5_PROB_SERIES_COUNT + 1, sizeof *sc->fans)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int ser = 0; rc == PS_OK && ser < PS_H5_PROB_SERIES_COUNT; ++ser) {
        if (d->q[ser] != NULL) {
            rc = add_fan(&sc->fans[sc->n_fans++], d, (ps_h5_prob_series)ser, loc, err);
        }
    }
    if (rc == PS_OK) { /* the one more fan the calloc leaves room for */
        rc = ps_plot__load_prob_svc(sc, d, loc, err);
    }
    return rc;
}

ps_status ps_plot__load_prob(ps_plot_set *s, const char *path, ps_error *err)
{
    ps_status rc = ps_h5_prob_read(&s->prob, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    s->is_prob = 1;
    s->shown = 0;
    if ((s->scn = calloc((size_t)s->prob.n_loc, sizeof *s->scn)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int loc = 0; rc == PS_OK && loc < s->prob.n_loc; ++loc) {
        s->n_scn = loc + 1;
        rc = load_location(&s->scn[loc], &s->prob, loc, err);
    }
    return rc;
}

ps_status ps_plot_show_location(ps_plot_set *s, const char *name, ps_error *err)
{
    if (!s->is_prob) {
        return ps_error_set(err, PS_EINVAL, "--location applies to a probabilistic file; "
                            "'%s' holds scenarios", s->path);
    }
    for (int k = 0; k < s->n_scn; ++k) {
        if (strcmp(s->scn[k].res.name, name) == 0) {
            s->shown = k;
            return PS_OK;
        }
    }
    return ps_error_set_at(err, PS_EINVAL, s->path, 0, 0, "no location '%s' in the file "
                           "(it has %d, the first '%s'; `popsim info` lists them)", name,
                           s->n_scn, s->n_scn > 0 ? s->scn[0].res.name : "");
}
