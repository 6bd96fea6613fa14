/*
 * h5parity_fit.c - the base parity's fit as root attributes of a result file (issue #12;
 * docs/output-format.md "Base parity fit"): `parity_fit`, one line a planner reads in
 * `popsim info`, and one float64 attribute per number for scripts.
 */
#include "io/h5parity_fit_int.h"

#include <stdio.h>

#include <hdf5.h>

#include "io/h5schema_int.h" /* ps_h5__string_type */

void ps_h5__parity_fit_text(char *out, size_t size, const ps_parity_fit *f)
{
    snprintf(out, size,
             "%s: childless at 45-49 in %d %.4f, second births %.4f of the births of %d-%d, "
             "mean age at first birth %.2f in %d; history levels of first births x%.4g, "
             "second births x%.4g, first-birth intensities of mean age %.2f",
             f->joint ? "joint fit" : "reconstruction", f->base_year, f->childless_45_49,
             f->second_share, f->second_share_from, f->second_share_to, f->first_mean_age,
             f->first_mean_age_year, f->first_level, f->second_level, f->first_shape_age);
}

static ps_status attr_write(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                            const void *value, ps_error *err)
{
    hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (space < 0 ||
        (attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, mem_type, value) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot write attribute '%s' of the base parity fit",
                          name);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    return rc;
}

ps_status ps_h5__write_parity_fit(hid_t file, const ps_parity_fit *f, ps_error *err)
{
    const struct {
        const char *name;
        double value;
    } num[] = {
        { "parity_fit_first_level", f->first_level },
        { "parity_fit_second_level", f->second_level },
        { "parity_fit_first_shape_age", f->first_shape_age },
        { "parity_fit_childless_45_49", f->childless_45_49 },
        { "parity_fit_second_share", f->second_share },
        { "parity_fit_first_mean_age", f->first_mean_age },
    };
    char text[512];
    const char *ptr = text;
    ps_h5__parity_fit_text(text, sizeof text, f);
    hid_t type = ps_h5__string_type();
    ps_status rc = PS_OK;
    if (type < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot make the string type of attribute parity_fit");
    } else {
        rc = attr_write(file, "parity_fit", type, type, &ptr, err);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    for (size_t k = 0; rc == PS_OK && k < sizeof num / sizeof num[0]; ++k) {
        rc = attr_write(file, num[k].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &num[k].value, err);
    }
    return rc;
}
