#!/usr/bin/env bash
# MPI (issue #15, section 1): `mpirun -np N popsim run` writes a file whose every dataset
# equals the serial run's (h5diff, no tolerance, root attributes excluded: they hold the
# time, command line, threads and mpi_ranks) for N = 1, 2, 3 (--oversubscribe on 2 cores)
# and OMP_NUM_THREADS = 1 and 2, on a policy family (china_policies: 5 members) and a
# microsimulation (example_city_micro: 4 replicates), with root attribute mpi_ranks = N.
# A rank that errs (its own memory limit, given to rank 1 only; a unit only it computes) or
# dies (killed) makes the job exit non-zero with the rank and its error, and the output file
# is neither created nor changed.
# Ranks started with other arguments, or reading another scenario file under the same name,
# stop with every differing rank's command line or checksum instead of hanging.
# micro_split: one microsimulation unit whose persons are split across the ranks (fewer
# units than ranks): Example City with care and kin, and three regions with internal
# migration and registration, identical to the serial run; a memory limit between one
# rank's share and the whole run refuses 1 rank and runs on 2; a sample beyond rank 0's
# first block of ids is refused.
# fail_mid_run: a rank failing in the middle of a split step (the test hook
# POPSIM_TEST_SPLIT_FAIL=RANK:STEP: out of memory just before the exchange of newborns) makes
# every rank leave the step: exit 1 within 60 s, the failed rank's error alone, no file; a
# rank that cannot send its share to rank 0 (POPSIM_TEST_SHARE_FAIL=RANK) is named by rank 0
# with its own error, for units and probabilistic trajectory blocks (those of a run that
# keeps its trajectories: only then do they travel to rank 0).
# One group of checks per NAME (family, micro, rank_errors, other_commands, micro_split,
# fail_mid_run), each in its own temporary
# folder; tests/hpc.cmake registers one CTest test cli_mpi_identical_to_serial_NAME per name.
# usage: mpi_test.sh --list
#        mpi_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(family micro rank_errors other_commands micro_split fail_mid_run)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
source "$root/tests/testlib.sh" mpi "$3"
mpi_env # Open MPI as root on one node; no exit-time leak check under the sanitizer (testlib.sh)

identical_to_serial() { # SCENARIO: np 1, 2, 3 x 1, 2 threads equal the serial run
  local scn=$1 np threads out
  OMP_NUM_THREADS=2 "$exe" run -q "$root/scenarios/$scn.yaml" -o "$tmp/$scn.serial.h5" \
    || { echo "FAIL $scn: serial run"; fail=$((fail + 1)); return; }
  for np in 1 2 3; do
    for threads in 1 2; do
      out="$tmp/$scn.np$np.t$threads.h5"
      expect "${scn}_np${np}_threads${threads}_runs" \
        env OMP_NUM_THREADS=$threads mpirun --oversubscribe -np $np "$exe" run -q \
            "$root/scenarios/$scn.yaml" -o "$out"
      expect "${scn}_np${np}_threads${threads}_identical" \
        h5diff --exclude-attribute / "$tmp/$scn.serial.h5" "$out"
      expect "${scn}_np${np}_threads${threads}_mpi_ranks" test "$(ranks_attr "$out")" = "$np"
    done
  done
}

t_family() {
  identical_to_serial china_policies
  expect serial_file_has_no_mpi_ranks bash -c "! h5dump -a /mpi_ranks '$tmp/china_policies.serial.h5' >/dev/null 2>&1"
}

t_micro() { identical_to_serial example_city_micro; }

