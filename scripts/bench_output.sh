#!/usr/bin/env bash
# Output writer figures (issue #18; printed, never asserted): for scenarios/china_policies.yaml
# and scenarios/china.yaml, `popsim run` end to end against its projection plus services (the
# run's own log lines, 1 ms resolution), the result file's size, and xarray read times of a
# year slice and of the whole file, for this tree ("after") and for an older popsim
# ("before": main's commit 7b625a2, the last with one year per chunk, shuffled and deflated),
# also for "after-same" (the after file without the objects the before file lacks: the same
# objects in the two layouts, since an xarray open reads the whole file), and the
# instructions of one xarray group open of each (callgrind).
# Old and new runs alternate within one run of this script; each figure is the best of
# REPEATS (default 3). Ratios matter, not absolute times: the machine is shared.
# The "before" program runs its own commit's scenario files (results have changed by design
# since 7b625a2: births by parity, the policy ledger, new keys its reader refuses), so the two
# files are compared for writing time and size, not for their numbers. With SAME_DATA=1 (a
# BEFORE_COMMIT whose results should equal this tree's), every bundled scenario is first run
# with both programs and the files compared with h5diff (root provenance attributes
# excluded), and any difference fails the script. Then the
# start-up of each program (`popsim --version`, CPU per start; STARTS runs, default 20) and
# the shared libraries it loads (issue #18: libmpi only through the MPI plugin), and, where
# perf works, the writer's time by HDF5 call in each (scripts/h5_breakdown.py).
#
# Environment: BUILD_DIR (default build/), BEFORE_COMMIT (default 7b625a2), OLD_POPSIM (an
# already built "before" popsim; otherwise the commit is built with -j2 in a temporary folder),
# POPSIM_DATA_DIR (default ../shared/data/wpp2024), REPEATS, PYTHON (default /usr/bin/python3),
# SAME_DATA (0), INSTR (1: count the instructions of an xarray group open with callgrind, when
# valgrind is installed; 0: skip).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
before=${BEFORE_COMMIT:-7b625a2}
repeats=${REPEATS:-3}
python=${PYTHON:-/usr/bin/python3}
export POPSIM_DATA_DIR=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600} # same provenance time in both files

tmp=$(mktemp -d /tmp/popsim_bench_output_XXXXXX)
trap 'rm -rf "$tmp"' EXIT

BUILD_DIR=$build "$root/scripts/build.sh"
new=$build/popsim
old=${OLD_POPSIM:-}
old_scenarios=$tmp/old-src/scenarios # the before program's scenario files, from its commit
mkdir "$tmp/old-src"
git -C "$root" archive "$before" | tar -x -C "$tmp/old-src"
if [[ -z $old ]]; then
  echo "== building popsim at $before (before) in $tmp"
  cmake -S "$tmp/old-src" -B "$tmp/old-build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$tmp/old-build" -j2 --target popsim >/dev/null
  old=$tmp/old-build/popsim
fi

# scenario_for BIN NAME: the scenario file BIN runs for the bundled scenario NAME.
scenario_for() {
  if [[ $1 == "$old" ]]; then echo "$old_scenarios/$2.yaml"; else echo "$root/scenarios/$2.yaml"; fi
}

# run_once BIN SCENARIO OUT: prints "wall_s cpu_s inputs_s projection_and_services_s", cpu
# being user + system time of the process (the machine is shared, so wall time includes
# waiting for a core). Both programs write the same path, so the command_line attribute is the
# same in both files.
run_once() {
  local log inputs proj cache real user sys TIMEFORMAT='%3R %3U %3S'
  cache=$tmp/cache-$([[ $1 == "$old" ]] && echo old || echo new)
  mkdir -p "$cache"
  if ! { time POPSIM_CACHE_DIR=$cache "$1" run "$2" -o "$tmp/run.h5" 2>"$tmp/log" >/dev/null; } \
    2>"$tmp/time"; then
    echo "bench_output: $1 run $2 failed:" >&2
    cat "$tmp/log" >&2
    return 1
  fi
  read -r real user sys <"$tmp/time"
  log=$(<"$tmp/log")
  mv "$tmp/run.h5" "$3"
  inputs=$(sed -n 's/.*inputs ready in \([0-9.]*\) s.*/\1/p' <<<"$log")
  proj=$(sed -n 's/.*projected .* in \([0-9.]*\) s.*/\1/p' <<<"$log")
  awk -v r="$real" -v u="$user" -v s="$sys" -v i="$inputs" -v p="$proj" \
    'BEGIN { printf "%.3f %.3f %s %s\n", r, u + s, i, p }'
}

