/*
 * wide_int.h - library-internal reading of yearbook-style wide tables (src/io/wide.c):
 * one row per age group, one column per sex ([year,] age, male, female [, total]).
 */
#ifndef PS_IO_WIDE_INT_H
#define PS_IO_WIDE_INT_H

#include <stddef.h>

#include "io/csv_int.h"
#include "popsim/error.h"

/* Where the columns of a wide table are (field indices; -1 if absent). */
typedef struct ps_wide_layout {
    int year, age, male, female, total;
    int n_fields; /* fields of the header, trailing empty ones dropped */
} ps_wide_layout;

typedef struct ps_wide_map ps_wide_map;

/**
 * 1 if the header row names a wide table: an age column (age, 年龄, 年龄组, ...), a male and
 * a female column (male, M, 男, ...; female, F, 女, ...), an optional total (total, 合计,
 * 总计) and, when has_year, a year column (year, 年份); 0 otherwise.
 */
int ps_wide__header(ps_wide_layout *lay, const ps_csv_row *row, int has_year);

/**
 * Read the rest of the wide table from c into long CSV text, with `long_header` as its
 * first line and one line per sex of each age row: [year,]M|F,age,value. Age labels are
 * normalised (0-4岁 -> 0-4, 85岁及以上 -> 85+). A total column must equal male + female on
 * its row; a totals row (合计, 总计, total) must equal the sum of the age rows (per year).
 * @return PS_OK; PS_EINVAL for a total that does not add up (located at its cell);
 *         PS_EPARSE for a short row; PS_ENOMEM; the reader's errors
 */
ps_status ps_wide__convert(char **text_out, size_t *len_out, ps_wide_map **map_out, ps_csv *c,
                           const ps_wide_layout *lay, const char *long_header, ps_error *err);

/** Rewrite an error located in the long text as the wide table's line and column. */
void ps_wide__locate(const ps_wide_map *m, ps_error *err);

void ps_wide__map_free(ps_wide_map *m); /* accepts NULL */

#endif /* PS_IO_WIDE_INT_H */
