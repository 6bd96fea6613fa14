#!/usr/bin/env bash
# Fuzz the input readers with libFuzzer (clang -fsanitize=fuzzer,address,undefined):
# fuzz_scenario (YAML loader), fuzz_csv (CSV line reader/splitter/number parsers),
# fuzz_planner (the eight planner CSV readers), fuzz_wpp (the WPP 2024 reader and input
# preparation), fuzz_h5read (the result-file readers: ps_h5_read and the generic reader, on
# mutated real result files). Each harness runs for FUZZ_SECONDS (default 60) from a seed
# corpus built here at run time: tests/data/**, data/example/*.csv, scenarios/*.yaml,
# fuzz/regress/, small slices cut from the WPP folder into a temporary folder, and result
# files written by `popsim run` on Example City shortened to 2 and 3 years (never committed).
#
# Any crash, leak, timeout (-timeout=10 s per input) or out-of-memory (-rss_limit_mb,
# -malloc_limit_mb) fails the script, except a finding inside HDF5's own code on a corrupted
# file (h5read only; see hdf5_internal below and docs/errors.md), which is printed; the
# reproducer is kept under $FUZZ_BUILD_DIR/artifacts/ and its path printed.
# To make a crash a regression test, copy it to fuzz/regress/<harness>/: the normal suite
# replays that folder through the same harness code (tests/test_robust.c).
#
# usage: scripts/fuzz.sh [scenario|csv|planner|wpp|h5read ...]      (default: all five)
# env:   FUZZ_SECONDS (60), FUZZ_BUILD_DIR (build-fuzz), FUZZ_JOBS (1), POPSIM_DATA_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
secs=${FUZZ_SECONDS:-60}
wpp=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(scenario csv planner wpp h5read)

command -v clang >/dev/null || { echo "fuzz: clang not found (scripts/setup.sh installs it)" >&2; exit 1; }

# 1. The library, instrumented for coverage and sanitizers; then one binary per harness.
echo "fuzz: building libps with clang (ASan, UBSan, fuzzer instrumentation) in $build"
cmake -S "$root" -B "$build/lib" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPS_BUILD_TESTS=OFF -DPS_ENABLE_SANITIZERS=ON -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" \
  >/dev/null
targets=(ps)
[[ " ${harnesses[*]} " == *" h5read "* ]] && targets+=(popsim) # writes the h5read seeds
cmake --build "$build/lib" --target "${targets[@]}" -j"$(nproc)" >/dev/null
# Debian's hdf5.pc has no libdir variable: take the folder from its -L flag. An empty -L
# would swallow the next argument (-lhdf5_serial_hl) as its folder.
hdf5_dir=$(pkg-config --variable=libdir hdf5)
[[ -n $hdf5_dir ]] || hdf5_dir=$(pkg-config --libs-only-L hdf5 | sed -e 's/^ *-L//' -e 's/ .*//')
libs=("$build/lib/libps.a" $(pkg-config --libs gsl libcyaml yaml-0.1 hdf5 zlib libzip libxml-2.0)
      -lhdf5_serial_hl -fopenmp -lm)
[[ -n $hdf5_dir ]] && libs+=(-L"$hdf5_dir" -Wl,-rpath,"$hdf5_dir")
for h in "${harnesses[@]}"; do
  [[ -f $root/fuzz/fuzz_$h.c ]] || { echo "fuzz: no harness fuzz/fuzz_$h.c" >&2; exit 2; }
  clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -fno-omit-frame-pointer -I"$root/include" -I"$root/src" \
    "$root/fuzz/fuzz_$h.c" "${libs[@]}" -o "$build/fuzz_$h"
done

