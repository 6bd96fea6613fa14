# Install into a temporary prefix and build a program against libps with pkg-config and
# with find_package(popsim) (issue #11, section 5). Registered in the plain build, which
# the test job always runs; a sanitizer build's library needs the sanitizer runtime loaded
# first, which a consumer built as a user would build it does not do.
if(NOT PS_ENABLE_SANITIZERS)
  add_test(NAME install_consumer
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install_test.sh ${CMAKE_BINARY_DIR}
                   ${CMAKE_SOURCE_DIR} ${PROJECT_VERSION})
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
endif()
