#!/usr/bin/env bash
# The test job: install what is needed, build with warnings as errors, run every test
# through CTest (cmocka unit tests, WPP accuracy tests, CLI and xarray checks).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export BUILD_DIR=${BUILD_DIR:-$root/build-test}
"$root/scripts/build.sh" -DPS_ENABLE_WERROR=ON -DPS_BUILD_TESTS=ON
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
