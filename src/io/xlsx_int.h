/*
 * xlsx_int.h - library-internal reading of one sheet of an .xlsx workbook as CSV text
 * (src/io/xlsx.c), used by the planner readers so that every CSV input may be a sheet.
 */
#ifndef PS_IO_XLSX_INT_H
#define PS_IO_XLSX_INT_H

#include <stddef.h>

#include "popsim/error.h"

/* Where each CSV line and field of a converted sheet came from. */
typedef struct ps_xlsx_map ps_xlsx_map;

/**
 * 1 if path names a workbook: it ends in .xlsx, .xlsm or .xls (any case), or it is a
 * regular file whose first bytes are those of a zip archive or of an old binary .xls.
 */
int ps_xlsx__is_workbook(const char *path);

/**
 * Read sheet `sheet` (NULL: the first) of the workbook at path as CSV text: one line per
 * non-empty row, fields from column A to the row's last non-empty cell, quoted as RFC 4180
 * requires. Numbers come as Excel stored them; formulas by their cached values.
 * @param[out] csv_out  the text (malloc'ed, NUL-terminated), owned by the caller
 * @param[out] map_out  where each line came from, for ps_xlsx__locate; ps_xlsx__map_free
 * @return PS_OK; PS_EIO (cannot open); PS_EPARSE (a legacy .xls, not a zip, damaged part,
 *         malformed XML, no such part; the message says what to do); PS_EINVAL (no sheet of
 *         that name, naming the sheets there are; a part over 64 MiB; an error cell); PS_ENOMEM
 */
ps_status ps_xlsx__read_sheet(char **csv_out, size_t *len_out, ps_xlsx_map **map_out,
                              const char *path, const char *sheet, ps_error *err);

/**
 * Rewrite an error located in the converted text (err->path equal to the workbook's path,
 * line and byte column in the CSV text) as the sheet's cell: "book.xlsx:Sheet1!C7" with
 * line and column 0. Errors about other files are left alone.
 */
void ps_xlsx__locate(const ps_xlsx_map *m, ps_error *err);

void ps_xlsx__map_free(ps_xlsx_map *m); /* accepts NULL */

#endif /* PS_IO_XLSX_INT_H */
