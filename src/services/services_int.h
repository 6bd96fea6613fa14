/*
 * services_int.h - library-internal parts of the service computation shared between
 * services.c and stock.c (existing stock, cross-district use and places to build).
 */
#ifndef PS_SERVICES_INT_H
#define PS_SERVICES_INT_H

#include "popsim/result.h"
#include "popsim/services.h"

/**
 * After o's demand and capacity are computed for every year and region: allocate and fill
 * o's stock, stock_public, stock_staff, gap_target, gap_demand and build (with a stock file)
 * and demand_served (with a stock file or a cross-district share). Nothing to do without
 * either. @return PS_OK; PS_EINVAL from ps_svc_stock_resolve; PS_ENOMEM
 */
ps_status ps_services__stock(ps_svc_result *o, const ps_result *r, const ps_service *s,
                             ps_error *err);

/**
 * Cross-district use (docs/services.md sec. 8.2): served[reg] = (1 - share) demand[reg] plus
 * share x demand[q] of every other region q, spread over the regions other than q in
 * proportion to weight[]. A region whose other regions have no weight keeps its share.
 * Arrays have n_regions entries; the total is conserved.
 */
void ps_services__catchment(double *served, const double *demand, const double *weight,
                            int n_regions, double share);

/**
 * The build rule (docs/services.md sec. 8.1) over n_years years of one region: available
 * places A(y) = max(stock(y), A(y-1) + build(y-1)) with A(-1) = 0, and
 * build(y) = max(0, capacity(y) - A(y)); NaN where the capacity is NaN (which leaves the
 * places built so far unchanged). stride is the distance between consecutive years in the
 * arrays (the number of regions).
 */
void ps_services__build(double *build, const double *stock, const double *capacity,
                        int n_years, size_t stride);

#endif /* PS_SERVICES_INT_H */
