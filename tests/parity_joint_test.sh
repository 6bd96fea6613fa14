#!/bin/bash
# The joint fit of the base parity (issue #12, docs/model.md sec. 2.6 "Joint fit") through
# `popsim run`, `popsim info` and `popsim check`: the China policy preset meets its three
# targets and records the fit as root attributes; bad birth_order values exit 1 at
# path:line:col, and targets out of reach exit 1 naming the key, each leaving no result file.
# usage: parity_joint_test.sh POPSIM SOURCE_DIR WPP_DIR
popsim=$1; src=$2
source "$src/tests/testlib.sh" parity_joint "$3"
scn="$src/scenarios/china_policies.yaml"

# attr NAME FILE: a root attribute's value as h5dump prints it.
attr() { h5dump -a "/$1" "$2" | awk '/\(0\)/ {print $2; exit}'; }

expect china_runs "$popsim" run -q "$scn" -o good.h5
expect info_shows_fit bash -c "'$popsim' info good.h5 | grep -Eq '^  parity_fit +joint fit: childless at 45-49 in 2025 0\.0700, second births 0\.4500 of the births of 2017-2021, mean age at first birth 27\.20 in 2020'"
expect attrs_reach_targets python3 - "$(attr parity_fit_childless_45_49 good.h5)" \
  "$(attr parity_fit_second_share good.h5)" "$(attr parity_fit_first_mean_age good.h5)" \
  "$(attr parity_fit_first_level good.h5)" <<'PY'
import sys
c, s, a, b1 = (float(v) for v in sys.argv[1:5])
assert abs(c - 0.07) < 1e-9 and abs(s - 0.45) < 1e-9 and abs(a - 27.2) < 1e-8, (c, s, a)
assert b1 > 1.0, b1
PY

# bad_case NAME EDIT REGEX [COMMAND]: the preset with one sed edit exits 1 at REGEX, no file.
bad_case() {
  local name=$1 edit=$2 regex=$3 cmd=${4:-run}
  sed -e "$edit" "$scn" >"$name.yaml"
  if [[ $cmd == run ]]; then
    expect "${name}_exit" status_is 1 "$popsim" run -q "$name.yaml" -o "$name.h5"
  else
    expect "${name}_exit" status_is 1 "$popsim" check "$name.yaml"
  fi
  cp "$tmp/out" "$tmp/$name.msg"
  expect "${name}_message" grep -Eq "$regex" "$tmp/$name.msg"
  expect "${name}_no_output" test ! -e "$name.h5"
}
bad_case share_range "s|^  second_share: 0.45|  second_share: 1.5|" \
  "share_range\.yaml:[0-9]+:17: error: birth_order\.second_share = 1\.5 is outside \[0, 0\.95\]"
bad_case share_years "s|^  second_share_to: 2021|  second_share_to: 2016|" \
  "share_years\.yaml:[0-9]+:20: error: .*second_share_to = 2016 is before second_share_from = 2017"
bad_case share_future "s|^  second_share_to: 2021|  second_share_to: 2026|" \
  "share_future\.yaml:[0-9]+:20: error: .*must lie before the start year 2025" check
bad_case age_year_alone "/^  first_mean_age: 27.2/d" \
  "age_year_alone\.yaml:[0-9]+:24: error: .*first_mean_age_year = 2020 needs first_mean_age"
bad_case age_year_word "s|^  first_mean_age_year: 2020|  first_mean_age_year: twenty|" \
  "age_year_word\.yaml:[0-9]+:24: error: .*first_mean_age_year"
bad_case out_of_reach "s|^  childless_45_49: 0.07|  childless_45_49: 0.9|" \
  "error: .*birth_order\.childless_45_49 = 0\.9 \(closest reached"
finish parity_joint
