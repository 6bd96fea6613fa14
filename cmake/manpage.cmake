# Build time (cmake -P): the man page popsim.1 from docs/popsim.1.in and the --help text of
# every command, so that `man popsim` and `popsim COMMAND --help` say the same thing.
# usage: cmake -DEXE=<popsim> -DIN=<popsim.1.in> -DOUT=<popsim.1> -DVERSION=<v> -P manpage.cmake
set(COMMANDS "")
foreach(cmd run check info plot report compare targets export init merge)
  execute_process(COMMAND ${EXE} ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "popsim ${cmd} --help failed")
  endif()
  # roff: a backslash is \e, a leading dot or quote would be a request.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  string(APPEND COMMANDS ".SS popsim ${cmd}\n.nf\n${help}.fi\n")
endforeach()
set(PROJECT_VERSION ${VERSION})
configure_file(${IN} ${OUT} @ONLY)
