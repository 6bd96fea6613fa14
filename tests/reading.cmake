# What popsim reads (issue #17, section 2): scenarios and CSVs from /dev/stdin, FIFOs and
# /proc, truncated or damaged gzip files, SIGINT while reading from a pipe that stays open,
# and a tampered WPP cache entry, through the CLI (reading_test.sh). The library-level
# cases are in test_reading.c and test_wpp.c.
add_test(NAME reading_hostile_files
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/reading_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(reading_hostile_files PROPERTIES TIMEOUT 300)