t_rank_errors() {
# Rank 1 alone has too little memory: the job fails with rank 1's located error.
scn="$root/scenarios/example_city_micro.yaml"
mpirun --oversubscribe -np 1 "$exe" run -q "$scn" -o "$tmp/failed.h5" : \
       -np 1 -x POPSIM_MEMORY_LIMIT_BYTES=100000 "$exe" run -q "$scn" -o "$tmp/failed.h5" \
       >"$tmp/failed.log" 2>&1
expect rank_error_exits_nonzero test $? -ne 0
expect rank_error_names_rank_and_error \
  grep -q "popsim: rank 1 of 2 failed: .*example_city_micro.yaml:[0-9]*:[0-9]*: error: the microsimulation needs" "$tmp/failed.log"
expect rank_error_reported_once test "$(grep -c 'failed:' "$tmp/failed.log")" = 1
expect rank_error_no_file test ! -e "$tmp/failed.h5"
# An existing result is left as it was.
"$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/kept.h5"
sum=$(sha256sum <"$tmp/kept.h5")
mpirun --oversubscribe -np 1 "$exe" run -q "$scn" -o "$tmp/kept.h5" : \
       -np 2 -x POPSIM_MEMORY_LIMIT_BYTES=100000 "$exe" run -q "$scn" -o "$tmp/kept.h5" >/dev/null 2>&1
expect rank_error_previous_file_untouched test "$(sha256sum <"$tmp/kept.h5")" = "$sum"
expect rank_error_no_temporary_left bash -c "! ls -a '$tmp' | grep -q '^\.popsim-'"

# A unit that fails on the rank that owns it: a family whose last variant's response breaks
# the biological maximum; with 3 members, rank 1 of 2 and rank 2 of 3 own that variant.
{ sed -e "s#\.\./data#$root/data#" "$root/scenarios/example_city.yaml"; cat <<'YAML'
birth_order: {first: 0.45, second: 0.42, third: 0.13}
variants:
  - name: modest
    policies:
      - {lever: birth_reward, name: reward, start: 2026, end: 2050, first: 1000}
  - name: absurd
    economy: {household_income: 1000}
    response: {cash_elasticity: 5, quantum_share: 1, order_weight_first: 10,
               order_weight_second: 10, order_weight_third: 10}
    policies:
      - {lever: birth_reward, name: huge, start: 2026, end: 2050, first: 10000000,
         second: 10000000, third: 10000000}
YAML
} >"$tmp/absurd.yaml"
for np in 2 3; do
  mpirun --oversubscribe -np $np "$exe" run -q "$tmp/absurd.yaml" -o "$tmp/absurd.h5" >"$tmp/absurd.log" 2>&1
  expect unit_error_np${np}_exits_nonzero test $? -ne 0
  expect unit_error_np${np}_names_rank grep -q "popsim: rank $((np - 1)) of $np failed: .*absurd.yaml:[0-9]*:[0-9]*: error: scenario 'absurd': the response to the policies raises fertility" "$tmp/absurd.log"
  expect unit_error_np${np}_reported_once test "$(grep -c 'failed:' "$tmp/absurd.log")" = 1
  expect unit_error_np${np}_no_file test ! -e "$tmp/absurd.h5"
done

# A rank that dies: mpirun stops the job, non-zero, naming the rank; no file.
timeout 120 mpirun --oversubscribe -np 1 "$exe" run -q "$scn" -o "$tmp/dead.h5" : \
  -np 1 bash -c 'sleep 0.3; kill -9 $$' >"$tmp/dead.log" 2>&1
expect dead_rank_exits_nonzero test $? -ne 0
expect dead_rank_named grep -q "process rank 1 .*exited on signal 9" "$tmp/dead.log"
expect dead_rank_no_file test ! -e "$tmp/dead.h5"
}

t_other_commands() {
# Ranks started with other arguments (mpirun A : B) would wait in different collectives
# forever: every rank must run rank 0's command, and says so. The same arguments resolving
# to different scenario files (another working directory, as on another node) are refused
# by the file's checksum. Neither writes a file.
local status sha1 sha2
mkdir -p "$tmp/wd1" "$tmp/wd2"
sed -e "s#\.\./data#$root/data#" "$root/scenarios/example_city.yaml" >"$tmp/wd1/s.yaml"
sed -e "s#\.\./data#$root/data#" -e 's/^end: .*/end: 2040/' "$root/scenarios/example_city.yaml" >"$tmp/wd2/s.yaml"
timeout 120 mpirun --oversubscribe -np 1 "$exe" run -q "$tmp/wd1/s.yaml" -o "$tmp/mixed.h5" : \
  -np 1 "$exe" run -q "$tmp/wd2/s.yaml" -o "$tmp/mixed.h5" >"$tmp/mixed.log" 2>&1
status=$?
expect other_arguments_exit_nonzero test $status -ne 0 -a $status -ne 124
expect other_arguments_named grep -q "popsim: rank 1 of 2: error: started as 'popsim run -q $tmp/wd2/s.yaml -o $tmp/mixed.h5', rank 0 as 'popsim run -q $tmp/wd1/s.yaml -o $tmp/mixed.h5': every rank of an MPI job must run the same command" "$tmp/mixed.log"
expect other_arguments_no_file test ! -e "$tmp/mixed.h5"
timeout 120 mpirun --oversubscribe -np 1 -wdir "$tmp/wd1" "$exe" run -q s.yaml -o "$tmp/mixed.h5" : \
  -np 2 -wdir "$tmp/wd2" "$exe" run -q s.yaml -o "$tmp/mixed.h5" >"$tmp/mixed2.log" 2>&1
status=$?
expect other_scenario_exits_nonzero test $status -ne 0 -a $status -ne 124
sha1=$(sha256sum <"$tmp/wd1/s.yaml" | cut -d' ' -f1); sha2=$(sha256sum <"$tmp/wd2/s.yaml" | cut -d' ' -f1)
expect other_scenario_named grep -q "popsim: rank 1 of 3 failed: error: this rank read the scenario file 's.yaml' with SHA-256 as $sha2, rank 0 as $sha1: every rank must read the same" "$tmp/mixed2.log"
expect other_scenario_both_ranks test "$(grep -c 'failed: error: this rank read the scenario file' "$tmp/mixed2.log")" = 2
expect other_scenario_no_file test ! -e "$tmp/mixed.h5"
}