status=0
for scn in "$root"/scenarios/*.yaml; do
  [[ ${SAME_DATA:-0} == 1 ]] || break
  [[ $scn == "${root}/scenarios/china.yaml" ]] && echo "== same data before and after (h5diff, root provenance attributes excluded)"
  name=$(basename "$scn" .yaml)
  run_once "$old" "$(scenario_for "$old" "$name")" "$tmp/old_$name.h5" >/dev/null
  run_once "$new" "$scn" "$tmp/new_$name.h5" >/dev/null
  if h5diff --exclude-attribute / "$tmp/old_$name.h5" "$tmp/new_$name.h5" >"$tmp/diff.txt"; then
    printf '%-22s identical\n' "$name"
  else
    printf '%-22s DIFFERENT:\n' "$name"
    head -20 "$tmp/diff.txt"
    status=1
  fi
done

# time_pair SCENARIO NAME: old and new in turn, `repeats` times; best[] keeps the best wall
# (e), CPU (c), inputs (i) and projection plus services (p) time of each.
declare -A best
time_pair() {
  local scn=$1 name=$2 k which bin e i p
  for ((k = 0; k < repeats; ++k)); do
    for which in old new; do
      bin=$([[ $which == old ]] && echo "$old" || echo "$new")
      read -r e c i p < <(run_once "$bin" "$(scenario_for "$bin" "$name")" "$tmp/${which}_$name.h5")
      [[ -n ${e:-} ]] || exit 1
      for f in e c i p; do
        local key="$which/$name/$f" v=${!f}
        if [[ -z ${best[$key]:-} ]] || awk -v a="$v" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then
          best[$key]=$v
        fi
      done
    done
  done
}

report() {
  local name=$1 target=$2 which
  echo "== $name.yaml (best of $repeats; OMP threads: ${OMP_NUM_THREADS:-all}; log times 1 ms resolution)"
  printf '%-7s %11s %11s %9s %14s %11s %11s %10s\n' "" "end to end" "CPU (u+s)" "inputs" \
    "proj+services" "write+rest" "wall/proj" "file bytes"
  for which in old new; do
    local e=${best[$which/$name/e]} c=${best[$which/$name/c]} i=${best[$which/$name/i]}
    local p=${best[$which/$name/p]}
    awk -v w="$([[ $which == old ]] && echo before || echo after)" -v e="$e" -v c="$c" \
      -v i="$i" -v p="$p" -v s="$(stat -c %s "$tmp/${which}_$name.h5")" 'BEGIN {
        printf "%-7s %8.1f ms %8.1f ms %6.1f ms %11.1f ms %8.1f ms %10.1fx %10d\n", w, e * 1e3,
               c * 1e3, i * 1e3, p * 1e3, (e - i - p) * 1e3, (p > 0 ? e / p : 0), s }'
  done
  awk -v eo="${best[old/$name/e]}" -v en="${best[new/$name/e]}" -v co="${best[old/$name/c]}" \
    -v cn="${best[new/$name/c]}" -v so="$(stat -c %s "$tmp/old_$name.h5")" \
    -v sn="$(stat -c %s "$tmp/new_$name.h5")" -v p="${best[new/$name/p]}" \
    -v i="${best[new/$name/i]}" -v t="$target" 'BEGIN {
      printf "after/before: end to end %.2fx, CPU %.2fx, file size %.2fx (target <= 1.5x)\n",
             en / eo, cn / co, sn / so
      printf "after: end to end / (proj+services) %.1fx, CPU / (proj+services) %.1fx " \
             "(target <= %sx)\n", (p > 0 ? en / p : 0), (p > 0 ? cn / p : 0), t
      printf "after: end to end / (inputs+proj+services) %.1fx, CPU / (inputs+proj+services) " \
             "%.1fx (the issue'"'"'s \"today about 35x\" counts inputs)\n", en / (i + p), cn / (i + p) }'
}

# Start-up (issue #18): `popsim --version` run STARTS times in a row, CPU (user + system) per
# start, best of `repeats`, old and new in turn; and the shared libraries each program loads
# (the MPI driver is a plugin loaded only under an MPI launcher since issue #18).
startup_cpu() {
  local bin=$1 n=${STARTS:-20} user sys TIMEFORMAT='%3U %3S'
  { time for ((s = 0; s < n; ++s)); do "$bin" --version >/dev/null; done; } 2>"$tmp/stime"
  read -r user sys <"$tmp/stime"
  awk -v u="$user" -v s="$sys" -v n="$n" 'BEGIN { printf "%.3f\n", (u + s) / n * 1e3 }'
}
declare -A start
for ((k = 0; k < repeats; ++k)); do
  for which in old new; do
    bin=$([[ $which == old ]] && echo "$old" || echo "$new")
    v=$(startup_cpu "$bin")
    if [[ -z ${start[$which]:-} ]] || awk -v a="$v" -v b="${start[$which]}" 'BEGIN { exit !(a < b) }'; then
      start[$which]=$v
    fi
  done
done

time_pair "$root/scenarios/china_policies.yaml" china_policies
time_pair "$root/scenarios/china.yaml" china
report china_policies 3
report china 2

echo "== start-up: popsim --version (CPU per start, best of $repeats x ${STARTS:-20} starts)"
for which in old new; do
  bin=$([[ $which == old ]] && echo "$old" || echo "$new")
  printf '%-7s %8.2f ms  %3d shared libraries loaded, libmpi: %s\n' \
    "$([[ $which == old ]] && echo before || echo after)" "${start[$which]}" \
    "$(ldd "$bin" | grep -c '=>')" "$(ldd "$bin" | grep -q libmpi && echo yes || echo no)"
done
awk -v o="${start[old]}" -v n="${start[new]}" 'BEGIN { printf "after/before: start-up %.2fx\n", n / o }'
if [[ -f $build/popsim-mpi.so ]]; then
  echo "MPI plugin: $build/popsim-mpi.so ($(ldd "$build/popsim-mpi.so" | grep -c '=>') libraries, loaded only under mpirun/srun)"
fi

# The writer's time by HDF5 call (issue #18): perf samples of `repeats` runs of each program
# on china_policies, charged to the HDF5 call popsim made (scripts/h5_breakdown.py). Skipped
# without perf or where the kernel refuses it (perf_event_paranoid).
if command -v perf >/dev/null && perf record -q -o "$tmp/probe.data" true >/dev/null 2>&1; then
  echo "== writer time by HDF5 call: china_policies, perf record --call-graph dwarf, $repeats runs each"
  for which in old new; do
    bin=$([[ $which == old ]] && echo "$old" || echo "$new")
    for ((k = 0; k < repeats; ++k)); do
      POPSIM_CACHE_DIR=$tmp/cache-$which perf record -q -F 5000 -g --call-graph dwarf \
        -o "$tmp/perf-$which-$k.data" "$bin" run -q "$(scenario_for "$bin" china_policies)" \
        -o "$tmp/perf.h5" >/dev/null 2>&1
    done
    for ((k = 0; k < repeats; ++k)); do
      perf script -i "$tmp/perf-$which-$k.data" -F ip,sym 2>/dev/null
    done | "$python" "$root/scripts/h5_breakdown.py" "$([[ $which == old ]] && echo before || echo after)" 12
    rm -f "$tmp"/perf-"$which"-*.data
  done
else
  echo "== writer time by HDF5 call: skipped (perf not available)"
fi

# xarray reads. Every xarray.open_dataset(group=...) makes libnetcdf read the metadata of every
# variable in the whole file, and netCDF4-python asks for each, which reads all its attributes
# (docs/output-format.md, "Reading cost"): opening a group costs in proportion to everything
# the file holds, not to the group. The after file holds more than the before file (policy
# ledger, response ranges, provenance, unit_description), so besides the files as written the
# reads are timed on "after-same", a copy of the after file with the objects the before file
# lacks unlinked (h5py; the remaining objects' headers, attributes and data stay where the
# writer put them): the same objects in the two layouts.
echo "== xarray reads of china_policies (CPU time): open a scenario group and read one year of population (best of 15), every variable both files hold (best of 3)"
cp "$tmp/new_china_policies.h5" "$tmp/same_china_policies.h5"
"$python" - "$tmp/old_china_policies.h5" "$tmp/new_china_policies.h5" \
  "$tmp/same_china_policies.h5" <<'EOF'
import sys
import time

import h5py
import netCDF4
import xarray as xr


# CPU time of this process: on a shared machine wall time mostly measures the other users.
clock = time.process_time


def groups(path):
    """Every group below /scenarios that holds variables: {'scenarios/x/y': {name: shape}}."""
    out = {}
    with netCDF4.Dataset(path) as nc:
        todo = [nc["scenarios"]]
        while todo:
            g = todo.pop(0)
            if g.variables:
                out[g.path.lstrip("/")] = {n: v.shape for n, v in g.variables.items()}
            todo.extend(g.groups.values())
    return out


def common(a, b):
    """The variables both files hold, with the same shape, by group: the data both programs
    write, so that a full read compares layouts, not what was added to the file since."""
    out = {}
    for g, va in a.items():
        same = [n for n, shape in va.items() if b.get(g, {}).get(n) == shape]
        if same:
            out[g] = same
    return out


def best(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def year_slice(path, group, k):
    """Seconds to open the group, and to read the population of its k-th year (a new year at
    each call, so no chunk cache helps)."""
    t0 = clock()
    with xr.open_dataset(path, group=group, engine="netcdf4") as ds:
        t1 = clock()
        year = int(ds["year"].values[k % len(ds["year"])])
        ds["population"].sel(year=year).values.sum()
        t2 = clock()
    return t1 - t0, t2 - t1


def full_read(path, names):
    for g, variables in names.items():
        with xr.open_dataset(path, group=g, engine="netcdf4") as ds:
            ds[variables].load()


def census(path):
    """Groups, datasets, and attributes on datasets: what a netCDF open reads in full."""
    n = [0, 0, 0]

    def visit(_, obj):
        if isinstance(obj, h5py.Dataset):
            n[1] += 1
            n[2] += len(obj.attrs)
        else:
            n[0] += 1

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return n


def keep_only(path, reference):
    """Unlink from `path` every object that `reference` does not hold (the topmost such
    link of each subtree), so that the two files hold the same objects."""
    held = set()
    with h5py.File(reference, "r") as f:
        f.visit(held.add)
    with h5py.File(path, "r+") as f:
        extra = []
        f.visit(lambda name: extra.append(name) if name not in held else None)
        for name in extra:
            if not any(name.startswith(top + "/") for top in extra if top != name):
                del f[name]


# Before and after alternate within each repetition, so all see the same load.
keep_only(sys.argv[3], sys.argv[1])
paths = {"before": sys.argv[1], "after": sys.argv[2], "after-same": sys.argv[3]}
held = {label: groups(path) for label, path in paths.items()}
shared = common(held["before"], held["after"])
names = {label: shared for label in paths}
res = {label: [float("inf")] * 3 for label in paths}
for rep in range(15):
    for label, path in paths.items():
        first = next(g for g in held[label] if g.count("/") == 1)
        opened, read = year_slice(path, first, 7 * rep)
        res[label][0] = min(res[label][0], opened)
        res[label][1] = min(res[label][1], read)
        if rep % 5 == 0:
            res[label][2] = min(res[label][2], best(lambda: full_read(path, names[label]), 1))
first = {label: next(g for g in held[label] if g.count("/") == 1) for label in paths}
nvar = sum(len(v) for v in shared.values())
for label, (opened, read, full) in res.items():
    print(f"{label:10s} open group {opened * 1e3:7.2f} ms ({len(held[label][first[label]])} variables),"
          f" then year slice {read * 1e3:6.3f} ms; full read of the {nvar} variables in both files"
          f" ({len(shared)} groups; {sum(map(len, held[label].values()))} in this file)"
          f" {full * 1e3:7.1f} ms (CPU time)")
for label, path in paths.items():
    g, d, a = census(path)
    print(f"{label:10s} holds {g} groups, {d} datasets, {a} attributes on datasets")
b = res["before"]
for label in ("after", "after-same"):
    a = res[label]
    print(f"{label}/before: open {a[0] / b[0]:.2f}x, year slice {a[1] / b[1]:.2f}x, "
          f"full read {a[2] / b[2]:.2f}x (target <= 1x)")
EOF

# The same open counted in instructions (repeatable under load, unlike the CPU times above):
# callgrind of a python that opens the first scenario group K times with xarray, less one
# that imports the same modules and opens nothing, divided by K.
if [[ ${INSTR:-1} == 1 ]] && command -v valgrind >/dev/null; then
  cat >"$tmp/open_k.py" <<'EOF'
import sys

import netCDF4
import xarray as xr

path, group, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(k):
    with xr.open_dataset(path, group=group, engine="netcdf4") as ds:
        pass
EOF
  # instructions PATH K: instructions of open_k.py (the whole python process).
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$python" "$tmp/open_k.py" "$1" \
      "$(h5ls "$1/scenarios" | awk 'NR == 1 {print "scenarios/" $1}')" "$2" 2>&1 >/dev/null |
      sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
  }
  echo "== xarray open of a scenario group in instructions (callgrind; (K=3 opens - none) / 3)"
  base=$(instructions "$tmp/old_china_policies.h5" 0)
  declare -A per_open
  for which in old new same; do
    n=$(instructions "$tmp/${which}_china_policies.h5" 3)
    per_open[$which]=$(awk -v n="$n" -v b="$base" 'BEGIN { printf "%.1f", (n - b) / 3 / 1e6 }')
    printf '%-10s %8.1f M instructions per open\n' \
      "$(case $which in old) echo before ;; new) echo after ;; *) echo after-same ;; esac)" \
      "${per_open[$which]}"
  done
  awk -v o="${per_open[old]}" -v n="${per_open[new]}" -v s="${per_open[same]}" 'BEGIN {
    printf "after/before: open %.2fx; after-same/before: open %.2fx (instructions)\n", n / o, s / o }'
fi
exit "$status"
