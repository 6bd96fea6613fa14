#!/usr/bin/env bash
# Crash safety of `popsim run` (issue #7), with real timing rather than test hooks:
#  sigkill     SIGKILL at random moments of a longer run (load, projection, HDF5 write,
#              fsync, rename): afterwards the target is either the previous file, byte for
#              byte, or a complete new file identical to a reference run; a temporary file
#              may be left only by a kill during the write, and the next run removes it.
#  sigint, sigterm  the signal at random moments: exit status 130 / 143 with a message, the
#              previous file byte for byte and no temporary file; or exit 0 with the
#              complete file.
#  fifo_signals  SIGINT and SIGTERM while the scenario is being read (a FIFO held open);
#  stale_temps   stale-temp removal that spares a live writer's file;
#  memory        the memory refusal.
# One group of checks per NAME, each in its own temporary folder; tests/robust.cmake
# registers one CTest test robust_crash_safety_NAME per name.
# usage: crash_test.sh --list
#        crash_test.sh POPSIM_EXE PROJECT_ROOT [NAME]   env: CRASH_REPS (default 30 per signal)
#        (without NAME every group runs, each in its own process and folder)
set -u
names=(sigkill sigint sigterm fifo_signals stale_temps memory)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE PROJECT_ROOT" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
reps=${CRASH_REPS:-30}
tmp=$(mktemp -d /tmp/popsim_crash_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000 POPSIM_CACHE_DIR="$tmp/cache"
set -m # own process group per background job, so SIGINT is not ignored (POSIX job control)
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
expect() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# A longer run (276 projected years, ~1.4 MB of HDF5) and an older, different result.
sed -e "s|\\.\\./data/example|$root/data/example|" -e 's/^end: 2050/end: 2300/' \
  "$root/scenarios/example_city.yaml" >"$tmp/long.yaml"
sed -e "s|\\.\\./data/example|$root/data/example|" \
  "$root/scenarios/example_city.yaml" >"$tmp/short.yaml"
mkdir -p "$tmp/ref" "$tmp/w"
"$exe" run -q "$tmp/short.yaml" -o "$tmp/ref/old.h5" || { echo "FAIL setup old"; exit 1; }
old_sum=$(sha256sum <"$tmp/ref/old.h5")
# For the random kills: the reference new file and the longest of three timed runs.
setup_timed() {
  # The reference is made under the target's own name and options: the command line is in
  # the file. (SOURCE_DATE_EPOCH fixes its `created` attribute.)
  "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >/dev/null 2>&1 || { echo "FAIL setup new"; exit 1; }
  mv "$tmp/w/out.h5" "$tmp/ref/new.h5"
  max_ms=0
  for _ in 1 2 3; do
    t0=$(date +%s%N); "$exe" run -q "$tmp/long.yaml" -o "$tmp/w/timing.h5"; t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000)); ((ms > max_ms)) && max_ms=$ms
  done
  rm -f "$tmp/w/timing.h5"
  echo "crash: a run takes up to $max_ms ms; $reps kills per signal at random moments in 0..$((max_ms * 6 / 5)) ms"
}

# The target is the old file (byte for byte) or equal to the reference new file.
state_of() { # file -> old | new | BROKEN
  if [[ $(sha256sum <"$1") == "$old_sum" ]]; then echo old
  elif h5diff -q "$tmp/ref/new.h5" "$1" >/dev/null 2>&1; then echo new
  else echo BROKEN; fi
}
temps() { find "$tmp/w" -name '.popsim-*' | wc -l; }
random_delay() { awk -v ms="$max_ms" -v r="$RANDOM" 'BEGIN { printf "%.4f", ms * 1.2 * r / 32767 / 1000 }'; }

