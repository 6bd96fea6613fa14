#!/usr/bin/env bash
# Install the Debian 12 packages popsim needs to build, test and run (idempotent: packages
# already present are not reinstalled, and apt-get runs only when something is missing).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libgsl-dev libhdf5-dev hdf5-tools libcyaml-dev libyaml-dev zlib1g-dev
  libzip-dev libxml2-dev libxlsxwriter-dev udunits-bin
  librandom123-dev libcmocka-dev
  python3 python3-xarray python3-netcdf4 python3-h5py
  gnuplot-nox fonts-noto-cjk chromium
  clang libclang-rt-14-dev libomp-dev valgrind
  libopenmpi-dev openmpi-bin slurm-wlm munge
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
