/*
 * io/region_col_int.h - planners' tables with a region column (issue #13): one file holds
 * the rows of every region of a multiregional scenario, its first column (`region`, `地区`
 * or `区县`) naming the region of each row. The input builder reads such a file once per
 * region through a *selected path*, the file's path and the region's name joined by
 * PS_REGION_COL_SEP (a control character no file name of a scenario carries); the planner
 * readers split it again, read only that region's rows (the region field dropped, lines
 * and columns as in the file) and report errors at the file's own path.
 */
#ifndef PS_IO_REGION_COL_INT_H
#define PS_IO_REGION_COL_INT_H

#include <stddef.h>

#include "popsim/error.h"

#define PS_REGION_COL_SEP '\x1f'

/* 1 if a header field names the region column (`region`, any case; `地区`; `区县`). */
int ps_region_col__is_header(const char *field);

/* The file part of a selected path written into file[size] (the whole path if it selects
 * nothing); returns the selected region's name inside `path`, or NULL. */
const char *ps_region_col__split(char *file, size_t size, const char *path);

/* "path<SEP>region" in *out (malloc'ed; the caller frees). @return PS_OK; PS_ENOMEM */
ps_status ps_region_col__select(char **out, const char *path, const char *region,
                                ps_error *err);

/*
 * Whether the planner table at `path` (CSV or workbook sheet) has a region column, and if so
 * that its values are the scenario's regions: a row naming another region is an error at
 * its field, a region of the scenario without a row an error at the header's region field.
 * @param[out] has  1 with a region column, else 0 (the file is then not read further)
 * @return PS_OK; PS_EIO; PS_EPARSE; PS_EINVAL (located at path:line:col)
 */
ps_status ps_plan__region_column(int *has, const char *path, const char *const *names, int n,
                                 ps_error *err);

#endif /* PS_IO_REGION_COL_INT_H */
