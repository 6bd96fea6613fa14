# The group dispatch shared by the split test scripts (issue #11): source it after setting
# names=(GROUP...), as   source "$(dirname "$0")/groups.sh" NARGS "ARGS..." "$@"
# where NARGS is how many arguments come before the group's NAME and "ARGS..." names them
# for the usage line. `--list` prints the groups (tests/cmake/split_checks.cmake checks them);
# without NAME every group runs, each in its own process; with it, $only is that group.
n_args=$1; arg_names=$2; shift 2
if [[ ${1:-} == --list ]]; then printf '%s\n' "${names[@]}"; exit 0; fi
if [[ $# -lt $n_args ]]; then
  echo "usage: $(basename "$0") --list | $arg_names [NAME]" >&2; exit 2
fi
if [[ $# -eq $n_args ]]; then
  failed=0
  for n in "${names[@]}"; do bash "$0" "$@" "$n" || failed=$((failed + 1)); done
  echo "$(basename "$0" .sh): ${#names[@]} groups, $failed failed"
  [[ $failed -eq 0 ]]; exit
fi
only=${!#}
[[ " ${names[*]} " == *" $only "* ]] ||
  { echo "$(basename "$0"): no group '$only' (see --list)" >&2; exit 2; }
