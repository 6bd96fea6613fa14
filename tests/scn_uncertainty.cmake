# scn_uncertainty.cmake - `uncertainty:` in a scenario from the outside (issue #14, sec. 1):
# the bundled example writes the probabilistic layout, the same numbers on 1 and 2 threads;
# bad input exits 1 naming file:line:col and writes no file (scn_uncertainty_test.sh).
add_test(NAME cli_scn_uncertainty
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/scn_uncertainty_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