# 2. Seed corpora, fresh each run.
work=$(mktemp -d "$build/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$build/artifacts"
export TMPDIR=$work/tmp
seed() { # harness prefix-byte-or-empty file...
  local h=$1 prefix=$2; shift 2
  mkdir -p "$work/seed_$h"
  for f in "$@"; do
    [[ -f $f ]] || continue
    local out="$work/seed_$h/$(basename "$(dirname "$f")")_$(basename "$f")"
    if [[ -n $prefix ]]; then { printf "\\x$prefix"; cat "$f"; } >"$out"; else cp "$f" "$out"; fi
  done
}
shopt -s nullglob
seed scenario "" "$root"/tests/data/{good,bad,hostile}/*.yaml "$root"/scenarios/*.yaml \
  "$root"/fuzz/regress/scenario/*
seed csv "" "$root"/tests/data/planner/*/*.csv "$root"/data/example/*.csv \
  "$root"/tests/data/hostile/*.csv "$root"/fuzz/regress/csv/*
for f in "$root"/tests/data/planner/*/*.csv "$root"/data/example/*.csv "$root"/tests/data/hostile/*.csv; do
  first=""; IFS= read -r first <"$f" || true
  first=${first%$'\r'}; first=${first#$'\xEF\xBB\xBF'}
  case $first in
    sex,age,value) k=00 ;; year,sex,age,mx) k=01 ;; year,sex,e0) k=02 ;; year,age,asfr) k=03 ;;
    year,tfr) k=04 ;; year,srb) k=05 ;; year,sex,age,value) k=06 ;; year,total) k=07 ;;
    *) k=00 ;;
  esac
  seed planner "$k" "$f"
done
seed planner "" "$root"/fuzz/regress/planner/*
# WPP: the rows of Afghanistan (code 4, the harness's location) from each file, plus header.
wpp_files=(pop_age5_sex_5yr.csv mx_abridged_sex_5yr.csv.gz e0_annual.csv tfr_annual.csv
           pasfr_age5_annual.csv srb_annual.csv migration_total_annual.csv
           migration_age1_sex_annual.csv.gz pop_total_sex_annual.csv vital_indicators_annual.csv
           locations.csv)
mkdir -p "$work/seed_wpp" "$work/slice"
if [[ -d $wpp ]]; then
  for i in "${!wpp_files[@]}"; do
    f=${wpp_files[$i]}
    [[ -f $wpp/$f ]] || continue
    slice="$work/slice/$f"
    { zcat -f "$wpp/$f" | awk -F, 'NR == 1 { print; next } $1 == "4" { print; if (++n == 400) exit }'; } \
      >"${slice%.gz}" || true
    [[ $f == *.gz ]] && gzip -n -f "${slice%.gz}"
    { printf "\\x$(printf %02x "$i")"; cat "$slice"; } >"$work/seed_wpp/$i.slice"
  done
else
  echo "fuzz: no WPP folder at $wpp: fuzz_wpp starts from the regression corpus only" >&2
fi
seed wpp "" "$root"/fuzz/regress/wpp/*
# Result files: Example City to 2027 without care need and services (about 60 KB), and to 2026
# with them (about 230 KB).
if [[ " ${harnesses[*]} " == *" h5read "* ]]; then
  mkdir -p "$work/seed_h5read" "$work/h5"
  city=$root/scenarios/example_city.yaml
  sed -e '/^care_need:/,$d' -e 's/^end: 2050/end: 2027/' -e "s#\.\./data/example#$root/data/example#" \
    "$city" >"$work/h5/tiny.yaml"
  sed -e 's/^end: 2050/end: 2026/' -e "s#\.\./data/example#$root/data/example#" "$city" \
    >"$work/h5/services.yaml"
  for s in tiny services; do
    "$build/lib/popsim" run -q "$work/h5/$s.yaml" -o "$work/seed_h5read/$s.h5" ||
      echo "fuzz: could not write the $s.h5 seed" >&2
  done
  # A probabilistic file (issue #14): China to 2030, 8 trajectories (about 40 KB).
  "$build/lib/popsim" run -q --location China --trajectories 8 --end 2030 \
    -o "$work/seed_h5read/prob.h5" || echo "fuzz: could not write the prob.h5 seed" >&2
  seed h5read "" "$root"/fuzz/regress/h5read/*
fi
seed csv "" "$work"/slice/*

# 3. Run each harness for a bounded time; any finding fails the script.
# hdf5_internal LOG: true if the finding is inside HDF5's own code: the first frame of the
# report's first stack that is not the sanitizer or fuzzer runtime, an allocator, the C library
# (by its file, or by glibc's source path where the frame is symbolized: a memcpy that HDF5
# called with the NULL its own huge allocation returned shows as sysdeps/.../memmove-*.S)
# or the unwinder is in libhdf5. For a memory error (ASan, UBSan) a data transfer on the stack
# (H5Dread, H5Aread) makes it popsim's: a popsim buffer of the wrong size shows as a fault in
# HDF5 there. HDF5's own allocation past the malloc limit, or a loop in HDF5, is HDF5's even
# inside a transfer (it sized the allocation from the file); popsim checks what it can first.
hdf5_internal() {
  awk '/^==[0-9]+==ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/ { if (!on) { on = 1; mem = 1 }; next }
       /^==[0-9]+== ERROR: libFuzzer: (out-of-memory \(malloc|timeout)/ { if (!on) { on = 1; mem = 0 }; next }
       on && /^ *#[0-9]+ / {
         if (mem && $0 ~ /H5Dread|H5Aread/) { bad = 1 }
         if (!decided && $0 !~ / in (__asan|__sanitizer|__interceptor_|__lsan|__ubsan|fuzzer::|_Unwind_)|__sanitizer_print_stack_trace| in (free|malloc|calloc|realloc|operator)[ (]|\/(libc|libgcc_s|libstdc\+\+)\.so| (string|sysdeps)\/\.\.\/sysdeps\//) {
           decided = 1; hdf5 = ($0 ~ /libhdf5/)
         }
         next
       }
       on && decided && /^$/ { exit }
       END { exit !(hdf5 && !bad) }' "$1"
}
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$work/corpus_$h" "$work/seed_$h"
  dict=()
  [[ -f $root/fuzz/$h.dict ]] && dict=(-dict="$root/fuzz/$h.dict")
  echo "fuzz: fuzz_$h for ${secs} s ($(ls "$work/seed_$h" | wc -l) seeds)"
  t0=$(date +%s)
  max_len=65536
  lsan=${LSAN_OPTIONS:-}
  asan=${ASAN_OPTIONS:-}
  if [[ $h == h5read ]]; then
    max_len=262144 # a result file with services is about 230 KB
    # Leaks of memory HDF5 allocated (fuzz/h5read.lsan). Unwinding stays fast: slow unwinding
    # at every malloc, needed to match frames deeper inside HDF5, which has no frame pointers,
    # ran under one input a second (36 in 72 s on a loaded machine, and a seed timed out).
    lsan="suppressions=$root/fuzz/h5read.lsan${lsan:+:$lsan}"
    # HDF5 1.10.8 sizes an object header's image from the file before checking it, so a
    # corrupted size asks malloc for ~2^64 bytes (H5C_protect). The C library returns NULL
    # there and HDF5 fails the open, which popsim reports; ASan aborts instead unless told to
    # return NULL as malloc does. Requests popsim makes itself are checked before malloc.
    asan="allocator_may_return_null=1${asan:+:$asan}"
  fi
  # A finding inside HDF5 itself (h5read only, hdf5_internal) is printed and the harness goes
  # on from the corpus it has built for the time that is left (at most 8 such restarts).
  restarts=0 runs=0 result=""
  while [[ -z $result ]]; do
    left=$((secs - ($(date +%s) - t0)))
    ((left > 0)) || left=1
    if LSAN_OPTIONS=$lsan ASAN_OPTIONS=$asan "$build/fuzz_$h" -max_total_time="$left" -timeout=10 \
         -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=$max_len -print_final_stats=1 "${dict[@]}" \
         -artifact_prefix="$build/artifacts/${h}-" "$work/corpus_$h" "$work/seed_$h" \
         >"$work/log_$h" 2>&1; then
      result=ok
    elif [[ $h == h5read ]] && hdf5_internal "$work/log_$h"; then
      # HDF5 1.10.8's own fault on a corrupted file (e.g. H5G__link_release_table freeing a
      # link decoded from a corrupted dense group): not popsim's code and not reachable from
      # popsim's side. Printed with its reproducer; popsim's own faults still fail.
      restarts=$((restarts + 1))
      echo "fuzz: fuzz_h5read: a finding inside HDF5 itself (not popsim's code) after" \
           "$(($(date +%s) - t0)) s; report:"
      awk '/ERROR|runtime error:/ && !on { on = 1; print } on && /^ *#[0-9]+ / && n++ < 16 { print }
           /^SUMMARY/ { exit }' "$work/log_$h"
      grep -Eo "Test unit written to .*" "$work/log_$h" || true
      if ((restarts >= 8 || $(date +%s) - t0 >= secs)); then result=ok; fi
    else
      result=failed
    fi
    n=$(awk '/stat::number_of_executed_units/ { print $2; exit }' "$work/log_$h")
    runs=$((runs + ${n:-0}))
  done
  if [[ $result == ok ]]; then
    cov=$(awk 'match($0, /cov: [0-9]+/) { c = substr($0, RSTART, RLENGTH) } END { print c }' \
          "$work/log_$h")
    note=""
    ((restarts == 0)) || note=" ($restarts findings inside HDF5, printed above)"
    echo "fuzz: fuzz_$h ok: $runs inputs in $(($(date +%s) - t0)) s, $cov$note"
  else
    status=1
    echo "fuzz: fuzz_$h FAILED; the sanitizer's report (stacks, no shadow map) and reproducer:" >&2
    # From the first report line (ASan/UBSan/libFuzzer's own) to the shadow map or the end:
    # the error, its stack and where the memory came from, which a log tail cuts off.
    awk '/^==[0-9]+==(ERROR|WARNING)|runtime error:|^==[0-9]+== ERROR: libFuzzer/ { on = 1 }
         on && /^Shadow bytes around|^SUMMARY/ { print; exit }
         on && n++ < 80 { print }' "$work/log_$h" >&2
    tail -12 "$work/log_$h" >&2
    grep -Eo "Test unit written to .*" "$work/log_$h" >&2 || true
    echo "fuzz: replay with $build/fuzz_$h <reproducer>; add it to fuzz/regress/$h/" >&2
  fi
done
exit $status
