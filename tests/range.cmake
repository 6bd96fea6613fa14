# The response range (issue #12): `popsim compare` prints "chosen (low–high)", --json and the
# file carry every preset, the report shows the stated amounts and the range
# (range_test.sh). One test cli_range_NAME per group; cli_range_list fails if this list and
# `range_test.sh --list` differ.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(cli_range ${CMAKE_CURRENT_SOURCE_DIR}/range_test.sh TIMEOUT 300
  NAMES compare_text compare_json file_layout report_html
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
