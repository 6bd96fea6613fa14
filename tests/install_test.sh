#!/usr/bin/env bash
# Install popsim into a temporary prefix and build a small program against it the two ways
# a user would: pkg-config (shared and static) and CMake's find_package(popsim). Checks the
# installed tree (program, man page, docs, headers, both libraries), that popsim.h includes
# every installed header, that no source path of the build is compiled into the program or
# the library, and that the installed program runs.
# usage: install_test.sh BUILD_DIR SOURCE_DIR VERSION
set -u
build=$(realpath "$1"); src=$(realpath "$2"); version=$3
tmp=$(mktemp -d /tmp/popsim_install_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
pass=0; fail=0
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -20; fi; }

expect install cmake --install "$build" --prefix "$prefix"
libdir=$(ls -d "$prefix"/lib*/ | head -n1); libdir=${libdir%/}
for f in bin/popsim share/man/man1/popsim.1 share/doc/popsim/model.md include/popsim/popsim.h \
         include/popsim/version.h; do
  expect "installed_$f" test -f "$prefix/$f"
done
expect installed_shared_lib test -f "$libdir/libps.so.${version%%.*}"
expect installed_static_lib test -f "$libdir/libps.a"
expect installed_cmake_package test -f "$libdir/cmake/popsim/popsimConfig.cmake"
expect installed_pc test -f "$libdir/pkgconfig/popsim.pc"

# The man page carries every command's --help; the bash completion completes from the program.
expect man_page_has_init grep -q 'usage: popsim init' "$prefix/share/man/man1/popsim.1"
expect man_page_has_targets grep -q 'usage: popsim targets' "$prefix/share/man/man1/popsim.1"
expect completion_installed test -f "$prefix/share/bash-completion/completions/popsim"
expect completion_commands bash -c "source '$prefix/share/bash-completion/completions/popsim'
  COMP_WORDS=('$prefix/bin/popsim' ''); COMP_CWORD=1; _popsim
  [[ \" \${COMPREPLY[*]} \" == *' init '* && \" \${COMPREPLY[*]} \" == *' run '* ]]"
expect completion_options bash -c "source '$prefix/share/bash-completion/completions/popsim'
  COMP_WORDS=('$prefix/bin/popsim' run --o); COMP_CWORD=2; _popsim
  [[ \${COMPREPLY[*]} == '--output' ]]"

# popsim.h includes every header installed beside it.
missing=""
for h in "$prefix"/include/popsim/*.h; do
  b=$(basename "$h"); [[ $b == popsim.h ]] && continue
  grep -q "#include \"popsim/$b\"" "$prefix/include/popsim/popsim.h" || missing="$missing $b"
done
expect umbrella_includes_all test -z "$missing"
[[ -z $missing ]] || echo "    popsim.h lacks:$missing"

# No path of the source or build tree is compiled into what is installed.
expect no_source_paths_in_program bash -c "! grep -aqF -e '$src' -e '$build' '$prefix/bin/popsim'"
expect no_source_paths_in_library bash -c "! grep -aqF -e '$src' -e '$build' $libdir/libps.so.$version"

# The installed program runs and reports its version.
expect installed_program_version bash -c "'$prefix/bin/popsim' --version | grep -qF 'popsim $version'"

# Start-up (issue #18): built with PS_STATIC_HDF5 (the default), the program takes HDF5 from
# its static archives and loads neither the shared libhdf5 nor the curl, ssl and krb5
# libraries that brings; the installed libps keeps the shared HDF5 for programs built on it.
if grep -q '^PS_STATIC_HDF5:BOOL=ON' "$build/CMakeCache.txt"; then
  expect program_without_shared_hdf5 bash -c \
    "ldd '$prefix/bin/popsim' >'$tmp/ldd' && ! grep -E 'libhdf5|libcurl|libssl|libkrb5' '$tmp/ldd'"
  expect library_with_shared_hdf5 bash -c "ldd '$libdir/libps.so.$version' | grep -q libhdf5"
else
  echo "note: PS_STATIC_HDF5 is OFF in this build: the program links the shared HDF5"
fi

# MPI (issue #18): the program is never linked with libmpi; built with MPI, the installed
# program under mpirun loads the installed plugin (lib*/popsim/popsim-mpi.so, found relative
# to the program), and a plugin that cannot be loaded is a clear error, not a crash.
expect serial_program_without_libmpi bash -c "! ldd '$prefix/bin/popsim' | grep -q libmpi"
if [[ -f $build/popsim-mpi.so ]]; then
  expect installed_mpi_plugin test -f "$libdir/popsim/popsim-mpi.so"
  mpi=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
       OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
       OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --oversubscribe)
  expect installed_program_under_mpirun "${mpi[@]}" -np 2 "$prefix/bin/popsim" run -q \
    "$src/scenarios/example_city.yaml" -o "$tmp/mpi.h5"
  expect installed_program_mpi_ranks_2 bash -c \
    "test \"\$(h5dump -a /mpi_ranks '$tmp/mpi.h5' | awk '/\\(0\\)/ {print \$2}')\" = 2"
  expect missing_mpi_plugin_is_an_error bash -c "! POPSIM_MPI_PLUGIN='$tmp/none.so' \
    ${mpi[*]} -np 1 '$prefix/bin/popsim' run -q '$src/scenarios/example_city.yaml' \
    -o '$tmp/none.h5' 2>'$tmp/none.log' && grep -q 'MPI plugin popsim-mpi.so cannot be loaded' \
    '$tmp/none.log' && test ! -e '$tmp/none.h5'"
fi

# pkg-config: shared, then static.
export PKG_CONFIG_PATH=$libdir/pkgconfig
expect pkgconfig_version bash -c "test \"\$(pkg-config --modversion popsim)\" = '$version'"
expect pkgconfig_build_shared bash -c "cc -std=c11 '$src/tests/install/consumer.c' -o '$tmp/consumer_pc' \
  \$(pkg-config --cflags --libs popsim) -lm -Wl,-rpath,'$libdir'"
expect pkgconfig_run_shared "$tmp/consumer_pc" "$version"
expect pkgconfig_shared_linked bash -c "ldd '$tmp/consumer_pc' | grep -q '$libdir/libps.so'"
# Static: libps.a named explicitly (beside libps.so, -lps would take the shared one), then
# the private dependencies that `pkg-config --static` lists.
static_deps=$(pkg-config --static --libs popsim | sed -e 's/^-lps / /' -e 's/ -lps / /g')
expect pkgconfig_build_static bash -c "cc -std=c11 '$src/tests/install/consumer.c' -o '$tmp/consumer_static' \
  \$(pkg-config --cflags popsim) '$libdir/libps.a' $static_deps"
expect pkgconfig_static_not_shared bash -c "! ldd '$tmp/consumer_static' | grep -q libps.so"
expect pkgconfig_run_static "$tmp/consumer_static" "$version"

# CMake: find_package(popsim) -> popsim::ps.
expect cmake_configure cmake -S "$src/tests/install" -B "$tmp/cmake_build" -DCMAKE_PREFIX_PATH="$prefix"
expect cmake_build cmake --build "$tmp/cmake_build"
expect cmake_run "$tmp/cmake_build/consumer" "$version"

echo "install: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
