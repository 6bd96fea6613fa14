# Special family-planning families and budget caps by year (issue #12): the loader's
# compiler-style messages, like cli_check_bad_scenario_is_located in cli.cmake.
set(PS_POLICY_CAPS_BAD ${CMAKE_CURRENT_SOURCE_DIR}/data/bad)

add_test(NAME cli_check_bad_special_family_without_share
         COMMAND ${PS_EXE} check ${PS_POLICY_CAPS_BAD}/special_family_without_share.yaml)
set_tests_properties(cli_check_bad_special_family_without_share PROPERTIES
  PASS_REGULAR_EXPRESSION
  "special_family_without_share.yaml:8:5: error: missing required key 'policies\\[0\\]\\.share'")
