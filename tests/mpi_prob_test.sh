#!/usr/bin/env bash
# Probabilistic runs under MPI (issue #15, section 1, for the projections of issue #14):
# `mpirun -np N popsim run --location X --trajectories T` writes a file whose every dataset
# equals the serial run's (h5diff, no tolerance, root attributes excluded: they hold the
# time, command line, threads and mpi_ranks) for N = 1, 2, 3 (--oversubscribe on 2 cores)
# and OMP_NUM_THREADS = 1 and 2 for China with 300 trajectories (3 units, so 3 ranks get one
# each and 2 ranks an unequal share); with one thread, China with every trajectory kept
# (N = 2, 3) and `--location all` with 5 trajectories to 2040; root attribute mpi_ranks = N. A rank that errs or dies makes the job
# exit non-zero with the rank, and the output file is neither created nor changed.
# Also a summary sweep under MPI (compact units). Scenarios with `uncertainty:` (issue #14,
# sec. 2): scn_svc, Example City with services and 300 trajectories (the services of each
# trajectory travel to rank 0), and scn_policy, policy variants with services
# (tests/data/uncertainty/policy_svc.yaml, 150 trajectories: 2 blocks, so with 3 ranks one
# rank, rank 0, has none), each for N = 1, 2, 3 and OMP_NUM_THREADS = 1 and 2, every dataset
# (the variants' groups too) equal to the serial run's; ranks started with different
# scenarios stop with the rank named and no file.
# The quantiles split over the ranks (issue #15, sec. 4: each rank summarises a slice of the
# summary's rows from every rank's trajectories): China with 150 trajectories to 2051 (two
# blocks of 128 and 22, 1,378 rows: not a multiple of 3 or 4) on N = 2, 3, 4, so that ranks hold
# unequal, partial or no blocks and the row slices are uneven; every dataset equals the serial
# run's (the means, summed in trajectory order, change bits if a slice's trajectories come in
# another order; a wrong slice boundary moves whole rows). A rank that cannot allocate its
# receive buffer (POPSIM_TEST_QUANTILE_FAIL=RANK) stops every rank, named once, non-zero, no
# file, for `--location` and for a scenario with `uncertainty:`.
# One group of checks per NAME (china, china_keep, all, sweep, failures, scn_svc,
# scn_policy, split), each in its own temporary folder; tests/mpi_prob.cmake registers one CTest test
# cli_mpi_prob_identical_to_serial_NAME per name.
# usage: mpi_prob_test.sh --list
#        mpi_prob_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(china china_keep all sweep failures scn_svc scn_policy split)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
source "$root/tests/testlib.sh" mpi_prob "$3"
mpi_env # Open MPI as root on one node; no exit-time leak check under the sanitizer (testlib.sh)

declare -A args=(
  [china]="--location China --trajectories 300"
  [china_keep]="--location China --trajectories 300 --keep-trajectories --end 2060"
  [all]="--location all --trajectories 5 --end 2040"
  [scn_svc]="$tmp/city.yaml"
  [scn_policy]="$root/tests/data/uncertainty/policy_svc.yaml"
)
identical_to_serial() { # NAME: the serial run against N ranks
  local name=$1 np threads out
  # shellcheck disable=SC2086 # the arguments are words
  OMP_NUM_THREADS=2 "$exe" run -q ${args[$name]} -o "$tmp/$name.serial.h5" \
    || { echo "FAIL $name: serial run"; fail=$((fail + 1)); return; }
  for np in 1 2 3; do
    for threads in 1 2; do
      # the full matrix for China; the others, slower on a loaded machine, with one thread
      [[ $name != china && $name != scn_* && $threads == 2 ]] && continue
      [[ $name == china_keep && $np == 1 ]] && continue
      out="$tmp/$name.np$np.t$threads.h5"
      # shellcheck disable=SC2086
      expect "${name}_np${np}_threads${threads}_runs" \
        env OMP_NUM_THREADS=$threads mpirun --oversubscribe -np $np "$exe" run -q \
            ${args[$name]} -o "$out"
      expect "${name}_np${np}_threads${threads}_identical" \
        h5diff --exclude-attribute / "$tmp/$name.serial.h5" "$out"
      expect "${name}_np${np}_threads${threads}_mpi_ranks" test "$(ranks_attr "$out")" = "$np"
    done
  done
}

t_china() {
  identical_to_serial china
# The comparison sees a difference: another seed gives another file.
"$exe" run -q --location China --trajectories 300 --seed 2 -o "$tmp/seed2.h5"
expect other_seed_differs status_is 1 h5diff -q --exclude-attribute / "$tmp/china.serial.h5" "$tmp/seed2.h5"
expect serial_file_has_no_mpi_ranks bash -c "! h5dump -a /mpi_ranks '$tmp/china.serial.h5' >/dev/null 2>&1"
}

