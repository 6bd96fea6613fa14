# Sourced by report_family_test.sh and report_regions_test.sh (needs expect, exe, py, here):
# report_in_language FILE.h5 LANG TEXT writes report_LANG.html and charts_LANG/ from FILE.h5
# and checks that the page parses with every chart embedded and TEXT shown, and that
# headless Chromium loads every chart at 1200 pixels.
report_in_language() {
  local file=$1 lang=$2 text=$3 charts n
  expect "report_$lang" "$exe" report -q "$file" -o "report_$lang.html" --lang "$lang"
  expect "plot_$lang" "$exe" plot -q "$file" -o "charts_$lang" --lang "$lang"
  charts=$(cd "charts_$lang" && ls *.png | sed 's/\.png$//')
  n=$(echo "$charts" | wc -l)
  # shellcheck disable=SC2086 # one argument per chart name
  expect "report_${lang}_parses" "$py" "$here/check_report.py" "report_$lang.html" $charts \
    --text "$text"
  expect "report_${lang}_chromium" bash "$here/check_report_chromium.sh" "report_$lang.html" "$n" 1200
}