mib_needed() { # LOG: the MiB of the memory refusal in LOG
  sed -n 's/.*needs about \([0-9.]*\) MiB.*/\1/p' "$1" | head -1
}

t_micro_split() {
  local np threads out lim whole share
  sed -e "s#\.\./data#$root/data#" -e 's/^  replicates: .*/  replicates: 1/' \
      "$root/scenarios/example_city_micro.yaml" >"$tmp/city1.yaml"
  OMP_NUM_THREADS=2 "$exe" run -q "$tmp/city1.yaml" -o "$tmp/city1.serial.h5" \
    || { echo "FAIL city1: serial run"; fail=$((fail + 1)); return; }
  for np in 1 2 3; do
    for threads in 1 2; do
      out="$tmp/city1.np$np.t$threads.h5"
      OMP_NUM_THREADS=$threads mpirun --oversubscribe -np $np "$exe" run "$tmp/city1.yaml" \
        -o "$out" >"$tmp/city1.np$np.t$threads.log" 2>&1
      expect "city1_np${np}_threads${threads}_runs" test $? -eq 0
      expect "city1_np${np}_threads${threads}_identical" \
        h5diff --exclude-attribute / "$tmp/city1.serial.h5" "$out"
      if [[ $np -gt 1 ]]; then
        expect "city1_np${np}_threads${threads}_persons_split" grep -q \
          "the persons of each of the 1 microsimulation units are split across $np ranks" \
          "$tmp/city1.np$np.t$threads.log"
      fi
    done
  done
  # Three regions: internal migration and registration (persons move, records stay).
  cp "$root/tests/data/regions/od3.csv" "$tmp/"
  sed -e "s#\.\./\.\./\.\./data/example#$root/data/example#" -e 's/^  scale: .*/  scale: 20/' \
      -e 's/^  replicates: .*/  replicates: 1/' "$root/tests/data/regions/micro_three_regions.yaml" \
      >"$tmp/three.yaml"
  OMP_NUM_THREADS=2 "$exe" run -q "$tmp/three.yaml" -o "$tmp/three.serial.h5"
  for np in 2 3; do
    threads=$((np == 2 ? 2 : 1))
    OMP_NUM_THREADS=$threads mpirun --oversubscribe -np $np "$exe" run -q "$tmp/three.yaml" \
      -o "$tmp/three.np$np.h5"
    expect "three_regions_np${np}_threads${threads}_identical" \
      h5diff --exclude-attribute / "$tmp/three.serial.h5" "$tmp/three.np$np.h5"
  done
  # Memory: each rank checks its own share, so a limit between a rank's share of 2 and the
  # whole run refuses 1 rank and runs on 2 (figures from the refusals' own estimates).
  sed -e 's/^  scale: .*/  scale: 1/' -e 's/^end: .*/end: 2030/' "$tmp/city1.yaml" >"$tmp/big.yaml"
  POPSIM_MEMORY_LIMIT_BYTES=1000 "$exe" run -q "$tmp/big.yaml" -o "$tmp/none.h5" 2>"$tmp/whole.log"
  POPSIM_MEMORY_LIMIT_BYTES=1000 mpirun --oversubscribe -np 2 "$exe" run -q "$tmp/big.yaml" \
    -o "$tmp/none.h5" >"$tmp/share.log" 2>&1
  whole=$(mib_needed "$tmp/whole.log"); share=$(mib_needed "$tmp/share.log")
  expect memory_share_below_whole awk -v s="$share" -v w="$whole" 'BEGIN { exit !(s > 0 && s < w) }'
  expect memory_share_names_share grep -q "this rank's share of the persons" "$tmp/share.log"
  lim=$(awk -v s="$share" -v w="$whole" 'BEGIN { printf "%.0f", (s + w) / 2 * 1048576 }')
  POPSIM_MEMORY_LIMIT_BYTES=$lim "$exe" run -q "$tmp/big.yaml" -o "$tmp/big1.h5" 2>"$tmp/big1.log"
  expect memory_one_rank_refused test $? -ne 0
  expect memory_one_rank_no_file test ! -e "$tmp/big1.h5"
  POPSIM_MEMORY_LIMIT_BYTES=$lim OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 "$exe" run -q \
    "$tmp/big.yaml" -o "$tmp/big2.h5"
  expect memory_two_ranks_run test $? -eq 0
  OMP_NUM_THREADS=2 "$exe" run -q "$tmp/big.yaml" -o "$tmp/big.serial.h5"
  expect memory_two_ranks_identical h5diff --exclude-attribute / "$tmp/big.serial.h5" "$tmp/big2.h5"
  # Person records: rank 0 holds the first block of ids only.
  sed -e 's/^  sample: .*/  sample: 20000/' "$tmp/city1.yaml" >"$tmp/sample.yaml"
  mpirun --oversubscribe -np 2 "$exe" run -q "$tmp/sample.yaml" -o "$tmp/sample.h5" \
    >"$tmp/sample.log" 2>&1
  expect sample_beyond_block_refused test $? -ne 0
  expect sample_beyond_block_named grep -q "sample.yaml: error: micro.sample = 20000 is more than the 16384 person records" "$tmp/sample.log"
  expect sample_beyond_block_no_file test ! -e "$tmp/sample.h5"
}

