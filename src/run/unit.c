/*
 * run/unit.c - a unit's result to bytes and back (issue #15), so that MPI ranks and Slurm
 * array tasks compute units anywhere and one process writes the file of a single run.
 *
 * Layout, native byte order (the same build reads what it wrote; part files record the
 * binary): the magic "PSUNIT01", member and replicate (int32), the result, the micro
 * outputs, the person sample. Strings are a uint64 length and the bytes, arrays a uint64
 * count of doubles and the doubles; UINT64_MAX for a NULL string or array. Each array's
 * count must be the one its dimensions give, so a reader allocates nothing the bytes do not
 * hold. Doubles are copied with memcpy, so every value, NaN payloads included, comes back
 * bit for bit.
 *
 * Every field that ps_run_unit fills is listed here. A field added to ps_result,
 * ps_ledger or ps_micro_extra must be added too: the size checks below stop the build.
 */
#include "popsim/run_unit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes_int.h"
#include "popsim/sha256.h"
#include "run/run_int.h"

#if defined(__x86_64__) && defined(__LP64__)
/* 448: + the ledger's payer split and first-generation gains (serialized with the ledger),
 * fertility_calibration (serialized) and range (issue #12), not serialized: ps_run_finish
 * fills it after every unit. */
/* 480: + budget_cap_by_year (serialized, issue #12). */
_Static_assert(sizeof(ps_result) == 480, "ps_result changed: serialize the new field here");
_Static_assert(sizeof(ps_ledger) == 48, "ps_ledger changed: serialize the new field here");
_Static_assert(sizeof(ps_micro_extra) == 64, /* + ledger_by_income (micro ledger, #12) */
               "ps_micro_extra changed: serialize the new field here");
_Static_assert(sizeof(ps_micro_person) == 48,
               "ps_micro_person changed: serialize the new field here");
#endif

static const char UNIT_MAGIC[8] = { 'P', 'S', 'U', 'N', 'I', 'T', '0', '1' };
static const uint64_t NONE = UINT64_MAX; /* a NULL string or array */

/* ---- writing ---------------------------------------------------------------------------- */

static void put_str(ps_wbuf *b, const char *s)
{
    if (s == NULL) {
        ps_wbuf_u64(b, NONE);
        return;
    }
    const size_t n = strlen(s);
    ps_wbuf_u64(b, n);
    ps_wbuf_put(b, s, n);
}

static void put_arr(ps_wbuf *b, const double *a, size_t n)
{
    if (a == NULL) {
        ps_wbuf_u64(b, NONE);
        return;
    }
    ps_wbuf_u64(b, n);
    ps_wbuf_put(b, a, n * sizeof *a);
}

/* ---- reading ---------------------------------------------------------------------------- */

static char *get_str(ps_rbuf *b)
{
    const uint64_t n = ps_rbuf_u64(b);
    if (b->bad || n == NONE) {
        return NULL;
    }
    if (n > b->len - b->pos) {
        b->bad = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        b->nomem = 1;
        return NULL;
    }
    ps_rbuf_get(b, s, (size_t)n);
    s[n] = '\0';
    return s;
}

/* An array of exactly `count` doubles, or NULL when the bytes say so. */
static double *get_arr(ps_rbuf *b, size_t count)
{
    const uint64_t n = ps_rbuf_u64(b);
    if (b->bad || n == NONE) {
        return NULL;
    }
    if (n != count || n > (b->len - b->pos) / sizeof(double)) {
        b->bad = 1;
        return NULL;
    }
    double *a = malloc((size_t)n * sizeof *a + 1);
    if (a == NULL) {
        b->nomem = 1;
        return NULL;
    }
    ps_rbuf_get(b, a, (size_t)n * sizeof *a);
    return a;
}

/* ---- the result ------------------------------------------------------------------------- */

/* Cell counts of a result's arrays, from its dimensions. */
typedef struct dims {
    size_t sexage, sex, age, reg, order, parity, flows, year;
} dims;

static dims dims_of(int n_years, int n_regions, int n_ages)
{
    const size_t yr = (size_t)n_years * (size_t)n_regions;
    dims d = { .sexage = yr * PS_SEX_COUNT * (size_t)n_ages, .sex = yr * PS_SEX_COUNT,
               .age = yr * (size_t)n_ages, .reg = yr, .order = yr * PS_ORDER_COUNT,
               .parity = yr * (size_t)n_ages * PS_PARITY_COUNT,
               .flows = yr * (size_t)n_regions * PS_SEX_COUNT * (size_t)n_ages,
               .year = (size_t)n_years };
    return d;
}

