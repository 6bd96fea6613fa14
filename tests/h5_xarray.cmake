# h5_xarray.cmake - the output file must open as labelled arrays in xarray.
#
# Two roles in one file. Included by tests/CMakeLists.txt, it registers the CTest tests
# h5out_xarray, h5out_xarray_policy and popsim_run_xarray. Run by those tests as `cmake -P`
# (CMAKE_SCRIPT_MODE_FILE set), it writes a fixture with `test_h5out --write-fixture` and checks
# it with check_xarray.py (and check_xarray_policy.py); the population total of both fixture
# scenarios on 1 July 2021 is 32147.5 (see write_fixture() in test_h5out.c).
# A missing Python, xarray or netCDF backend fails the test: it never skips.

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED POPSIM)
  # A file made by `popsim run` itself: Example City, whose base population (the sum of
  # data/example/population.csv, an input we wrote) is 2,115,180 persons on 1 July 2025.
  file(REMOVE "${FIXTURE}")
  execute_process(COMMAND "${POPSIM}" run -q "${SCENARIO}" -o "${FIXTURE}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "popsim run ${SCENARIO} failed (${rc})")
  endif()
  execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${FIXTURE}" example_city 2025 2115180
                  RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    # Its services (issue #4): childcare at the city's 5 spots per 1,000 population.
    execute_process(COMMAND "${PYTHON}" "${SERVICES_SCRIPT}" "${FIXTURE}" example_city childcare 5
                    RESULT_VARIABLE rc)
  endif()
  file(REMOVE "${FIXTURE}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_xarray(_services).py failed on a popsim run result (${rc})")
  endif()
  return()
endif()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED POLICY_SCRIPT)
  # The fixture's second scenario, "reward", has births by order, women by parity and a
  # policy part with two instruments compared with "baseline" (add_fixture_policy() in
  # test_h5out.c). Its scenario group must still pass the plain check (same population), and
  # the policy groups must open with labelled (year, region).
  file(REMOVE "${FIXTURE}")
  execute_process(COMMAND "${WRITER}" --write-fixture "${FIXTURE}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "test_h5out --write-fixture ${FIXTURE} failed (${rc})")
  endif()
  execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${FIXTURE}" reward 2021 32147.5
                  RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    execute_process(COMMAND "${PYTHON}" "${POLICY_SCRIPT}" "${FIXTURE}" reward baseline
                    RESULT_VARIABLE rc)
  endif()
  file(REMOVE "${FIXTURE}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_xarray(_policy).py failed (${rc}) with ${PYTHON}")
  endif()
  return()
endif()

if(CMAKE_SCRIPT_MODE_FILE)
  file(REMOVE "${FIXTURE}")
  execute_process(COMMAND "${WRITER}" --write-fixture "${FIXTURE}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "test_h5out --write-fixture ${FIXTURE} failed (${rc})")
  endif()
  execute_process(COMMAND "${PYTHON}" "${SCRIPT}" "${FIXTURE}" baseline 2021 32147.5
                  RESULT_VARIABLE rc)
  file(REMOVE "${FIXTURE}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_xarray.py failed (${rc}) with ${PYTHON}")
  endif()
  return()
endif()

# Prefer an interpreter that has xarray and a netCDF-4 backend: a pyenv or venv python3 on
# PATH often lacks Debian's python3-xarray, which /usr/bin/python3 has. Set PS_PYTHON3 to
# choose one explicitly.
if(NOT PS_PYTHON3)
  find_program(ps_h5x_path_python NAMES python3)
  foreach(ps_h5x_py "${ps_h5x_path_python}" /usr/bin/python3)
    if(NOT PS_PYTHON3 AND EXISTS "${ps_h5x_py}")
      execute_process(COMMAND "${ps_h5x_py}" -c
                      "import xarray\ntry:\n import netCDF4\nexcept ImportError:\n import h5netcdf"
                      RESULT_VARIABLE ps_h5x_rc OUTPUT_QUIET ERROR_QUIET)
      if(ps_h5x_rc EQUAL 0)
        set(PS_PYTHON3 "${ps_h5x_py}" CACHE FILEPATH "Python 3 with xarray for h5out_xarray")
      endif()
    endif()
  endforeach()
  if(NOT PS_PYTHON3)
    message(WARNING "No python3 with xarray and netCDF4/h5netcdf found: h5out_xarray will fail "
                    "(apt-get install python3-xarray python3-netcdf4)")
    set(ps_h5x_fallback "${ps_h5x_path_python}")
    if(NOT ps_h5x_fallback)
      set(ps_h5x_fallback python3)
    endif()
  endif()
endif()
if(PS_PYTHON3)
  set(ps_h5x_python "${PS_PYTHON3}")
else()
  set(ps_h5x_python "${ps_h5x_fallback}")
endif()

add_test(NAME h5out_xarray
         COMMAND ${CMAKE_COMMAND}
                 -DWRITER=$<TARGET_FILE:test_h5out>
                 -DPYTHON=${ps_h5x_python}
                 -DSCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/check_xarray.py
                 -DFIXTURE=${CMAKE_CURRENT_BINARY_DIR}/h5out_xarray_fixture.h5
                 -P ${CMAKE_CURRENT_LIST_FILE})

add_test(NAME h5out_xarray_policy
         COMMAND ${CMAKE_COMMAND}
                 -DWRITER=$<TARGET_FILE:test_h5out>
                 -DPYTHON=${ps_h5x_python}
                 -DSCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/check_xarray.py
                 -DPOLICY_SCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/check_xarray_policy.py
                 -DFIXTURE=${CMAKE_CURRENT_BINARY_DIR}/h5out_xarray_policy_fixture.h5
                 -P ${CMAKE_CURRENT_LIST_FILE})

add_test(NAME popsim_run_xarray
         COMMAND ${CMAKE_COMMAND}
                 -DPOPSIM=$<TARGET_FILE:popsim>
                 -DSCENARIO=${CMAKE_SOURCE_DIR}/scenarios/example_city.yaml
                 -DPYTHON=${ps_h5x_python}
                 -DSCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/check_xarray.py
                 -DSERVICES_SCRIPT=${CMAKE_CURRENT_SOURCE_DIR}/check_xarray_services.py
                 -DFIXTURE=${CMAKE_CURRENT_BINARY_DIR}/popsim_run_xarray.h5
                 -P ${CMAKE_CURRENT_LIST_FILE})
