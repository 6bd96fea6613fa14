#!/usr/bin/env bash
# The report of a six-district file in English and Chinese (issues #13 and #16): the Example
# Province with a sixth district (Donghai Port, with its own population, migration and
# stock). Both pages parse, open in headless Chromium with every chart loaded, hold the
# per-district section with six districts per scenario under their names, and the district
# charts draw six panels and one legend.
# usage: report_regions_test.sh POPSIM_EXE PROJECT_ROOT
set -u
exe=$(realpath "$1"); root=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/report_lang.sh"
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/popsim_regions_report_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
cd "$tmp" || exit 1
pass=0; fail=0
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -12; fi; }

# The sixth district: Beigang's age structure scaled by 0.6, its stock rows renamed, and
# flows to and from Central.
data=$root/data/example_province
awk -F, 'NR == 1 { print; next } { printf "%s,%s,%.0f\n", $1, $2, $3 * 0.6 }' \
  "$data/population_beigang.csv" >population_donghai.csv
head -2 "$data/population_beigang.csv" | tail -1 | grep -qE '^[MF],[^,]+,[0-9.]+$' ||
  { echo "FAIL population file layout changed: $(head -2 "$data/population_beigang.csv")"; exit 1; }
{ cat "$data/stock.csv"; grep '^Beigang,' "$data/stock.csv" | sed 's/^Beigang,/Donghai Port,/'; } >stock.csv
{ cat "$data/od_rates.csv"; printf 'Donghai Port,Central,0.0030\nCentral,Donghai Port,0.0010\n'; } >od_rates.csv
sed -e "s#\.\./data/example_province/stock.csv#$tmp/stock.csv#" \
    -e "s#\.\./data/example_province/od_rates.csv#$tmp/od_rates.csv#" \
    -e "s#\.\./data/#$root/data/#g" \
    -e 's/^title: .*/title: "Example Province with six districts"/' \
    "$root/scenarios/example_province.yaml" >six.yaml
$py - six.yaml "$tmp/population_donghai.csv" <<'PY' || { echo "FAIL cannot add the sixth district"; exit 1; }
import sys
path, pop = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
anchor = "\n# Rates per person-year"
item = ("  - name: Donghai Port\n    registered_share: 0.71\n"
        f"    population: {pop}\n    tfr: 1.1\n    migration_total: 200\n")
assert anchor in text
open(path, "w", encoding="utf-8").write(text.replace(anchor, "\n" + item + anchor, 1))
PY
expect run_six_districts "$exe" run -q six.yaml -o six.h5
expect six_regions_in_file test "$($py -c 'import h5py,sys; f=h5py.File("six.h5","r"); g=f["scenarios"]; print(min(len(g[k]["region"]) for k in g))')" = 6
for lang in en zh; do
  report_in_language six.h5 "$lang" "Donghai Port"
  # The per-district section: every scenario's table lists the six districts, each with
  # its first and last year.
  expect "report_${lang}_six_districts" $py - "report_$lang.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
sec = html[html.index('<section id="regions"'):]
sec = sec[:sec.index("</section>")]
tables = re.findall(r'<table class="regions">(.*?)</table>', sec, re.S)
assert len(tables) >= 2, len(tables)
names = ["Central", "Xinhu New Town", "Beigang", "Shanyang County", "Nanshan County", "Donghai Port"]
for t in tables:
    cells = re.findall(r'<tr><td class="t">([^<]*)</td>', t)
    assert cells == [n for n in names for _ in range(2)], cells
PY
  # The district charts: six panels, and the legend drawn once, in its own cell.
  for gp in charts_$lang/*districts*.gp; do
    expect "$(basename "$gp" .gp)_${lang}_six_panels" test "$(grep -c '^set title ' "$gp")" -eq 6
    expect "$(basename "$gp" .gp)_${lang}_legend_once" bash -c \
      "[[ \$(grep -c '^plot NaN with lines' '$gp') -eq 1 ]] && ! grep -E '^plot .*using' '$gp' | grep -q ' title '"
  done
done
echo "report_regions: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
