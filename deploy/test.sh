#!/usr/bin/env bash
# test.sh -- build govsweep twice (warnings as errors; then with AddressSanitizer and
# UndefinedBehaviorSanitizer) and run the whole test suite on each build, after the
# source checks. This is the README's test command and what CI runs.
#
#   deploy/test.sh            both builds
#   deploy/test.sh --fast     the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== source checks"
bash deploy/checksrc.sh

run_suite() {
    local preset=$1
    echo "== build: $preset"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "== tests: $preset"
    ctest --preset "$preset" -j 2 --timeout 600
}

run_suite ci
if [ "${1:-}" != "--fast" ]; then
    run_suite ci-asan
fi
echo "== all test suites passed"
