# scn_policy_uncertainty.cmake - policy variants under uncertainty from the outside (issue #14,
# sec. 2): the variant coordinate and the quantiles of births gained and cost per additional
# birth in the file, the same bytes on 1 and 2 threads, `popsim compare` with the 80 %
# intervals, the report's table, and a bad uncertainty.elasticity refused at file:line:col.
add_test(NAME cli_scn_policy_uncertainty
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scn_policy_uncertainty_test.sh
                 $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
