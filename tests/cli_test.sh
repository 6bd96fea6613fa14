#!/usr/bin/env bash
# CLI behaviour: exit statuses (0 ok, 1 input/runtime error, 2 usage), compiler-style
# messages, no partial output on failure, the previous result left intact, default paths.
# usage: cli_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR
set -u
exe=$(realpath "$1"); root=$2; wpp=$3
tmp=$(mktemp -d /tmp/popsim_cli_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp"
pass=0; fail=0

check() { # name expected_status command... ; output in $tmp/out
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>&1; local got=$?
  if [[ $got -eq $want ]]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$tmp/out"; fi
}
expect_output() { # name regex
  if grep -Eq -- "$2" "$tmp/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: output lacks /$2/"; sed 's/^/    /' "$tmp/out"; fi
}
expect() { # name test-expression...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}

bad="$tmp/bad.yaml"
printf 'name: bad\nstart: 2025\nend: 2035\ndata:\n  location: China\nfertility:\n  tfr: -1.2\n' >"$bad"

check location_run 0 "$exe" run --location 156 --start 2025 --end 2035 -o "$tmp/a.h5"
expect_output summary_has_planning_years "^  2030 +1,3"
expect location_run_wrote_file test -s "$tmp/a.h5"
check info_reads_result 0 "$exe" info "$tmp/a.h5"
expect_output info_names_scenario "^china: China: UN WPP 2024 medium variant"
expect_output info_has_provenance "command_line +popsim run --location 156"

sum_before=$(sha256sum "$tmp/a.h5")
check bad_scenario_fails 1 "$exe" run "$bad" -o "$tmp/a.h5"
expect_output bad_scenario_is_located "bad.yaml:7:8: error: fertility.tfr = -1.2 is outside"
expect previous_result_intact test "$sum_before" = "$(sha256sum "$tmp/a.h5")"
expect no_temporary_files_left test "$(ls "$tmp" | grep -c tmp)" -eq 0
check bad_scenario_no_new_file 1 "$exe" run "$bad" -o "$tmp/new.h5"
expect no_partial_file test ! -e "$tmp/new.h5"

# Bad service definitions (issue #4): located errors and no output file.
for f in svc_overlap svc_ratio_zero care_settings_sum; do
  check "bad_service_$f" 1 "$exe" run "$root/tests/data/bad/$f.yaml" -o "$tmp/svc.h5"
  expect_output "bad_service_${f}_located" "$f.yaml:[0-9]+:[0-9]+: error: "
  expect "bad_service_${f}_no_output" test ! -e "$tmp/svc.h5"
done

check unknown_location 1 "$exe" run --location Atlantis -o "$tmp/x.h5"
expect_output unknown_location_message "unknown location 'Atlantis'"
check missing_wpp_dir 1 "$exe" run --location China --wpp-dir "$tmp/nowhere" -o "$tmp/x.h5"
expect_output missing_wpp_names_source "World Population Prospects 2024"
check missing_scenario 1 "$exe" run "$tmp/absent.yaml"
check scenario_is_directory 1 "$exe" check "$tmp"
check output_dir_missing 1 "$exe" run --location China --end 2030 -o "$tmp/no/dir/x.h5"
check info_missing_file 1 "$exe" info "$tmp/absent.h5"
check start_not_wpp_year 1 "$exe" run --location China --start 2024 -o "$tmp/x.h5"
expect_output start_year_message "divisible by 5"
expect nothing_written_on_errors test ! -e "$tmp/x.h5"

check usage_no_input 2 "$exe" run
check usage_unknown_option 2 "$exe" run --bogus
check usage_both_inputs 2 "$exe" run "$bad" --location China
check usage_bad_year 2 "$exe" run --location China --start abc
check usage_unknown_command 2 "$exe" frobnicate

(cd "$tmp" && "$exe" run -q "$root/scenarios/china.yaml" >/dev/null 2>&1)
expect default_output_path test -s "$tmp/output/china.h5"
check quiet_prints_nothing 0 "$exe" run -q --location China --end 2030 -o "$tmp/q.h5"
expect quiet_output_empty test ! -s "$tmp/out"

# Families (issue #3): a baseline and a variant on Example City's planner files.
fam="$tmp/family.yaml"
cat >"$fam" <<YAML
name: city
start: 2025
end: 2045
region: Example City
population:
  file: $root/data/example/population.csv
mortality:
  mx_file: $root/data/example/mx.csv
fertility:
  asfr_file: $root/data/example/asfr.csv
migration:
  none: true
birth_order:
  first: 0.58
  second: 0.39
  third: 0.03
variants:
  - name: reward
    policies:
      - lever: birth_reward
        start: 2026
        second: 20000
        third: 50000
YAML
check family_run 0 "$exe" run "$fam" -o "$tmp/fam.h5"
expect_output family_summary_compares "^reward +2025-2029 "
check compare_reads_family 0 "$exe" compare "$tmp/fam.h5"
expect_output compare_has_cost_per_birth "^reward: [0-9]+ births gained over the horizon; [0-9]+ yuan per"
check compare_custom_ranges 0 "$exe" compare --ranges 2030-2034 "$tmp/fam.h5"
expect_output compare_range_row "^reward +2030-2034 "
check compare_bad_ranges 2 "$exe" compare --ranges 2030- "$tmp/fam.h5"
gained() { "$exe" run -q --elasticity "$1" "$fam" -o "$tmp/e_$1.h5" >/dev/null 2>&1 &&
           "$exe" compare "$tmp/e_$1.h5" | sed -n 's/^reward: \([0-9]*\) births gained.*/\1/p'; }
low=$(gained low); mid=$(gained default); high=$(gained high)
expect elasticity_orders_the_response test -n "$low" -a "$low" -lt "$mid" -a "$mid" -lt "$high"
check usage_bad_elasticity 2 "$exe" run --elasticity extreme "$fam"
sed 's/third: 50000/third: -50000/' "$fam" >"$tmp/neg.yaml"
check negative_amount_fails 1 "$exe" run "$tmp/neg.yaml" -o "$tmp/neg.h5"
expect_output negative_amount_is_located "neg.yaml:[0-9]+:[0-9]+: error: variants\[0\]\.policies\[0\]\.third"
expect negative_amount_no_output test ! -e "$tmp/neg.h5"

echo "cli: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
