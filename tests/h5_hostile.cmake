# Hostile result files (issue #17, section 2): crafted at run time with h5py from a fresh
# Example City run and fed to info, targets, compare, plot and report (tests/h5_hostile_test.sh).
# One test robust_hostile_result_files_NAME per group of h5_hostile_test.sh (with
# robust_hostile_result_files_list).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(robust_hostile_result_files ${CMAKE_CURRENT_SOURCE_DIR}/h5_hostile_test.sh
  TIMEOUT 600 NAMES good coordinates sizes external layout heap not_results
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
