/*
 * stock_int.h - library-internal reader of a service's stock CSV (src/io/stock_csv.c,
 * docs/input-format.md "Stock"), called by the scenario loader.
 */
#ifndef PS_IO_STOCK_INT_H
#define PS_IO_STOCK_INT_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/services.h"

/**
 * Read st->path and append to st->rows the rows whose type is st->type (both set by the
 * caller); set st->has_ownership. `types` (types_size bytes) receives the file's facility
 * types, "a, b, c", for the caller's message when no row has st->type.
 * @return PS_OK; PS_EIO; PS_EPARSE (header, field count, a number, year or ownership that
 *         does not parse, an empty region or type, no data rows) and PS_EINVAL (a negative
 *         count), each at path:line:col; PS_ENOMEM
 */
ps_status ps_io__read_stock(ps_svc_stock *st, char *types, size_t types_size, ps_error *err);

#endif /* PS_IO_STOCK_INT_H */
