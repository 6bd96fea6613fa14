# Probabilistic runs under MPI (issue #15 for #14): tests/mpi_prob_test.sh compares `mpirun
# -np N popsim run --location ... --trajectories T` with the serial run, and failing ranks.
# Labelled as cli_mpi_identical_to_serial (cli by its name, slow here); only with MPI (the
# other MPI test already fails when an AUTO build did not find MPI).
if(PS_HAVE_MPI)
  # One test cli_mpi_prob_identical_to_serial_NAME per group of mpi_prob_test.sh (with _list).
  include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
  ps_add_split_checks(cli_mpi_prob_identical_to_serial ${CMAKE_CURRENT_SOURCE_DIR}/mpi_prob_test.sh
    TIMEOUT 600 NAMES china china_keep all sweep failures scn_svc scn_policy split
    ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
  foreach(name china china_keep all sweep failures scn_svc scn_policy split)
    set_tests_properties(cli_mpi_prob_identical_to_serial_${name}
                         PROPERTIES RUN_SERIAL TRUE LABELS slow)
  endforeach()
endif()
