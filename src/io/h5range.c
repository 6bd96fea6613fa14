/*
 * h5range.c - the response range of a policy variant to HDF5 (issue #12; layout in
 * docs/output-format.md, "The response range"): /scenarios/<name>/response/ holds the
 * `elasticity` coordinate (low, default, high), each preset's response parameters and its
 * births gained, cost and cost per additional birth; each instrument group under policy/
 * holds its terms as the scenario states them (`term`, `stated`). Groups get no attributes
 * beyond two small ones (HDF5 1.10's h5copy and dense attribute storage, issue #16).
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5guard_int.h"
#include "h5schema_int.h"
#include "popsim/range.h"

static ps_status attr_text(hid_t obj, const char *name, const char *value, ps_error *err)
{
    return ps_h5__attr_str(obj, name, value, err);
}

static ps_status attr_units(hid_t ds, const char *said, ps_error *err)
{
    const cf_unit *u = ps_h5__cf_unit(said);
    assert(u != NULL && "unit without a CF form in cf_units[] (h5schema.c)");
    ps_status rc = PS_OK;
    if (u != NULL && u->cf != NULL) {
        rc = attr_text(ds, "units", u->cf, err);
    }
    if (rc == PS_OK && u != NULL && u->description != NULL) {
        rc = attr_text(ds, "unit_description", u->description, err);
    }
    return rc;
}

/* A label coordinate of n strings, made a dimension scale; *out stays open for the caller. */
static ps_status write_labels(hid_t *out, hid_t grp, dim_id d, const char *const *labels, int n,
                              ps_error *err)
{
    const dim_spec *spec = &dim_specs[d];
    hsize_t len = (hsize_t)n;
    hid_t type = ps_h5__string_type(), space = H5Screate_simple(1, &len, NULL);
    hid_t dxpl = ps_h5__small_dxpl(len);
    ps_status rc = PS_OK;
    *out = H5I_INVALID_HID;
    if (type < 0 || space < 0 || dxpl < 0 ||
        (*out = H5Dcreate2(grp, spec->name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                           H5P_DEFAULT)) < 0 ||
        H5Dwrite(*out, type, H5S_ALL, H5S_ALL, dxpl, labels) < 0 ||
        H5DSset_scale(*out, spec->name) < 0) {
        rc = ps_h5__fail(err, "write coordinate", grp, spec->name);
    }
    if (rc == PS_OK) {
        rc = attr_text(*out, "long_name", spec->long_name, err);
    }
    if (rc == PS_OK && spec->note != NULL) {
        rc = attr_text(*out, "note", spec->note, err);
    }
    if (dxpl >= 0) {
        H5Pclose(dxpl);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

/* A 1-D float64 variable along the open coordinate `scale`; its entry for the scale's
 * REFERENCE_LIST goes to *ref, which the caller writes once for all the scale's variables
 * (io/h5scales.c, issue #18). */
static ps_status write_1d(ps_h5__scale_ref *ref, hid_t grp, hid_t scale, const var_spec *spec,
                          const double *values, int n, ps_error *err)
{
    hsize_t len = (hsize_t)n;
    const double fill = NAN;
    hid_t space = H5Screate_simple(1, &len, NULL), ds = H5I_INVALID_HID;
    hid_t one = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    ref->dim = 0;
    if (space < 0 || one < 0 ||
        (ds = H5Dcreate2(grp, spec->name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
        rc = ps_h5__fail(err, "write variable", grp, spec->name);
    }
    if (rc == PS_OK) {
        rc = attr_units(ds, spec->units, err);
    }
    if (rc == PS_OK) {
        rc = attr_text(ds, "long_name", spec->long_name, err);
    }
    if (rc == PS_OK &&
        ((attr = H5Acreate2(ds, "_FillValue", H5T_IEEE_F64LE, one, H5P_DEFAULT, H5P_DEFAULT)) <
             0 ||
         H5Awrite(attr, H5T_NATIVE_DOUBLE, &fill) < 0 ||
         ps_h5__dimension_list(&ref->ref, ds, 1, &scale) < 0)) {
        rc = ps_h5__fail(err, "label", grp, spec->name);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (one >= 0) {
        H5Sclose(one);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    return rc;
}

/* The value of response parameter k (the order of range_specs). */
static double param_of(const ps_response *r, int k)
{
    const double v[RANGE_PARAM_COUNT] = {
        r->cash_elasticity, r->quantum_share, r->lag_months, r->tempo_years, r->payback_years,
        r->childcare_per_10pp, r->leave_per_3_months, r->paternity_per_10_days,
        r->employer_pass_through,
    };
    return v[k];
}

static ps_status write_response(hid_t scenario, hid_t gcpl, const ps_policy_range *range,
                                ps_error *err)
{
    const char *labels[PS_RANGE_PRESETS];
    ps_h5__scale_ref refs[RANGE_VAR_COUNT];
    hid_t grp = H5I_INVALID_HID, scale = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        labels[p] = ps_elasticity_name(ps_range_preset_order[p]);
    }
    if ((grp = H5Gcreate2(scenario, range_group, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = ps_h5__fail(err, "create group", scenario, range_group);
    }
    if (rc == PS_OK) {
        rc = attr_text(grp, "chosen", ps_elasticity_name(range->chosen), err);
    }
    if (rc == PS_OK) {
        rc = attr_text(grp, "projected", range->computed ? "every preset"
                                         : "only the chosen preset (microsimulation)", err);
    }
    if (rc == PS_OK) {
        rc = write_labels(&scale, grp, DIM_ELASTICITY, labels, PS_RANGE_PRESETS, err);
    }
    for (int k = 0; k < RANGE_VAR_COUNT && rc == PS_OK; ++k) {
        double v[PS_RANGE_PRESETS];
        for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
            v[p] = k < RANGE_PARAM_COUNT ? param_of(&range->response[p], k)
                                         : range->value[p][k - RANGE_PARAM_COUNT];
        }
        rc = write_1d(&refs[k], grp, scale, &range_specs[k], v, PS_RANGE_PRESETS, err);
    }
    if (rc == PS_OK && ps_h5__reference_list(scale, refs, RANGE_VAR_COUNT) < 0) {
        rc = ps_h5__fail(err, "attach the variables to coordinate", grp,
                         dim_specs[DIM_ELASTICITY].name);
    }
    if (scale >= 0) {
        H5Dclose(scale);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}

/* policy/<instrument>/term and stated. */
static ps_status write_stated(hid_t scenario, const char *instrument, const ps_policy *p,
                              ps_error *err)
{
    ps_policy_term terms[PS_POLICY_TERMS_MAX];
    const char *labels[PS_POLICY_TERMS_MAX];
    double values[PS_POLICY_TERMS_MAX];
    ps_h5__scale_ref ref;
    char path[1024];
    hid_t grp = H5I_INVALID_HID, scale = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    const int n = ps_policy_terms(terms, p);
    for (int k = 0; k < n; ++k) {
        labels[k] = terms[k].name;
        values[k] = terms[k].value;
    }
    snprintf(path, sizeof path, "%s/%s", policy_group, instrument);
    if ((grp = H5Gopen2(scenario, path, H5P_DEFAULT)) < 0) {
        rc = ps_h5__fail(err, "open group", scenario, path);
    }
    if (rc == PS_OK) {
        rc = write_labels(&scale, grp, DIM_TERM, labels, n, err);
    }
    if (rc == PS_OK) {
        rc = write_1d(&ref, grp, scale, &stated_spec, values, n, err);
    }
    if (rc == PS_OK && ps_h5__reference_list(scale, &ref, 1) < 0) {
        rc = ps_h5__fail(err, "attach the variables to coordinate", grp, dim_specs[DIM_TERM].name);
    }
    if (scale >= 0) {
        H5Dclose(scale);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}

ps_status ps_h5__write_range(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    const ps_policy_range *range = r->range;
    ps_status rc = PS_OK;
    if (range == NULL) {
        return PS_OK;
    }
    if (range->compared) {
        rc = write_response(scenario, gcpl, range, err);
    }
    for (int i = 0; i < range->n_stated && i < r->n_instruments && rc == PS_OK; ++i) {
        rc = write_stated(scenario, r->ledger[i].name, &range->stated[i], err);
    }
    return rc;
}

/* ---- reading it back (ps_h5_read) ---------------------------------------------------------- */

/* A scalar string attribute of obj compared with the candidates' names: *out gets the index
 * of the match, unchanged if none matches. */
static ps_status read_choice(int *out, hid_t obj, const char *name,
                             const char *(*name_of)(int), int n, ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, type = ps_h5__string_type();
    char *text = NULL;
    ps_status rc = PS_OK;
    if (H5Aexists(obj, name) <= 0) {
        goto done;
    }
    if (type < 0 || (attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0) {
        rc = ps_h5__fail(err, "open attribute", obj, name);
        goto done;
    }
    if ((rc = ps_h5__check_vlen(attr, 1, name, err)) != PS_OK) {
        goto done;
    }
    if (H5Aread(attr, type, &text) < 0) {
        rc = ps_h5__fail(err, "read attribute", obj, name);
        goto done;
    }
    for (int k = 0; text != NULL && k < n; ++k) {
        if (strcmp(text, name_of(k)) == 0) {
            *out = k;
        }
    }
done:
    if (text != NULL) {
        H5free_memory(text);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

static const char *preset_name(int e)
{
    return ps_elasticity_name((ps_elasticity)e);
}

static const char *projected_name(int k)
{
    return k == 0 ? "only the chosen preset (microsimulation)" : "every preset";
}

/* A 1-D float64 dataset of exactly n values into v. */
static ps_status read_1d(double *v, hid_t grp, const char *name, hsize_t n, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    ps_status rc = ps_h5__open_dataset(&ds, &sh, grp, name, PS_H5__NUMERIC, 1, err);
    if (rc == PS_OK && sh.n != n) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' has %llu values; %llu expected", name,
                          (unsigned long long)sh.n, (unsigned long long)n);
    }
    if (rc == PS_OK && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        rc = ps_h5__fail(err, "read", grp, name);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

/* Set the response parameter k (the order of range_specs). */
static void set_param(ps_response *r, int k, double v)
{
    double *const p[RANGE_PARAM_COUNT] = {
        &r->cash_elasticity, &r->quantum_share, &r->lag_months, &r->tempo_years,
        &r->payback_years, &r->childcare_per_10pp, &r->leave_per_3_months,
        &r->paternity_per_10_days, &r->employer_pass_through,
    };
    *p[k] = v;
}

static ps_status read_response(ps_policy_range *range, hid_t grp, ps_error *err)
{
    int chosen = (int)range->chosen, projected = range->computed;
    ps_status rc = read_choice(&chosen, grp, "chosen", preset_name, PS_ELASTICITY_COUNT, err);
    if (rc == PS_OK) {
        rc = read_choice(&projected, grp, "projected", projected_name, 2, err);
    }
    range->chosen = (ps_elasticity)chosen;
    range->computed = projected;
    for (int k = 0; k < RANGE_VAR_COUNT && rc == PS_OK; ++k) {
        double v[PS_RANGE_PRESETS];
        if ((rc = read_1d(v, grp, range_specs[k].name, PS_RANGE_PRESETS, err)) != PS_OK) {
            break;
        }
        for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
            if (k < RANGE_PARAM_COUNT) {
                set_param(&range->response[p], k, v[p]);
            } else {
                range->value[p][k - RANGE_PARAM_COUNT] = v[p];
            }
        }
    }
    return rc;
}

/* The terms of one instrument group, if it has them. */
static ps_status read_stated(ps_policy *p, hid_t scenario, const char *instrument, ps_error *err)
{
    char path[1024];
    hid_t grp = H5I_INVALID_HID, ds = H5I_INVALID_HID, type = ps_h5__string_type();
    ps_h5__shape sh;
    char *labels[PS_POLICY_TERMS_MAX] = { NULL };
    double values[PS_POLICY_TERMS_MAX];
    ps_status rc = PS_OK;
    snprintf(path, sizeof path, "%s/%s", policy_group, instrument);
    if ((grp = ps_h5__open_group(scenario, path)) < 0 || type < 0) {
        rc = ps_h5__fail(err, "open group", scenario, path);
        goto done;
    }
    if (H5Lexists(grp, dim_specs[DIM_TERM].name, H5P_DEFAULT) <= 0) {
        goto done;
    }
    if ((rc = ps_h5__open_dataset(&ds, &sh, grp, dim_specs[DIM_TERM].name, PS_H5__STRING, 1,
                                  err)) != PS_OK) {
        goto done;
    }
    if (sh.n > PS_POLICY_TERMS_MAX) {
        rc = ps_error_set(err, PS_EHDF5, "'%s/term' has %llu terms; at most %d expected", path,
                          (unsigned long long)sh.n, PS_POLICY_TERMS_MAX);
        goto done;
    }
    if ((rc = ps_h5__check_vlen(ds, 0, "term", err)) != PS_OK) {
        goto done;
    }
    if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels) < 0) {
        rc = ps_h5__fail(err, "read", grp, "term");
        goto done;
    }
    rc = read_1d(values, grp, stated_spec.name, sh.n, err);
    for (hsize_t k = 0; k < sh.n && rc == PS_OK; ++k) {
        if (labels[k] != NULL) {
            (void)ps_policy_set_term(p, labels[k], values[k]); /* unknown terms: ignored */
        }
    }
done:
    for (int k = 0; k < PS_POLICY_TERMS_MAX; ++k) {
        if (labels[k] != NULL) {
            H5free_memory(labels[k]);
        }
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

ps_status ps_h5__read_range(ps_result *out, hid_t scenario, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    ps_policy_range *range = NULL;
    ps_status rc = PS_OK;
    const int compared = H5Lexists(scenario, range_group, H5P_DEFAULT) > 0;
    int stated = 0;
    for (int i = 0; i < out->n_instruments && !compared && !stated; ++i) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/%s", policy_group, out->ledger[i].name,
                 dim_specs[DIM_TERM].name);
        stated = ps_h5__local_path(scenario, path);
    }
    if (!compared && !stated) {
        return PS_OK;
    }
    if ((rc = ps_policy_range_new(&range, NULL, 0, NULL, PS_ELASTICITY_DEFAULT, err)) != PS_OK) {
        return rc;
    }
    ps_policy_range *grown = realloc(range, sizeof *range + (size_t)out->n_instruments *
                                                                sizeof range->stated[0]);
    if (grown == NULL) {
        free(range);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the response range");
    }
    range = grown;
    range->n_stated = out->n_instruments;
    range->compared = compared;
    range->computed = compared;
    for (int i = 0; i < out->n_instruments; ++i) {
        memset(&range->stated[i], 0, sizeof range->stated[i]);
        range->stated[i].lever = (ps_lever)out->ledger[i].lever;
    }
    if (compared && (grp = ps_h5__open_group(scenario, range_group)) < 0) {
        rc = ps_h5__fail(err, "open group", scenario, range_group);
    }
    if (rc == PS_OK && compared) {
        rc = read_response(range, grp, err);
    }
    for (int i = 0; i < out->n_instruments && rc == PS_OK; ++i) {
        rc = read_stated(&range->stated[i], scenario, out->ledger[i].name, err);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    if (rc == PS_OK) {
        free(out->range);
        out->range = range;
    } else {
        free(range);
    }
    return rc;
}