/* A double array of a struct: where its pointer is and how many values it holds. Listing
 * fields by offset lets one table serve writing (from a const struct) and reading. */
typedef struct field {
    size_t offset;
    size_t count;
} field;

static const double *array_in(const void *obj, size_t offset)
{
    const double *a;
    memcpy(&a, (const char *)obj + offset, sizeof a);
    return a;
}

static void set_array(void *obj, size_t offset, double *a)
{
    memcpy((char *)obj + offset, &a, sizeof a);
}

/* The scalars of a result that ps_run_unit fills. */
static const size_t SCALARS[] = {
    offsetof(ps_result, emigration_shortfall),
    offsetof(ps_result, births_gained_total),
    offsetof(ps_result, cost_total),
    offsetof(ps_result, cost_total_discounted),
    offsetof(ps_result, cost_per_additional_birth),
    offsetof(ps_result, cost_per_additional_birth_discounted),
    offsetof(ps_result, births_gained_discounted),
    offsetof(ps_result, discount_rate),
    offsetof(ps_result, window_first),
    offsetof(ps_result, window_last),
    offsetof(ps_result, births_gained_window),
    offsetof(ps_result, births_gained_window_discounted),
    offsetof(ps_result, cost_per_additional_birth_window),
    offsetof(ps_result, cost_per_additional_birth_window_discounted),
    offsetof(ps_result, service_subsidy_extra),
    offsetof(ps_result, service_subsidy_extra_discounted),
    offsetof(ps_result, births_gained_first_gen),
    offsetof(ps_result, births_gained_first_gen_window),
    offsetof(ps_result, births_gained_window_share),
    offsetof(ps_result, budget_cap) + 0 * sizeof(double),
    offsetof(ps_result, budget_cap) + 1 * sizeof(double),
    offsetof(ps_result, budget_cap) + 2 * sizeof(double),
    offsetof(ps_result, budget_cap) + 3 * sizeof(double),
};
_Static_assert(PS_LEDGER_PAYERS == 4, "serialize every budget cap");
#define N_SCALARS (sizeof SCALARS / sizeof SCALARS[0])

/* The arrays of a result with their counts; returns how many. */
static int result_arrays(field *f, const dims *d)
{
    const field all[] = {
        { offsetof(ps_result, population), d->sexage },
        { offsetof(ps_result, births), d->sex },
        { offsetof(ps_result, deaths), d->sexage },
        { offsetof(ps_result, net_migration), d->sexage },
        { offsetof(ps_result, asfr), d->age },
        { offsetof(ps_result, tfr), d->reg },
        { offsetof(ps_result, e0), d->sex },
        { offsetof(ps_result, births_by_order), d->order },
        { offsetof(ps_result, women_by_parity), d->parity },
        { offsetof(ps_result, births_gained), d->reg },
        { offsetof(ps_result, internal_in), d->sexage },  /* regions (issue #13) */
        { offsetof(ps_result, internal_out), d->sexage },
        { offsetof(ps_result, internal_net), d->sexage },
        { offsetof(ps_result, flows), d->flows },
        { offsetof(ps_result, registered), d->sexage },
        { offsetof(ps_result, fertility_calibration), d->year }, /* issue #12 */
        { offsetof(ps_result, budget_cap_by_year) + 0 * sizeof(double *), d->year },
        { offsetof(ps_result, budget_cap_by_year) + 1 * sizeof(double *), d->year },
        { offsetof(ps_result, budget_cap_by_year) + 2 * sizeof(double *), d->year },
        { offsetof(ps_result, budget_cap_by_year) + 3 * sizeof(double *), d->year },
    };
    memcpy(f, all, sizeof all);
    return (int)(sizeof all / sizeof all[0]);
}

#define MAX_ARRAYS 24

