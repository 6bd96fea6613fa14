# What popsim believes (issue #17, section 3): decimal numbers only, YAML tags and control
# characters refused, titles whole, file text escaped on the terminal, impossible rates and
# counts refused where they are given, oversized runs refused up front (beliefs_test.sh).
add_test(NAME beliefs_cli
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/beliefs_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
set_tests_properties(beliefs_cli PROPERTIES TIMEOUT 300)
