#!/usr/bin/env bash
# run.sh -- run one libFuzzer target for a set time and say what it did.
#
#   tests/fuzz/run.sh TARGET SECONDS        TARGET: msg page feed registry date url
#
# Needs the clang build with the targets (GS_FUZZ_BUILD, default build-fuzz):
#   CC=clang cmake -S . -B build-fuzz -DGS_FUZZ=ON -DGS_SANITIZE=address,undefined
#   cmake --build build-fuzz --target fuzz_TARGET
# The fuzzer grows a copy of the seed corpus (corpus/TARGET/ and regress/TARGET/) in a
# work directory (GS_FUZZ_WORK, default /tmp/gs-fuzz-TARGET, kept between runs so a
# second run starts where the first stopped); the seeds in the tree are not touched.
# Every crash, leak, timeout or out-of-memory input it finds is moved to regress/TARGET/,
# where the replay test (ctest fuzz.TARGET) feeds it on every CI run from then on: fix the
# bug, keep the input. Prints executions, executions per second, coverage (edges and
# features, libFuzzer's cov/ft), the corpus size and the crashes; exits 1 when it found any.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:?usage: run.sh TARGET SECONDS}
seconds=${2:?usage: run.sh TARGET SECONDS}
build=${GS_FUZZ_BUILD:-$root/build-fuzz}
bin=$build/tests/fuzz/fuzz_$target
work=${GS_FUZZ_WORK:-/tmp/gs-fuzz-$target}
[ -x "$bin" ] || { echo "run.sh: no $bin (build the clang GS_FUZZ=ON tree first)" >&2; exit 2; }

mkdir -p "$work/corpus" "$work/artifacts" "$here/regress/$target"
seeds=("$here/corpus/$target")
[ -n "$(ls -A "$here/regress/$target" 2>/dev/null)" ] && seeds+=("$here/regress/$target")
before=$(ls "$work/artifacts" | wc -l)

export GS_DATA_DIR=${GS_DATA_DIR:-$root/data}
# Leaks are bugs here (detect_leaks); an input that takes longer than 10 s or 2 GB is one too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$work/last.log
rc=0
"$bin" -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?

execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' <<<"$last" | cut -d' ' -f2 || true)
found=()
for a in "$work"/artifacts/*; do
    [ -e "$a" ] || continue
    name=$(basename "$a")
    if [ ! -e "$here/regress/$target/$name" ]; then
        cp "$a" "$here/regress/$target/$name"
        found+=("$name")
    fi
    rm -f "$a" # copied once; a renamed regression file is not brought back
done
echo "fuzz_$target: ${seconds}s, ${execs:-?} executions (${speed:-?}/s), cov ${cov:-?} edges, ft ${ft:-?}, corpus ${corp:-?}"
if [ "${#found[@]}" -gt 0 ] || [ "$rc" -ne 0 ]; then
    echo "fuzz_$target: FOUND ${#found[@]} new input(s), copied to tests/fuzz/regress/$target/: ${found[*]:-}"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 || true
    echo "fuzz_$target: full log in $log"
    exit 1
fi
echo "fuzz_$target: no crash, leak, timeout or out-of-memory (artifacts before: $before)"
