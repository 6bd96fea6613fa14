# region_inputs.cmake - multiregional inputs from planners' tables (issue #13): a region column,
# origin-destination rates by age and sex, and the stock file's districts, all refused with
# file:line:col by `popsim check` (and by `run`, exit 1 and no output file).
set(PS_REGIN_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/regions)

set(want_check_region_unknown
    "pop_unknown_region.csv:44:1: error: region 'Westside' is not a region of the scenario")
set(want_check_region_missing
    "pop_missing_region.csv:1:1: error: the column 'region' has no rows of region 'South Bay'")
set(want_check_region_column_one_region
    "pop_by_region.csv:1:1: error: the table has a region column")
set(want_check_stock_unknown
    "stock_unknown.csv:4:1: error: district 'Westside' is not a region of scenario 'stock_unknown'")
set(want_check_stock_missing
    "stock_missing.csv:1:1: error: no stock of type 'childcare' for district 'South Bay'")
set(want_check_od_by_age_gap
    "od_by_age_gap.csv:2:1: error: 'North' -> 'South Bay' has no rate for female, age 30")
foreach(name region_unknown region_missing region_column_one_region stock_unknown stock_missing
             od_by_age_gap)
  add_test(NAME cli_check_${name}
           COMMAND bash -c "\"$1\" check \"$2\" 2>&1; echo \"exit $?\""
                   _ $<TARGET_FILE:popsim> ${PS_REGIN_DATA}/${name}.yaml)
  set_tests_properties(cli_check_${name} PROPERTIES
                       PASS_REGULAR_EXPRESSION "${want_check_${name}}[^\n]*\nexit 1")
endforeach()

# The same bad table at run time: exit 1 and no partial output file.
add_test(NAME cli_regions_bad_region_unknown
         COMMAND bash -c "rm -f \"$3\"; \"$1\" run -q \"$2\" -o \"$3\" 2>&1; rc=$?; [ -e \"$3\" ] && echo 'partial output'; echo \"exit $rc\""
                 _ $<TARGET_FILE:popsim> ${PS_REGIN_DATA}/region_unknown.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/regions_bad_region_unknown.h5)
set_tests_properties(cli_regions_bad_region_unknown PROPERTIES
                     PASS_REGULAR_EXPRESSION "${want_check_region_unknown}[^\n]*\nexit 1"
                     FAIL_REGULAR_EXPRESSION "partial output")

# A planner's table by region, an origin-destination table by sex and age: `check` passes.
foreach(name region_column od_by_age)
  add_test(NAME cli_check_${name}
           COMMAND $<TARGET_FILE:popsim> check ${PS_REGIN_DATA}/${name}.yaml)
  set_tests_properties(cli_check_${name} PROPERTIES PASS_REGULAR_EXPRESSION ": ok: scenario")
endforeach()
