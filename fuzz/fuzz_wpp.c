/*
 * fuzz_wpp.c - libFuzzer harness for the WPP 2024 reader (src/io/wpp.c) and the input
 * preparation after it. A private folder holds every file the reader needs, each with its
 * header only; the first byte of the input picks which one gets the rest of the input as
 * its content (10 = locations.csv). Then location 4 is looked up, loaded (no cache) and,
 * when that succeeds, turned into projection inputs for 2020..2030.
 */
#include "fuzz_util.h"

#include "popsim/inputs.h"
#include "popsim/wpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *name, *header;
} files[] = {
    { "pop_age5_sex_5yr.csv", "country_code,name,year,variant,sex,age,value\n" },
    { "mx_abridged_sex_5yr.csv.gz",
      "country_code,name,period,year_start,year_end,sex,age,value\n" },
    { "e0_annual.csv", "country_code,name,year,variant,sex,value\n" },
    { "tfr_annual.csv", "country_code,name,year,variant,value\n" },
    { "pasfr_age5_annual.csv", "country_code,name,year,age,value\n" },
    { "srb_annual.csv", "country_code,name,year,variant,value\n" },
    { "migration_total_annual.csv", "country_code,name,year,variant,value\n" },
    { "migration_age1_sex_annual.csv.gz", "country_code,name,year,sex,age,value\n" },
    { "pop_total_sex_annual.csv", "country_code,name,year,sex,value\n" },
    { "vital_indicators_annual.csv", "country_code,name,year,variant,indicator,value\n" },
    { "locations.csv", "country_code,name,location_type,reg_code,reg_name,area_code,area_name\n"
                      "4,Afghanistan,4,5501,Southern Asia,935,Asia\n" },
};
enum { N_FILES = sizeof files / sizeof files[0] };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int pick = data[0] % N_FILES;
    for (int i = 0; i < N_FILES; ++i) {
        if (i == pick) {
            fuzz_write(files[i].name, data + 1, size - 1);
        } else {
            fuzz_write(files[i].name, (const uint8_t *)files[i].header, strlen(files[i].header));
        }
    }
    static ps_wpp_location loc; /* large: static, reused */
    char name[128];
    int code = 0;
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = ps_wpp_lookup(&code, name, sizeof name, fuzz_dir(), "4", &err);
    if (rc == PS_OK) {
        rc = ps_wpp_load(&loc, fuzz_dir(), code, NULL, &err);
    }
    if (rc == PS_OK) {
        ps_inputs in;
        memset(&in, 0, sizeof in);
        if (ps_wpp_inputs(&in, &loc, 2020, 2030, &err) == PS_OK) {
            ps_inputs_release(&in);
        }
    }
    if (rc != PS_OK && (err.msg[0] == '\0' || err.code != rc)) {
        abort(); /* every failure must explain itself */
    }
    return 0;
}
