#!/bin/bash
# Stock files of a service (issue #13, docs/services.md sec. 8) through `popsim run` and
# `popsim targets`: a good file gives the stock, gaps and places to build; an unknown
# district, a missing district, a negative number of places and a bad year each exit 1
# with path:line:col naming the problem and leave no result file.
# The national preset with the national stock (data/china/stock.csv) added to its
# institution service: 4.29 million beds against its residents.
# One group of checks per NAME (city, bad, china); tests/stock.cmake registers one CTest test
# cli_stock_files_NAME per name.
# usage: stock_test.sh --list
#        stock_test.sh POPSIM SOURCE_DIR WPP_DIR [NAME]   (no NAME: every group)
names=(city bad china)
source "$(dirname "$0")/groups.sh" 3 "POPSIM SOURCE_DIR WPP_DIR" "$@"
popsim=$1; src=$2
source "$src/tests/testlib.sh" stock "$3"
data="$src/tests/data/stock"

t_city() {
expect good_run "$popsim" run -q "$data/city.yaml" -o good.h5
expect build_written bash -c "h5ls good.h5/scenarios/example_city/services/childcare | grep -q '^build '"
expect stock_values bash -c "h5dump -d /scenarios/example_city/services/childcare/stock good.h5 \
  | grep -q '(0,0): 7100,'"
expect targets_show_stock bash -c "'$popsim' targets good.h5 | grep -q 'stock 7,100 places'"
expect targets_json_stock bash -c "'$popsim' targets --json good.h5 | grep -q '\"build\": \\[[0-9]'"

sha=$(sha256sum "$data/city_stock.csv" | cut -d' ' -f1)
expect provenance_has_stock bash -c "'$popsim' info good.h5 | grep -q 'service stock .*city_stock.csv (SHA-256 $sha)'"
}

# bad_case NAME YAML REGEX: exit 1, the message at the stock file's line and column, no file.
bad_case() {
  local name=$1 yaml=$2 regex=$3
  expect "${name}_exit" status_is 1 "$popsim" run -q "$data/$yaml" -o "$name.h5"
  cp "$tmp/out" "$tmp/$name.msg"
  expect "${name}_message" grep -Eq "$regex" "$tmp/$name.msg"
  expect "${name}_no_output" test ! -e "$name.h5"
}
t_bad() {
bad_case unknown city_unknown.yaml \
  "city_unknown\.csv:3:1: error: .*district 'Old Town' is not a region"
bad_case missing city_missing.yaml \
  "city_missing\.csv:1:1: error: .*no stock of type 'childcare' for district 'Example City'"
bad_case negative negative_places.yaml \
  "negative_places\.csv:2:21: error: .*'places' = -5 is negative"
bad_case year bad_year.yaml "bad_year\.csv:2:6: error: .*year"
}

t_china() {
sed -e 's/^end: 2100$/end: 2030/' \
    -e "s|^      nursing_share: 0.55\$|&\n    stock: {file: $src/data/china/stock.csv, type: elderly_institution}|" \
    "$src/scenarios/china.yaml" >china_stock.yaml
expect china_stock_added grep -q 'type: elderly_institution}' china_stock.yaml
expect china_stock_run "$popsim" run -q china_stock.yaml -o china.h5
expect china_beds_stock bash -c "'$popsim' targets china.h5 --service elderly_institution \
  | grep -q 'stock 4,290,000 places (2025)'"
}

"t_$only"
finish "stock $only"
