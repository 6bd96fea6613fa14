#!/usr/bin/env bash
# Slurm job arrays without Slurm (issue #15, section 2): `popsim run --task I --tasks N`
# writes share I of the units to a part file, and `popsim merge OUT PARTS...` (parts in any
# order) writes a file whose every dataset equals the single run's, for a policy family
# (china_policies) and a microsimulation. Merge refuses, with the part's name and no output
# file: a missing part, a part given twice, a part of another scenario, of a scenario file
# changed since, of other options (--elasticity), of another binary, and a damaged part;
# bad --task/--tasks are usage errors.
# One group of checks per NAME (family, micro, refusals, estimate, usage), each in its own
# temporary folder with the parts it needs; tests/hpc.cmake registers one CTest test
# cli_array_parts_merge_NAME per name.
# usage: parts_test.sh --list
#        parts_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(family micro refusals estimate usage)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
source "$root/tests/testlib.sh" parts "$3"
export OMP_NUM_THREADS=1
# A small copy of the micro scenario beside a link to the project's data (its paths are
# relative), so the test can change the file.
mkdir s; ln -s "$root/data" data
sed -e 's/^  scale: 10 .*/  scale: 40/' -e 's/^  replicates: 4/  replicates: 5/' \
    "$root/scenarios/example_city_micro.yaml" >s/micro.yaml
fam=$root/scenarios/china_policies.yaml mic=$tmp/s/micro.yaml

# parts_of SCN N [I]: task I (default: every task) of N as NAME.N.I.part.
parts_of() {
  local scn=$1 n=$2 name i
  name=$(basename "$scn" .yaml)
  for ((i = ${3:-0}; i < ${3:-$n - 1} + 1 && i < n; ++i)); do
    expect "${name}_task_${i}_of_$n" "$exe" run -q "$scn" --task $i --tasks $n -o "$name.$n.$i.part"
  done
}
# serial_and_merges SCN: the single run, and 1 and 3 tasks merged (parts in reverse order)
# equal to it.
serial_and_merges() {
  local scn=$1 name n i parts
  name=$(basename "$scn" .yaml)
  "$exe" run -q "$scn" -o "$name.serial.h5" || { echo "FAIL $name serial"; fail=$((fail + 1)); }
  for n in 1 3; do
    parts_of "$scn" $n
    parts=$(for ((i = n - 1; i >= 0; --i)); do echo "$name.$n.$i.part"; done)
    expect "${name}_merge_$n" "$exe" merge -q "$name.$n.h5" $parts
    expect "${name}_merge_${n}_identical" h5diff --exclude-attribute / "$name.serial.h5" "$name.$n.h5"
  done
}

t_family() { serial_and_merges "$fam"; }

t_micro() {
  serial_and_merges "$mic"
  expect merged_file_has_no_mpi_ranks bash -c "! h5dump -a /mpi_ranks micro.3.h5 >/dev/null 2>&1"
  expect merge_prints_the_summary bash -c "'$exe' merge out.h5 micro.3.*.part | grep -q 'example_city_micro'"
}

t_refusals() {
  parts_of "$mic" 3
  parts_of "$mic" 1
  parts_of "$fam" 3 1
  "$exe" run -q "$mic" -o micro.serial.h5 || { echo "FAIL micro serial"; fail=$((fail + 1)); }
# refused NAME PATTERN PARTS...: merge fails with status 1, stderr matches, no output file.
refused() {
  local name=$1 pattern=$2; shift 2
  rm -f bad.h5
  "$exe" merge -q bad.h5 "$@" >"$name.log" 2>&1
  local st=$?
  expect "${name}_status_1" test $st -eq 1
  expect "${name}_message" grep -Eq "$pattern" "$name.log"
  expect "${name}_no_output" test ! -e bad.h5
}
refused missing_part "micro.3.1.part.*|the parts are incomplete: 2 of the run's 5 units are missing, the first unit 1 \(the part of task 1 of 3" \
  micro.3.0.part micro.3.2.part
refused part_twice "micro.3.2.part: error: holds unit 3, which '.*/micro.3.2.part' holds too" \
  micro.3.0.part micro.3.2.part micro.3.1.part micro.3.2.part
refused overlapping_shares "micro.1.0.part: error: holds unit 0, which '.*/micro.3.0.part' holds too" \
  micro.3.0.part micro.1.0.part
refused other_scenario "china_policies.3.1.part: error: computed from a scenario file with SHA-256" \
  micro.3.0.part china_policies.3.1.part micro.3.2.part
"$exe" run -q "$mic" --elasticity high --task 1 --tasks 3 -o high.part
refused other_options "high.part: error: computed for another run of the scenario" \
  micro.3.0.part high.part micro.3.2.part
# A part whose binary differs: the commit recorded in it rewritten, checksum made valid.
python3 - micro.3.1.part other_binary.part <<'PY'
import hashlib, sys
data = open(sys.argv[1], "rb").read()[:-64]
pos = 12
for _ in range(2):  # skip scenario_sha256 and identity
    pos += 8 + int.from_bytes(data[pos:pos + 8], "little")
n = int.from_bytes(data[pos:pos + 8], "little")
data = data[:pos + 8] + b"0" * n + data[pos + 8 + n:]
open(sys.argv[2], "wb").write(data + hashlib.sha256(data).hexdigest().encode())
PY
refused other_binary "other_binary.part: error: computed by popsim .* \(commit 0+\), but this is popsim" \
  micro.3.0.part other_binary.part micro.3.2.part
head -c 3000 micro.3.1.part >cut.part
refused truncated_part "cut.part: error: part file is truncated or damaged" \
  micro.3.0.part cut.part micro.3.2.part
refused not_a_part "serial.h5: error: not a popsim part file" micro.3.0.part micro.serial.h5
# The scenario file changed after the parts were computed.
echo "# changed" >>s/micro.yaml
refused changed_scenario "micro.3.0.part: error: computed from a scenario file with SHA-256 .* now hashes to" \
  micro.3.0.part micro.3.1.part micro.3.2.part
}

t_estimate() {
# --estimate: units and memory per process as key=value lines, nothing computed or written.
"$exe" run -q --estimate "$mic" >estimate.txt
expect estimate_units grep -qx "units=5" estimate.txt
expect estimate_replicates grep -qx "replicates=5" estimate.txt
expect estimate_memory grep -Eqx "memory_mib=[1-9][0-9]*" estimate.txt
expect estimate_writes_nothing test ! -e output
expect estimate_family bash -c "'$exe' run -q --estimate '$fam' | grep -qx units=5"
}

t_usage() {
cp s/micro.yaml s/victim.yaml
expect task_part_cannot_replace_the_scenario status_is 1 "$exe" run -q s/victim.yaml --task 0 --tasks 2 -o s/victim.yaml
expect task_scenario_intact cmp s/micro.yaml s/victim.yaml
expect task_without_tasks status_is 2 "$exe" run -q "$fam" --task 0 -o x.part
expect task_out_of_range status_is 2 "$exe" run -q "$fam" --task 3 --tasks 3 -o x.part
expect task_needs_output status_is 2 "$exe" run -q "$fam" --task 0 --tasks 3
expect tasks_zero status_is 2 "$exe" run -q "$fam" --task 0 --tasks 0 -o x.part
expect merge_needs_parts status_is 2 "$exe" merge out.h5
}

"t_$only"
finish "parts $only"
