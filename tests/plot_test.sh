#!/usr/bin/env bash
# `popsim plot` and `popsim report` end to end, with gnuplot and headless Chromium: every
# chart type from small runs (PNGs non-empty, of the requested pixel size), SVG and PDF,
# Chinese labels, the report parsed as HTML and opened in Chromium, hostile scenario text
# that must neither run nor vanish, and a clear failure without gnuplot (while `run` works).
# gnuplot or Chromium missing makes this test fail: it never skips.
# One group of checks per NAME, each in its own temporary folder (with the three fixtures);
# tests/plot.cmake registers one CTest test plot_report_end_to_end_NAME per name.
# usage: plot_test.sh --list
#        plot_test.sh POPSIM_EXE TEST_PLOT_EXE PROJECT_ROOT PYTHON3 [NAME]
#        (without NAME every group runs, each in its own process and folder)
set -u
names=(every_chart vector_formats gp_rerun_by_hand report hostile_text no_gnuplot example_city
       usage_errors)
source "$(dirname "$0")/groups.sh" 4 "POPSIM_EXE TEST_PLOT_EXE PROJECT_ROOT PYTHON3" "$@"
exe=$(realpath "$1"); fixture=$(realpath "$2"); root=$3; py=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/popsim_plot_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
unset POPSIM_GNUPLOT
# A private TMPDIR: `popsim report` draws its charts in a temporary folder there, and this
# test checks that the folder is gone afterwards without seeing other programs' files.
export TMPDIR="$tmp/tmpdir"
mkdir "$TMPDIR"
pass=0; fail=0

