#!/usr/bin/env bash
# What popsim reads, through the command line (issue #17, section 2; docs/errors.md):
#  - a scenario from /dev/stdin (redirected and piped) or a FIFO, a CSV from a FIFO, a
#    /proc file as a CSV: read by reading, the result equal to the regular files' run, the
#    provenance hash that of the bytes read;
#  - a planner .csv.gz that is complete, cut short or with a damaged CRC;
#  - SIGINT while the scenario or a CSV comes from a pipe whose writer stays open: exit 130
#    within 5 s (the pipe stays open 30 s), nothing on stdout, no output file;
#  - a WPP cache entry with one byte flipped: the run equals an uncached run and the entry
#    is rewritten.
# One group of checks per NAME, each in its own temporary folder; tests/reading.cmake
# registers one CTest test reading_hostile_files_NAME per name.
# usage: reading_test.sh --list
#        reading_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]
#        (without NAME every group runs, each in its own process and folder)
set -u
names=(special_files gzip sigint_open_pipe wpp_cache)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$(realpath -m "$3")
tmp=$(mktemp -d /tmp/popsim_reading_XXXXXX)
writers=()
cleanup() {
  for w in "${writers[@]}"; do kill -- -"$w" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export POPSIM_CACHE_DIR="$tmp/cache" SOURCE_DATE_EPOCH=1700000000
set -m # own process group per background job: SIGINT reaches popsim, and writers can be ended
cd "$tmp" || exit 1
pass=0; fail=0
check() { # name expected_status regex command...
  local name=$1 want=$2 re=$3; shift 3
  timeout 60 "$@" >"$tmp/out" 2>&1; local got=$?
  if [[ $got -ne $want ]]; then
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$tmp/out" | head -5
  elif [[ -n $re ]] && ! grep -Eq -- "$re" "$tmp/out"; then
    fail=$((fail + 1)); echo "FAIL $name: output lacks /$re/"; sed 's/^/    /' "$tmp/out" | head -5
  else pass=$((pass + 1)); fi
}
expect() { local name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi; }
# /provenance names the input files (paths, hashes), which differ between these runs by design.
same() { h5diff --exclude-attribute / --exclude-path /provenance "$1" "$2" >/dev/null 2>&1; }
attr() { h5dump -a "/$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# Example City with absolute paths, and its reference result.
mkdir -p city
cp "$root"/data/example/*.csv city/
sed -e "s|\\.\\./data/example|$tmp/city|" "$root/scenarios/example_city.yaml" >city.yaml
"$exe" run -q city.yaml -o ref.h5 || { echo "FAIL setup: reference run"; exit 1; }
with_file() { # key_file new_path -> scenario on stdout with that CSV replaced
  sed -e "s|$tmp/city/$1|$2|" city.yaml
}

t_special_files() {
  # 1. Scenarios from /dev/stdin and from a FIFO; a CSV from a FIFO; a /proc file as a CSV.
  check stdin_redirected 0 "ok: scenario 'example_city'" "$exe" check /dev/stdin <city.yaml
  cat city.yaml | timeout 60 "$exe" run -q /dev/stdin -o stdin.h5
  expect stdin_piped_run_ok test -s stdin.h5
  expect stdin_piped_same_result same ref.h5 stdin.h5
  expect stdin_piped_hash_of_bytes_read test "$(attr stdin.h5 scenario_sha256)" = "$(sha city.yaml)"
  mkfifo scn.fifo
  (cat city.yaml >scn.fifo &)
  timeout 60 "$exe" run -q scn.fifo -o fifo.h5 # used to hang: the run opened the FIFO again
  expect scenario_fifo_run_ok test -s fifo.h5
  expect scenario_fifo_same_result same ref.h5 fifo.h5
  expect scenario_fifo_hash_of_bytes_read test "$(attr fifo.h5 scenario_sha256)" = "$(sha city.yaml)"
  mkfifo pop.fifo
  with_file population.csv "$tmp/pop.fifo" >pop_fifo.yaml
  (cat city/population.csv >pop.fifo &)
  timeout 60 "$exe" run -q pop_fifo.yaml -o popfifo.h5 # used to say "file is empty"
  expect csv_fifo_same_result same ref.h5 popfifo.h5
  # /provenance: the FIFO is named, and not opened again to hash it (no SHA-256); a regular
  # input file's row carries the SHA-256 of its bytes.
  prov() { h5dump -d "/provenance/$2" "$1" 2>/dev/null | sed -n 's/^ *([0-9]*): //p' | tr -d '", '; }
  expect csv_fifo_provenance_path test "$(prov popfifo.h5 path | head -1)" = "$tmp/pop.fifo"
  expect csv_fifo_provenance_no_hash test -z "$(prov popfifo.h5 sha256 | head -1)"
  expect csv_file_provenance_hash test "$(prov popfifo.h5 sha256 | sed -n 2p)" = "$(sha city/mx.csv)"
  with_file population.csv /proc/self/status >proc.yaml
  check csv_proc_is_read 1 'status:1:1: error: wrong header: expected .* \(got .Name:' "$exe" check proc.yaml
}
t_gzip() {
  # 2. gzip: complete, the trailer cut off, half the file, a damaged CRC.
  gzip -n -c city/mx.csv >mx.csv.gz
  with_file mx.csv "$tmp/mx.csv.gz" >gz.yaml
  check gzip_complete 0 "" "$exe" run -q gz.yaml -o gz.h5
  expect gzip_complete_same_result same ref.h5 gz.h5
  size=$(stat -c %s mx.csv.gz)
  cp mx.csv.gz full.gz
  for cut in 8 4 $((size / 2)); do
    head -c $((size - cut)) full.gz >mx.csv.gz
    check "gzip_cut_$cut" 1 "mx.csv.gz: error: the compressed file is truncated or corrupt" \
      "$exe" run -q gz.yaml -o cut.h5
    expect "gzip_cut_${cut}_no_output" test ! -e cut.h5
  done
  cp full.gz mx.csv.gz
  b=$(od -An -tu1 -j$((size - 8)) -N1 mx.csv.gz | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of=mx.csv.gz bs=1 seek=$((size - 8)) conv=notrunc status=none
  check gzip_bad_crc 1 "mx.csv.gz: error: the compressed file is truncated or corrupt: incorrect data check" \
    "$exe" run -q gz.yaml -o crc.h5
}
t_sigint_open_pipe() {
  # 3. SIGINT while reading from a pipe whose writer sent a part and stays open.
  interrupt() { # name input_path scenario_for_popsim partial_source
    local name=$1 fifo=$2 scn=$3 src=$4
    rm -f "$fifo" int.h5; mkfifo "$fifo"
    "$exe" run "$scn" -o int.h5 >int.out 2>int.err &
    local pid=$!
    { head -c 100 "$src"; sleep 30; } >"$fifo" &
    local writer=$!
    writers+=("$writer")
    sleep 0.5
    local t0 t1 rc
    t0=$(date +%s%N); kill -INT "$pid"; wait "$pid"; rc=$?; t1=$(date +%s%N)
    kill -- -"$writer" 2>/dev/null; wait "$writer" 2>/dev/null
    local ms=$(((t1 - t0) / 1000000))
    echo "reading: SIGINT while $name: exit $rc after $ms ms"
    expect "${name}_exit_130" test "$rc" -eq 130
    # Prompt, not fast: the writer keeps the pipe open for 30 s; 5 s leaves room for ASan
    # builds on a loaded machine (the read loop looks at the flag every 100 ms).
    expect "${name}_within_5s" test "$ms" -lt 5000
    expect "${name}_message" grep -q "popsim: interrupted by SIGINT; no output file was written" int.err
    expect "${name}_no_stdout" test ! -s int.out
    expect "${name}_no_output" test ! -e int.h5
  }
  interrupt scenario_from_open_pipe "$tmp/int.fifo" "$tmp/int.fifo" city.yaml
  with_file population.csv "$tmp/csv.fifo" >csv_fifo.yaml
  interrupt csv_from_open_pipe "$tmp/csv.fifo" csv_fifo.yaml city/population.csv
}
t_wpp_cache() {
  # 4. The WPP cache: one flipped byte is a miss, the run equals an uncached one.
  if [[ -r $wpp/locations.csv ]]; then
    run_wpp() { "$exe" run -q --wpp-dir "$wpp" --location Iceland --end 2030 "$@"; }
    run_wpp -o c1.h5 && run_wpp --no-cache -o plain.h5
    entry=$(ls "$tmp"/cache/wpp2024-352.bin 2>/dev/null)
    expect cache_written test -n "$entry"
    if [[ -n $entry ]]; then
      cp "$entry" entry.good
      off=$(($(stat -c %s "$entry") / 2))
      b=$(od -An -tu1 -j$off -N1 "$entry" | tr -d ' ')
      printf "$(printf '\\%03o' $((b ^ 16)))" | dd of="$entry" bs=1 seek=$off conv=notrunc status=none
      expect cache_byte_flipped test "$(sha "$entry")" != "$(sha entry.good)"
      run_wpp -o c2.h5
      expect cache_flip_same_as_uncached same plain.h5 c2.h5
      expect cache_entry_rewritten cmp -s "$entry" entry.good
    fi
  else
    echo "FAIL no WPP data in $wpp"; fail=$((fail + 1))
  fi
}

"t_$only"
echo "reading $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