static void put_result(ps_wbuf *b, const ps_result *r)
{
    const dims d = dims_of(r->n_years, r->n_regions, r->n_ages);
    field f[MAX_ARRAYS];
    put_str(b, r->name);
    put_str(b, r->title);
    ps_wbuf_i32(b, r->start_year);
    ps_wbuf_i32(b, r->n_years);
    ps_wbuf_i32(b, r->n_regions);
    ps_wbuf_i32(b, r->n_ages);
    for (int reg = 0; reg < r->n_regions; ++reg) {
        put_str(b, r->region_names != NULL ? r->region_names[reg] : NULL);
    }
    const int n = result_arrays(f, &d);
    for (int k = 0; k < n; ++k) {
        put_arr(b, array_in(r, f[k].offset), f[k].count);
    }
    for (size_t k = 0; k < N_SCALARS; ++k) {
        double v;
        memcpy(&v, (const char *)r + SCALARS[k], sizeof v);
        ps_wbuf_f64(b, v);
    }
    put_str(b, r->baseline);
    ps_wbuf_i32(b, r->n_instruments);
    for (int i = 0; i < r->n_instruments; ++i) {
        const ps_ledger *l = &r->ledger[i];
        put_str(b, l->name);
        ps_wbuf_i32(b, l->lever);
        put_arr(b, l->recipients, d.reg);
        put_arr(b, l->cost, d.reg);
        put_arr(b, l->cost_discounted, d.reg);
        put_arr(b, l->cost_by_payer, d.reg * PS_LEDGER_PAYERS);
    }
}

/* Dimensions a reader accepts before it sizes anything from them. */
static int dims_ok(const ps_result *r, size_t bytes_left)
{
    if (r->n_years < 2 || r->n_years > PS_RESULT_YEAR_MAX - PS_RESULT_YEAR_MIN ||
        r->n_regions < 1 || r->n_ages < 2 || r->start_year < PS_RESULT_YEAR_MIN ||
        r->start_year > PS_RESULT_YEAR_MAX) {
        return 0;
    }
    /* Every region has a name entry of at least 8 bytes. The arrays may be absent (a sweep
     * point's compact result has no population), so the cells are bounded by a limit that
     * keeps dims_of's products (the flows: cells x regions x 2) far from overflow; get_arr
     * checks each array present against the bytes left. */
    const size_t cells = (size_t)r->n_years * (size_t)r->n_regions * (size_t)r->n_ages;
    return (size_t)r->n_regions <= bytes_left / sizeof(uint64_t) &&
           cells / (size_t)r->n_ages / (size_t)r->n_regions == (size_t)r->n_years &&
           cells <= ((size_t)1 << 40) / (size_t)r->n_regions / 16;
}

static void get_result(ps_rbuf *b, ps_result *r)
{
    field f[MAX_ARRAYS];
    r->name = get_str(b);
    r->title = get_str(b);
    r->start_year = ps_rbuf_i32(b);
    r->n_years = ps_rbuf_i32(b);
    r->n_regions = ps_rbuf_i32(b);
    r->n_ages = ps_rbuf_i32(b);
    if (b->bad || b->nomem || r->name == NULL || !dims_ok(r, b->len - b->pos)) {
        b->bad = !b->nomem;
        r->n_regions = 0;
        return;
    }
    if ((r->region_names = calloc((size_t)r->n_regions, sizeof *r->region_names)) == NULL) {
        b->nomem = 1;
        r->n_regions = 0;
        return;
    }
    for (int reg = 0; reg < r->n_regions; ++reg) {
        r->region_names[reg] = get_str(b);
    }
    const dims d = dims_of(r->n_years, r->n_regions, r->n_ages);
    const int n = result_arrays(f, &d);
    for (int k = 0; k < n; ++k) {
        set_array(r, f[k].offset, get_arr(b, f[k].count));
    }
    for (size_t k = 0; k < N_SCALARS; ++k) {
        const double v = ps_rbuf_f64(b);
        memcpy((char *)r + SCALARS[k], &v, sizeof v);
    }
    r->baseline = get_str(b);
    const int n_instruments = ps_rbuf_i32(b);
    if (b->bad || n_instruments < 0 || (size_t)n_instruments > b->len - b->pos) {
        b->bad = !b->nomem;
        return;
    }
    if (n_instruments > 0 &&
        (r->ledger = calloc((size_t)n_instruments, sizeof *r->ledger)) == NULL) {
        b->nomem = 1;
        return;
    }
    r->n_instruments = n_instruments;
    for (int i = 0; i < n_instruments; ++i) {
        ps_ledger *l = &r->ledger[i];
        l->name = get_str(b);
        l->lever = ps_rbuf_i32(b);
        l->recipients = get_arr(b, d.reg);
        l->cost = get_arr(b, d.reg);
        l->cost_discounted = get_arr(b, d.reg);
        l->cost_by_payer = get_arr(b, d.reg * PS_LEDGER_PAYERS);
    }
}

