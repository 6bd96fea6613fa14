#!/usr/bin/env bash
# The test job: install what is needed, build with warnings as errors, run every test
# through CTest (cmocka unit tests, WPP accuracy tests, CLI and xarray checks, robustness),
# then the robustness jobs: sanitizers, valgrind and fuzzing (issue #7).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build-test}
"$root/scripts/build.sh" -DPS_ENABLE_WERROR=ON -DPS_BUILD_TESTS=ON
section() { printf '\n==== %s ====\n' "$*"; }
t0=$(date +%s)
section "tests (ctest, warnings as errors)"
(cd "$BUILD_DIR" && ctest --output-on-failure -j"$(nproc)")
# Robustness (issue #7): the suite again under ASan+UBSan, the unit tests under valgrind,
# and each fuzz harness for FUZZ_SECONDS (default 60). Set POPSIM_QUICK_TEST=1 to skip them.
if [[ ${POPSIM_QUICK_TEST:-0} != 1 ]]; then
  section "AddressSanitizer + UndefinedBehaviorSanitizer (scripts/sanitize.sh)"
  "$root/scripts/sanitize.sh"
  section "valgrind memcheck (scripts/valgrind.sh)"
  "$root/scripts/valgrind.sh"
  section "fuzzing, ${FUZZ_SECONDS:-60} s per harness (scripts/fuzz.sh)"
  "$root/scripts/fuzz.sh"
fi
section "all passed in $(($(date +%s) - t0)) s"
