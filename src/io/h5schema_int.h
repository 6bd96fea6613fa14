/*
 * h5schema_int.h - the schema of a result file as data (issue #11, section 3): every
 * dimension and variable with its name, dimensions, units (as people say them, mapped to
 * udunits2 strings by one table) and long name. The writer (h5out.c) takes the attributes it
 * writes from here, the reader (h5read.c) checks shapes against it, and test_h5schema checks
 * docs/output-format.md against ps_h5__schema_vars, so code, files and documentation cannot
 * drift apart. Also the few HDF5 helpers that writer and reader share.
 *
 * Library-internal to src/io (the names without a ps_ prefix are kept from h5out.c, where
 * they were file-local, so the writer reads as before).
 */
#ifndef PS_H5SCHEMA_INT_H
#define PS_H5SCHEMA_INT_H

#include <stddef.h>
#include <stdio.h> /* FILE */

#include <hdf5.h>

#include "popsim/error.h"
#include "popsim/micro.h" /* PS_SAMPLE_FIELDS */
#include "popsim/h5prob.h" /* PS_H5_PROB_PROCESS_ROWS */
#include "popsim/range.h" /* PS_RANGE_COUNT */
#include "popsim/result.h"

/* The dimensions of a scenario group, each a 1-D coordinate dataset and dimension scale.
 * DIM_ORDER and DIM_PARITY exist only in groups of runs that tracked parity (issue #3). */
typedef enum dim_id {
    DIM_YEAR,
    DIM_REGION,
    DIM_SEX,
    DIM_AGE,
    DIM_ORDER,
    DIM_PARITY,
    DIM_CLASS, /* services (issue #4): a service's classes, home services, care-need levels */
    DIM_HOME,
    DIM_LEVEL,
    DIM_INCOME, /* microsimulation (issue #5) */
    DIM_HAS_CHILD,
    DIM_REPLICATE,
    DIM_PERSON,
    DIM_SCENARIO, /* the /family group (issue #16): the members of a family */
    DIM_ORIGIN,   /* internal migration (issue #13): the region of origin and destination */
    DIM_DESTINATION,
    DIM_ELASTICITY, /* the response range (issue #12): low, default, high */
    DIM_TERM,       /* an instrument's terms as the scenario states them */
    DIM_PAYER, /* policy ledger (issue #12): who pays, ps_payer */
    DIM_COUNT
} dim_id;

typedef struct dim_spec {
    const char *name;
    const char *units;     /* NULL for labels without a unit */
    const char *long_name;
    const char *note;      /* NULL for none; age writes its own (it names the open group) */
} dim_spec;

extern const dim_spec dim_specs[DIM_COUNT];

/* A variable: dims list the axes of the flat ps_result array in order. */
typedef struct var_spec {
    const char *name;
    int rank;
    dim_id dims[DIM_COUNT];
    const char *units; /* as people say it ("persons"); the file's `units` via ps_h5__cf_unit */
    const char *long_name;
} var_spec;

/* The variables of a scenario group. */
typedef enum var_id {
    VAR_POPULATION,
    VAR_BIRTHS,
    VAR_DEATHS,
    VAR_NET_MIGRATION,
    VAR_ASFR,
    VAR_TFR,
    VAR_E0,
    VAR_BIRTHS_BY_ORDER, /* optional: NULL in a result without parity */
    VAR_WOMEN_BY_PARITY, /* optional, present together with births_by_order */
    VAR_FERTILITY_CALIBRATION, /* optional: only with calibrate_births (issue #12) */
    VAR_BUDGET_CAP_CENTRAL,    /* optional: only with a cap by year (issue #12); one per */
    VAR_BUDGET_CAP_LOCAL,      /* payer, in ps_payer order */
    VAR_BUDGET_CAP_SOCIAL_INSURANCE,
    VAR_BUDGET_CAP_EMPLOYER,
    VAR_COUNT
} var_id;

extern const var_spec var_specs[VAR_COUNT];

