#!/bin/bash
# The base parity from a planner's table and the jump-off calibration (issue #12,
# docs/scenario-format.md "parity" and "calibrate_births") through `popsim run` and
# `popsim info`: scenarios/example_city_parity.yaml reproduces its two observed years of
# births (to 1e-9), writes the factors, and its base women by parity are the table's;
# a broken table and broken calibrate_births keys each exit 1 with path:line:col and leave
# no result file.
# usage: parity_test.sh POPSIM SOURCE_DIR
popsim=$1; src=$2
source "$src/tests/testlib.sh" parity
scn="$src/scenarios/example_city_parity.yaml"

expect example_runs "$popsim" run -q "$scn" -o good.h5
expect factors_written bash -c "h5ls good.h5/scenarios/example_city_parity | grep -q '^fertility_calibration '"
expect info_shows_factors bash -c "'$popsim' info good.h5 | grep -Eq 'ASFR factor by year: 2025 [0-9.]+ 2026 [0-9.]+ 2027'"
expect info_shows_inputs bash -c "'$popsim' info good.h5 | grep -q 'women by parity .*women_by_parity.csv (SHA-256 '"
# The births of 2025 and 2026 are the scenario's, to 1e-9 (read from the JSON of info).
want=$(grep -E '^  202[56]: ' "$scn" | awk '{print $2}' | tr '\n' ' ')
expect births_reproduced bash -c "'$popsim' info --json good.h5 | python3 -c '
import json, sys
s = json.load(sys.stdin)[\"scenarios\"][0]
want = [float(w) for w in \"$want\".split()]
assert len(want) == 2, want
for got, w in zip(s[\"births\"][:2], want):
    assert abs(got / w - 1) < 1e-9, (got, w)
assert s[\"fertility_calibration\"][5] == 1.0
'"
# The women aged 15-19 of the base year by parity are the table's shares x the base women
# of each single age (exact: test_parity_table); summed over the group they come within 2 %
# of the table's counts (the table and the population are graduated separately).
expect base_parity_is_table bash -c "h5dump -d /scenarios/example_city_parity/women_by_parity \
  -s 0,0,15,0 -c 1,1,5,4 -m '%.17g' -y -w 0 good.h5 | python3 -c '
import sys, csv
text = sys.stdin.read().split(\"DATA {\", 1)[1].split(\"}\", 1)[0]
vals = [float(v) for v in text.replace(\",\", \" \").split()]
rows = [r for r in csv.reader(open(\"$src/data/example/women_by_parity.csv\")) if r[0] == \"15-19\"]
assert len(vals) == 20 and len(rows) == 4, (vals, rows)
for k, r in enumerate(rows):
    got = sum(vals[a * 4 + k] for a in range(5))
    assert abs(got / float(r[2]) - 1) < 0.02, (k, got, r)
'"

# bad_case NAME EDIT REGEX: the example with one sed edit exits 1 at REGEX, no file.
bad_case() {
  local name=$1 edit=$2 regex=$3
  sed -e "$edit" -e "s|\.\./data/example/|$src/data/example/|" "$scn" >"$name.yaml"
  expect "${name}_exit" status_is 1 "$popsim" run -q "$name.yaml" -o "$name.h5"
  cp "$tmp/out" "$tmp/$name.msg"
  expect "${name}_message" grep -Eq "$regex" "$tmp/$name.msg"
  expect "${name}_no_output" test ! -e "$name.h5"
}
bad_case table_negative "s|women_by_parity.csv|../../tests/data/parity/bad_negative.csv|" \
  "bad_negative\.csv:6:9: error: .*negative"
bad_case table_shares "s|women_by_parity.csv|../../tests/data/parity/bad_shares_sum.csv|" \
  "bad_shares_sum\.csv:4:1: error: .*sum to 1\.05"
bad_case calib_year "s|^  2026: 11890|  2051: 11890|" \
  "bad_year\.yaml|calib_year\.yaml:[0-9]+:3: error: .*2051.* not a year"
bad_case calib_births "s|^  2026: 11890|  2026: -5|" \
  "calib_births\.yaml:[0-9]+:9: error: .*births"
bad_case calib_fade "s|^  fade_years: 3|  fade_years: 2.5|" \
  "calib_fade\.yaml:[0-9]+:15: error: .*fade_years"
bad_case parity_key "s|^  file: .*women_by_parity.csv|  path: x.csv|" \
  "parity_key\.yaml:[0-9]+:3: error: .*unknown key 'path'"
finish parity
