#!/usr/bin/env bash
# prob_variant_svc_test.sh - `popsim run` of tests/data/uncertainty/policy_svc.yaml (policy
# variants, services and uncertainty:; issue #14, sec. 2): every service variable of the
# zero-amount variant's group equals the baseline's (h5diff, no tolerance) and the subsidy's
# does not; the variant group opens in xarray with the baseline's layout; `popsim targets`
# prints the baseline's then each variant's, --variant NAME one (text and --json), an
# unknown variant exits 1 with file: error: naming the variants, --variant on a
# deterministic file exits 2; `popsim info` prints the 65+ share's quantiles.
# usage: prob_variant_svc_test.sh POPSIM PROJECT_ROOT
set -u
popsim=$1 root=$2
source "$root/tests/testlib.sh" prob_variant_svc
dir=$tmp
bad() { echo "FAIL $*"; fail=1; }
scn=$root/tests/data/uncertainty/policy_svc.yaml g=/probabilistic/policy_svc
run_or_stop "$popsim" "$scn" "$dir/a.h5"
for v in service_demand service_capacity service_shortage service_staff service_p_shortage \
         service_demand_mean service_staff_mean; do
    h5diff "$dir/a.h5" "$dir/a.h5" "$g/$v" "$g/variants/zero_subsidy/$v" >/dev/null ||
        bad "zero_subsidy $v differs from the baseline's"
done
h5diff -q "$dir/a.h5" "$dir/a.h5" "$g/service_demand" "$g/variants/child_subsidy/service_demand" \
    >/dev/null && bad "child_subsidy service_demand equals the baseline's"
/usr/bin/python3 - "$dir/a.h5" <<'PY' || fail=1
import sys
import xarray as xr
base = xr.open_dataset(sys.argv[1], group="probabilistic/policy_svc")
sub = xr.open_dataset(sys.argv[1], group="probabilistic/policy_svc/variants/child_subsidy")
fails = []
if sub["service_demand"].dims != base["service_demand"].dims:
    fails.append(f"dims {sub['service_demand'].dims}")
d_sub = float(sub["service_demand"].sel(service="childcare", quantile=0.5).isel(year=-1).squeeze())
d_base = float(base["service_demand"].sel(service="childcare", quantile=0.5).isel(year=-1).squeeze())
if not d_sub > d_base:
    fails.append(f"subsidy's median childcare demand {d_sub} not above the baseline's {d_base}")
share = base["share_65plus"].sel(quantile=0.5).squeeze().values
if not (0 < share.min() and share.max() < 1):
    fails.append(f"share_65plus {share}")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
PY
"$popsim" targets "$dir/a.h5" >"$dir/all" 2>&1 || bad "targets exit $?"
grep -q "^policy_svc, variant zero_subsidy (Example City)" "$dir/all" &&
    grep -q "^policy_svc, variant child_subsidy (Example City)" "$dir/all" ||
    bad "targets without --variant: $(head -3 "$dir/all")"
"$popsim" targets --variant child_subsidy "$dir/a.h5" >"$dir/one" 2>&1 || bad "targets --variant"
[ "$(grep -c '^policy_svc' "$dir/one")" = 1 ] && grep -q "variant child_subsidy" "$dir/one" ||
    bad "targets --variant child_subsidy: $(head -3 "$dir/one")"
"$popsim" targets --json --variant child_subsidy "$dir/a.h5" >"$dir/json" || bad "--json --variant"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["variant"]=="child_subsidy" and d["name"]=="policy_svc" else 1)' "$dir/json" ||
    bad "json variant: $(head -c 200 "$dir/json")"
"$popsim" targets --variant nope "$dir/a.h5" >"$dir/out" 2>"$dir/err"
[ $? -eq 1 ] && grep -q "a.h5: error: no policy variant 'nope' in this probabilistic file; variants: zero_subsidy, child_subsidy" "$dir/err" ||
    bad "unknown variant: $(cat "$dir/err")"
[ -s "$dir/out" ] && bad "unknown variant printed output"
"$popsim" run -q "$root/scenarios/example_city.yaml" -o "$dir/det.h5" || bad "deterministic run"
"$popsim" targets --variant x "$dir/det.h5" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "\-\-variant applies to a probabilistic file" "$dir/err" ||
    bad "--variant on a deterministic file: $(cat "$dir/err")"
"$popsim" info "$dir/a.h5" >"$dir/info" || bad "info"
grep -Eq "^  Example City: 2025: [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ \| 2040: " "$dir/info" &&
    grep -q "share aged 65+ (%), quantiles at 2025 and 2040:" "$dir/info" ||
    bad "info 65+ share: $(cat "$dir/info")"
[ $fail -eq 0 ] && echo "prob_variant_svc_test: ok"
exit $fail
