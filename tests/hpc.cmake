# MPI and Slurm (issue #15): tests/mpi_test.sh runs `mpirun -np N popsim run` against the
# serial run, and failing ranks; tests/slurm_test.sh starts a single-node Slurm cluster. An
# AUTO build that did not find MPI registers a test that fails, so a missing MPI is noticed
# (scripts/setup.sh installs it); -DPS_ENABLE_MPI=OFF builds the serial program on purpose.
if(PS_HAVE_MPI)
  # One test cli_mpi_identical_to_serial_NAME per group of mpi_test.sh (with _list).
  include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
  ps_add_split_checks(cli_mpi_identical_to_serial ${CMAKE_CURRENT_SOURCE_DIR}/mpi_test.sh
    TIMEOUT 600 NAMES family micro rank_errors other_commands micro_split fail_mid_run
    ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
  set_tests_properties(cli_mpi_identical_to_serial_family cli_mpi_identical_to_serial_micro
                       cli_mpi_identical_to_serial_rank_errors
                       cli_mpi_identical_to_serial_other_commands
                       cli_mpi_identical_to_serial_micro_split
                       cli_mpi_identical_to_serial_fail_mid_run
                       PROPERTIES RUN_SERIAL TRUE LABELS slow)
elseif(NOT PS_ENABLE_MPI STREQUAL "OFF")
  add_test(NAME cli_mpi_identical_to_serial
           COMMAND sh -c "echo 'MPI was not found: run scripts/setup.sh (libopenmpi-dev), or configure with -DPS_ENABLE_MPI=OFF'; exit 1")
endif()

# Slurm job arrays without Slurm: --task/--tasks part files and popsim merge (parts_test.sh).
# One test cli_array_parts_merge_NAME per group of parts_test.sh (with _list).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(cli_array_parts_merge ${CMAKE_CURRENT_SOURCE_DIR}/parts_test.sh TIMEOUT 300
  NAMES family micro refusals estimate usage
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})

# A real single-node Slurm cluster: job array + merge with sbatch --wait, and an srun
# --mpi=pmix job (slurm_test.sh; needs root, slurm-wlm and munge: scripts/setup.sh).
add_test(NAME cli_slurm_cluster
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
set_tests_properties(cli_slurm_cluster PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE LABELS hpc)
