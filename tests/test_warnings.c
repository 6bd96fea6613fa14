/*
 * test_warnings.c - `popsim check` warnings for choices that change results silently
 * (issue #16): each is a located warning ("file:line:col: warning: ..."), never an error,
 * and a scenario that sets the key gets none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#include "popsim/scenario.h"

#define EXAMPLE_DIR PS_SOURCE_DIR "/data/example/"

/* Load `text` as a scenario file and return the number of warnings containing `needle`;
 * *where receives the first such warning. */
static int warnings_with(const char *text, const char *needle, char *where, size_t size)
{
    char dir[] = "/tmp/popsim_warn_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    ps_scenario scn;
    ps_error err;
    assert_ps_ok(ps_scn_load(&scn, path, &err), &err);
    int n = 0;
    for (int k = 0; k < scn.n_warnings; ++k) {
        if (strstr(scn.warnings[k], needle) != NULL) {
            if (n++ == 0 && where != NULL) {
                const char *colon = strstr(scn.warnings[k], ".yaml:");
                snprintf(where, size, "%s", colon != NULL ? colon + 6 : "");
            }
        }
    }
    ps_scn_release(&scn);
    unlink(path);
    rmdir(dir);
    return n;
}

static const char CITY[] = "name: w\nstart: 2025\nend: 2030\n"
                           "population:\n  file: " EXAMPLE_DIR "population.csv\n"
                           "mortality:\n  mx_file: " EXAMPLE_DIR "mx.csv\n"
                           "fertility:\n  asfr_file: " EXAMPLE_DIR "asfr.csv\n";

static void test_warnings__location_for_patterns_only_brings_wpp_srb(void **state)
{
    (void)state;
    char text[2048], where[256];
    snprintf(text, sizeof text, "%sdata:\n  location: China\nmigration:\n  none: true\n", CITY);
    assert_int_equal(warnings_with(text, "also supplies the sex ratio at birth", where,
                                   sizeof where), 1);
    assert_int_equal(strncmp(where, "11:13: warning:", 15), 0); /* the value of location */
    snprintf(text, sizeof text,
             "%sdata:\n  location: China\nsrb:\n  value: 1.06\nmigration:\n  none: true\n", CITY);
    assert_int_equal(warnings_with(text, "sex ratio at birth", NULL, 0), 0);
}

static void test_warnings__top_level_policies_without_variants_have_no_baseline(void **state)
{
    (void)state;
    char text[2048], where[256];
    snprintf(text, sizeof text,
             "%ssrb:\n  value: 1.05\nmigration:\n  none: true\n"
             "policies:\n  - {name: reward, lever: birth_reward, start: 2026, end: 2030,\n"
             "     second: 5000, third: 5000}\n",
             CITY);
    assert_int_equal(warnings_with(text, "no baseline to compare with", where, sizeof where), 1);
    assert_int_equal(strncmp(where, "15:3: warning:", 14), 0);
}

static void test_warnings__migration_total_without_male_share(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%ssrb:\n  value: 1.05\nmigration:\n  total: 12000\n", CITY);
    assert_int_equal(warnings_with(text, "migration.male_share is not given", NULL, 0), 1);
    snprintf(text, sizeof text,
             "%ssrb:\n  value: 1.05\nmigration:\n  total: 12000\n  male_share: 0.52\n", CITY);
    assert_int_equal(warnings_with(text, "male_share", NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warnings__location_for_patterns_only_brings_wpp_srb),
        cmocka_unit_test(test_warnings__top_level_policies_without_variants_have_no_baseline),
        cmocka_unit_test(test_warnings__migration_total_without_male_share),
    };
    return cmocka_run_group_tests_name("warnings", tests, NULL, NULL);
}