/* The policy part (issue #3): /scenarios/<name>/policy/ holds births_gained, and one
 * subgroup per instrument its ledger. */
extern const char policy_group[];
extern const var_spec births_gained_spec;

typedef enum ledger_var {
    LEDGER_RECIPIENTS,
    LEDGER_COST,
    LEDGER_COST_DISCOUNTED,
    LEDGER_COUNT
} ledger_var;

extern const var_spec ledger_specs[LEDGER_COUNT];

/* An instrument's cost by payer (issue #12), (year, region, payer), beside its ledger. */
extern const var_spec ledger_payer_spec;
extern const char *const ps_h5__payer_labels[PS_LEDGER_PAYERS];

/* Scenario group attributes of a result with a policy part (float64, NaN when undefined). */
typedef struct policy_attr {
    const char *name;
    size_t offset; /* of the double in ps_result */
} policy_attr;

#define POLICY_ATTR_COUNT 21
extern const policy_attr policy_attrs[POLICY_ATTR_COUNT];

/* Services, care need and indicators (issue #4). */
typedef enum svc_var {
    SVC_DEMAND, SVC_CAPACITY, SVC_SHORTAGE, SVC_SURPLUS, SVC_UTILIZATION, SVC_PER_1000,
    SVC_STAFF, SVC_GROUPS, SVC_COST, SVC_FEES, SVC_SUBSIDY, SVC_SUBSIDY_RECIPIENTS,
    SVC_NEW_PLACES, SVC_NURSING_CAPACITY,
    /* against the existing stock (issue #13); NULL (not written) without a stock file */
    SVC_STOCK, SVC_STOCK_PUBLIC, SVC_STOCK_STAFF, SVC_DEMAND_SERVED, SVC_GAP_TARGET,
    SVC_GAP_DEMAND, SVC_BUILD, SVC_VAR_COUNT
} svc_var;

extern const var_spec svc_specs[SVC_VAR_COUNT];
extern const var_spec svc_target_spec;
extern const var_spec svc_by_class_spec;
extern const var_spec svc_home_spec;
extern const var_spec care_need_spec;
extern const var_spec dependency_specs[PS_DEPENDENCY_COUNT];

/* Microsimulation (issue #5): /scenarios/<name>/micro/. */
typedef enum micro_var {
    MICRO_BIRTHS_BY_INCOME, MICRO_UNDER3, MICRO_UNDER3_ENROLLED, MICRO_DISABLED_ELDERLY,
    MICRO_POPULATION_BY_REPLICATE, MICRO_BIRTHS_BY_REPLICATE, MICRO_SUBSIDY_COST_BY_INCOME,
    MICRO_VAR_COUNT
} micro_var;

extern const var_spec micro_specs[MICRO_VAR_COUNT];
/* Internal migration and registration (issue #13): /scenarios/<name>/internal_migration/
 * (in, out, net; flows by origin and destination when asked) and /registration/. */
#define PS_H5_INTERNAL_COUNT 3
extern const var_spec internal_specs[PS_H5_INTERNAL_COUNT];
extern const var_spec flows_spec;
extern const var_spec registration_specs[2];
/* The person sample: one int64 column per field (ps_result_micro.sample order), dimension
 * person, units NULL (integers without a unit). */
extern const var_spec sample_specs[PS_SAMPLE_FIELDS];
/* Labels of the micro group's income and has_child coordinates. */
extern const char *const ps_h5__income_labels[PS_INCOME_COUNT];
#define PS_H5__HAS_CHILD_COUNT 2
extern const char *const ps_h5__has_child_labels[PS_H5__HAS_CHILD_COUNT];

/* /provenance: one string dataset per column, row i of each describing input i. */
typedef enum prov_col { PROV_KIND, PROV_SOURCE, PROV_DETAIL, PROV_PATH, PROV_SHA256,
                        PROV_COL_COUNT } prov_col;
extern const char *const ps_h5__prov_names[PROV_COL_COUNT];
extern const char *const ps_h5__prov_long_names[PROV_COL_COUNT];

