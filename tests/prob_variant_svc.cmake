# prob_variant_svc.cmake - each policy variant's services under uncertainty from the outside
# (issue #14, sec. 2): the variants' groups, `popsim targets` with and without --variant, the
# 65+ share in `popsim info` (prob_variant_svc_test.sh).
add_test(NAME cli_prob_variant_svc_targets
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/prob_variant_svc_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR})
