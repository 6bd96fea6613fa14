/*
 * result.c - allocation and simple totals of a projection result.
 * Every array starts as NaN (the output _FillValue), so a value never computed
 * cannot pass for a zero.
 */
#include "popsim/result.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str_int.h"
static double *nan_array(size_t n)
{
    double *a = malloc(n * sizeof *a);
    if (a != NULL) {
        for (size_t i = 0; i < n; ++i) {
            a[i] = NAN;
        }
    }
    return a;
}

ps_status ps_result_init(ps_result *r, const char *name, const char *title, int start_year,
                         int n_years, int n_regions, int n_ages, const char *const *region_names,
                         ps_error *err)
{
    memset(r, 0, sizeof *r);
    if (n_years < 2 || n_regions < 1 || n_ages < 2 || name == NULL) {
        return ps_error_set(err, PS_EINVAL,
                            "a result needs a name, >= 2 years, >= 1 region and >= 2 ages "
                            "(got %d years, %d regions, %d ages)", n_years, n_regions, n_ages);
    }
    if (start_year < PS_RESULT_YEAR_MIN || start_year > PS_RESULT_YEAR_MAX ||
        n_years > PS_RESULT_YEAR_MAX - start_year + 1) {
        return ps_error_set(err, PS_EINVAL, "a result's years must lie in %d..%d (got %d "
                            "years from %d)", PS_RESULT_YEAR_MIN, PS_RESULT_YEAR_MAX, n_years,
                            start_year);
    }
    r->births_gained_total = NAN;
    r->cost_total = NAN;
    r->cost_total_discounted = NAN;
    r->cost_per_additional_birth = NAN;
    r->cost_per_additional_birth_discounted = NAN;
    r->births_gained_discounted = NAN;
    r->discount_rate = NAN;
    r->window_first = r->window_last = NAN;
    r->births_gained_window = r->births_gained_window_discounted = NAN;
    r->cost_per_additional_birth_window = NAN;
    r->cost_per_additional_birth_window_discounted = NAN;
    r->service_subsidy_extra = NAN;
    r->service_subsidy_extra_discounted = NAN;
    r->births_gained_first_gen = r->births_gained_first_gen_window = NAN;
    r->births_gained_window_share = NAN;
    for (int payer = 0; payer < PS_LEDGER_PAYERS; ++payer) {
        r->budget_cap[payer] = NAN;
    }
    r->start_year = start_year;
    r->n_years = n_years;
    r->n_regions = n_regions;
    r->n_ages = n_ages;
    size_t cells = (size_t)n_years * (size_t)n_regions * PS_SEX_COUNT * (size_t)n_ages;
    size_t sexcells = (size_t)n_years * (size_t)n_regions * PS_SEX_COUNT;
    size_t agecells = (size_t)n_years * (size_t)n_regions * (size_t)n_ages;
    size_t regcells = (size_t)n_years * (size_t)n_regions;
    r->name = ps__strdup(name);
    r->title = ps__strdup(title);
    r->region_names = calloc((size_t)n_regions, sizeof *r->region_names);
    r->population = nan_array(cells);
    r->births = nan_array(sexcells);
    r->deaths = nan_array(cells);
    r->net_migration = nan_array(cells);
    r->asfr = nan_array(agecells);
    r->tfr = nan_array(regcells);
    r->e0 = nan_array(sexcells);
    int ok = r->name && (title == NULL || r->title) && r->region_names && r->population &&
             r->births && r->deaths && r->net_migration && r->asfr && r->tfr && r->e0;
    for (int reg = 0; ok && reg < n_regions; ++reg) {
        char buf[32];
        const char *nm = region_names ? region_names[reg] : NULL;
        if (nm == NULL) {
            snprintf(buf, sizeof buf, "region%d", reg + 1);
            nm = buf;
        }
        r->region_names[reg] = ps__strdup(nm);
        ok = r->region_names[reg] != NULL;
    }
    if (!ok) {
        ps_result_release(r);
        return ps_error_set(err, PS_ENOMEM, "out of memory for a result of %zu cells", cells);
    }
    return PS_OK;
}

static int year_index(const ps_result *r, int year)
{
    int y = year - r->start_year;
    return (y >= 0 && y < r->n_years) ? y : -1;
}

/* Sum of cells[year, reg, sex, age] (a (year, region, sex, age) array) over every region and
 * sex and ages age_lo..age_hi (those below n_ages), in storage order; NaN for a year outside. */
static double sum_ages(const ps_result *r, const double *cells, int year, int age_lo,
                       int age_hi)
{
    int y = year_index(r, year);
    if (y < 0) {
        return NAN;
    }
    double sum = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = age_lo; age <= age_hi && age < r->n_ages; ++age) {
                sum += cells[ps_result_cell(r, y, reg, sex, age)];
            }
        }
    }
    return sum;
}

double ps_result_age_range(const ps_result *r, int year, int age_lo, int age_hi)
{
    return sum_ages(r, r->population, year, age_lo, age_hi);
}

double ps_result_total(const ps_result *r, int year)
{
    return ps_result_age_range(r, year, 0, r->n_ages - 1);
}

double ps_result_births(const ps_result *r, int year)
{
    int y = year_index(r, year);
    if (y < 0) {
        return NAN;
    }
    double sum = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            sum += r->births[ps_result_sexcell(r, y, reg, sex)];
        }
    }
    return sum;
}