check() { # name expected_status command... ; output in $tmp/out
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>&1; local got=$?
  if [[ $got -eq $want ]]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$tmp/out" | tail -20; fi
}
expect_output() { # name regex
  if grep -Eq -- "$2" "$tmp/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: output lacks /$2/"; sed 's/^/    /' "$tmp/out" | tail -20; fi
}
expect() { # name test-expression...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}
png_size() { # file -> "WxH" from the IHDR chunk
  "$py" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null
}
expect_pngs() { # name dir size charts...
  local name=$1 dir=$2 size=$3; shift 3
  local bad=0
  for c in "$@"; do
    for ext in dat gp png; do [[ -s $dir/$c.$ext ]] || { echo "    missing or empty: $dir/$c.$ext"; bad=1; }; done
    [[ $(png_size "$dir/$c.png") == "$size" ]] || { echo "    $c.png is $(png_size "$dir/$c.png"), expected $size"; bad=1; }
  done
  expect "$name" test $bad -eq 0
}

command -v gnuplot >/dev/null || { echo "FAIL gnuplot is not installed (apt-get install gnuplot-nox)"; exit 1; }

full_charts=(pyramid_baseline pyramid_policy pyramid_vs_baseline_policy births_tfr
             births_order_policy childcare_baseline childcare_policy elderly_policy dependency
             policy_effect policy_cost fan_policy_population_total_q sweep_frontier
             childcare_districts_baseline childcare_districts_policy elderly_districts_policy)
plain_charts=(pyramid_baseline births_tfr childcare_baseline dependency)

"$fixture" --write-fixture "$tmp/full.h5" full && "$fixture" --write-fixture "$tmp/plain.h5" plain \
  && "$fixture" --write-fixture "$tmp/evil.h5" evil || { echo "FAIL cannot write fixtures"; exit 1; }

t_every_chart() {
  # Every chart type, PNG at the default size, in both languages.
  check plot_full 0 "$exe" plot -q "$tmp/full.h5" -o "$tmp/full"
  expect_pngs full_pngs_1200x800 "$tmp/full" 1200x800 "${full_charts[@]}"
  expect fan_axis_in_words grep -qF "set ylabel 'Resident population, replicate quantiles" "$tmp/full/fan_policy_population_total_q.gp"
  expect plot_lists_images test "$(grep -c '\.png$' "$tmp/out")" -eq ${#full_charts[@]}
  expect only_expected_charts test "$(ls "$tmp/full" | grep -c '\.png$')" -eq ${#full_charts[@]}
  check plot_zh_small 0 "$exe" plot -q "$tmp/full.h5" -o "$tmp/zh" --lang zh --size 640x480
  expect_pngs zh_pngs_640x480 "$tmp/zh" 640x480 "${full_charts[@]}"
  expect zh_labels_in_scripts grep -q '人口金字塔' "$tmp/zh/pyramid_baseline.gp"
  expect zh_font_in_scripts grep -q 'Noto Sans CJK SC' "$tmp/zh/births_tfr.gp"
  check plot_plain 0 "$exe" plot -q "$tmp/plain.h5"
  expect_pngs plain_default_dir "$tmp/plain_charts" 1200x800 "${plain_charts[@]}"
  expect plain_has_core_charts_only test "$(ls "$tmp/plain_charts" | grep -c '\.png$')" -eq 4
}
t_vector_formats() {
  # Vector formats.
  check plot_svg 0 "$exe" plot -q "$tmp/full.h5" -o "$tmp/svg" --format svg
  expect svg_written grep -q '<svg' "$tmp/svg/births_tfr.svg"
  check plot_pdf 0 "$exe" plot -q "$tmp/full.h5" -o "$tmp/pdf" -f pdf
  expect pdf_written test "$(head -c 4 "$tmp/pdf/dependency.pdf")" = "%PDF"
}
t_gp_rerun_by_hand() {
  # A planner restyles a chart by editing its .gp and re-running gnuplot in the folder.
  check plot_full 0 "$exe" plot -q "$tmp/full.h5" -o "$tmp/full"
  sed -i "s/#0072B2/#123456/" "$tmp/full/dependency.gp"
  rm "$tmp/full/dependency.png"
  (cd "$tmp/full" && gnuplot dependency.gp) >"$tmp/out" 2>&1
  expect rerun_gp_by_hand test -s "$tmp/full/dependency.png"
}
t_report() {
  # The report: parsed as HTML, every chart embedded at its size, opened in Chromium.
  check report_full 0 "$exe" report -q "$tmp/full.h5" -o "$tmp/report.html"
  check report_parses 0 "$py" "$here/check_report.py" "$tmp/report.html" \
    "${full_charts[@]}" --width 1200 --height 800 --text "Targets met or missed" \
    --text "Policy costs" --text "Summary by period" --text "Assumptions and data sources" \
    --text "childcare subsidy" --text "98.8" --text "Where each input came from" --text "Target met?" \
    --text "By district"
  check report_chromium 0 bash "$here/check_report_chromium.sh" "$tmp/report.html" ${#full_charts[@]} 1200
  # The fan's caption and axis name the quantity in words (its long_name), not the dataset.
  expect report_fan_caption_in_words grep -qE '<figcaption>Projection uncertainty: [^<,]+, Resident population, replicate quantiles</figcaption>' "$tmp/report.html"
  expect report_fan_caption_no_dataset_name bash -c "! grep -q '<figcaption>[^<]*population_total_q' '$tmp/report.html'"
  check report_zh 0 "$exe" report -q "$tmp/full.h5" -o "$tmp/report_zh.html" --lang zh
  check report_zh_parses 0 "$py" "$here/check_report.py" "$tmp/report_zh.html" "${full_charts[@]}" \
    --text "人口预测报告" --text "目标达成情况" --text "政策成本" --text "分区情况"
  check report_default_name 0 "$exe" report -q "$tmp/plain.h5"
  expect report_default_path test -s "$tmp/plain.html"
  expect report_leaves_no_temp_files test -z "$(ls -A "$TMPDIR")"
  expect report_leaves_no_temp_page test -z "$(ls -A "$tmp" | grep '^\.popsim-')"
}
t_hostile_text() {
  # Hostile scenario text: nothing runs, the text shows literally (escaped in the HTML).
  mkdir "$tmp/evil_cwd"
  (cd "$tmp/evil_cwd" && "$exe" plot -q ../evil.h5 -o charts && "$exe" report -q ../evil.h5 -o report.html \
    && cd charts && for f in *.gp; do gnuplot "$f" || exit 1; done) >"$tmp/out" 2>&1
  expect evil_plot_and_report_succeed test $? -eq 0
  expect evil_nothing_ran test -z "$(find "$tmp" -name 'pwned*')"
  expect evil_html_escaped grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/evil_cwd/report.html"
  expect evil_html_has_no_script test "$(grep -c '<script' "$tmp/evil_cwd/report.html")" -eq 0
  check evil_text_shown_literally 0 "$py" "$here/check_report.py" "$tmp/evil_cwd/report.html" \
    $(cd "$tmp/evil_cwd/charts" && ls *.png | sed 's/\.png$//') \
    --text 'Evil "double" '"'"'single'"'"' back\slash' --text 'system("touch pwned") `touch pwned2`' \
    --text '<script>alert(1)</script> @evil $(touch pwned3)'
  # Scenarios appear by their titles: the evil policy scenario's name is not on the page.
  expect evil_name_not_shown bash -c "! grep -qF 'pwned4) &lt;b&gt;' '$tmp/evil_cwd/report.html'"
  expect evil_title_in_chart_script grep -qF "system(\"touch pwned\") \`touch pwned2\`" "$tmp/evil_cwd/charts/pyramid_baseline.gp"
}
t_no_gnuplot() {
  # Without gnuplot: a clear message and exit 1, nothing written; `run` still works.
  check no_gnuplot_env 1 env POPSIM_GNUPLOT="$tmp/absent/gnuplot" "$exe" plot "$tmp/full.h5" -o "$tmp/ng"
  expect_output no_gnuplot_env_message "gnuplot not found: install gnuplot-nox \(Debian\) or set POPSIM_GNUPLOT"
  expect no_gnuplot_writes_nothing test ! -e "$tmp/ng"
  check no_gnuplot_path 1 env PATH="$tmp/absent" "$exe" plot "$tmp/full.h5" -o "$tmp/ng"
  expect_output no_gnuplot_path_message "gnuplot not found: install gnuplot-nox"
  check no_gnuplot_report 1 env PATH="$tmp/absent" "$exe" report "$tmp/full.h5" -o "$tmp/ng.html"
  expect no_gnuplot_no_report test ! -e "$tmp/ng.html"
  check run_without_gnuplot 0 env PATH="$tmp/absent" POPSIM_GNUPLOT="$tmp/absent/gnuplot" \
    "$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/city.h5"
  check gnuplot_failure_is_reported 1 env POPSIM_GNUPLOT=/bin/false "$exe" plot -q "$tmp/plain.h5" -o "$tmp/f"
  expect_output gnuplot_failure_message "gnuplot \(/bin/false\) failed with exit status 1"
}
t_example_city() {
  # A real run: Example City from popsim run.
  check run_example_city 0 "$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/city.h5"
  check plot_example_city 0 "$exe" plot -q "$tmp/city.h5" -o "$tmp/city"
  expect_pngs example_city_pngs "$tmp/city" 1200x800 pyramid_example_city births_tfr \
    childcare_example_city dependency
  check report_example_city 0 "$exe" report -q "$tmp/city.h5" -o "$tmp/city.html"
  # One line per curve: the city's capacity is its 5-per-1,000 target, so the 5-per-1,000
  # reference line is left out and the capacity's key names the target; 4.5 stays.
  gp=$tmp/city/childcare_example_city.gp
  expect childcare_capacity_names_target grep -q 'Capacity (scenario): 5 spots per 1,000' "$gp"
  expect childcare_no_duplicate_reference bash -c "! grep -q 'Spots at 5 per 1,000' '$gp'"
  expect childcare_other_reference_kept grep -q 'Spots at 4.5 per 1,000' "$gp"
  expect childcare_no_separate_target_line bash -c "! grep -q 'title \"Target: ' '$gp'"
}
t_usage_errors() {
  # Usage and input errors.
  check usage_no_file 2 "$exe" plot
  check usage_bad_format 2 "$exe" plot "$tmp/full.h5" --format gif
  check usage_bad_lang 2 "$exe" report "$tmp/full.h5" --lang fr
  check usage_bad_size 2 "$exe" plot "$tmp/full.h5" --size 10x10
  check year_outside_run 1 "$exe" plot -q "$tmp/full.h5" -o "$tmp/y" --year 2200
  expect_output year_outside_message "pyramid year 2200 is outside 2026..2040"
  check missing_result 1 "$exe" plot "$tmp/absent.h5" -o "$tmp/m"
  check missing_result_report 1 "$exe" report "$tmp/absent.h5" -o "$tmp/m.html"
}

"t_$only"
echo "plot $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
