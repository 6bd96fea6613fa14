# plot.cmake - `popsim plot` and `popsim report`: help texts, and the end-to-end test
# tests/plot_test.sh (gnuplot, headless Chromium, hostile scenario text, gnuplot missing).
# Fixture files come from `test_plot --write-fixture PATH plain|full|evil`.
find_program(PS_PLOT_PYTHON3 NAMES python3 REQUIRED)

foreach(cmd plot report)
  add_test(NAME cli_${cmd}_help COMMAND $<TARGET_FILE:popsim> ${cmd} --help)
  set_tests_properties(cli_${cmd}_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: popsim ${cmd}")
endforeach()

# One test plot_report_end_to_end_NAME per group of plot_test.sh;
# plot_report_end_to_end_list fails if this list and `plot_test.sh --list` differ.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(plot_report_end_to_end ${CMAKE_CURRENT_SOURCE_DIR}/plot_test.sh TIMEOUT 600
  NAMES every_chart vector_formats gp_rerun_by_hand report hostile_text no_gnuplot example_city
        usage_errors
  ARGS $<TARGET_FILE:popsim> $<TARGET_FILE:test_plot> ${CMAKE_SOURCE_DIR} ${PS_PLOT_PYTHON3})
# The groups that draw every chart take 10-30 s each on the loaded 2-core machine.
foreach(name every_chart vector_formats gp_rerun_by_hand report hostile_text)
  set_tests_properties(plot_report_end_to_end_${name} PROPERTIES LABELS slow)
endforeach()

# A 21-member family's report in English and Chinese: parses, every chart loads in headless
# Chromium, titles instead of identifiers, assumptions first (#16).
add_test(NAME plot_report_family_of_21
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report_family_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(plot_report_family_of_21 PROPERTIES TIMEOUT 900)

# A six-district file's report in English and Chinese: parses, every chart loads in
# headless Chromium, the per-district tables and charts hold all six districts (#13, #16).
add_test(NAME plot_report_six_districts
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report_regions_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
set_tests_properties(plot_report_six_districts PROPERTIES TIMEOUT 900)
