# Answer files (tests/answers/README.md): every bundled scenario's numbers against the
# verified ones, by h5diff with the stated relative tolerance.
add_test(NAME answers
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/answers_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(answers PROPERTIES TIMEOUT 600)
