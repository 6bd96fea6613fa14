#!/usr/bin/env bash
# `popsim init` (issue #16): each template is accepted by `popsim check` as written and runs;
# switched to its workbook (inputs.xlsx, as the comments under each input say) it gives the
# same numbers as its CSV files; nothing is ever overwritten; usage errors exit 2.
# One group of checks per NAME (the templates city, province, micro; never_overwrite;
# usage), each in its own temporary folder; tests/cli.cmake registers one CTest test
# cli_init_templates_NAME per name.
# usage: init_test.sh --list
#        init_test.sh POPSIM_EXE WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(city province micro never_overwrite usage)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE WPP_DIR" "$@"
exe=$(realpath "$1"); wpp=$2
source "$(dirname "$0")/testlib.sh" init "$wpp"

template() { # KIND: init, check and run as written, then switched to its workbook
  local kind=$1 p v
  expect "${kind}_init" "$exe" init "$kind"
  expect "${kind}_check" "$exe" check "$kind/$kind.yaml"
  expect "${kind}_run_csv" "$exe" run -q "$kind/$kind.yaml" -o "$tmp/${kind}_csv.h5"
  # The workbook: drop each CSV line and uncomment the two workbook lines under it.
  awk '/^  [a-z_0-9]+: [a-z_0-9]+\.csv/ {next} /^  # or: / {
         sub(/^  # or: /, "  "); n = split($0, a, " and "); print a[1]; sub(/^ +/, "", a[2]);
         print "  " a[2]; next }
       /^  # or the same table/ {next} /^  # [a-z_0-9]+: inputs.xlsx$/ || /^  # sheet: / {
         sub(/^  # /, "  "); print; next } {print}' "$kind/$kind.yaml" >"$kind/${kind}_xlsx.yaml"
  expect "${kind}_xlsx_uses_workbook" grep -q "inputs.xlsx" "$kind/${kind}_xlsx.yaml"
  expect "${kind}_xlsx_no_csv" bash -c "! grep -v '^ *#' '$kind/${kind}_xlsx.yaml' | grep -q '\\.csv'"
  expect "${kind}_xlsx_check" "$exe" check "$kind/${kind}_xlsx.yaml"
  expect "${kind}_xlsx_run" "$exe" run -q "$kind/${kind}_xlsx.yaml" -o "$tmp/${kind}_xlsx.h5"
  for v in population births deaths net_migration; do
    p=/scenarios/$kind/$v
    expect "${kind}_xlsx_equals_csv_$v" h5diff --exclude-attribute "$p" "$tmp/${kind}_csv.h5" \
      "$tmp/${kind}_xlsx.h5" "$p" "$p"
  done
}

t_city() { template city; }
t_province() { template province; }
t_micro() { template micro; }

t_never_overwrite() {
expect city_init "$exe" init city
# Never overwrite: a second init into the same folder fails and changes nothing.
before=$(ls -l --time-style=+%s.%N city | md5sum)
expect init_refuses_existing status_is 1 "$exe" init city
cp "$tmp/out" "$tmp/refusal"
expect init_refusal_names_file grep -q "city/city.yaml: error: the file exists" "$tmp/refusal"
expect init_left_files_alone test "$before" = "$(ls -l --time-style=+%s.%N city | md5sum)"
expect init_into_named_folder "$exe" init city "$tmp/other place"
expect init_named_folder_checks "$exe" check "$tmp/other place/city.yaml"
}

t_usage() {
expect init_unknown_kind status_is 2 "$exe" init town
expect init_no_kind status_is 2 "$exe" init
expect init_help "$exe" init --help
expect help_command_is_help bash -c "'$exe' help init | grep -q 'usage: popsim init'"
expect help_unknown_command status_is 2 "$exe" help nosuch
expect dash_V bash -c "'$exe' -V | grep -q '^popsim '"
}

"t_$only"
finish "init $only"
