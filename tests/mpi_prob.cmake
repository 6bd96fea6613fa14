# Probabilistic runs under MPI (issue #15 for #14): tests/mpi_prob_test.sh compares `mpirun
# -np N popsim run --location ... --trajectories T` with the serial run, and failing ranks.
# Labelled as cli_mpi_identical_to_serial (cli by its name, slow here); only with MPI (the
# other MPI test already fails when an AUTO build did not find MPI).
if(PS_HAVE_MPI)
  add_test(NAME cli_mpi_prob_identical_to_serial
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi_prob_test.sh $<TARGET_FILE:popsim>
                   ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
  set_tests_properties(cli_mpi_prob_identical_to_serial
                       PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE LABELS slow)
endif()
