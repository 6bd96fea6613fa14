# Hostile result files (issue #17, section 2): crafted at run time with h5py from a fresh
# Example City run and fed to info, targets, compare, plot and report (tests/h5_hostile_test.sh).
add_test(NAME robust_hostile_result_files
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/h5_hostile_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
set_tests_properties(robust_hostile_result_files PROPERTIES TIMEOUT 600)
