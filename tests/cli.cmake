# CLI tests: exit codes, compiler-style messages, and what a run leaves on disk.
set(PS_EXE $<TARGET_FILE:popsim>)
set(PS_SCN ${CMAKE_SOURCE_DIR}/scenarios)

add_test(NAME cli_version COMMAND ${PS_EXE} --version)
set_tests_properties(cli_version PROPERTIES PASS_REGULAR_EXPRESSION "^popsim [0-9]+\\.[0-9]+\\.[0-9]+")

add_test(NAME cli_no_command_is_usage_error COMMAND ${PS_EXE})
set_tests_properties(cli_no_command_is_usage_error PROPERTIES WILL_FAIL TRUE)

foreach(cmd run check info targets)
  add_test(NAME cli_${cmd}_help COMMAND ${PS_EXE} ${cmd} --help)
  set_tests_properties(cli_${cmd}_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: popsim ${cmd}")
  add_test(NAME cli_${cmd}_version COMMAND ${PS_EXE} ${cmd} --version)
  set_tests_properties(cli_${cmd}_version PROPERTIES PASS_REGULAR_EXPRESSION "^popsim [0-9]")
endforeach()

add_test(NAME cli_check_default_scenario COMMAND ${PS_EXE} check ${PS_SCN}/china.yaml)
set_tests_properties(cli_check_default_scenario PROPERTIES PASS_REGULAR_EXPRESSION "china.yaml: ok"
                     ENVIRONMENT "POPSIM_DATA_DIR=${PS_WPP_DIR}")

add_test(NAME cli_check_example_city COMMAND ${PS_EXE} check ${PS_SCN}/example_city.yaml)
set_tests_properties(cli_check_example_city PROPERTIES PASS_REGULAR_EXPRESSION "example_city.yaml: ok")

add_test(NAME cli_check_bad_scenario_is_located
         COMMAND ${PS_EXE} check ${CMAKE_CURRENT_SOURCE_DIR}/data/bad/tfr_negative.yaml)
set_tests_properties(cli_check_bad_scenario_is_located PROPERTIES
                     PASS_REGULAR_EXPRESSION "tfr_negative.yaml:[0-9]+:[0-9]+: error: fertility.tfr")

# Exit statuses, no partial output, previous result intact: tests/cli_test.sh, one test
# cli_behaviour_NAME per check (or group of checks sharing one setup); cli_behaviour_list
# fails if this list and `cli_test.sh --list` differ.
# test_h5out writes the two-region fixture that the `popsim targets` region checks build on.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(cli_behaviour ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.sh
  NAMES location_run bad_scenario_keeps_previous micro_memory_refused micro_scale_below_1
        micro_runs micro_family bad_service_svc_overlap bad_service_svc_ratio_zero
        bad_service_care_settings_sum input_errors usage_errors default_output_path
        quiet_prints_nothing family_compare elasticity_orders_the_response negative_amount
        targets_china targets_one_service targets_one_scenario targets_errors
        targets_no_services compare_services compare_without_services targets_regions
  ARGS ${PS_EXE} ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR} $<TARGET_FILE:test_h5out>)
# The two microsimulation checks take about 30 s each on the loaded 2-core machine; the
# label loop in tests/CMakeLists.txt appends cli to this label.
set_tests_properties(cli_behaviour_micro_runs cli_behaviour_micro_family PROPERTIES LABELS slow)

# Every function docs/ names as `file.c: function` exists (docs/model.md, issue #11).
add_test(NAME cli_docs_functions COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/docs_test.py
         ${CMAKE_SOURCE_DIR})

# Every group of every bundled scenario's result copies with h5copy, values intact (#16).
# One test cli_h5copy_every_group_NAME per scenario (with cli_h5copy_every_group_list).
ps_add_split_checks(cli_h5copy_every_group ${CMAKE_CURRENT_SOURCE_DIR}/h5copy_test.sh
  TIMEOUT 600 NAMES china china_policies example_city example_city_micro
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(cli_h5copy_every_group_china cli_h5copy_every_group_china_policies
                     cli_h5copy_every_group_example_city cli_h5copy_every_group_example_city_micro
                     PROPERTIES LABELS slow)

# popsim init: templates that check and run, their workbook equal to their CSV files (#16).
# One test cli_init_templates_NAME per group of init_test.sh (with cli_init_templates_list).
ps_add_split_checks(cli_init_templates ${CMAKE_CURRENT_SOURCE_DIR}/init_test.sh TIMEOUT 300
  NAMES city province micro never_overwrite usage ARGS $<TARGET_FILE:popsim> ${PS_WPP_DIR})

# popsim export: tidy CSV tables and the .xlsx workbook hold the file's values (#16).
# One test cli_export_tables_NAME per group of export_test.sh (with cli_export_tables_list).
ps_add_split_checks(cli_export_tables ${CMAKE_CURRENT_SOURCE_DIR}/export_test.sh TIMEOUT 300
  NAMES tables workbook stacked refusals
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})

# popsim info / targets / compare --json: parsed by Python's json, values checked against the
# file with h5py, input SHA-256s against the inputs' bytes (#16).
# One test cli_json_outputs_NAME per group of json_test.sh (cli_json_outputs_list checks the
# names against `json_test.sh --list`).
ps_add_split_checks(cli_json_outputs ${CMAKE_CURRENT_SOURCE_DIR}/json_test.sh TIMEOUT 300
  NAMES info targets compare odd_text errors
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})

# CF units: every units attribute is one udunits2 recognises (#16).
add_test(NAME cli_cf_units
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cf_units_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
