# prob.cmake - probabilistic projections from the outside (issue #14): labelled in xarray,
# type-7 quantiles of the trajectories, thread-count independence, exit codes (prob_test.sh).
add_test(NAME cli_prob_xarray
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/prob_test.sh $<TARGET_FILE:popsim> ${PS_WPP_DIR}
                 ${CMAKE_CURRENT_SOURCE_DIR})
