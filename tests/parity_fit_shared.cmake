# One fit of the base parity per run, shared by every member of a family (issue #18 item 1,
# parity_fit_shared_test.sh).
add_test(NAME cli_parity_fit_shared
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/parity_fit_shared_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
