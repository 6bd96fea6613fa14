# plot.cmake - `popsim plot` and `popsim report`: help texts, and the end-to-end test
# tests/plot_test.sh (gnuplot, headless Chromium, hostile scenario text, gnuplot missing).
# Fixture files come from `test_plot --write-fixture PATH plain|full|evil`.
find_program(PS_PLOT_PYTHON3 NAMES python3 REQUIRED)

foreach(cmd plot report)
  add_test(NAME cli_${cmd}_help COMMAND $<TARGET_FILE:popsim> ${cmd} --help)
  set_tests_properties(cli_${cmd}_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: popsim ${cmd}")
endforeach()

add_test(NAME plot_report_end_to_end
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plot_test.sh $<TARGET_FILE:popsim>
                 $<TARGET_FILE:test_plot> ${CMAKE_SOURCE_DIR} ${PS_PLOT_PYTHON3})
set_tests_properties(plot_report_end_to_end PROPERTIES TIMEOUT 600)

# A 21-member family's report in English and Chinese: parses, every chart loads in headless
# Chromium, titles instead of identifiers, assumptions first (#16).
add_test(NAME plot_report_family_of_21
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report_family_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(plot_report_family_of_21 PROPERTIES TIMEOUT 900)
