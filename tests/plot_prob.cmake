# plot_prob.cmake - probabilistic files in `popsim info`, `plot` and `report` (issue #14,
# sec. 2; tests/plot_prob_test.sh). cli_prob_info: the fixture of test_plot_prob (text, --json,
# a quantile dimension of the wrong length refused with its file and dataset);
# plot_prob_end_to_end: a China file of `popsim run --trajectories`, fan charts with gnuplot in
# both languages and the report's section.
add_test(NAME cli_prob_info
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plot_prob_test.sh info $<TARGET_FILE:popsim>
                 $<TARGET_FILE:test_plot_prob> ${PS_WPP_DIR})
add_test(NAME plot_prob_end_to_end
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plot_prob_test.sh plot $<TARGET_FILE:popsim>
                 $<TARGET_FILE:test_plot_prob> ${PS_WPP_DIR})
set_tests_properties(plot_prob_end_to_end PROPERTIES TIMEOUT 300)
