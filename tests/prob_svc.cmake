# prob_svc.cmake - services under uncertainty from the outside (issue #14, sec. 2): the
# bundled example's file opens in xarray with a `service` coordinate, `popsim targets` prints
# each service's chance of a shortage or surplus and its --json holds the file's P(shortage);
# an unknown service or scenario exits 1 (prob_svc_test.sh).
add_test(NAME cli_prob_svc_targets
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/prob_svc_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