t_sigkill() {
setup_timed
declare -A seen=()
for ((i = 0; i < reps; ++i)); do
  rm -rf "$tmp"/w/out.h5* "$tmp"/w/.popsim-*; cp "$tmp/ref/old.h5" "$tmp/w/out.h5"
  "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >/dev/null 2>&1 &
  pid=$!
  sleep "$(random_delay)"; kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  st=$(state_of "$tmp/w/out.h5"); n=$(temps)
  seen[$st]=$((${seen[$st]:-0} + 1)); ((n > 0)) && seen[temp_left]=$((${seen[temp_left]:-0} + 1))
  [[ $st == BROKEN ]] && bad "sigkill rep $i: target neither old nor complete new"
  # The next run removes the dead process's temporary file and succeeds.
  if ((n > 0)); then
    "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >"$tmp/next.log" 2>&1 || bad "sigkill rep $i: next run failed"
    grep -Eq "removed .*/\.popsim-$pid-[A-Za-z0-9]{6}, left by process $pid" "$tmp/next.log" || bad "sigkill rep $i: stale temp not reported"
    expect "sigkill rep $i: stale temp removed" test "$(temps)" -eq 0
    expect "sigkill rep $i: next run complete" test "$(state_of "$tmp/w/out.h5")" = new
  fi
done
echo "crash: SIGKILL outcomes: old=${seen[old]:-0} new=${seen[new]:-0} broken=${seen[BROKEN]:-0}" \
     "temp left by a kill during the write=${seen[temp_left]:-0}"
expect "sigkill: never a broken target" test "${seen[BROKEN]:-0}" -eq 0
expect "sigkill: some kills landed before the rename" test "${seen[old]:-0}" -gt 0
}

interrupt_at_random() { # INT | TERM
  local sig=$1
  setup_timed
  want=$((128 + $(kill -l "$sig")))
  declare -A out=()
  for ((i = 0; i < reps; ++i)); do
    rm -rf "$tmp"/w/out.h5* "$tmp"/w/.popsim-*; cp "$tmp/ref/old.h5" "$tmp/w/out.h5"
    "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep "$(random_delay)"; kill -"$sig" "$pid" 2>/dev/null; wait "$pid"; rc=$?
    st=$(state_of "$tmp/w/out.h5")
    expect "SIG$sig rep $i: no temporary file" test "$(temps)" -eq 0
    if ((rc == 0)); then
      out[done]=$((${out[done]:-0} + 1))
      expect "SIG$sig rep $i: exit 0 means the complete new file" test "$st" = new
    elif ((rc == want)); then
      expect "SIG$sig rep $i: exit $want leaves the old file" test "$st" = old
      if grep -q "interrupted by SIG$sig" "$tmp/err"; then out[handled]=$((${out[handled]:-0} + 1))
      else out[before_handler]=$((${out[before_handler]:-0} + 1)); fi
    else
      bad "SIG$sig rep $i: exit $rc, expected 0 or $want"; sed 's/^/    /' "$tmp/err"
    fi
  done
  echo "crash: SIG$sig outcomes: handled (exit $want, message)=${out[handled]:-0}" \
       "before the handler was installed=${out[before_handler]:-0} finished=${out[done]:-0}"
  expect "SIG$sig: at least one interruption went through the handler" test "${out[handled]:-0}" -gt 0
}
t_sigint() { interrupt_at_random INT; }
t_sigterm() { interrupt_at_random TERM; }

# SIGINT/SIGTERM while the scenario is read from a FIFO whose writer has sent part of
# it and stays open (issue #17: the read used to wait until the pipe closed): the run stops
# within 5 s (the pipe stays open 30 s), exit 130/143, the old file intact, no temporary file.
t_fifo_signals() {
for sig in INT TERM; do
  rm -rf "$tmp"/w/out.h5* "$tmp"/w/.popsim-* "$tmp/fifo"; cp "$tmp/ref/old.h5" "$tmp/w/out.h5"; mkfifo "$tmp/fifo"
  "$exe" run "$tmp/fifo" -o "$tmp/w/out.h5" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  { head -c 200 "$tmp/long.yaml"; sleep 30; } >"$tmp/fifo" &
  writer=$!
  sleep 0.5; t0=$(date +%s%N); kill -"$sig" "$pid"; wait "$pid"; rc=$?; t1=$(date +%s%N)
  kill -- -"$writer" 2>/dev/null; wait "$writer" 2>/dev/null
  ms=$(((t1 - t0) / 1000000))
  echo "crash: SIG$sig while reading a scenario from an open FIFO: exit $rc after $ms ms"
  expect "fifo SIG$sig: exit $((128 + $(kill -l $sig)))" test "$rc" -eq $((128 + $(kill -l $sig)))
  expect "fifo SIG$sig: within 5 s of a 30 s wait" test "$ms" -lt 5000
  expect "fifo SIG$sig: message" grep -q "popsim: interrupted by SIG$sig; no output file was written or changed" "$tmp/err"
  expect "fifo SIG$sig: nothing on stdout" test ! -s "$tmp/out"
  expect "fifo SIG$sig: old file intact" test "$(state_of "$tmp/w/out.h5")" = old
  expect "fifo SIG$sig: no temporary file" test "$(temps)" -eq 0
done
}

