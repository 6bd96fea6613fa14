# The joint fit of the base parity (issue #12) through the program (parity_joint_test.sh).
add_test(NAME cli_parity_joint_fit
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/parity_joint_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
