# Install into a temporary prefix and build a program against libps with pkg-config and
# with find_package(popsim) (issue #11, section 5).
add_test(NAME install_consumer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install_test.sh ${CMAKE_BINARY_DIR}
                 ${CMAKE_SOURCE_DIR} ${PROJECT_VERSION})
set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