# Stale temporaries (.popsim-<pid>-XXXXXX): a dead pid's file and folder go; a live
# process's file, a link (and what it points to), other names and a new target stay.
t_stale_temps() {
rm -rf "$tmp"/w/out.h5* "$tmp"/w/.popsim-*
sleep 0 & dead=$!; wait "$dead"
sleep 30 & live=$!
echo partial >"$tmp/w/.popsim-$dead-aB3dE9"; echo live >"$tmp/w/.popsim-$live-aB3dE9"
mkdir "$tmp/w/.popsim-$dead-Dir012"; echo chart >"$tmp/w/.popsim-$dead-Dir012/x.dat"
echo victim >"$tmp/victim"; ln -s "$tmp/victim" "$tmp/w/.popsim-$dead-Lnk345"
echo other >"$tmp/w/out.h5.tmp.$dead"; echo short >"$tmp/w/.popsim-$dead-abc"
"$exe" run "$tmp/short.yaml" -o "$tmp/w/out.h5" >"$tmp/next.log" 2>&1
expect "stale: run ok" test $? -eq 0
expect "stale: dead pid's temp removed" test ! -e "$tmp/w/.popsim-$dead-aB3dE9"
expect "stale: removal reported" grep -q "removed .*/.popsim-$dead-aB3dE9, left by process $dead which no longer runs" "$tmp/next.log"
expect "stale: dead pid's temporary folder removed" test ! -e "$tmp/w/.popsim-$dead-Dir012"
expect "stale: live writer's temp kept" test -e "$tmp/w/.popsim-$live-aB3dE9"
expect "stale: link kept" test -L "$tmp/w/.popsim-$dead-Lnk345"
expect "stale: link target untouched" grep -qx victim "$tmp/victim"
expect "stale: other names kept" test -e "$tmp/w/out.h5.tmp.$dead" -a -e "$tmp/w/.popsim-$dead-abc"
kill "$live" 2>/dev/null; wait "$live" 2>/dev/null
rm -rf "$tmp"/w/.popsim-* "$tmp/w/out.h5.tmp.$dead"
}

# Resources: a run that needs more memory than allowed is refused up front.
t_memory() {
rm -rf "$tmp"/w/out.h5*
POPSIM_MEMORY_LIMIT_BYTES=1000000 "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >"$tmp/err" 2>&1
expect "memory: refused with exit 1" test $? -eq 1
expect "memory: message gives the estimate" grep -Eq "error: this run needs about [0-9.]+ MiB of memory \(1 scenario x 276 years x 1 region x 2 sexes x 101 ages\) but only 1.0 MiB are available \(POPSIM_MEMORY_LIMIT_BYTES\)" "$tmp/err"
expect "memory: nothing written" test ! -e "$tmp/w/out.h5"
POPSIM_MEMORY_LIMIT_BYTES=12abc "$exe" run "$tmp/long.yaml" -o "$tmp/w/out.h5" >"$tmp/err" 2>&1
expect "memory: bad limit is an error" test $? -eq 1
expect "memory: bad limit message" grep -q "POPSIM_MEMORY_LIMIT_BYTES = '12abc' is not a positive whole number" "$tmp/err"
POPSIM_MEMORY_LIMIT_BYTES=100000000000 "$exe" run -q "$tmp/long.yaml" -o "$tmp/w/out.h5"
expect "memory: a run within the limit works" test $? -eq 0
}

"t_$only"
echo "crash $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
