#!/usr/bin/env bash
# Hostile result files through every command that reads them (issue #17, section 2; each
# class is listed in docs/errors.md): info, targets, compare, plot and report must each give
# exit 1 and one line `file: error: ...` naming the object, within 20 s and, when the build
# allows a limit on address space (not under ASan), within 1 GiB of memory. The files are
# made at run time by tests/h5_hostile.py from a fresh run of Example City; nothing is kept.
# One group of checks per NAME (good, coordinates, sizes, external, layout, heap,
# not_results), each in its own temporary folder; tests/h5_hostile.cmake registers one CTest
# test robust_hostile_result_files_NAME per name.
# usage: h5_hostile_test.sh --list
#        h5_hostile_test.sh POPSIM_EXE PROJECT_ROOT [NAME]   (no NAME: every group)
set -u
names=(good coordinates sizes external layout heap not_results)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE PROJECT_ROOT" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
tmp=$(mktemp -d /tmp/popsim_h5hostile_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" SOURCE_DATE_EPOCH=1700000000
cd "$tmp" || exit 1
pass=0; fail=0
expect() { local name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi; }
limit=""
# AddressSanitizer reserves terabytes of address space, so a limit is only set without it
# (probing by running the program would leave an ASan report for scripts/sanitize.sh).
grep -qa __asan_init "$exe" || limit="ulimit -v 1048576;"
[[ -n $limit ]] || echo "note: no address-space limit (sanitizer build); time limit only"
check() { # name regex command... : exit 1, one error line matching regex, no output file
  local name=$1 re=$2; shift 2
  rm -rf "$tmp/out"; mkdir "$tmp/out"
  bash -c "$limit exec timeout 20 \"\$@\"" _ "$@" >"$tmp/log" 2>&1; local got=$?
  if [[ $got -ne 1 ]]; then
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected 1"; sed 's/^/    /' "$tmp/log" | head -5
  elif ! grep -Eq -- "$re" "$tmp/log"; then
    fail=$((fail + 1)); echo "FAIL $name: output lacks /$re/"; sed 's/^/    /' "$tmp/log" | head -5
  elif [[ $(grep -c 'error:' "$tmp/log") -ne 1 ]]; then
    fail=$((fail + 1)); echo "FAIL $name: expected one error line"; sed 's/^/    /' "$tmp/log" | head -5
  elif [[ -n $(ls -A "$tmp/out") ]]; then
    fail=$((fail + 1)); echo "FAIL $name: wrote $(ls "$tmp/out" | head -3)"
  else pass=$((pass + 1)); fi
}
# Every reader: the three table commands and the two that draw.
each() { # name regex file
  local name=$1 re=$2 f=$3
  for c in info targets compare; do check "${name}_$c" "$re" "$exe" "$c" "$f"; done
  check "${name}_plot" "$re" "$exe" plot -q "$f" -o "$tmp/out"
  check "${name}_report" "$re" "$exe" report -q "$f" -o "$tmp/out/r.html"
}

"$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/good.h5" || { echo "FAIL: run"; exit 1; }
mkfifo "$tmp/fifo"
mkdir "$tmp/h" && /usr/bin/python3 "$root/tests/h5_hostile.py" "$tmp/good.h5" "$tmp/h" "$tmp/fifo" ||
  { echo "FAIL: cannot make the hostile files"; exit 1; }
h=$tmp/h

t_good() {
for c in info targets compare; do
  "$exe" "$c" "$tmp/good.h5" >/dev/null 2>&1 && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL good_$c"; }
done
}

t_coordinates() {
years="coordinate 'year' should hold consecutive calendar years in 1500..3000"
each year_int_max "year_int_max.h5: error: .*$years; has 26 values from 2147483622" "$h/year_int_max.h5"
each year_9999 "year_9999.h5: error: .*$years" "$h/year_9999.h5"
each year_strings "year_float_strings.h5: error: .*year' should hold numbers" "$h/year_float_strings.h5"
each age_out_of_range "age_out_of_range.h5: error: .*coordinate 'age' should run 0, 1" "$h/age_out_of_range.h5"
}

t_sizes() {
each huge_age "huge_age.h5: error: .*dataset '/scenarios/example_city/age' is too large" "$h/huge_age.h5"
each huge_region "huge_region.h5: error: .*'/scenarios/example_city/region' is too large" "$h/huge_region.h5"
each huge_variable "huge_variable.h5: error: .*'/scenarios/example_city/population' is too large" \
  "$h/huge_variable.h5"
each population_strings "population_strings.h5: error: .*population' should hold numbers .* string elements" \
  "$h/population_strings.h5"
each population_rank2 "population_rank2.h5: error: .*population' should have 4 dimensions; it has 2" \
  "$h/population_rank2.h5"
each chunk_size_huge "chunk_size_huge.h5: error: .*population' has a corrupted chunk index: the chunk at index 0 claims 107374[0-9]+ bytes in a file of" \
  "$h/chunk_size_huge.h5"
each chunk_shape_huge "chunk_shape_huge.h5: error: .*population' has chunks of more than 67108864 bytes" \
  "$h/chunk_shape_huge.h5"
}

t_external() {
each external_passwd "external_passwd.h5: error: .*'/scenarios/example_city/population' keeps its data in external files" \
  "$h/external_passwd.h5"
each external_fifo "external_fifo.h5: error: .*population' keeps its data in external files" "$h/external_fifo.h5"
check external_service_plot "external_service.h5: error: .*childcare/demand' keeps its data in external files" \
  "$exe" plot -q "$h/external_service.h5" -o "$tmp/out"
check external_service_report "external_service.h5: error: .*childcare/demand' keeps its data in external files" \
  "$exe" report -q "$h/external_service.h5" -o "$tmp/out/r.html"
check external_service_targets "external_service.h5: error: .*childcare/demand' keeps its data in external files" \
  "$exe" targets "$h/external_service.h5"
links="result files hold only hard links"
each external_link_variable "external_link_variable.h5: error: .*population' is missing or reached through an external or soft link; $links" \
  "$h/external_link_variable.h5"
each soft_link_variable "soft_link_variable.h5: error: .*population' is missing or reached through an external or soft link" \
  "$h/soft_link_variable.h5"
# An optional group behind an external link is absent, never followed (no hang on the FIFO).
timeout 20 "$exe" targets "$h/external_link_services.h5" >"$tmp/log" 2>&1
expect external_link_services_not_followed grep -q "no services in this scenario" "$tmp/log"
each virtual "virtual.h5: error: .*population' is a virtual dataset" "$h/virtual.h5"
}

t_layout() {
each small_addresses "small_addresses.h5: error: uses 4-byte file addresses and 4-byte lengths; result files use 8 and 8" \
  "$h/small_addresses.h5"
refs="corrupted variable-length value 1 of 'sex': its length"
each reference_length "reference_length.h5: error: .*$refs 1 or heap reference \\(byte [0-9]+, object [0-9]+\\) does not match" \
  "$h/reference_length.h5"
each reference_index "reference_index.h5: error: .*$refs 4 or heap reference \\(byte [0-9]+, object 60000\\)" \
  "$h/reference_index.h5"
}

t_heap() {
heap="error: corrupted global heap at byte 2048"
each heap_object_8k "heap_object_8k.h5: $heap: object 3 of 8192 bytes does not fit" "$h/heap_object_8k.h5"
each heap_object_huge "heap_object_huge.h5: $heap: object 5 of 18446744073709551615 bytes" "$h/heap_object_huge.h5"
each heap_object_shifted "heap_object_shifted.h5: $heap" "$h/heap_object_shifted.h5"
each heap_collection_huge "heap_collection_huge.h5: $heap: its length 4611686018427387904 does not fit" \
  "$h/heap_collection_huge.h5"
each heap_free_zero "heap_free_zero.h5: $heap: object 0 of 0 bytes" "$h/heap_free_zero.h5"
}

t_not_results() {
# Places that are not result files: a FIFO (would block), /dev/zero, a text file.
each fifo "fifo: error: is not a regular file" "$tmp/fifo"
each dev_zero "/dev/zero: error: is not a regular file" /dev/zero
check passwd_as_result "/etc/passwd: error: cannot open as an HDF5 file" "$exe" info /etc/passwd
}

"t_$only"
echo "h5_hostile $only: $pass passed, $fail failed"
((fail == 0 && pass > 0))
