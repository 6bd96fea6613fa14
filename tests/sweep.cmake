# Policy sweeps (issue #15, section 3): a small sweep's points equal the same variants
# written out by hand (h5diff), summary and full member output agree on /sweep, xarray opens
# /sweep labelled, `popsim compare` ranks the points and finds the frontier, and a sweep
# larger than PS_RUN_MAX_MEMBERS needs --allow-large.
# One test cli_sweep_NAME per group of sweep_test.sh (cli_sweep_list checks the names).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(cli_sweep ${CMAKE_CURRENT_SOURCE_DIR}/sweep_test.sh TIMEOUT 300
  NAMES by_hand summary xarray compare latin_hypercube too_large estimate bad_key
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR})
