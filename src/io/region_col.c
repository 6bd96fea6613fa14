/*
 * region_col.c - selected paths of planners' tables with a region column (issue #13; see
 * io/region_col_int.h). The scan of such a table against the scenario's regions lives with
 * the readers in planner.c (it opens CSV files and workbook sheets alike).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/region_col_int.h"

int ps_region_col__is_header(const char *field)
{
    static const char *const words[] = { "region", "地区", "区县" };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; ++k) {
        const char *a = field, *b = words[k];
        while (*a != '\0' && *b != '\0' &&
               tolower((unsigned char)*a) == tolower((unsigned char)*b)) {
            ++a;
            ++b;
        }
        if (*a == '\0' && *b == '\0') {
            return 1;
        }
    }
    return 0;
}

const char *ps_region_col__split(char *file, size_t size, const char *path)
{
    const char *sep = strchr(path, PS_REGION_COL_SEP);
    const size_t n = sep != NULL ? (size_t)(sep - path) : strlen(path);
    snprintf(file, size, "%.*s", (int)(n < size ? n : size - 1), path);
    return sep != NULL ? sep + 1 : NULL;
}

ps_status ps_region_col__select(char **out, const char *path, const char *region,
                                ps_error *err)
{
    const size_t n = strlen(path) + strlen(region) + 2;
    if ((*out = malloc(n)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    snprintf(*out, n, "%s%c%s", path, PS_REGION_COL_SEP, region);
    return PS_OK;
}
