# Robustness tests (issue #7): crash safety under SIGKILL/SIGINT/SIGTERM with stale-temp
# removal and the memory refusal (crash_test.sh), hostile inputs through the CLI
# (hostile_test.sh), and bit-identical results for 1, 2 and 4 threads with provenance
# (repro_test.sh). test_robust (hostile CSVs, 10 MB lines, memory estimate, writer
# cancellation, fuzz regression replay) is registered with the other cmocka tests.
# One test robust_crash_safety_NAME per group of crash_test.sh; robust_crash_safety_list
# fails if this list and `crash_test.sh --list` differ.
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
set(PS_CRASH_GROUPS sigkill sigint sigterm fifo_signals stale_temps memory)
ps_add_split_checks(robust_crash_safety ${CMAKE_CURRENT_SOURCE_DIR}/crash_test.sh TIMEOUT 600
  NAMES ${PS_CRASH_GROUPS} ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
# One test robust_hostile_input_NAME per group of hostile_test.sh; robust_hostile_input_list
# fails if this list and `hostile_test.sh --list` differ.
ps_add_split_checks(robust_hostile_input ${CMAKE_CURRENT_SOURCE_DIR}/hostile_test.sh TIMEOUT 300
  NAMES names_and_titles numbers yaml_bombs csv_inputs crlf_bom paths_with_spaces directories
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
# One test robust_reproducibility_NAME per scenario of repro_test.sh (with _list).
ps_add_split_checks(robust_reproducibility ${CMAKE_CURRENT_SOURCE_DIR}/repro_test.sh TIMEOUT 300
  NAMES example_city china example_city_micro
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
# The random kills time real runs: keep them off the other tests' CPU when run in parallel;
# they are the slow part (30 runs each).
set_tests_properties(robust_crash_safety_sigkill robust_crash_safety_sigint
                     robust_crash_safety_sigterm PROPERTIES RUN_SERIAL TRUE LABELS slow)
# Where popsim writes (issue #17, section 1): output kinds, symlink rule, inputs refused, long
# names, a full disk, shell-quoted command_line, report/plot under signals (write_test.sh).
# One test robust_write_safety_NAME per group of write_test.sh; robust_write_safety_list fails
# if this list and `write_test.sh --list` differ.
ps_add_split_checks(robust_write_safety ${CMAKE_CURRENT_SOURCE_DIR}/write_test.sh TIMEOUT 300
  NAMES output_kinds symlinks inputs long_names full_disk command_line_quoted plot_outputs
        signals cache_stale_temp
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
# plot_outputs draws every chart three times (about 15 s on the loaded 2-core machine).
set_tests_properties(robust_write_safety_plot_outputs PROPERTIES LABELS slow)
