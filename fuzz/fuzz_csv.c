/*
 * fuzz_csv.c - libFuzzer harness for the low-level CSV reader shared by the WPP and
 * planner readers (src/io/csv.c): line reading (plain and gzip), BOM/CR handling, field
 * splitting with quotes, and the strict number parsers on every field.
 */
#include "fuzz_util.h"

#include "io/csv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Inputs starting with the gzip magic go through zlib as a .gz file. */
    int gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    const char *path = fuzz_write(gz ? "input.csv.gz" : "input.csv", data, size);
    ps_csv *c = NULL;
    ps_error err;
    ps_error_clear(&err);
    if (ps_csv__open(&c, path, &err) != PS_OK) {
        return 0;
    }
    static const char *const header[] = { "year", "sex", "age", "value" };
    (void)ps_csv__expect_header(c, header, 4, &err);
    char *line = NULL;
    size_t len = 0;
    while (ps_csv__next_line(c, &line, &len, &err) == 1) {
        if (strlen(line) != len) {
            abort(); /* NUL bytes must have been rejected */
        }
        ps_csv_row row;
        if (ps_csv__split(c, line, &row, &err) != PS_OK) {
            continue;
        }
        for (int i = 0; i < row.n; ++i) {
            double d = 0.0;
            int v = 0;
            (void)ps_csv__double(&d, c, &row, i, "value", &err);
            (void)ps_csv__int(&v, c, &row, i, "year", 1900, 2300, &err);
        }
    }
    ps_csv__close(c);
    return 0;
}
