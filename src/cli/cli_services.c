/*
 * cli_services.c - the services of a result file (/scenarios/<name>/services/<service>/,
 * docs/services.md) read back into ps_result.services for `popsim targets` and
 * `popsim compare`, and the short description of a capacity target that both print.
 * Only the variables these commands use are read; every array is checked against the
 * scenario's (year, region) shape, so a malformed file is reported, not guessed at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "popsim/h5out.h"
#include "popsim/services.h"

/* "a/b" as a new string, NULL when out of memory. */
static char *join(const char *a, const char *b)
{
    size_t len = strlen(a) + strlen(b) + 2;
    char *p = malloc(len);
    if (p != NULL) {
        snprintf(p, len, "%s/%s", a, b);
    }
    return p;
}

static char *dup_text(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = malloc(len);
    if (p != NULL) {
        memcpy(p, s, len);
    }
    return p;
}

/*
 * grp/name as a new float64 array of shape (year) for rank 1 or (year, region) for rank 2.
 * A missing dataset gives *out = NULL, which is an error only when `required`.
 */
static ps_status read_var(double **out, const ps_h5r_file *f, const char *grp, const char *name,
                          int rank, int required, const ps_result *r, ps_error *err)
{
    ps_h5r_array a = { 0 };
    char *dset = join(grp, name);
    ps_status rc = PS_OK;
    *out = NULL;
    if (dset == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        if (required) {
            rc = ps_error_set(err, PS_EHDF5, "'%s' is missing", dset);
        }
        goto done;
    }
    if ((rc = ps_h5r_read_array(&a, f, dset, err)) != PS_OK) {
        goto done;
    }
    if (a.rank != rank || a.dims[0] != (size_t)r->n_years ||
        (rank == 2 && a.dims[1] != (size_t)r->n_regions)) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' should have dimensions %s with %d years and %d "
                          "regions", dset, rank == 1 ? "(year)" : "(year, region)", r->n_years,
                          r->n_regions);
        goto done;
    }
    *out = a.data;
    a.data = NULL;
done:
    ps_h5r_array_release(&a);
    free(dset);
    return rc;
}

/* An optional string attribute of grp as a new string; *out = NULL when it is absent. */
static ps_status read_text(char **out, const ps_h5r_file *f, const char *grp, const char *name,
                           ps_error *err)
{
    *out = NULL;
    return ps_h5r_has_attr(f, grp, name) ? ps_h5r_attr_string(out, f, grp, name, err) : PS_OK;
}

/* Kind and basis from their names; an unknown kind is "other", an unknown basis an error. */
static ps_status read_kind_basis(ps_svc_result *s, const ps_h5r_file *f, const char *grp,
                                 ps_error *err)
{
    char *kind = NULL, *basis = NULL;
    ps_status rc = read_text(&kind, f, grp, "kind", err);
    if (rc == PS_OK) {
        rc = read_text(&basis, f, grp, "basis", err);
    }
    s->kind = PS_SVC_OTHER;
    for (int k = 0; kind != NULL && k < PS_SVC_KIND_COUNT; ++k) {
        if (strcmp(kind, ps_svc_kind_name((ps_svc_kind)k)) == 0) {
            s->kind = k;
        }
    }
    s->basis = basis == NULL ? PS_SVC_BASIS_NONE : -1;
    for (int b = 0; basis != NULL && b < PS_SVC_BASIS_COUNT; ++b) {
        if (strcmp(basis, ps_svc_basis_name((ps_svc_basis)b)) == 0) {
            s->basis = b;
        }
    }
    if (rc == PS_OK && s->basis < 0) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' has an unknown basis '%s'", grp, basis);
    }
    s->basis_age_lo = s->basis_age_hi = -1; /* unknown: files before the attributes */
    if (rc == PS_OK && s->basis == PS_SVC_BASIS_AGES && ps_h5r_has_attr(f, grp, "basis_from_age") &&
        ps_h5r_has_attr(f, grp, "basis_to_age")) {
        double lo = 0.0, hi = 0.0;
        if ((rc = ps_h5r_attr_double(&lo, f, grp, "basis_from_age", err)) == PS_OK &&
            (rc = ps_h5r_attr_double(&hi, f, grp, "basis_to_age", err)) == PS_OK) {
            s->basis_age_lo = (int)lo;
            s->basis_age_hi = (int)hi;
        }
    }
    free(kind);
    free(basis);
    return rc;
}

