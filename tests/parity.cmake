# A planner's base parity and the jump-off calibration (issue #12) through the program
# (parity_test.sh).
add_test(NAME cli_parity_table_and_calibration
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/parity_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