t_china_keep() {
  identical_to_serial china_keep
  expect keep_has_trajectories bash -c "h5ls -r '$tmp/china_keep.np3.t1.h5' | grep -q trajector"
}

t_all() { identical_to_serial all; }

t_scn_svc() { # services per trajectory under MPI (issue #14, sec. 2)
  sed -e 's/^  trajectories: 1000 .*/  trajectories: 300/' -e "s|\.\./data/|$root/data/|" \
      "$root/scenarios/example_city_uncertainty.yaml" >"$tmp/city.yaml"
  identical_to_serial scn_svc
  expect scn_svc_has_p_shortage bash -c \
    "h5ls '$tmp/scn_svc.np3.t2.h5/probabilistic/example_city_uncertainty' | grep -q service_p_shortage"
}

t_scn_policy() { # policy variants with services under MPI (issue #14, sec. 2)
  identical_to_serial scn_policy
  expect scn_policy_has_variant_services bash -c \
    "h5ls -r '$tmp/scn_policy.np3.t1.h5' | grep -q 'variants/child_subsidy/service_p_shortage'"
  # ranks started with different scenarios: non-zero, the rank named, no file
  sed -e 's/seed: 7/seed: 8/' -e "s|\.\./\.\./\.\./data/|$root/data/|" \
      "${args[scn_policy]}" >"$tmp/other.yaml"
  mpirun --oversubscribe -np 1 "$exe" run -q "${args[scn_policy]}" -o "$tmp/scn_failed.h5" : \
         -np 1 "$exe" run -q "$tmp/other.yaml" -o "$tmp/scn_failed.h5" >"$tmp/scn_failed.log" 2>&1
  expect scn_rank_error_exits_nonzero test $? -ne 0
  expect scn_rank_error_names_rank grep -q "rank 1 of 2" "$tmp/scn_failed.log"
  expect scn_rank_error_no_file test ! -e "$tmp/scn_failed.h5"
}

t_sweep() {

# A summary sweep under MPI: its points travel as compact results (no population arrays),
# which rank 0 must accept (found by scripts/bench_hpc.sh: "the bytes of a unit are
# truncated or malformed"); the file equals the serial run's.
sed -e 's/member_output: full/member_output: summary/' -e "s|\.\./\.\./\.\./data/|$root/data/|" \
    "$root/tests/data/good/sweep_grid.yaml" >"$tmp/sweep.yaml"
"$exe" run -q "$tmp/sweep.yaml" -o "$tmp/sweep.serial.h5"
for np in 2 3; do
  expect "sweep_np${np}_runs" mpirun --oversubscribe -np $np "$exe" run -q "$tmp/sweep.yaml" \
         -o "$tmp/sweep.np$np.h5"
  expect "sweep_np${np}_identical" h5diff --exclude-attribute / "$tmp/sweep.serial.h5" "$tmp/sweep.np$np.h5"
done
}

t_failures() {

# Rank 1 started with another command (another location): every rank stops before any
# collective, rank 1 names both command lines, once; non-zero and no file.
mpirun --oversubscribe -np 1 "$exe" run -q --location China --trajectories 300 -o "$tmp/failed.h5" : \
       -np 1 "$exe" run -q --location Atlantis --trajectories 300 -o "$tmp/failed.h5" \
       >"$tmp/failed.log" 2>&1
expect rank_error_exits_nonzero test $? -ne 0
expect rank_error_names_rank_and_error \
  grep -qF "popsim: rank 1 of 2: error: started as 'popsim run -q --location Atlantis --trajectories 300 -o $tmp/failed.h5', rank 0 as 'popsim run -q --location China --trajectories 300 -o $tmp/failed.h5': every rank of an MPI job must run the same command" "$tmp/failed.log"
expect rank_error_reported_once test "$(grep -c 'must run the same command' "$tmp/failed.log")" = 1
expect rank_error_no_file test ! -e "$tmp/failed.h5"
# Rank 2 of 3 cannot read the intervals; an existing result is left as it was.
"$exe" run -q --location China --trajectories 300 -o "$tmp/kept.h5"
sum=$(sha256sum <"$tmp/kept.h5")
mpirun --oversubscribe -np 2 "$exe" run -q --no-cache --location China --trajectories 300 \
       -o "$tmp/kept.h5" : \
       -np 1 -x POPSIM_DATA_DIR=/nonexistent "$exe" run -q --no-cache --location China \
       --trajectories 300 -o "$tmp/kept.h5" >"$tmp/kept.log" 2>&1
expect data_error_exits_nonzero test $? -ne 0
expect data_error_names_rank grep -q "popsim: rank 2 of 3 failed: error: no WPP data in '/nonexistent'" "$tmp/kept.log"
expect data_error_previous_file_untouched test "$(sha256sum <"$tmp/kept.h5")" = "$sum"
expect data_error_no_temporary_left bash -c "! ls -a '$tmp' | grep -q '^\.popsim-'"
# `--location all` with a start year the data lack: every rank fails on its own locations
# and rank 0 names each rank.
mpirun --oversubscribe -np 2 "$exe" run -q --location all --trajectories 5 --start 1900 \
       -o "$tmp/all_failed.h5" >"$tmp/all_failed.log" 2>&1
expect all_error_exits_nonzero test $? -ne 0
expect all_error_names_ranks bash -c "grep -q 'popsim: rank 0 of 2 failed' '$tmp/all_failed.log' &&
  grep -q 'popsim: rank 1 of 2 failed' '$tmp/all_failed.log'"
expect all_error_no_file test ! -e "$tmp/all_failed.h5"

# A rank that dies: mpirun stops the job, non-zero, naming the rank; no file.
timeout 120 mpirun --oversubscribe -np 1 "$exe" run -q --location China --trajectories 2000 \
  -o "$tmp/dead.h5" : -np 1 bash -c 'sleep 0.3; kill -9 $$' >"$tmp/dead.log" 2>&1
expect dead_rank_exits_nonzero test $? -ne 0
expect dead_rank_named grep -q "process rank 1 .*exited on signal 9" "$tmp/dead.log"
expect dead_rank_no_file test ! -e "$tmp/dead.h5"
}

