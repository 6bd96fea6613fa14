# Policy sweeps (issue #15, section 3): a small sweep's points equal the same variants
# written out by hand (h5diff), summary and full member output agree on /sweep, xarray opens
# /sweep labelled, `popsim compare` ranks the points and finds the frontier, and a sweep
# larger than PS_RUN_MAX_MEMBERS needs --allow-large.
add_test(NAME cli_sweep
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
