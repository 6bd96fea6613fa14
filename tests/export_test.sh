#!/usr/bin/env bash
# popsim export (issue #16): the tidy CSV tables and the .xlsx workbook hold exactly the
# values of the result file, labelled by their coordinates; bad targets are refused.
# One group of checks per NAME (tables, workbook, stacked, refusals), each in its own
# temporary folder with the runs it needs; tests/cli.cmake registers one CTest test
# cli_export_tables_NAME per name.
# usage: export_test.sh --list
#        export_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(tables workbook stacked refusals)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
source "$(dirname "$0")/testlib.sh" export "$wpp"

run_family() {
  expect run_family "$exe" run -q "$root/scenarios/china_policies.yaml" -o "$tmp/family.h5"
}
run_city() {
  expect run_city "$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/city.h5"
}

t_tables() {
run_family
run_city
expect export_csv "$exe" export "$tmp/family.h5"
expect export_csv_city "$exe" export "$tmp/city.h5" -o "$tmp/city tables"
# Every value of every variable is in its table, at the row its coordinates name.
expect csv_values_equal_file /usr/bin/python3 - "$tmp/family.h5" "$tmp/family_tables" <<'PY'
import sys, glob, os, h5py, numpy as np, pandas as pd
f = h5py.File(sys.argv[1], "r")
tables = {os.path.basename(p)[:-4]: pd.read_csv(p, keep_default_na=False, na_values=[""], float_precision="round_trip")
          for p in glob.glob(sys.argv[2] + "/*.csv")}
checked = 0
for scn in f["scenarios"]:
    g = f["scenarios"][scn]
    for var, base, item in [("population", "", None), ("births", "", None), ("tfr", "", None)]:
        ds = g[var]
        dims = [d[0].name.split("/")[-1] for d in ds.dims]
        t = tables[(base + "_" if base else "") + "by_" + "_".join(dims)]
        rows = t[t.scenario == scn]
        assert len(rows) == ds.size, (var, len(rows), ds.size)
        vals = rows[var].to_numpy(dtype=float)
        assert np.array_equal(vals, ds[()].reshape(-1), equal_nan=True), var
        checked += 1
    for svc in g["services"]:
        rows = tables["services_by_year_region"]
        rows = rows[(rows.scenario == scn) & (rows.service == svc)]
        want = g["services"][svc]["demand"][()].reshape(-1)
        assert np.array_equal(rows["demand"].to_numpy(dtype=float), want, equal_nan=True), svc
        checked += 1
pop = tables["by_year_region_sex_age"]
assert set(pop.sex) == {"male", "female"} and pop.age.min() == 0 and pop.age.max() == 100
assert pop.year.min() == 2025 and pop.year.max() == 2100
print("checked", checked)
PY
}

t_workbook() {
run_family
expect export_csv "$exe" export "$tmp/family.h5"
expect export_xlsx "$exe" export --format xlsx "$tmp/family.h5"
# The workbook: a sheet per CSV table, each with a frozen header row.
expect xlsx_sheets /usr/bin/python3 - "$tmp/family.xlsx" "$tmp/family_tables" <<'PY'
import sys, glob, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
csvs = glob.glob(sys.argv[2] + "/*.csv")
assert len(names) == len(csvs) >= 10, (names, len(csvs))
assert all(len(n) <= 31 for n in names)
sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
assert 'state="frozen"' in sheet1
PY
}

t_stacked() {
run_family
run_city
# --stacked: one xarray open gives every member, equal to its own group.
expect export_stacked "$exe" export --stacked "$tmp/family.h5"
expect stacked_equals_members /usr/bin/python3 - "$tmp/family.h5" "$tmp/family_family.h5" <<'PY'
import sys, numpy as np, xarray as xr, h5py
fam = xr.open_dataset(sys.argv[2], group="family")
names = list(h5py.File(sys.argv[1], "r")["scenarios"].keys())
assert sorted(fam.scenario.values.tolist()) == sorted(names), fam.scenario.values
for n in names:
    one = xr.open_dataset(sys.argv[1], group="scenarios/" + n)
    for v in ["population", "births", "deaths", "tfr", "e0", "births_by_order"]:
        assert np.array_equal(fam[v].sel(scenario=n).values, one[v].values, equal_nan=True), (n, v)
PY
expect stacked_needs_two status_is 1 "$exe" export --stacked "$tmp/city.h5"
}

t_refusals() {
run_city
expect refuses_fifo_target bash -c "mkfifo '$tmp/fifo.xlsx'; ! '$exe' export --format xlsx -o '$tmp/fifo.xlsx' '$tmp/city.h5'"
expect refuses_file_as_folder bash -c "touch '$tmp/plain'; ! '$exe' export -o '$tmp/plain' '$tmp/city.h5'"
expect refuses_non_result status_is 1 "$exe" export /etc/passwd
expect bad_format status_is 2 "$exe" export --format ods "$tmp/city.h5"
}

"t_$only"
finish "export $only"
