#!/usr/bin/env bash
# plot_prob_test.sh - probabilistic files from the outside (issue #14, sec. 2).
#   info: `popsim info` and `--json` of test_plot_prob's fixture name the locations,
#         trajectories, seed and levels; a fixture whose population_total has 4 levels against
#         5 quantiles is refused by info, plot and report with file, dataset and exit 1, and
#         nothing is written.
#   plot: a China file of 60 trajectories: every fan chart drawn by gnuplot in English and
#         Chinese, its .dat the file's quantiles (h5dump), the report in both languages with
#         its section, `--location` of a missing location refused.
# usage: plot_prob_test.sh info|plot POPSIM TEST_PLOT_PROB WPP_DIR
set -u
mode=$1 popsim=$2 fixture=$3 wpp=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

if [ "$mode" = info ]; then
    "$fixture" --write-fixture "$dir/good.h5" good || bad "fixture good"
    "$fixture" --write-fixture "$dir/bad.h5" bad || bad "fixture bad"
    "$popsim" info "$dir/good.h5" >"$dir/out" 2>&1 || bad "info: $(cat "$dir/out")"
    for want in "probabilistic projection 'demo': 2 locations, 2028-2037" \
                "trajectories  321" "seed          4242" "0.025 0.1 0.5 0.9 0.975" \
                "Ruritania: 2028:" "Freedonia: 2028:" "e0 sex=male"; do
        grep -qF "$want" "$dir/out" || bad "info lacks '$want': $(cat "$dir/out")"
    done
    "$popsim" info --json "$dir/good.h5" >"$dir/json" 2>&1 || bad "info --json"
    /usr/bin/python3 - "$dir/json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))["probabilistic"]
ok = (d["trajectories"] == 321 and d["seed"] == 4242 and d["group"] == "demo"
      and d["quantiles"] == [0.025, 0.1, 0.5, 0.9, 0.975]
      and [l["name"] for l in d["locations"]] == ["Ruritania", "Freedonia"]
      and len(d["locations"][1]["population_total_last_year"]) == 5
      and d["start_year"] == 2028 and d["end_year"] == 2037)
if not ok:
    print("FAIL info --json:", d)
sys.exit(0 if ok else 1)
PY
    for cmd in "info" "plot -q -o $dir/charts" "report -q -o $dir/r.html"; do
        # shellcheck disable=SC2086
        "$popsim" $cmd "$dir/bad.h5" >"$dir/out" 2>"$dir/err"
        rc=$?
        [ $rc -eq 1 ] || bad "$cmd bad.h5: exit $rc"
        grep -qF "$dir/bad.h5: error: dataset '/probabilistic/demo/population_total': expected dimensions (year 10, location 2, quantile 5)" "$dir/err" ||
            bad "$cmd bad.h5 message: $(cat "$dir/err")"
    done
    [ ! -e "$dir/r.html" ] && [ -z "$(ls -A "$dir/charts" 2>/dev/null)" ] || bad "bad.h5 left output"
else
    command -v gnuplot >/dev/null || { echo "FAIL gnuplot is not installed (apt-get install gnuplot-nox)"; exit 1; }
    "$popsim" run --wpp-dir "$wpp" --location China --trajectories 60 -q -o "$dir/c.h5" ||
        { echo "FAIL run"; exit 1; }
    for lang in en zh; do
        "$popsim" plot "$dir/c.h5" --lang "$lang" -q -o "$dir/$lang" >"$dir/list" 2>"$dir/err" ||
            bad "plot $lang: $(cat "$dir/err")"
        [ "$(wc -l <"$dir/list")" -eq 7 ] || bad "plot $lang: $(cat "$dir/list")"
        grep -q "fan_china_share_65plus.png" "$dir/list" || bad "plot $lang: no 65+ share fan"
        while read -r png; do
            [ "$(head -c 4 "$png" | tail -c 3)" = PNG ] || bad "not a PNG: $png"
        done <"$dir/list"
        "$popsim" report "$dir/c.h5" --lang "$lang" -q -o "$dir/$lang.html" >/dev/null ||
            bad "report $lang"
    done
    grep -q 'id="probabilistic"><h2>Probabilistic projection' "$dir/en.html" || bad "report en section"
    grep -q 'id="probabilistic"><h2>概率预测' "$dir/zh.html" || bad "report zh section"
    grep -q '总人口（万人）' "$dir/zh/fan_china_population_total.gp" || bad "zh label"
    grep -q '65岁及以上人口占总人口比重' "$dir/zh/fan_china_share_65plus.gp" || bad "zh 65+ label"
    grep -q 'Share of the population aged 65+' "$dir/en.html" || bad "en 65+ caption"
    # the persistences China's trajectories were drawn with (TFR, e0, migration below the
    # floor: its band does not widen from 2024, docs/model.md 9.3 round 9)
    for lang in en zh; do
        grep -q '<dd class="prob-persistence">0.95, 0.99, 0</dd>' "$dir/$lang.html" ||
            bad "report $lang: persistences"
    done
    # The median column of the .dat is the stored 50 % quantile of population_total at 2050.
    med=$(awk '$1 == 2050 { print $4 }' "$dir/en/fan_china_population_total.dat")
    stored=$(h5dump -A 0 -d /probabilistic/china/population_total -s 25,0,2 -c 1,1,1 -m %.10g \
             "$dir/c.h5" | awk '/\(25,0,2\):/ { print $2 }')
    [ -n "$med" ] && [ "$med" = "$stored" ] || bad "median 2050: dat '$med', file '$stored'"
    "$popsim" plot "$dir/c.h5" --location Atlantis -q -o "$dir/x" 2>"$dir/err"
    [ $? -eq 1 ] && grep -q "no location 'Atlantis'" "$dir/err" || bad "--location Atlantis"
fi
[ $fail -eq 0 ] && echo "plot_prob_test $mode: ok"
exit $fail
