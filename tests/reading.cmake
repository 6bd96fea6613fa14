# What popsim reads (issue #17, section 2): scenarios and CSVs from /dev/stdin, FIFOs and
# /proc, truncated or damaged gzip files, SIGINT while reading from a pipe that stays open,
# and a tampered WPP cache entry, through the CLI (reading_test.sh). The library-level
# cases are in test_reading.c and test_wpp.c.
# One test reading_hostile_files_NAME per section; reading_hostile_files_list fails if this
# list and `reading_test.sh --list` differ.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(reading_hostile_files ${CMAKE_CURRENT_SOURCE_DIR}/reading_test.sh TIMEOUT 300
  NAMES special_files gzip sigint_open_pipe wpp_cache
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
