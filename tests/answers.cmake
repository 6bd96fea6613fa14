# Answer files (tests/answers/README.md): every bundled scenario's numbers against the
# verified ones, by h5diff with the stated relative tolerance.
# One test answers_NAME per scenario (answers_list checks the names against the script's).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
set(PS_ANSWER_NAMES china china_policies example_city example_city_micro example_province)
ps_add_split_checks(answers ${CMAKE_CURRENT_SOURCE_DIR}/answers_test.sh TIMEOUT 600
  NAMES ${PS_ANSWER_NAMES} ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
foreach(name ${PS_ANSWER_NAMES})
  set_tests_properties(answers_${name} PROPERTIES LABELS slow)
endforeach()
