#!/usr/bin/env bash
# package.sh -- build the Debian package of govsweep into out/ (or --out DIR): a build
# for prefix /usr with GS_INSTALL_LAYOUT=ON (the program reads its data from
# /usr/share/govsweep), no tests, then `cpack -G DEB` (deploy/install.cmake says what goes
# in). Needs dpkg-dev: dpkg-shlibdeps computes the libraries' packages. No fakeroot: CPack
# writes the entries as owned by root itself. Prints the path of the .deb on its last line.
#
#   deploy/package.sh                          build-package/ -> out/govsweep_V_ARCH.deb
#   deploy/package.sh --build-dir DIR --out DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build-package"
out="$src/out"
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) build=$(realpath -m "$2"); shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
command -v dpkg-shlibdeps >/dev/null || { echo "package.sh: needs dpkg-dev (dpkg-shlibdeps)" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)

# RelWithDebInfo: the optimisation CI tests (-O2; CPack strips the debug information).
# No -Werror here: warnings fail CI's builds, not a package built with another compiler.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DGS_INSTALL_LAYOUT=ON -DGS_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null
rm -rf "$build/package"
(cd "$build" && cpack -G DEB >/dev/null)
mkdir -p "$out"
deb=$(ls "$build"/package/govsweep_*.deb)
cp "$deb" "$out/"
echo "$out/$(basename "$deb")"
