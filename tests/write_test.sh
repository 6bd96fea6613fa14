#!/usr/bin/env bash
# Where popsim writes (issue #17, section 1), through the command line: the output path must be
# a regular file or a new name (devices, FIFOs, sockets, folders refused; own symlinks followed
# to a regular file, others' refused), never an input of the run; temporaries are exclusive,
# short and removed; a full disk (file size limit: EFBIG; tmpfs: ENOSPC when mount is allowed)
# is exit 1 with the old file intact; `report` and `plot` handle SIGINT/SIGTERM/SIGKILL like
# `run`; the recorded command_line is shell-quoted. Needs gnuplot (never skips).
# One group of checks per NAME (each after the shared setup, in its own temporary folder);
# tests/robust.cmake registers one CTest test robust_write_safety_NAME per name.
# usage: write_test.sh --list
#        write_test.sh POPSIM_EXE PROJECT_ROOT [NAME]
#        (without NAME every group runs, each in its own process and folder)
set -u
names=(output_kinds symlinks inputs long_names full_disk command_line_quoted plot_outputs signals cache_stale_temp)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE PROJECT_ROOT" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
tmp=$(mktemp -d /tmp/popsim_write_XXXXXX)
cleanup() { mountpoint -q "$tmp/full" 2>/dev/null && umount "$tmp/full"; rm -rf "$tmp"; }
trap cleanup EXIT
export POPSIM_CACHE_DIR="$tmp/cache" SOURCE_DATE_EPOCH=1700000000 TMPDIR="$tmp/tmpdir"
mkdir "$TMPDIR" "$tmp/w"
cd "$tmp" || exit 1
set -m # own process group per background job, so SIGINT is not ignored (POSIX job control)
pass=0; fail=0
check() { # name expected_status regex command... (output in $tmp/out)
  local name=$1 want=$2 re=$3; shift 3
  "$@" >"$tmp/out" 2>&1; local got=$?
  if [[ $got -ne $want ]]; then
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$tmp/out" | head -5
  elif [[ -n $re ]] && ! grep -Eq -- "$re" "$tmp/out"; then
    fail=$((fail + 1)); echo "FAIL $name: output lacks /$re/"; sed 's/^/    /' "$tmp/out" | head -5
  else pass=$((pass + 1)); fi
}
expect() { local name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi; }
no_temps() { test -z "$(find "$@" -name '.popsim-*' 2>/dev/null)"; }
command -v gnuplot >/dev/null || { echo "FAIL gnuplot is not installed (apt-get install gnuplot-nox)"; exit 1; }

sed -e "s|\\.\\./data/example|$root/data/example|" "$root/scenarios/example_city.yaml" >s.yaml
"$exe" run -q s.yaml -o "$tmp/old.h5" || { echo "FAIL setup"; exit 1; }
old_sum=$(sha256sum <"$tmp/old.h5")
same_as_old() { [[ $(sha256sum <"$1") == "$old_sum" ]]; }

# 1. Output kinds: only a regular file or a new name. As root a writer that got this wrong
#    would replace the system's /dev/null, so root tests a private copy of the node.
devnode=/dev/null
[[ $(id -u) -eq 0 ]] && mknod "$tmp/devnull" c 1 3 2>/dev/null && devnode=$tmp/devnull

