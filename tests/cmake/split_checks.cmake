# ps_add_split_checks(PREFIX SCRIPT [TIMEOUT s] NAMES name... ARGS arg...): one CTest test
# PREFIX_name per check (or group of checks sharing one setup) of a test script, where
# `bash SCRIPT ARGS... name` runs that check alone in its own temporary folder; and
# PREFIX_list, which fails unless `bash SCRIPT --list` prints exactly NAMES in that order, so
# no check of the script is silently left unregistered. Included by the tests/*.cmake files
# whose scripts are split (issue #11 section 6); PREFIX must fit a label rule in
# tests/CMakeLists.txt.
include_guard(GLOBAL)
function(ps_add_split_checks prefix script)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "TIMEOUT" "NAMES;ARGS")
  foreach(name ${arg_NAMES})
    add_test(NAME ${prefix}_${name} COMMAND bash ${script} ${arg_ARGS} ${name})
    if(arg_TIMEOUT)
      set_tests_properties(${prefix}_${name} PROPERTIES TIMEOUT ${arg_TIMEOUT})
    endif()
  endforeach()
  add_test(NAME ${prefix}_list
           COMMAND bash -c "diff <(bash \"$0\" --list) <(printf '%s\\n' \"$@\")"
                   ${script} ${arg_NAMES})
endfunction()