double ps_result_deaths(const ps_result *r, int year)
{
    return sum_ages(r, r->deaths, year, 0, r->n_ages - 1);
}

ps_status ps_result_init_parity(ps_result *r, ps_error *err)
{
    size_t base = (size_t)r->n_years * (size_t)r->n_regions;
    r->births_by_order = nan_array(base * PS_ORDER_COUNT);
    r->women_by_parity = nan_array(base * (size_t)r->n_ages * PS_PARITY_COUNT);
    if (r->births_by_order == NULL || r->women_by_parity == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for birth-order results");
    }
    return PS_OK;
}

ps_status ps_result_init_ledgers(ps_result *r, const char *baseline, int n_instruments,
                                 const char *const *names, ps_error *err)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    r->baseline = ps__strdup(baseline);
    r->births_gained = nan_array(cells);
    r->ledger = n_instruments > 0 ? calloc((size_t)n_instruments, sizeof *r->ledger) : NULL;
    int ok = (baseline == NULL || r->baseline) && r->births_gained &&
             (n_instruments == 0 || r->ledger);
    r->n_instruments = r->ledger != NULL ? n_instruments : 0; /* entries zeroed: releasable */
    for (int i = 0; ok && i < n_instruments; ++i) {
        ps_ledger *l = &r->ledger[i];
        l->name = ps__strdup(names[i]);
        l->recipients = nan_array(cells);
        l->cost = nan_array(cells);
        l->cost_discounted = nan_array(cells);
        l->cost_by_payer = nan_array(cells * PS_LEDGER_PAYERS);
        ok = l->name && l->recipients && l->cost && l->cost_discounted && l->cost_by_payer;
    }
    return ok ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory for the policy ledger");
}

static void free_names(char **names, int n)
{
    for (int i = 0; names != NULL && i < n; ++i) {
        free(names[i]);
    }
    free(names);
}

void ps_result_release_services(ps_result *r)
{
    for (int k = 0; r->services != NULL && k < r->n_services; ++k) {
        ps_svc_result *s = &r->services[k];
        free(s->name);
        free(s->title);
        free_names(s->class_names, s->n_classes);
        free_names(s->home_names, s->n_home);
        double *arrays[] = { s->target, s->demand, s->capacity, s->shortage, s->surplus,
                             s->utilization, s->per_1000, s->staff, s->groups, s->cost,
                             s->fees, s->subsidy, s->subsidy_recipients, s->new_places,
                             s->nursing_capacity, s->demand_by_class, s->home_services,
                             s->stock, s->stock_public, s->stock_staff, s->demand_served,
                             s->gap_target, s->gap_demand, s->build };
        for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; ++a) {
            free(arrays[a]);
        }
    }
    free(r->services);
    r->services = NULL;
    r->n_services = 0;
    free_names(r->care_level_names, r->n_care_levels);
    r->care_level_names = NULL;
    r->n_care_levels = 0;
    free(r->care_need);
    r->care_need = NULL;
    free(r->dependency);
    r->dependency = NULL;
}

ps_status ps_result_init_internal(ps_result *r, ps_error *err)
{
    const size_t cells = (size_t)r->n_years * (size_t)r->n_regions * PS_SEX_COUNT *
                         (size_t)r->n_ages;
    r->internal_in = nan_array(cells);
    r->internal_out = nan_array(cells);
    r->internal_net = nan_array(cells);
    if (r->internal_in == NULL || r->internal_out == NULL || r->internal_net == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for internal migration");
    }
    return PS_OK;
}

ps_status ps_result_init_flows(ps_result *r, ps_error *err)
{
    const size_t cells = (size_t)r->n_years * (size_t)r->n_regions * (size_t)r->n_regions *
                         PS_SEX_COUNT * (size_t)r->n_ages;
    r->flows = nan_array(cells);
    if (r->flows == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the flows output of %d regions",
                            r->n_regions);
    }
    return PS_OK;
}

void ps_result_release(ps_result *r)
{
    if (r == NULL) {
        return;
    }
    ps_result_release_services(r);
    if (r->micro != NULL) {
        assert(r->micro_free != NULL);
        r->micro_free(r->micro);
    }
    for (int i = 0; i < r->n_instruments; ++i) {
        free(r->ledger[i].name);
        free(r->ledger[i].recipients);
        free(r->ledger[i].cost);
        free(r->ledger[i].cost_discounted);
        free(r->ledger[i].cost_by_payer);
    }
    free(r->ledger);
    free(r->baseline);
    free(r->births_gained);
    free(r->births_by_order);
    free(r->women_by_parity);
    free(r->fertility_calibration);
    for (int payer = 0; payer < PS_LEDGER_PAYERS; ++payer) {
        free(r->budget_cap_by_year[payer]);
    }
    free(r->internal_in);
    free(r->internal_out);
    free(r->internal_net);
    free(r->flows);
    free(r->registered);
    free(r->range);
    if (r->region_names != NULL) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            free(r->region_names[reg]);
        }
    }
    free(r->region_names);
    free(r->name);
    free(r->title);
    free(r->population);
    free(r->births);
    free(r->deaths);
    free(r->net_migration);
    free(r->asfr);
    free(r->tfr);
    free(r->e0);
    memset(r, 0, sizeof *r);
}