/*
 * CF units (issue #16; docs/output-format.md, "CF conventions"). The spec tables give each
 * variable's unit as a reader would say it ("persons", "yuan"); the `units` attribute must be
 * a string udunits2 parses, so counts and ratios are "1", rates per year "year-1", per
 * 1,000 "1e-3", per 100 "percent", durations "year", and the words go to
 * `unit_description`. Yuan has no udunits definition: "1" with the currency described.
 */
typedef struct cf_unit {
    const char *said; /* as in the spec tables */
    const char *cf;   /* udunits2 string; NULL: no `units` (a label coordinate) */
    const char *description; /* NULL when `said` is already the udunits string */
} cf_unit;

/** The CF form of a unit of the spec tables; NULL if the table lacks it (a programmer error). */
const cf_unit *ps_h5__cf_unit(const char *said);

/*
 * Every variable of the schema with the group it lives in, relative to /scenarios/<name>/
 * ("" for the scenario group itself, "policy/<instrument>", "services/<service>", ...): the
 * list docs/output-format.md is checked against (test_h5schema).
 */
typedef struct ps_h5__schema_var {
    const char *group;
    const var_spec *spec;
} ps_h5__schema_var;

/* The response range (issue #12, src/io/h5range.c): /scenarios/<name>/response/ holds each
 * preset's response parameters and results along `elasticity`, and each instrument group its
 * terms as stated along `term`. */
extern const char range_group[];
#define RANGE_PARAM_COUNT 9
#define RANGE_VAR_COUNT (RANGE_PARAM_COUNT + PS_RANGE_COUNT)
extern const var_spec range_specs[RANGE_VAR_COUNT];
extern const var_spec stated_spec;

/** Write r->range (nothing without one) under the open scenario group, after its policy
 * group (h5range.c). */
ps_status ps_h5__write_range(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err);

/** Read the response range of the open scenario group into out->range (left NULL without
 * one); after the policy part, whose instruments it follows (h5range.c). */
ps_status ps_h5__read_range(ps_result *out, hid_t scenario, ps_error *err);

/** The schema's variables: *n_out entries of a static table. */
const ps_h5__schema_var *ps_h5__schema_vars(size_t *n_out);

/** The array of ps_result behind variable v (NULL for an optional one the result lacks). */
double *ps_h5__var_data(const ps_result *r, var_id v);

/** The array of a ledger behind ledger variable v. */
double *ps_h5__ledger_data(const ps_ledger *l, ledger_var v);

/* ---- helpers shared by the writer and the reader ----------------------------------------- */

/** A variable-length UTF-8 C string type (netCDF-4's NC_STRING); H5I_INVALID_HID on failure. */
hid_t ps_h5__string_type(void);

/** PS_EHDF5 "cannot <action> '<name>' in '<path of loc>': <HDF5's innermost reason>". */
ps_status ps_h5__fail(ps_error *err, const char *action, hid_t loc, const char *name);

/** A scalar attribute `name` of obj: file type ftype, *value in memory type mtype (the writers
 * h5out.c, h5range.c and h5sweep.c all write their attributes through this one). */
ps_status ps_h5__attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                            const void *value, ps_error *err);

/** A scalar variable-length UTF-8 string attribute (NULL is written as ""). */
ps_status ps_h5__attr_str(hid_t obj, const char *name, const char *value, ps_error *err);

/** HDF5's own reason for the failure that just happened, into buf. */
void ps_h5__reason(char *buf, size_t size);

/** Name the file in the record unless a deeper layer already did. */
void ps_h5__note_path(ps_error *err, const char *path);

/** 1 for a name a group may take: non-empty, no '/', not "." or "..". */
int ps_h5__valid_link_name(const char *name);

/** A transfer list whose conversion buffers fit `len` elements (io/h5xfer.c), for writing
 * strings without HDF5's default 1 MiB buffers; H5I_INVALID_HID on failure; the caller
 * closes it. */
hid_t ps_h5__small_dxpl(hsize_t len);

