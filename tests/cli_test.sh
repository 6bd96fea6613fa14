#!/usr/bin/env bash
# CLI behaviour: exit statuses (0 ok, 1 input/runtime error, 2 usage), compiler-style
# messages, no partial output on failure, the previous result left intact, default paths.
# One check (or a small group of checks sharing one setup) per NAME, each in its own
# temporary folder; tests/cli.cmake registers one CTest test cli_behaviour_NAME per name.
# usage: cli_test.sh --list
#        cli_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR TEST_H5OUT_EXE [NAME]
#        (without NAME every check runs, each in its own process and folder)
set -u
names=(location_run bad_scenario_keeps_previous micro_memory_refused micro_scale_below_1
       micro_runs micro_family bad_service_svc_overlap bad_service_svc_ratio_zero
       bad_service_care_settings_sum input_errors usage_errors default_output_path
       quiet_prints_nothing family_compare elasticity_orders_the_response negative_amount
       targets_china targets_one_service targets_one_scenario targets_errors
       targets_no_services compare_services compare_without_services targets_regions)
source "$(dirname "$0")/groups.sh" 4 "POPSIM_EXE PROJECT_ROOT WPP_DIR TEST_H5OUT_EXE" "$@"
exe=$(realpath "$1"); root=$2; wpp=$3; h5fixture=$4
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
reject_output() { # name regex: the output must not match
  if grep -Eq -- "$2" "$tmp/out"; then fail=$((fail + 1)); echo "FAIL $1: output has /$2/"
    sed 's/^/    /' "$tmp/out"; else pass=$((pass + 1)); fi
}
expect() { # name test-expression...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}

bad="$tmp/bad.yaml"
printf 'name: bad\nstart: 2025\nend: 2035\ndata:\n  location: China\nfertility:\n  tfr: -1.2\n' >"$bad"

# Shared setups; each is itself a check, so a setup that fails fails the test.
# The WPP location run (China 2025-2035, no services) in $tmp/a.h5.
setup_location_run() {
  check setup_location_run 0 "$exe" run --location 156 --start 2025 --end 2035 -o "$tmp/a.h5"
}
# The default scenario run from $tmp (China 2025-2100 with its nine services) in
# $tmp/output/china.h5, the default output path.
chn="$tmp/output/china.h5"
setup_china() {
  (cd "$tmp" && "$exe" run -q "$root/scenarios/china.yaml" >/dev/null 2>&1)
  expect setup_china_output test -s "$chn"
}
# The family scenario (Example City's planner files, a baseline and a reward variant).
fam="$tmp/family.yaml"
setup_family_yaml() {
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
}
setup_family_run() {
  setup_family_yaml
  check family_run 0 "$exe" run "$fam" -o "$tmp/fam.h5"
}

t_location_run() {
  check location_run 0 "$exe" run --location 156 --start 2025 --end 2035 -o "$tmp/a.h5"
  expect_output summary_has_planning_years "^  2030 +1,3"
  expect location_run_wrote_file test -s "$tmp/a.h5"
  check info_reads_result 0 "$exe" info "$tmp/a.h5"
  expect_output info_names_scenario "^china: China: UN WPP 2024 medium variant"
  expect_output info_has_provenance "command_line +popsim run --location 156"
}
t_bad_scenario_keeps_previous() {
  setup_location_run
  sum_before=$(sha256sum "$tmp/a.h5")
  check bad_scenario_fails 1 "$exe" run "$bad" -o "$tmp/a.h5"
  expect_output bad_scenario_is_located "bad.yaml:7:8: error: fertility.tfr = -1.2 is outside"
  expect previous_result_intact test "$sum_before" = "$(sha256sum "$tmp/a.h5")"
  expect no_temporary_files_left test "$(ls "$tmp" | grep -c tmp)" -eq 0
  check bad_scenario_no_new_file 1 "$exe" run "$bad" -o "$tmp/new.h5"
  expect no_partial_file test ! -e "$tmp/new.h5"
}
# Microsimulation (issue #5): a run that would not fit is refused up front with the
# estimate, located at micro.scale, and writes nothing; scale below 1 is a located error.
t_micro_memory_refused() {
  sed -e 's/^  scale: 10 .*/  scale: 1/' -e "s|\.\./data/example|$root/data/example|" \
    "$root/scenarios/example_city_micro.yaml" >"$tmp/micro_scale1.yaml"
  POPSIM_MEMORY_LIMIT_BYTES=60000000 check micro_memory_refused 1 "$exe" run "$tmp/micro_scale1.yaml" -o "$tmp/micro.h5"
  expect_output micro_memory_names_estimate "micro_scale1.yaml:17:10: error: the microsimulation needs about [0-9.]+ MiB .* micro.scale = 1"
  expect micro_memory_no_output test ! -e "$tmp/micro.h5"
}
t_micro_scale_below_1() {
  check micro_scale_below_1 1 "$exe" run "$root/tests/data/bad/micro_scale_below_1.yaml" -o "$tmp/micro.h5"
  expect_output micro_scale_located "micro_scale_below_1.yaml:17:10: error: micro.scale = 0.5"
  expect micro_scale_no_output test ! -e "$tmp/micro.h5"
}
t_micro_runs() {
  check micro_runs 0 "$exe" run -q "$root/scenarios/example_city_micro.yaml" -o "$tmp/micro.h5"
  check micro_info 0 "$exe" info "$tmp/micro.h5"
  check micro_targets 0 "$exe" targets "$tmp/micro.h5"
  expect_output micro_targets_childcare "childcare"
}
t_micro_family() {
  # A micro family: the policy model steers the simulated births and the ledger is filled.
  { sed -e "s|\.\./data/example|$root/data/example|" -e 's/^  replicates: 4/  replicates: 2/' \
      "$root/scenarios/example_city_micro.yaml"
    printf 'variants:\n  - name: reward\n    policies:\n      - {lever: birth_reward, start: 2026, first: 20000, second: 40000, third: 60000}\n'
  } >"$tmp/micro_family.yaml"
  check micro_family_runs 0 "$exe" run -q "$tmp/micro_family.yaml" -o "$tmp/micro_family.h5"
  check micro_family_compare 0 "$exe" compare "$tmp/micro_family.h5"
  expect_output micro_family_births_gained "^reward: [1-9][0-9]* births gained over the horizon; [0-9]+ yuan per"
}
# Bad service definitions (issue #4): located errors and no output file.
bad_service() {
  local f=$1
  check "bad_service_$f" 1 "$exe" run "$root/tests/data/bad/$f.yaml" -o "$tmp/svc.h5"
  expect_output "bad_service_${f}_located" "$f.yaml:[0-9]+:[0-9]+: error: "
  expect "bad_service_${f}_no_output" test ! -e "$tmp/svc.h5"
}
t_bad_service_svc_overlap() { bad_service svc_overlap; }
t_bad_service_svc_ratio_zero() { bad_service svc_ratio_zero; }
t_bad_service_care_settings_sum() { bad_service care_settings_sum; }
t_input_errors() {
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
}
t_usage_errors() {
  check usage_no_input 2 "$exe" run
  check usage_unknown_option 2 "$exe" run --bogus
  check usage_both_inputs 2 "$exe" run "$bad" --location China
  check usage_bad_year 2 "$exe" run --location China --start abc
  check usage_unknown_command 2 "$exe" frobnicate
}
t_default_output_path() {
  (cd "$tmp" && "$exe" run -q "$root/scenarios/china.yaml" >/dev/null 2>&1)
  expect default_output_path test -s "$tmp/output/china.h5"
}
t_quiet_prints_nothing() {
  check quiet_prints_nothing 0 "$exe" run -q --location China --end 2030 -o "$tmp/q.h5"
  expect quiet_output_empty test ! -s "$tmp/out"
}
# Families (issue #3): a baseline and a variant on Example City's planner files.
t_family_compare() {
  setup_family_run
  expect_output family_summary_compares "^reward +2025-2029 "
  check compare_reads_family 0 "$exe" compare "$tmp/fam.h5"
  expect_output compare_has_cost_per_birth "^reward: [0-9]+ births gained over the horizon; [0-9]+ yuan per"
  # The window line names the first-generation births its cost divides by, and ends at the
  # projection's last step (2044), not at the open policy's end plus the payback years.
  expect_output compare_window_first_gen "^reward: within 2026-2044 \(policy window \+ payback\): [0-9]+ births gained, [0-9]+ of them first-generation; [0-9]+ yuan per additional first-generation birth"
  check compare_custom_ranges 0 "$exe" compare --ranges 2030-2034 "$tmp/fam.h5"
  expect_output compare_range_row "^reward +2030-2034 "
  check compare_bad_ranges 2 "$exe" compare --ranges 2030- "$tmp/fam.h5"
}
t_elasticity_orders_the_response() {
  setup_family_yaml
  gained() { "$exe" run -q --elasticity "$1" "$fam" -o "$tmp/e_$1.h5" >/dev/null 2>&1 &&
             "$exe" compare "$tmp/e_$1.h5" | sed -n 's/^reward: \([0-9]*\) births gained.*/\1/p'; }
  low=$(gained low); mid=$(gained default); high=$(gained high)
  expect elasticity_orders_the_response test -n "$low" -a "$low" -lt "$mid" -a "$mid" -lt "$high"
  check usage_bad_elasticity 2 "$exe" run --elasticity extreme "$fam"
}
t_negative_amount() {
  setup_family_yaml
  sed 's/third: 50000/third: -50000/' "$fam" >"$tmp/neg.yaml"
  check negative_amount_fails 1 "$exe" run "$tmp/neg.yaml" -o "$tmp/neg.h5"
  expect_output negative_amount_is_located "neg.yaml:[0-9]+:[0-9]+: error: variants\[0\]\.policies\[0\]\.third"
  expect negative_amount_no_output test ! -e "$tmp/neg.h5"
}
# Capacity targets (issue #4): `popsim targets` and the service tables of `popsim compare` on
# the default scenario's run (China 2025-2100 with its nine services).
t_targets_china() {
  setup_china
  check targets_china 0 "$exe" targets "$chn"
  expect_output targets_names_childcare "^china / childcare \(childcare\)"
  expect_output targets_names_elderly_institution "^china / elderly_institution \(elderly\)"
  expect_output targets_childcare_target "^  target 4\.5 places per 1,000 population$"
  expect_output targets_nursing_line "^  nursing-type places \(55 % of the capacity\)"
  expect_output targets_no_target_line \
    "^  no capacity target: demand [0-9,]+ \(2025\) -> [0-9,]+ \(2100\), peak [0-9,]+ in 20[0-9]{2}$"
  expect_output targets_summary "^china: [0-9] of 7 services with a capacity target meets? it in \
every year; short in some years: childcare.*; 2 without a target$"
  # Childcare: rising enrollment outgrows 4.5 places per 1,000, so the ranges start "met"
  # (a surplus in 2025) and turn "short"; together they cover 2025-2100 without a gap.
  sed -n '/^china \/ childcare /,/^$/p' "$tmp/out" >"$tmp/childcare"
  ranges=$(grep -E '^  [0-9]{4}(-[0-9]{4})? ' "$tmp/childcare" | awk '{print $1, $2}')
  statuses=$(awk '{printf "%s ", $2}' <<<"$ranges")
  expect targets_childcare_met_then_short grep -Eq '^met short ' <<<"$statuses"
  util='utilization [0-9]+-[0-9]+ %$'
  expect targets_childcare_first_range_surplus grep -Eq \
    "^  2025-20[0-9]{2} +met +surplus up to [0-9,]+ places \(2025\), $util" "$tmp/childcare"
  expect targets_childcare_short_line grep -Eq \
    "^  20[0-9]{2}-20[0-9]{2} +short +short by up to [0-9,]+ places \(20[0-9]{2}\), $util" \
    "$tmp/childcare"
  contiguous=$(awk '{ n = split($1, y, "-"); lo = y[1]; hi = n > 1 ? y[2] : y[1];
                      if (NR == 1 && lo != 2025) bad = 1; if (NR > 1 && lo != prev + 1) bad = 1;
                      prev = hi } END { print (bad || prev != 2100) ? "no" : "yes" }' <<<"$ranges")
  expect targets_childcare_ranges_cover_the_horizon test "$contiguous" = yes
}
t_targets_one_service() {
  setup_china
  check targets_one_service 0 "$exe" targets --service childcare "$chn"
  expect_output targets_one_service_childcare "^china / childcare "
  reject_output targets_one_service_only "^china / (kindergarten|elderly_institution) "
  expect_output targets_one_service_summary "^china: 0 of 1 service with a capacity target meet it"
}
t_targets_one_scenario() {
  setup_china
  check targets_one_scenario 0 "$exe" targets --scenario china --service elderly_home "$chn"
  expect_output targets_demand_only "^china / elderly_home .*$"
}
t_targets_errors() {
  setup_china
  check targets_unknown_service 1 "$exe" targets --service nursery "$chn"
  expect_output targets_unknown_service_lists_known "china.h5: error: no service 'nursery' in \
scenario 'china'; services: childcare, kindergarten, .*elderly_institution"
  check targets_unknown_scenario 1 "$exe" targets --scenario shanghai "$chn"
  expect_output targets_unknown_scenario_lists_known \
    "error: no scenario 'shanghai' in this file; it has: china$"
  check targets_missing_file 1 "$exe" targets "$tmp/absent.h5"
  expect_output targets_missing_file_message "absent.h5: error: cannot open"
  check targets_not_hdf5 1 "$exe" targets "$bad"
  check targets_usage_no_file 2 "$exe" targets
  check targets_usage_two_files 2 "$exe" targets "$chn" "$chn"
  check targets_usage_unknown_option 2 "$exe" targets --bogus "$chn"
  check targets_usage_missing_argument 2 "$exe" targets "$chn" --service
}
t_targets_no_services() {
  setup_location_run
  # A file without services (the WPP location run): a note and exit 0; --service has nothing
  # to find.
  check targets_no_services 0 "$exe" targets "$tmp/a.h5"
  expect_output targets_no_services_note "^china: no services in this scenario"
  check targets_no_services_named 1 "$exe" targets --service childcare "$tmp/a.h5"
  expect_output targets_no_services_named_message \
    "no service 'childcare': scenario 'china' of this file has no services"
}
t_compare_services() {
  setup_china
  check compare_services 0 "$exe" compare "$chn"
  expect_output compare_births_table_kept "^china +2025-2029 "
  expect_output compare_service_heading "^childcare \(childcare\): Childcare, children under 3$"
  expect_output compare_service_row "^china +2035 +[0-9,]+ +[0-9,]+ +[-+]?[0-9,]+ +[0-9]+ %$"
  expect_output compare_service_no_target "^china +2100 +[0-9,]+ +- +- +-$"
}
t_compare_without_services() {
  setup_family_run
  check compare_without_services 0 "$exe" compare "$tmp/fam.h5"
  reject_output compare_without_services_unchanged "Services on 1 July"
}
# Regions: the fixture of test_h5out (regions North and Sued, 2020-2022) with two services
# added by h5py. "beds" meets its target in the sum of the regions but not in each one:
# capacity North 60 60 70, Sued 40 40 50; demand North 50 55 80, Sued 45 30 40.
t_targets_regions() {
  py=""
  for p in /usr/bin/python3 "$(command -v python3)"; do
    if [[ -n $p && -x $p ]] && "$p" -c 'import h5py' 2>/dev/null; then py=$p; break; fi
  done
  expect python3_with_h5py test -n "$py"
  if [[ -n $py ]] && "$h5fixture" --write-fixture "$tmp/reg.h5" >/dev/null 2>&1; then
    "$py" - "$tmp/reg.h5" "$tmp/plain.h5" <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    grp = f["scenarios/baseline"].create_group("services")
    def service(name, kind, basis, cap, dem, nursing=None):
        s = grp.create_group(name)
        s.attrs.update(kind=kind, basis=basis, title=name.title())
        dem = np.array(dem, float)
        cap = np.full(dem.shape, np.nan) if cap is None else np.array(cap, float)
        s["demand"], s["capacity"] = dem, cap
        s["shortage"], s["surplus"] = np.maximum(0, dem - cap), np.maximum(0, cap - dem)
        s["utilization"] = dem / cap
        s["target"] = np.full(dem.shape[0], 100.0 if basis == "places" else np.nan)
        if nursing is not None:
            s["nursing_capacity"] = cap * nursing
    service("beds", "elderly", "places", [[60, 40], [60, 40], [70, 50]],
            [[50, 45], [55, 30], [80, 40]], 0.5)
    service("visits", "other", "none", None, [[10, 5], [20, 6], [15, 7]])
h5py.File(sys.argv[2], "w").create_group("other")
PY
  fi
  check targets_regions 0 "$exe" targets "$tmp/reg.h5"
  expect_output targets_regions_total \
    "^  2020-2022 +met +surplus up to 15 places \(2021\), utilization 85-100 %$"
  expect_output targets_regions_north "^  region North:$"
  expect_output targets_regions_north_short "^    2022 +short +short by 10 places, utilization 114 %$"
  expect_output targets_regions_south_short "^    2020 +short +short by 5 places, utilization 113 %$"
  expect_output targets_regions_nursing \
    "^    2020-2022 +short +short by up to 45 places \(2022\), utilization 167-229 %$"
  expect_output targets_regions_demand_only \
    "^    no capacity target: demand 10 \(2020\) -> 15 \(2022\), peak 20 in 2021$"
  expect_output targets_regions_summary "^baseline: 0 of 1 service with a capacity target meet it \
in every year and region; short in some years or regions: beds; 1 without a target$"
  expect_output targets_regions_other_scenario "^reward: no services in this scenario"
  check compare_regions 0 "$exe" compare "$tmp/reg.h5"
  expect_output compare_regions_summed "^baseline +2020 +95 +100 +\+5 +95 %$"
  check targets_not_popsim_file 1 "$exe" targets "$tmp/plain.h5"
  expect_output targets_not_popsim_file_message "plain.h5: error: not a popsim result file"

}

declare -F "t_$only" >/dev/null || { echo "cli_test.sh: no check '$only' (see --list)" >&2; exit 2; }
cd "$tmp" || exit 1
"t_$only"
echo "cli $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
