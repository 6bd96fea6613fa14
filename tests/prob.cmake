# prob.cmake - probabilistic projections from the outside (issue #14): labelled in xarray,
# type-7 quantiles of the trajectories, thread-count independence, exit codes (prob_test.sh).
add_test(NAME cli_prob_xarray
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/prob_test.sh $<TARGET_FILE:popsim> ${PS_WPP_DIR}
                 ${CMAKE_CURRENT_SOURCE_DIR})

# The norm of the variants' age pattern of fertility compiled in src/demog/pasfr.c is what
# scripts/pasfr_norm.py estimates from the WPP data (docs/model.md 9.9).
add_test(NAME test_wpp_pasfr_norm
         COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/pasfr_norm.py ${PS_WPP_DIR}
                 --check ${CMAKE_SOURCE_DIR}/src/demog/pasfr.c)
