#!/usr/bin/env bash
# Submit a scenario as a job array of N tasks and a merge job that runs when all of them
# succeeded (--dependency=afterok), with the memory of each task from popsim's own estimate
# (`popsim run --estimate`) plus a margin (issue #15, docs/hpc.md).
# usage: submit.sh SCENARIO.yaml N OUT.h5 [sbatch options for both jobs...]
#   POPSIM=path/to/popsim  CPUS=threads per task (default 1)  WAIT=1: wait for the merge
# Prints the array and merge job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The scenario path as given: the jobs run in this folder (sbatch's default), and the file
# records its inputs' paths as a single run from here would.
scenario=${1:?usage: submit.sh SCENARIO.yaml N OUT.h5 [sbatch options]}
n=${2:?usage: submit.sh SCENARIO.yaml N OUT.h5}
out=$(realpath -m "${3:?usage: submit.sh SCENARIO.yaml N OUT.h5}")
shift 3
popsim=${POPSIM:-popsim}
cpus=${CPUS:-1}
estimate=$("$popsim" run -q --estimate "$scenario")
units=$(sed -n 's/^units=//p' <<<"$estimate")
mib=$(sed -n 's/^memory_mib=//p' <<<"$estimate")
((n <= units)) || n=$units # no empty tasks
mem=$((mib + mib / 4 + 64)) # the estimate, 25 % and 64 MiB for the program itself
parts="$out.parts"
mkdir -p "$parts"
rm -f "$parts"/part_*.pspart
array=$(sbatch --parsable "$@" --array=0-$((n - 1)) --cpus-per-task="$cpus" --mem="${mem}M" \
        --export=ALL,POPSIM="$popsim" --output="$parts/array-%a.log" \
        "$here/array.sbatch" "$scenario" "$parts")
array=${array%%;*}
wait_opt=()
[[ ${WAIT:-0} == 1 ]] && wait_opt=(--wait)
merge=$(sbatch --parsable "${wait_opt[@]}" "$@" --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
        --mem="${mem}M" --export=ALL,POPSIM="$popsim" --output="$parts/merge.log" \
        "$here/merge.sbatch" "$out" "$parts")
echo "array $array ($n tasks of $units units, ${mem} MiB each), merge ${merge%%;*}"