/** The core driver's buffer of a file being built in memory (io/h5image.c). */
typedef struct ps_h5__image {
    void *mem;   /* the driver's buffer; NULL before the first write; freed at closing */
    size_t size; /* bytes of mem */
} ps_h5__image;

/** Track the core driver's buffer of files created with `fapl` in *img (file image
 * callbacks); 0, or -1 if HDF5 refused. img must outlive the file. */
int ps_h5__image_track(hid_t fapl, ps_h5__image *img);

/** Write the file's image (its H5Fget_file_image bytes) to out, from the tracked buffer
 * when it holds them, else through a copy; call after H5Fflush. */
ps_status ps_h5__image_write(FILE *out, hid_t file, const ps_h5__image *img, const char *name,
                             ps_error *err);

/* ---- dimension scales attached in batches (io/h5scales.c, issue #18) -------------------- */

/** One entry of a scale's REFERENCE_LIST: H5DS's own ds_list_t layout. */
typedef struct ps_h5__scale_ref {
    hobj_ref_t ref;   /* the variable */
    unsigned int dim; /* its axis attached to the scale */
} ps_h5__scale_ref;

/** Write the DIMENSION_LIST of `ds`, axis k on the open scale scales[k] (k < rank <=
 * DIM_COUNT), as H5DSattach_scale would after attaching every axis; *self_out receives the
 * reference to `ds` that each scale's REFERENCE_LIST lists. 0, or -1 if HDF5 refused. */
int ps_h5__dimension_list(hobj_ref_t *self_out, hid_t ds, int rank, const hid_t *scales);

/** Write the REFERENCE_LIST of `scale`: the n_refs (> 0) variable axes attached to it, in
 * attach order. 0, or -1 if HDF5 refused. */
int ps_h5__reference_list(hid_t scale, const ps_h5__scale_ref *refs, size_t n_refs);

/* ---- probabilistic files: services under uncertainty (issue #14, sec. 2) ----------------
 * Variables of /probabilistic/<name>/ written with a scenario's services (io/h5out_prob.c),
 * read back by io/h5prob_read.c and documented in docs/output-format.md ("Services under
 * uncertainty", checked by test_prob_svc). The first four follow ps_svc_prob_var; each has a
 * `<name>_mean` (year, region, service) beside it. */
typedef enum prob_svc_var {
    PROB_SVC_DEMAND,
    PROB_SVC_CAPACITY,
    PROB_SVC_SHORTAGE,
    PROB_SVC_STAFF,
    PROB_SVC_P_SHORTAGE,
    PROB_SVC_COUNT
} prob_svc_var;

typedef struct prob_var_spec {
    const char *name;
    const char *dims;  /* as documented: "year, region, service, quantile" */
    const char *units; /* the `units` attribute */
    const char *long_name;
} prob_var_spec;

extern const prob_var_spec prob_svc_specs[PROB_SVC_COUNT];

/* The 65+ share of every probabilistic group (issue #14, sec. 2: its fan chart): quantiles
 * (year, region, quantile) of each trajectory's share, with `<name>_mean` (year, region);
 * documented in docs/output-format.md ("The 65+ share under uncertainty"). */
extern const prob_var_spec prob_share65_spec;

/* The process a probabilistic group's trajectories were drawn with (docs/model.md 9.3;
 * docs/output-format.md, "Probabilistic runs"): a `process` coordinate (ps_h5_prob_process_name
 * in popsim/h5prob.h) and the rows (region, process) in ps_h5_prob_data.process's order:
 * persistence, level share, centring. */
extern const prob_var_spec prob_process_specs[PS_H5_PROB_PROCESS_ROWS];

/* The factors of the median's alignment (ps_prob_alignment), (year, region), and the flow it
 * adds (PS_PROB_V_ALIGN_FLOW: quantiles (year, region, quantile) with `<name>_mean`), written
 * when every run of the group was aligned. */
extern const prob_var_spec prob_alignment_spec;
extern const prob_var_spec prob_align_flow_spec;

#endif /* PS_H5SCHEMA_INT_H */
