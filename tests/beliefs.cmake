# What popsim believes (issue #17, section 3): decimal numbers only, YAML tags and control
# characters refused, titles whole, file text escaped on the terminal, impossible rates and
# counts refused where they are given, oversized runs refused up front (beliefs_test.sh).
# One test beliefs_cli_NAME per group; beliefs_cli_list fails if this list and
# `beliefs_test.sh --list` differ.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(beliefs_cli ${CMAKE_CURRENT_SOURCE_DIR}/beliefs_test.sh TIMEOUT 300
  NAMES decimal_numbers yaml_tags control_characters titles_whole escaped_output
        impossible_values amplification
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