/* ---- the micro outputs ------------------------------------------------------------------ */

static int extra_arrays(field *f, const ps_micro_extra *x)
{
    const size_t yr = (size_t)x->n_years * (size_t)x->n_regions;
    const field all[] = {
        { offsetof(ps_micro_extra, births_by_income), yr * PS_INCOME_COUNT * PS_ORDER_COUNT },
        { offsetof(ps_micro_extra, under3), yr * PS_INCOME_COUNT },
        { offsetof(ps_micro_extra, under3_enrolled), yr * PS_INCOME_COUNT },
        { offsetof(ps_micro_extra, care), yr * (size_t)x->care_levels * (size_t)x->n_ages },
        { offsetof(ps_micro_extra, disabled_elderly), yr * 2 }, /* [has_child] */
        { offsetof(ps_micro_extra, ledger_by_income), yr * PS_INCOME_COUNT },
    };
    memcpy(f, all, sizeof all);
    return (int)(sizeof all / sizeof all[0]);
}

static void put_extra(ps_wbuf *b, const ps_micro_extra *x)
{
    field f[MAX_ARRAYS];
    ps_wbuf_i32(b, x->n_years);
    ps_wbuf_i32(b, x->n_regions);
    ps_wbuf_i32(b, x->n_ages);
    ps_wbuf_i32(b, x->care_levels);
    const int n = extra_arrays(f, x);
    for (int k = 0; k < n; ++k) {
        put_arr(b, array_in(x, f[k].offset), f[k].count);
    }
}

static void get_extra(ps_rbuf *b, ps_micro_extra *x, const ps_result *r)
{
    field f[MAX_ARRAYS];
    x->n_years = ps_rbuf_i32(b);
    x->n_regions = ps_rbuf_i32(b);
    x->n_ages = ps_rbuf_i32(b);
    x->care_levels = ps_rbuf_i32(b);
    if (b->bad || x->n_years != r->n_years || x->n_regions != r->n_regions ||
        x->n_ages != r->n_ages || x->care_levels < 0 ||
        x->care_levels > PS_MICRO_CARE_LEVELS_MAX) {
        b->bad = 1;
        return;
    }
    const int n = extra_arrays(f, x);
    for (int k = 0; k < n; ++k) {
        set_array(x, f[k].offset, get_arr(b, f[k].count));
    }
}

/* ---- the person sample ------------------------------------------------------------------ */

static void put_person(ps_wbuf *b, const ps_micro_person *p)
{
    const int32_t f[] = { (int32_t)p->id, (int32_t)p->mother, p->alive, p->age, p->sex,
                          p->region, p->parity, p->youngest_child_age, p->mother_age_at_birth,
                          p->income, p->care, p->enrolled };
    ps_wbuf_put(b, f, sizeof f);
}

#define PERSON_FIELDS 12

static void get_person(ps_rbuf *b, ps_micro_person *p)
{
    int32_t f[PERSON_FIELDS];
    ps_rbuf_get(b, f, sizeof f);
    p->id = (uint32_t)f[0];
    p->mother = (uint32_t)f[1];
    p->alive = f[2];
    p->age = f[3];
    p->sex = f[4];
    p->region = f[5];
    p->parity = f[6];
    p->youngest_child_age = f[7];
    p->mother_age_at_birth = f[8];
    p->income = f[9];
    p->care = f[10];
    p->enrolled = f[11];
}

/* ---- the unit --------------------------------------------------------------------------- */

int ps_run_unit_done(const ps_run *run, int member, int replicate)
{
    ps_run__unit_slot slot;
    return ps_run__slot(&slot, run, member, replicate, NULL) == PS_OK &&
           *slot.done;
}

ps_status ps_run_unit_get(void **bytes_out, size_t *len_out, const ps_run *run, int member,
                          int replicate, ps_error *err)
{
    ps_run__unit_slot s;
    ps_wbuf b = { 0 };
    *bytes_out = NULL;
    *len_out = 0;
    ps_status rc = ps_run__slot(&s, run, member, replicate, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (!*s.done) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) is not done",
                            member, replicate);
    }
    ps_wbuf_put(&b, UNIT_MAGIC, sizeof UNIT_MAGIC);
    ps_wbuf_i32(&b, member);
    ps_wbuf_i32(&b, replicate);
    put_result(&b, s.res);
    ps_wbuf_u64(&b, s.extra != NULL ? 1 : 0);
    if (s.extra != NULL) {
        put_extra(&b, s.extra);
    }
    ps_wbuf_u64(&b, s.sample != NULL ? (uint64_t)*s.n_sample : NONE);
    for (size_t i = 0; s.sample != NULL && i < *s.n_sample; ++i) {
        put_person(&b, &(*s.sample)[i]);
    }
    if (b.failed) {
        free(b.data);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the bytes of unit (member %d, "
                            "replicate %d)", member, replicate);
    }
    *bytes_out = b.data;
    *len_out = b.len;
    return PS_OK;
}