/* One services/<service> group into s (which the caller's result owns from the start). */
static ps_status read_service(ps_svc_result *s, const ps_h5r_file *f, const char *grp,
                              const char *name, const ps_result *r, ps_error *err)
{
    ps_status rc = PS_OK;
    if ((s->name = dup_text(name)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if ((rc = read_text(&s->title, f, grp, "title", err)) != PS_OK ||
        (rc = read_kind_basis(s, f, grp, err)) != PS_OK ||
        (rc = read_var(&s->target, f, grp, "target", 1, 0, r, err)) != PS_OK ||
        (rc = read_var(&s->demand, f, grp, "demand", 2, 1, r, err)) != PS_OK ||
        (rc = read_var(&s->capacity, f, grp, "capacity", 2, 0, r, err)) != PS_OK ||
        (rc = read_var(&s->utilization, f, grp, "utilization", 2, 0, r, err)) != PS_OK ||
        (rc = read_var(&s->nursing_capacity, f, grp, "nursing_capacity", 2, 0, r, err)) !=
            PS_OK) {
        return rc;
    }
    /* The gaps are needed wherever there is a capacity. */
    int need_gaps = s->capacity != NULL;
    if ((rc = read_var(&s->shortage, f, grp, "shortage", 2, need_gaps, r, err)) == PS_OK) {
        rc = read_var(&s->surplus, f, grp, "surplus", 2, need_gaps, r, err);
    }
    /* Against the existing stock (issue #13): there only with a stock file. */
    if (rc == PS_OK && (rc = read_var(&s->stock, f, grp, "stock", 2, 0, r, err)) == PS_OK &&
        s->stock != NULL && (rc = read_var(&s->gap_target, f, grp, "gap_target", 2, 1, r, err)) ==
            PS_OK) {
        rc = read_var(&s->build, f, grp, "build", 2, 1, r, err);
    }
    return rc;
}

ps_status cli_read_services(ps_result *r, const ps_h5r_file *f, ps_error *err)
{
    char *scn = join("/scenarios", r->name), *svg = NULL, **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (r->n_services > 0) {
        goto done; /* the library's reader already filled them */
    }
    if (scn == NULL || (svg = join(scn, "services")) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if (ps_h5r_kind_of(f, svg) != PS_H5R_GROUP) {
        goto done;
    }
    if ((rc = ps_h5r_children(&names, &n, f, svg, PS_H5R_GROUP, err)) != PS_OK) {
        goto done;
    }
    if ((r->services = calloc((size_t)n + 1, sizeof *r->services)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        char *sg = join(svg, names[k]);
        r->n_services = k + 1;
        rc = sg == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                        : read_service(&r->services[k], f, sg, names[k], r, err);
        free(sg);
    }
done:
    if (rc != PS_OK) {
        ps_error_prepend(err, "scenario '%s': ", r->name);
    }
    ps_h5_free_names(names, n);
    free(svg);
    free(scn);
    return rc;
}

int cli_service_has_capacity(const ps_result *r, const ps_svc_result *s)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    for (size_t i = 0; s->capacity != NULL && i < cells; ++i) {
        if (!isnan(s->capacity[i])) {
            return 1;
        }
    }
    return 0;
}

/* "4.5" for a constant target, "30 -> 40" for one that changes (first and last value). */
static void target_values(char *buf, size_t size, const ps_result *r, const ps_svc_result *s,
                          int as_count)
{
    double first = NAN, last = NAN;
    for (int y = 0; s->target != NULL && y < r->n_years; ++y) {
        if (!isnan(s->target[y])) {
            first = isnan(first) ? s->target[y] : first;
            last = s->target[y];
        }
    }
    char a[32], b[32];
    if (as_count) {
        cli_fmt_count(a, sizeof a, first);
        cli_fmt_count(b, sizeof b, last);
    } else {
        snprintf(a, sizeof a, "%g", first);
        snprintf(b, sizeof b, "%g", last);
    }
    if (isnan(first) || strcmp(a, b) == 0) {
        snprintf(buf, size, "%s", isnan(first) ? "?" : a);
    } else {
        snprintf(buf, size, "%s -> %s", a, b);
    }
}

const char *cli_service_target_text(char *buf, size_t size, const ps_result *r,
                                    const ps_svc_result *s)
{
    char v[80], ages[64];
    int per_1000 = 1;
    const char *of = "";
    switch ((ps_svc_basis)s->basis) {
    case PS_SVC_BASIS_POPULATION: of = "population"; break;
    case PS_SVC_BASIS_GROUP: of = "persons of the target group"; break;
    case PS_SVC_BASIS_AGES:
        of = "persons in the target's age range";
        if (s->basis_age_lo >= 0) {
            if (s->basis_age_hi >= r->n_ages - 1) {
                snprintf(ages, sizeof ages, "persons aged %d+", s->basis_age_lo);
            } else {
                snprintf(ages, sizeof ages, "persons aged %d-%d", s->basis_age_lo,
                         s->basis_age_hi);
            }
            of = ages;
        }
        break;
    case PS_SVC_BASIS_PLACES: per_1000 = 0; break;
    case PS_SVC_BASIS_BASE_YEAR:
        snprintf(buf, size, "target: the places needed in %d, held constant", r->start_year);
        return buf;
    case PS_SVC_BASIS_NONE:
    case PS_SVC_BASIS_COUNT:
    default:
        snprintf(buf, size, "%s", cli_service_has_capacity(r, s) ? "capacity as given"
                                                                 : "no capacity target");
        return buf;
    }
    target_values(v, sizeof v, r, s, !per_1000);
    if (per_1000) {
        snprintf(buf, size, "target %s places per 1,000 %s", v, of);
    } else {
        snprintf(buf, size, "target %s places", v);
    }
    return buf;
}
