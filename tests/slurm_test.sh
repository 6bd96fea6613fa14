#!/usr/bin/env bash
# A real single-node Slurm cluster (issue #15, section 2): munged, slurmctld and slurmd
# started as root from a generated key and slurm.conf in a temporary folder (their own
# ports, sockets and state: nothing of the machine's configuration is used), then
# scripts/slurm/submit.sh submits the scenario as a job array and the merge job
# (--dependency=afterok) and waits with `sbatch --wait`; the merged file must equal the
# serial run's (h5diff). scripts/slurm/mpi.sbatch runs the same scenario with srun
# --mpi=pmix on 2 ranks. The daemons this test started are stopped by their process ids,
# whatever happens (trap). It fails, not skips, when it cannot run: it needs root and the
# Debian packages slurm-wlm and munge, which scripts/setup.sh installs.
# usage: slurm_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR
set -u
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$(realpath "$3")
pass=0; fail=0
die() { echo "FAIL $*"; echo "slurm: $pass passed, $((fail + 1)) failed"; exit 1; }
[[ $(id -u) -eq 0 ]] || die "the Slurm test starts munged, slurmctld and slurmd as root: run it as root"
for cmd in munged slurmctld slurmd sbatch sinfo scontrol h5diff; do
  command -v $cmd >/dev/null || die "$cmd not found: run scripts/setup.sh (slurm-wlm, munge)"
done
# Under /tmp, readable by the daemons; world-readable because slurmd runs jobs from here.
tmp=$(mktemp -d /tmp/popsim_slurm_XXXXXX)
chmod 755 "$tmp"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 1' INT TERM
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -20; fi; }
show_logs() { for f in "$tmp"/log/*.log "$tmp"/run/out.h5.parts/*.log; do
  [[ -f $f ]] && { echo "--- $f"; tail -15 "$f"; }; done; }

# Free TCP ports for slurmctld and slurmd, so that no other Slurm on the machine is touched.
read -r port_ctld port_d < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
mkdir -p "$tmp"/{state,spool,log,run}
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$tmp/munge.key"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=popsimtest
SlurmctldHost=$host
SlurmctldPort=$port_ctld
SlurmdPort=$port_d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmdParameters=config_overrides
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=popsim Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF=$tmp/slurm.conf
munged -F --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munged.seed" \
  >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $tmp/munge.sock ]] && break; sleep 0.1; done
[[ -S $tmp/munge.sock ]] || { show_logs; die "munged did not start"; }
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 150); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1)
  [[ $state == idle ]] && break
  sleep 0.2
done
[[ $state == idle ]] || { show_logs; die "the node did not become idle (state '$state')"; }
pass=$((pass + 1))

# The scenario: a small microsimulation (5 replicates) so the test stays short.
mkdir "$tmp/run/s"; ln -s "$root/data" "$tmp/run/data"
sed -e 's/^  scale: 10 .*/  scale: 40/' -e 's/^  replicates: 4/  replicates: 5/' \
    "$root/scenarios/example_city_micro.yaml" >"$tmp/run/s/micro.yaml"
cd "$tmp/run"
export POPSIM_DATA_DIR=$wpp POPSIM_CACHE_DIR=$tmp/cache OMP_NUM_THREADS=1
expect serial_run "$exe" run -q s/micro.yaml -o serial.h5
expect array_and_merge_jobs env POPSIM="$exe" WAIT=1 CPUS=1 timeout 180 \
  bash "$root/scripts/slurm/submit.sh" s/micro.yaml 3 out.h5
grep -q "array .*(3 tasks of 5 units" "$tmp/out" || { fail=$((fail + 1)); echo "FAIL submit output"; cat "$tmp/out"; }
expect array_wrote_three_parts test "$(ls out.h5.parts/part_*.pspart 2>/dev/null | wc -l)" = 3
expect merged_equals_serial h5diff --exclude-attribute / serial.h5 out.h5
# MPI under Slurm: srun --mpi=pmix starts 2 ranks of popsim.
# (Under scripts/sanitize.sh: no exit-time leak check for MPI ranks, see tests/mpi_test.sh.)
if [[ -n ${ASAN_OPTIONS:-} ]]; then export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"; fi
expect mpi_job env POPSIM="$exe" timeout 180 sbatch --wait --ntasks=2 --cpus-per-task=1 --mem-per-cpu=512M \
  --output="$tmp/log/mpi.log" "$root/scripts/slurm/mpi.sbatch" s/micro.yaml mpi.h5
expect mpi_equals_serial h5diff --exclude-attribute / serial.h5 mpi.h5
expect mpi_ranks_is_2 bash -c "h5dump -a /mpi_ranks mpi.h5 | grep -q '(0): 2'"
((fail == 0)) || show_logs
echo "slurm: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