/* What a put unit brings, parsed before anything in the run changes. */
typedef struct parsed {
    int member, replicate;
    ps_result res;
    int has_extra;
    ps_micro_extra extra;
    uint64_t n_sample; /* NONE: no sample slot */
    ps_micro_person *sample;
} parsed;

static void parsed_release(parsed *p)
{
    ps_result_release(&p->res);
    ps_micro_extra_release(&p->extra);
    free(p->sample);
}

static void parse_unit(ps_rbuf *b, parsed *p)
{
    char magic[sizeof UNIT_MAGIC];
    ps_rbuf_get(b, magic, sizeof magic);
    if (memcmp(magic, UNIT_MAGIC, sizeof magic) != 0) {
        b->bad = 1;
        return;
    }
    p->member = ps_rbuf_i32(b);
    p->replicate = ps_rbuf_i32(b);
    get_result(b, &p->res);
    const uint64_t has_extra = ps_rbuf_u64(b);
    if (b->bad || b->nomem || has_extra > 1) {
        b->bad = !b->nomem;
        return;
    }
    p->has_extra = (int)has_extra;
    if (p->has_extra) {
        get_extra(b, &p->extra, &p->res);
    }
    p->n_sample = ps_rbuf_u64(b);
    const size_t person = PERSON_FIELDS * sizeof(int32_t);
    if (b->bad || (p->n_sample != NONE && p->n_sample > (b->len - b->pos) / person)) {
        b->bad = 1;
        return;
    }
    if (p->n_sample != NONE && p->n_sample > 0 &&
        (p->sample = malloc((size_t)p->n_sample * sizeof *p->sample)) == NULL) {
        b->nomem = 1;
        return;
    }
    for (uint64_t i = 0; p->n_sample != NONE && i < p->n_sample; ++i) {
        get_person(b, &p->sample[i]);
    }
    if (b->pos != b->len) {
        b->bad = 1; /* trailing bytes */
    }
}

/* PS_EINVAL unless the parsed unit fits the slot: same dimensions as a result of this run,
 * micro parts exactly where the run has them. */
static ps_status check_fits(const parsed *p, const ps_run__unit_slot *s, const ps_run *run,
                            ps_error *err)
{
    const ps_run__identity id = ps_run__identify(run);
    if (*s->done) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) is already done "
                            "in this run", p->member, p->replicate);
    }
    if ((s->extra != NULL) != (p->has_extra != 0) ||
        (s->sample != NULL) != (p->n_sample != NONE)) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) comes from a run "
                            "with another engine", p->member, p->replicate);
    }
    if (id.scn != NULL && !id.plain && strcmp(p->res.name, id.scn->members[p->member].name) != 0) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) is scenario '%s', "
                            "not '%s' of this run", p->member, p->replicate, p->res.name,
                            id.scn->members[p->member].name);
    }
    return PS_OK;
}

/* Move the parsed unit into its slot (which holds nothing yet). */
static void install(parsed *p, const ps_run__unit_slot *s)
{
    *s->res = p->res;
    memset(&p->res, 0, sizeof p->res);
    if (s->extra != NULL) {
        *s->extra = p->extra;
        memset(&p->extra, 0, sizeof p->extra);
    }
    if (s->sample != NULL) {
        free(*s->sample);
        *s->sample = p->sample;
        *s->n_sample = (size_t)p->n_sample;
        p->sample = NULL;
    }
    *s->done = 1;
}