t_output_kinds() {
  check dev_null 1 "null: error: the output path is a character device; popsim writes only to a regular file or a new name" \
    "$exe" run -q s.yaml -o "$devnode"
  expect dev_null_still_a_device test -c "$devnode"
  mkfifo "$tmp/w/fifo"
  check fifo 1 "fifo: error: the output path is a FIFO" timeout 20 "$exe" run -q s.yaml -o "$tmp/w/fifo"
  expect fifo_still_a_fifo test -p "$tmp/w/fifo"
  python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/w/sock"
  check socket 1 "sock: error: the output path is a socket" "$exe" run -q s.yaml -o "$tmp/w/sock"
  expect socket_still_a_socket test -S "$tmp/w/sock"
  check folder 1 "error: the output path is a directory" "$exe" run -q s.yaml -o "$tmp/w"
  expect refusals_leave_no_temps no_temps "$tmp/w"
}
t_symlinks() {
  # Symbolic links: an own link to a regular file is followed (the file is replaced, the link
  # stays); a dangling link, a link to a device and a link of another user are refused.
  cp old.h5 "$tmp/w/real.h5"; ln -s real.h5 "$tmp/w/link.h5"; echo x >"$tmp/w/real.h5"
  check own_link 0 "" "$exe" run -q s.yaml -o "$tmp/w/link.h5"
  expect own_link_stays_a_link test -L "$tmp/w/link.h5"
  expect own_link_target_replaced h5diff --exclude-attribute / "$tmp/old.h5" "$tmp/w/real.h5"
  ln -s nowhere.h5 "$tmp/w/dangling.h5"
  check dangling_link 1 "dangling.h5: error: the output path is a symbolic link to a file that does not exist" \
    "$exe" run -q s.yaml -o "$tmp/w/dangling.h5"
  expect dangling_link_nothing_created test ! -e "$tmp/w/nowhere.h5"
  ln -s "$devnode" "$tmp/w/null.h5"
  check link_to_device 1 "null.h5: error: the output path is a symbolic link to '$devnode', which is a character device" \
    "$exe" run -q s.yaml -o "$tmp/w/null.h5"
  # A link that belongs to someone else: made here as root, else one of the system's own links.
  if [[ $(id -u) -eq 0 ]]; then
    echo victim >"$tmp/victim"; ln -s "$tmp/victim" "$tmp/w/planted.h5"; chown -h nobody "$tmp/w/planted.h5"
    foreign=$tmp/w/planted.h5
  else
    foreign=$(find /usr/bin /bin /etc -maxdepth 2 -type l ! -user "$(id -u)" 2>/dev/null | head -1)
  fi
  check foreign_link 1 "error: the output path is a symbolic link that belongs to another user" \
    "$exe" run -q s.yaml -o "$foreign"
  [[ $(id -u) -eq 0 ]] && expect foreign_link_victim_untouched grep -qx victim "$tmp/victim"
  # An own link that leads through someone else's link (root only: it needs chown).
  if [[ $(id -u) -eq 0 ]]; then
    ln -s planted.h5 "$tmp/w/mine.h5"
    check own_link_through_foreign_link 1 "mine.h5: error: the output path is a symbolic link that belongs to another user \(uid [0-9]+\) or leads through one" \
      "$exe" run -q s.yaml -o "$tmp/w/mine.h5"
    expect own_link_through_foreign_link_victim_untouched grep -qx victim "$tmp/victim"
  fi
}
t_inputs() {
  # The run's inputs: the scenario (also through a link) and its CSV files.
  scn_sum=$(sha256sum <s.yaml)
  check output_is_scenario 1 "s.yaml: error: the output file is also an input of this run \('s.yaml'\)" \
    "$exe" run -q s.yaml -o s.yaml
  ln -s s.yaml "$tmp/scn_link"
  check output_links_to_scenario 1 "error: the output file is also an input of this run" \
    "$exe" run -q s.yaml -o "$tmp/scn_link"
  mkdir "$tmp/data"; cp "$root"/data/example/*.csv "$tmp/data/"
  sed -e "s|$root/data/example|$tmp/data|" s.yaml >s2.yaml
  csv=$(ls "$tmp"/data/*.csv | head -1); csv_sum=$(sha256sum <"$csv")
  check output_is_input_csv 1 "error: the output file is also an input of this run" \
    "$exe" run -q s2.yaml -o "$csv"
  expect inputs_unchanged test "$(sha256sum <s.yaml)" = "$scn_sum" -a "$(sha256sum <"$csv")" = "$csv_sum"
}
t_long_names() {
  # 2. Long names: targets of 248 and 255 bytes (temporaries have short names of their own).
  for len in 248 255; do
    name=$(printf 'n%.0s' $(seq $((len - 3)))).h5
    check "name_of_$len" 0 "" "$exe" run -q s.yaml -o "$tmp/w/$name"
    expect "name_of_${len}_written" test -s "$tmp/w/$name"
  done
  expect long_names_leave_no_temps no_temps "$tmp/w"
}
t_full_disk() {
  # 3. A full file system: a file size limit (EFBIG, always available) and, where mount is
  #    allowed, a 200 KiB tmpfs (ENOSPC). Exit 1 (not a crash), the old file intact, no temp.
  cp old.h5 "$tmp/w/full.h5"
  check file_size_limit 1 "full.h5: error: cannot write the output file: File too large" \
    bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' _ "$exe" run -q s.yaml -o "$tmp/w/full.h5"
  expect file_size_limit_old_intact same_as_old "$tmp/w/full.h5"
  expect file_size_limit_no_temp no_temps "$tmp/w"
  echo "<p>old</p>" >"$tmp/w/full.html"
  check report_file_size_limit 1 "error: " \
    bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' _ "$exe" report -q old.h5 -o "$tmp/w/full.html"
  expect report_file_size_limit_old_intact grep -qx "<p>old</p>" "$tmp/w/full.html"
  expect report_file_size_limit_nothing_left test -z "$(ls -A "$TMPDIR")"
  expect report_file_size_limit_no_temp no_temps "$tmp/w"
  mkdir "$tmp/full"
  if mount -t tmpfs -o size=200k tmpfs "$tmp/full" 2>/dev/null; then
    echo small >"$tmp/full/out.h5"
    check enospc 1 "out.h5: error: cannot (write|sync|close) the output file: No space left on device" \
      "$exe" run -q s.yaml -o "$tmp/full/out.h5"
    expect enospc_old_intact grep -qx small "$tmp/full/out.h5"
    expect enospc_no_temp no_temps "$tmp/full"
    echo "<p>old</p>" >"$tmp/full/r.html"
    check report_enospc 1 "r.html: error: cannot (write|sync|close) the output file: No space left on device" \
      "$exe" report -q old.h5 -o "$tmp/full/r.html"
    expect report_enospc_old_intact grep -qx "<p>old</p>" "$tmp/full/r.html"
    expect report_enospc_no_temp no_temps "$tmp/full" "$TMPDIR"
    umount "$tmp/full"
  else
    echo "write: tmpfs cannot be mounted here; the file size limit case covers a full disk"
  fi
}
t_command_line_quoted() {
  # 4. command_line is shell-quoted: eval runs nothing and gives back the same arguments.
  evil="$tmp/w/x'; touch PWN1; echo '\$(touch PWN2)\`touch PWN3\`\"q\" a.h5"
  check evil_name 0 "" "$exe" run -q s.yaml -o "$evil"
  cl=$("$exe" info "$evil" | sed -n 's/^  command_line     //p')
  expect command_line_recorded test -n "$cl"
  set --
  [[ -n $cl ]] && eval "set -- $cl"
  expect command_line_round_trips test "${1-} ${2-} ${3-} ${4-} ${6-}" = "popsim run -q -o s.yaml" -a "${5-}" = "$evil" -a $# -eq 6
  expect command_line_executed_nothing test ! -e PWN1 -a ! -e PWN2 -a ! -e PWN3
}
t_plot_outputs() {
  # (as root the planted link below points at the victim file the symlinks group makes)
  [[ $(id -u) -eq 0 ]] && echo victim >"$tmp/victim"
  # 5. plot: chart files go through the same rules; nothing is left in the chart folder.
  mkdir "$tmp/charts"
  check plot_ok 0 "" "$exe" plot -q old.h5 -o "$tmp/charts"
  ln -sf "$devnode" "$tmp/charts/births_tfr.png"
  check plot_link_to_device 1 "births_tfr.png: error: the output path is a symbolic link to '$devnode'" \
    "$exe" plot -q old.h5 -o "$tmp/charts"
  rm "$tmp/charts/births_tfr.dat"; mkfifo "$tmp/charts/births_tfr.dat"
  check plot_fifo 1 "births_tfr.dat: error: the output path is a FIFO" timeout 20 "$exe" plot -q old.h5 -o "$tmp/charts"
  if [[ $(id -u) -eq 0 ]]; then
    rm "$tmp/charts/births_tfr.dat"; ln -s "$tmp/victim" "$tmp/charts/births_tfr.dat"
    chown -h nobody "$tmp/charts/births_tfr.dat"
    check plot_planted_link 1 "births_tfr.dat: error: the output path is a symbolic link that belongs to another user" \
      "$exe" plot -q old.h5 -o "$tmp/charts"
    expect plot_planted_link_victim_untouched grep -qx victim "$tmp/victim"
  fi
  expect plot_no_temps no_temps "$tmp/charts"
}
t_signals() {
  # 6. report and plot under signals: a slow gnuplot makes the moment certain.
  printf '#!/bin/sh\nsleep 0.5\nexec gnuplot "$@"\n' >"$tmp/slowgp"; chmod +x "$tmp/slowgp"
  echo "<p>old</p>" >"$tmp/w/r.html"
  for sig in INT TERM; do
    POPSIM_GNUPLOT=$tmp/slowgp "$exe" report -q old.h5 -o "$tmp/w/r.html" >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep 0.3; kill -"$sig" "$pid"; wait "$pid"; rc=$?
    expect "report_SIG$sig: exit $((128 + $(kill -l $sig)))" test "$rc" -eq $((128 + $(kill -l $sig)))
    expect "report_SIG$sig: message" grep -q "interrupted by SIG$sig; no report was written or changed" "$tmp/err"
    expect "report_SIG$sig: old report intact" grep -qx "<p>old</p>" "$tmp/w/r.html"
    expect "report_SIG$sig: no temporary folder or file" test -z "$(ls -A "$TMPDIR")"
    expect "report_SIG$sig: no temporary page" no_temps "$tmp/w"
    POPSIM_GNUPLOT=$tmp/slowgp "$exe" plot -q old.h5 -o "$tmp/sigcharts" >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep 0.3; kill -"$sig" "$pid"; wait "$pid"; rc=$?
    expect "plot_SIG$sig: exit $((128 + $(kill -l $sig)))" test "$rc" -eq $((128 + $(kill -l $sig)))
    expect "plot_SIG$sig: no staging folder" test -z "$(ls -A "$tmp/sigcharts" | grep '^\.')"
  done
  POPSIM_GNUPLOT=$tmp/slowgp "$exe" report -q old.h5 -o "$tmp/w/r.html" >/dev/null 2>&1 &
  pid=$!
  sleep 0.3; kill -KILL "$pid"; wait "$pid" 2>/dev/null
  expect report_SIGKILL_leaves_its_folder test -n "$(find "$TMPDIR" -maxdepth 1 -name ".popsim-$pid-*")"
  check report_after_SIGKILL 0 "removed $TMPDIR/\\.popsim-$pid-[A-Za-z0-9]{6}, left by process $pid which no longer runs" \
    "$exe" report old.h5 -o "$tmp/w/r.html"
  expect report_after_SIGKILL_clean no_temps "$TMPDIR" "$tmp/w"
  expect report_after_SIGKILL_written grep -q "<html" "$tmp/w/r.html"
  check report_is_result 1 "old.h5: error: the output file is also an input of this run" \
    "$exe" report -q old.h5 -o old.h5
  expect report_is_result_intact same_as_old old.h5
}
t_cache_stale_temp() {
  # A cache write killed outright leaves .popsim-<pid>-XXXXXX in the cache folder: the next run
  # removes it.
  mkdir -p "$POPSIM_CACHE_DIR"
  sleep 0 & dead=$!; wait "$dead"
  echo partial >"$POPSIM_CACHE_DIR/.popsim-$dead-cAcHe1"
  check cache_stale_temp 0 "removed $POPSIM_CACHE_DIR/\.popsim-$dead-cAcHe1, left by process $dead" \
    "$exe" run s.yaml -o "$tmp/w/cache.h5"
  expect cache_stale_temp_removed test ! -e "$POPSIM_CACHE_DIR/.popsim-$dead-cAcHe1"
}

"t_$only"
echo "write $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
