#!/usr/bin/env bash
# match.sh -- benchmark the dictionary matcher (gs_match, gs_dict) and Traditional-to-
# Simplified conversion (gs_t2s) on ~30 KB pages of government text.
#
# Prints, for synthetic dictionaries of 100, 10,000 and 100,000 Chinese terms (near misses
# of the page text, the matcher's worst case, and random combinations) and for the shipped
# wording and spam dictionaries: build time, automaton states and memory, scan MB/s and
# occurrences per MB; then T2S MB/s on Traditional and on Simplified text and the cost of
# the looks-Traditional test per page, and the peak RSS.
#
#   bench/match.sh [--build DIR] [--pages N] [--seed N]
#
# The page text is made of the sentences of tests/data (the clean government page, the
# Simplified forms of the T2S fixtures) and, when the project's shared/ directory sits
# beside the checkout, of the published inspection notices in shared/notices/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build PAGES=100 SEED=1
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --pages) PAGES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -d "$BUILD" ] || { echo "configure first: cmake --preset dev (or cmake -S . -B $BUILD)" >&2; exit 2; }
cmake --build "$BUILD" --target bench-match >/dev/null

corpus=(tests/data/dict/clean.txt tests/data/t2s/hans.txt tests/data/t2s/*.hans.txt)
for f in ../shared/notices/*.txt; do
    [ -f "$f" ] && corpus+=("$f")
done

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "build: $BUILD ($(grep -m1 '^CMAKE_BUILD_TYPE' "$BUILD/CMakeCache.txt" | cut -d= -f2)); corpus: ${#corpus[@]} files"
"$BUILD/bench/bench-match" --data data --pages "$PAGES" --seed "$SEED" \
    --traditional tests/data/t2s/hk.txt "${corpus[@]}"
