# Special family-planning families and budget caps by year (issue #12): the loader's
# compiler-style messages, like cli_check_bad_scenario_is_located in cli.cmake.
set(PS_POLICY_CAPS_BAD ${CMAKE_CURRENT_SOURCE_DIR}/data/bad)

add_test(NAME cli_check_bad_special_family_without_share
         COMMAND ${PS_EXE} check ${PS_POLICY_CAPS_BAD}/special_family_without_share.yaml)
set_tests_properties(cli_check_bad_special_family_without_share PROPERTIES
  PASS_REGULAR_EXPRESSION
  "special_family_without_share.yaml:8:5: error: missing required key 'policies\\[0\\]\\.share'")

add_test(NAME cli_check_bad_budget_cap_years_not_increasing
         COMMAND ${PS_EXE} check ${PS_POLICY_CAPS_BAD}/budget_cap_years_not_increasing.yaml)
set_tests_properties(cli_check_bad_budget_cap_years_not_increasing PROPERTIES
  PASS_REGULAR_EXPRESSION
  "budget_cap_years_not_increasing.yaml:8:35: error: economy.budget_cap_local: year 2025 follows year 2030; expected years in increasing order")

add_test(NAME cli_check_bad_budget_cap_negative
         COMMAND ${PS_EXE} check ${PS_POLICY_CAPS_BAD}/budget_cap_negative.yaml)
set_tests_properties(cli_check_bad_budget_cap_negative PROPERTIES
  PASS_REGULAR_EXPRESSION
  "budget_cap_negative.yaml:8:41: error: economy.budget_cap_local.2030 = -5: expected a number in \\[0, 1e\\+15\\]")