ps_status ps_run_unit_put(ps_run *run, const void *bytes, size_t len, int *member_out,
                          int *replicate_out, ps_error *err)
{
    ps_rbuf b = { .data = bytes, .len = len };
    parsed p;
    ps_run__unit_slot s;
    ps_status rc = PS_OK;
    memset(&p, 0, sizeof p);
    parse_unit(&b, &p);
    if (b.nomem) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for a unit of %zu bytes", len);
    } else if (b.bad) {
        rc = ps_error_set(err, PS_EPARSE, "the bytes of a unit are truncated or malformed "
                          "(%zu bytes, stopped at byte %zu)", len, b.pos);
    }
    if (rc == PS_OK) {
        rc = ps_run__slot(&s, run, p.member, p.replicate, err);
    }
    if (rc == PS_OK) {
        rc = check_fits(&p, &s, run, err);
    }
    if (rc == PS_OK) {
        install(&p, &s);
        if (member_out != NULL) {
            *member_out = p.member;
        }
        if (replicate_out != NULL) {
            *replicate_out = p.replicate;
        }
    }
    parsed_release(&p);
    return rc;
}

/* ---- shares ----------------------------------------------------------------------------- */

void ps_run_share(int *first_out, int *end_out, int n_units, int task, int n_tasks)
{
    *first_out = (int)((long long)n_units * task / n_tasks);
    *end_out = (int)((long long)n_units * (task + 1) / n_tasks);
}

ps_status ps_run_compute_range(ps_run *run, int first, int end, ps_error *err)
{
    ps_status rc = PS_OK;
    if (first < 0 || end < first || end > ps_run_n_units(run)) {
        return ps_error_set(err, PS_EINVAL, "units %d..%d are not a range of the %d units of "
                            "this run", first, end - 1, ps_run_n_units(run));
    }
    for (int k = first; rc == PS_OK && k < end; ++k) {
        int member = 0, replicate = 0;
        ps_run_unit_at(run, k, &member, &replicate);
        if (member > 0 && !ps_run_unit_done(run, 0, replicate)) {
            rc = ps_run_unit(run, 0, replicate, err); /* a helper: its owner sends it */
        }
        if (rc == PS_OK) {
            rc = ps_run_unit(run, member, replicate, err);
        }
    }
    return rc;
}

/* ---- identity --------------------------------------------------------------------------- */

size_t ps_run_estimate_bytes(const ps_run *run)
{
    const ps_run__identity id = ps_run__identify(run);
    ps_mem_shape shape = { ps_inputs_steps(id.in), id.in->n_regions, id.in->n_ages,
                           ps_run__held_results(id.scn, id.n_members) };
    if (id.scn == NULL || id.scn->engine != PS_ENGINE_MICRO) {
        const size_t full = ps_mem_estimate(&shape);
        const size_t compact = ps_run__compact_bytes(id.scn, id.in);
        return full == SIZE_MAX || compact > SIZE_MAX - full ? SIZE_MAX : full + compact;
    }
    /* As ps_run__micro_memory_check: the store's estimate counts one result already. */
    ps_mem_shape one = shape;
    one.n_scenarios = 1;
    shape.n_scenarios = id.n_members * (id.n_replicates + 1);
    const size_t store = ps_micro_estimate_bytes(id.in, id.scn->micro.scale);
    const size_t res = ps_mem_estimate(&shape), res1 = ps_mem_estimate(&one);
    if (store == SIZE_MAX || res == SIZE_MAX || store > SIZE_MAX - res) {
        return SIZE_MAX;
    }
    return store + res - res1;
}

unsigned long long ps_run_seed(const ps_run *run)
{
    const ps_run__identity id = ps_run__identify(run);
    return id.scn != NULL && id.scn->engine == PS_ENGINE_MICRO
               ? (unsigned long long)id.scn->micro.seed : 0ULL;
}

void ps_run_identity(char hex_out[65], const ps_run *run)
{
    const ps_run__identity id = ps_run__identify(run);
    ps_wbuf b = { 0 };
    put_str(&b, id.scn != NULL ? id.scn->sha256 : "");
    ps_wbuf_i32(&b, id.mode);
    ps_wbuf_i32(&b, id.n_members);
    ps_wbuf_i32(&b, id.n_replicates);
    ps_wbuf_u64(&b, ps_run_seed(run));
    ps_wbuf_i32(&b, (int)id.opts->elasticity);
    put_str(&b, id.opts->name);
    for (int k = 0; k < id.opts->n_inputs; ++k) {
        const ps_input_source *s = &id.opts->inputs[k];
        put_str(&b, s->kind);
        put_str(&b, s->source);
        put_str(&b, s->detail);
        put_str(&b, s->sha256);
    }
    if (b.failed) { /* out of memory: an identity that matches nothing */
        snprintf(hex_out, 65, "%064d", 0);
    } else {
        ps_sha256_hex(hex_out, b.data, b.len);
    }
    free(b.data);
}