t_split() { # the quantile rows split over the ranks (issue #15, sec. 4)
  local np out
  OMP_NUM_THREADS=2 "$exe" run -q --location China --trajectories 150 --end 2050 \
    -o "$tmp/split.serial.h5" || { echo "FAIL split: serial run"; fail=$((fail + 1)); return; }
  for np in 2 3 4; do
    out="$tmp/split.np$np.h5"
    expect "split_np${np}_runs" env OMP_NUM_THREADS=1 mpirun --oversubscribe -np $np "$exe" \
      run -q --location China --trajectories 150 --end 2050 -o "$out"
    expect "split_np${np}_identical" h5diff --exclude-attribute / "$tmp/split.serial.h5" "$out"
  done
  # the exchange in rounds of 7 rows and of 1 row of every slice (the last round partial, the
  # slices of different lengths): the same file, and the log counts the rounds
  for rows in 7 1; do
    for np in 2 3; do
      out="$tmp/split.rounds$rows.np$np.h5"
      expect "split_rounds${rows}_np${np}_runs" env OMP_NUM_THREADS=1 mpirun --oversubscribe \
        -np $np -x POPSIM_TEST_QUANTILE_ROUND_ROWS=$rows "$exe" run --location China \
        --trajectories 150 --end 2050 -o "$out"
      cp "$tmp/out" "$tmp/rounds.log" # expect's output: the run's log lines
      expect "split_rounds${rows}_np${np}_identical" h5diff --exclude-attribute / \
        "$tmp/split.serial.h5" "$out"
      n=$(sed -n 's/.*ranks in \([0-9]*\) rounds.*/\1/p' "$tmp/rounds.log" | head -1)
      expect "split_rounds${rows}_np${np}_many_rounds" test "${n:-0}" -gt 10
    done
  done
  # rank 1 of 3 cannot allocate its receive buffer: every rank stops with its error, once;
  # an existing file is left as it was
  cp "$tmp/split.serial.h5" "$tmp/split_failed.h5"
  sum=$(sha256sum <"$tmp/split_failed.h5")
  OMP_NUM_THREADS=1 timeout 120 mpirun --oversubscribe -np 3 -x POPSIM_TEST_QUANTILE_FAIL=1 \
    "$exe" run -q --location China --trajectories 150 --end 2050 -o "$tmp/split_failed.h5" \
    >"$tmp/split_failed.log" 2>&1
  expect split_fail_exits_1 test $? -eq 1
  expect split_fail_names_rank grep -q "popsim: rank 1 of 3 failed: error: out of memory for the quantile exchange.*POPSIM_TEST_QUANTILE_FAIL" "$tmp/split_failed.log"
  expect split_fail_reported_once test "$(grep -c 'POPSIM_TEST_QUANTILE_FAIL' "$tmp/split_failed.log")" = 1
  expect split_fail_file_untouched test "$(sha256sum <"$tmp/split_failed.h5")" = "$sum"
  # the same for a scenario with `uncertainty:` (rank 0 fails), no file
  OMP_NUM_THREADS=1 timeout 120 mpirun --oversubscribe -np 2 -x POPSIM_TEST_QUANTILE_FAIL=0 \
    "$exe" run -q "${args[scn_policy]}" -o "$tmp/scn_split_failed.h5" \
    >"$tmp/scn_split_failed.log" 2>&1
  expect scn_split_fail_exits_1 test $? -eq 1
  expect scn_split_fail_names_rank grep -q "popsim: rank 0 of 2 failed: .*POPSIM_TEST_QUANTILE_FAIL" "$tmp/scn_split_failed.log"
  expect scn_split_fail_no_file test ! -e "$tmp/scn_split_failed.h5"
}

"t_$only"
finish "cli_mpi_prob_identical_to_serial $only"
