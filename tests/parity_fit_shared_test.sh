#!/bin/bash
# The fit of the base parity runs once per `popsim run` and every member of a family starts
# from it (docs/model.md sec. 2.6 "Cost of the fit"; issue #18 item 1). Its inputs are the
# scenario's birth_order and the base year's population and rates, which a variant cannot
# change (variants change policies, response, economy and services). So: the China policy
# family and its baseline run alone have the same fit (root attributes parity_fit*, to 17
# digits) and the same base women by parity; every variant starts from the baseline's women
# by parity; the variant keys refuse a birth_order of their own (file:line:col); and a
# family whose birth_order target differs gets a different fit that meets its own target.
# usage: parity_fit_shared_test.sh POPSIM SOURCE_DIR WPP_DIR
popsim=$1; src=$2
source "$src/tests/testlib.sh" parity_fit_shared "$3"
scn="$src/scenarios/china_policies.yaml"

# fit FILE: every parity_fit* root attribute of FILE, one "name value" a line, 17 digits.
fit() {
  for a in parity_fit_first_level parity_fit_second_level parity_fit_first_shape_age \
           parity_fit_childless_45_49 parity_fit_second_share parity_fit_first_mean_age; do
    echo "$a $(h5dump -m %.17g -a "/$a" "$1" | awk '/\(0\)/ {print $2; exit}')"
  done
}
# start GROUP FILE: the women by parity of GROUP on 1 July of the start year, 17 digits.
start() {
  h5dump -m %.17g -d "/scenarios/$1/women_by_parity" -s 0,0,0,0 -c 1,1,101,4 "$2" |
    grep -E '^ +\([0-9]+,[0-9]+,[0-9]+,[0-9]+\):'
}

expect family_runs "$popsim" run -q "$scn" -o family.h5
sed '/^variants:/,$d' "$scn" >alone.yaml
expect baseline_alone_runs "$popsim" run -q alone.yaml -o alone.h5
fit family.h5 >family.fit
fit alone.h5 >alone.fit
expect fit_has_values bash -c "[[ \$(awk 'NF == 2 && \$2 ~ /^[0-9.e+-]+\$/' family.fit | wc -l) == 6 ]]"
expect same_fit_as_baseline_alone cmp family.fit alone.fit
start china_baseline family.h5 >family.start
start china_baseline alone.h5 >alone.start
expect same_base_women cmp family.start alone.start
expect base_women_given grep -q '[1-9]' family.start
for v in national_subsidy_2025 jiangsu_2025 jinan_package dongguan_reward; do
  start "$v" family.h5 >"$v.start"
  expect "${v}_starts_from_the_fit" cmp family.start "$v.start"
done

# A variant has no birth_order of its own: the key is refused where it stands.
awk '{ print } /^  - name: national_subsidy_2025/ { print "    birth_order: {childless_45_49: 0.08}" }' \
  "$scn" >own.yaml
expect variant_birth_order_refused status_is 1 "$popsim" run -q own.yaml -o own.h5
cp "$tmp/out" own.msg
expect variant_birth_order_located grep -Eq "own\.yaml:[0-9]+:5: error: unknown key 'birth_order'" own.msg
expect variant_birth_order_no_output test ! -e own.h5

# Another target, another fit: the family's own, meeting it.
sed 's|^  childless_45_49: 0.07|  childless_45_49: 0.09|' "$scn" >other.yaml
expect other_target_runs "$popsim" run -q other.yaml -o other.h5
fit other.h5 >other.fit
expect other_fit_differs bash -c '! cmp -s family.fit other.fit'
expect other_fit_meets_its_target awk '$1 == "parity_fit_childless_45_49" { ok = ($2 - 0.09)^2 < 1e-18 } END { exit !ok }' other.fit
start china_baseline other.h5 >other.start
expect other_base_women_differ bash -c '! cmp -s family.start other.start'
finish parity_fit_shared