t_fail_mid_run() {
  local np rank step status log sum
  sed -e "s#\.\./data#$root/data#" -e 's/^  replicates: .*/  replicates: 1/' \
      "$root/scenarios/example_city_micro.yaml" >"$tmp/city1.yaml"
  "$exe" run -q "$root/scenarios/example_city.yaml" -o "$tmp/kept.h5"
  sum=$(sha256sum <"$tmp/kept.h5")
  for np in 2 3; do
    for rank in 0 $((np - 1)); do
      step=$((np + rank)) # steps 2..5: after births, kin and sums have run
      log="$tmp/fail.np$np.rank$rank.log"
      OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe -np $np \
        -x POPSIM_TEST_SPLIT_FAIL=$rank:$step "$exe" run -q "$tmp/city1.yaml" \
        -o "$tmp/fail.h5" >"$log" 2>&1
      status=$?
      expect "fail_np${np}_rank${rank}_exits_1_no_hang" test $status -eq 1
      expect "fail_np${np}_rank${rank}_names_rank_and_error" grep -q \
        "popsim: rank $rank of $np failed: .*out of memory for the newborns exchanged between the processes of the microsimulation in step $step" "$log"
      expect "fail_np${np}_rank${rank}_reported_once" test "$(grep -c 'failed:' "$log")" = 1
      expect "fail_np${np}_rank${rank}_no_file" test ! -e "$tmp/fail.h5"
    done
  done
  # An existing result is left as it was, and no temporary file stays.
  OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe -np 2 -x POPSIM_TEST_SPLIT_FAIL=1:4 \
    "$exe" run -q "$tmp/city1.yaml" -o "$tmp/kept.h5" >/dev/null 2>&1
  expect fail_exits_1_over_existing_file test $? -eq 1
  expect fail_previous_file_untouched test "$(sha256sum <"$tmp/kept.h5")" = "$sum"
  expect fail_no_temporary_left bash -c "! ls -a '$tmp' | grep -q '^\.popsim-'"
  # A share that cannot be sent: rank 0 names the rank, the share and the sender's error.
  OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe -np 2 -x POPSIM_TEST_SHARE_FAIL=1 \
    "$exe" run -q "$root/scenarios/example_city_micro.yaml" -o "$tmp/share.h5" \
    >"$tmp/share.log" 2>&1
  expect share_fail_units_exits_1 test $? -eq 1
  expect share_fail_units_names_rank_and_error grep -q \
    "rank 1 could not send unit [0-9]*: error: out of memory for [0-9]* bytes (made to fail for a test" "$tmp/share.log"
  expect share_fail_units_no_file test ! -e "$tmp/share.h5"
  # (trajectories travel to rank 0 as shares only when the file keeps them: otherwise the
  # ranks split the quantile rows, whose failures tests/mpi_prob_test.sh `split` checks)
  OMP_NUM_THREADS=1 timeout 60 mpirun --oversubscribe -np 2 -x POPSIM_TEST_SHARE_FAIL=1 \
    "$exe" run -q --location China --trajectories 300 --keep-trajectories -o "$tmp/prob.h5" \
    >"$tmp/prob.log" 2>&1
  expect share_fail_trajectories_exits_1 test $? -eq 1
  expect share_fail_trajectories_names_rank_and_error grep -q \
    "rank 1 could not send probabilistic unit [0-9]*: error: out of memory" "$tmp/prob.log"
  expect share_fail_trajectories_no_file test ! -e "$tmp/prob.h5"
}

"t_$only"
finish "mpi $only"
