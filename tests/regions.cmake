# regions.cmake - multiregional scenarios (issue #13): labelled output of internal migration
# and located errors for bad regions, origin-destination tables and engines.
set(PS_REG_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/regions)

# Each run writes its own file in the build tree and checks it with xarray.
add_test(NAME cli_regions_two_regions_xarray
         COMMAND bash -c "\"$1\" run -q \"$2\" -o \"$3\" && /usr/bin/python3 \"$4\" \"$3\" two_regions North 'South Bay'"
                 _ $<TARGET_FILE:popsim> ${PS_REG_DATA}/two_regions.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/regions_two.h5
                 ${CMAKE_CURRENT_SOURCE_DIR}/check_xarray_regions.py)
set_tests_properties(cli_regions_two_regions_xarray PROPERTIES
                     PASS_REGULAR_EXPRESSION "regions: two_regions: 2 regions, 0 failures")
add_test(NAME cli_regions_example_province_xarray
         COMMAND bash -c "\"$1\" run -q \"$2\" -o \"$3\" && /usr/bin/python3 \"$4\" \"$3\" example_province Central 'Xinhu New Town' Beigang 'Shanyang County' 'Nanshan County'"
                 _ $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR}/scenarios/example_province.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/regions_province.h5
                 ${CMAKE_CURRENT_SOURCE_DIR}/check_xarray_regions.py)
set_tests_properties(cli_regions_example_province_xarray PROPERTIES
                     PASS_REGULAR_EXPRESSION "regions: example_province: 5 regions, 0 failures")

# The microsimulation with three regions, internal migration and registration (issue #13,
# sec. 2): labelled output whose flows sum to zero and whose statuses add up.
add_test(NAME cli_regions_micro_three_regions_xarray
         COMMAND bash -c "\"$1\" run -q \"$2\" -o \"$3\" && /usr/bin/python3 \"$4\" --no-flows \"$3\" micro_three_regions North 'South Bay' 'Hill County'"
                 _ $<TARGET_FILE:popsim> ${PS_REG_DATA}/micro_three_regions.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/regions_micro_three.h5
                 ${CMAKE_CURRENT_SOURCE_DIR}/check_xarray_regions.py)
set_tests_properties(cli_regions_micro_three_regions_xarray PROPERTIES
                     PASS_REGULAR_EXPRESSION "regions: micro_three_regions: 3 regions, 0 failures")

# Bad input: file:line:col naming what was expected, exit 1, no output file.
set(want_od_unknown_region "od_unknown.csv:3:11: error: destination 'Nowhere' is not a region")
set(want_od_rate_above_one "od_above_one.csv:2:17: error: rate = 1.5 is outside \\[0, 1\\]")
set(want_duplicate_region
    "duplicate_region.yaml:20:11: error: regions\\[1\\].name = 'North' repeats")
set(want_micro_regions
    "micro_regions.yaml:26:17: error: internal_migration.output_flows needs engine: ccm")
set(want_micro_od_by_age
    "micro_od_by_age.yaml:27:9: error: internal_migration.file: rates by age and sex per pair need engine: ccm")
set(want_internal_without_regions
    "internal_without_regions.yaml:16:3: error: internal_migration needs")
set(want_requires_without_registration
    "requires_without_registration.yaml:31:15: error: policies\\[0\\].requires = registered needs a registration")
set(want_registration_without_share
    "registration_without_share.yaml:27:3: error: missing required key 'registration.registered_share'")
set(want_region_share_without_registration
    "region_share_without_registration.yaml:20:23: error: regions\\[0\\].registered_share needs a registration")
foreach(name od_unknown_region od_rate_above_one duplicate_region micro_regions micro_od_by_age
             internal_without_regions requires_without_registration registration_without_share
             region_share_without_registration)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/regions_bad_${name}.h5)
  add_test(NAME cli_regions_bad_${name}
           COMMAND bash -c "rm -f \"$3\"; \"$1\" run -q \"$2\" -o \"$3\" 2>&1; rc=$?; [ -e \"$3\" ] && echo 'partial output'; echo \"exit $rc\""
                   _ $<TARGET_FILE:popsim> ${PS_REG_DATA}/${name}.yaml ${out})
  set_tests_properties(cli_regions_bad_${name} PROPERTIES
                       PASS_REGULAR_EXPRESSION "${want_${name}}[^\n]*\nexit 1"
                       FAIL_REGULAR_EXPRESSION "partial output")
endforeach()

# A reward for registered children pays the registered share of the births (issue #13, sec. 2).
add_test(NAME cli_regions_registered_policy
         COMMAND bash -c "\"$1\" run -q \"$2\" -o \"$3\" && /usr/bin/python3 \"$4\" \"$3\""
                 _ $<TARGET_FILE:popsim> ${PS_REG_DATA}/registered_reward.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/regions_registered_reward.h5
                 ${CMAKE_CURRENT_SOURCE_DIR}/check_registered_policy.py)
set_tests_properties(cli_regions_registered_policy PROPERTIES
                     PASS_REGULAR_EXPRESSION "registered policy: 0 failures")
