#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is needed, build, and run the
# default scenario (China, 1 July 2025 to 2100, UN WPP 2024 medium) into output/china.h5,
# then draw its charts into output/charts/ and write the report output/report.html.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$root"
./build/popsim run scenarios/china.yaml -o output/china.h5
./build/popsim plot -q output/china.h5 -o output/charts
./build/popsim report -q output/china.h5 -o output/report.html
