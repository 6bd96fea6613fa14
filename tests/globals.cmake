# No process-wide mutable state in the library (issue #11, section 1): every variable of
# static storage in src/ is const, but for the justified exceptions listed with their reason
# in tests/globals_test.py (which first checks itself on a sample of known answers).
add_test(NAME cli_no_mutable_globals COMMAND /usr/bin/python3
         ${CMAKE_CURRENT_SOURCE_DIR}/globals_test.py ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_no_mutable_globals PROPERTIES
                     PASS_REGULAR_EXPRESSION "globals: [0-9]+ static variables, 0 not allowed")
