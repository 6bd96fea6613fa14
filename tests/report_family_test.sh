#!/usr/bin/env bash
# The report of a 21-member family in English and Chinese (issue #16): the China policy
# presets shortened to 2050 plus 16 more subsidy variants with long English and Chinese
# titles. Both pages parse, open in headless Chromium with every chart loaded, show titles
# (never a variant's identifier) in the tables, and open with the assumptions; the
# cost-per-birth chart names each of the 20 policy scenarios by its title.
# usage: report_family_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR
set -u
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/report_lang.sh"
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/popsim_family_report_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp" TMPDIR="$tmp"
cd "$tmp" || exit 1
pass=0; fail=0
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -12; fi; }

sed -e 's/^end: 2100$/end: 2050/' "$root/scenarios/china_policies.yaml" >family.yaml
for k in $(seq 1 16); do
  cat >>family.yaml <<YAML
  - name: extra_subsidy_$k
    title: "Extra subsidy $k: $((k * 100)) yuan a month per child under 3 (每孩每月${k}00元育儿补贴)"
    policies:
      - lever: monthly_subsidy
        name: extra_subsidy_$k
        start: 2026
        first: $((k * 100))
        second: $((k * 100))
        third: $((k * 100))
        max_age: 3
YAML
done
expect run_family_of_21 "$exe" run -q family.yaml -o family.h5
expect has_21_members test "$("$exe" info --json family.h5 | $py -c 'import json,sys; print(len(json.load(sys.stdin)["scenarios"]))')" = 21
for lang in en zh; do
  report_in_language family.h5 "$lang" "Extra subsidy 16: 1600 yuan a month per child under 3 (每孩每月1600元育儿补贴)"
  # Tables show titles: no cell is a variant's identifier.
  expect "report_${lang}_no_identifiers" bash -c "! grep -qE '<td class=\"t\">extra_subsidy_[0-9]+</td>' report_$lang.html"
  expect "report_${lang}_assumptions_first" $py - "report_$lang.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
a, s, c = (html.index(f'<section id="{x}"') for x in ("assumptions", "summary", "charts"))
assert a < s < c, (a, s, c)
assert html.count('<table class="paths">') == 21
assert "extra subsidy 16" in html  # the instrument named in words, not extra_subsidy_16
PY
  # The cost-per-birth bars are labelled with the 20 policy titles, each bar with its value.
  expect "policy_cost_${lang}_titles" bash -c "[[ \$(grep -o \"'Extra subsidy [0-9]*: \" charts_$lang/policy_cost.gp | wc -l) -eq 16 ]] && [[ \$(grep -vc '^#' charts_$lang/policy_cost.dat) -eq 20 ]]"
done
echo "report_family: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
