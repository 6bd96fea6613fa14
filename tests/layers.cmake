# Layers without cycles (issue #11, section 2): no #include in src/ or include/ points to a
# higher layer (tests/layers_test.py holds the order and the header table).
add_test(NAME cli_layers COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/layers_test.py
         ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_layers PROPERTIES PASS_REGULAR_EXPRESSION "layers: [0-9]+ files, [0-9]+ includes, 0 upward")
