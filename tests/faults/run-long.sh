#!/usr/bin/env bash
# run-long.sh -- the long run of the fault matrix: the random scenarios (F1: kill -9 of a
# worker, the collector and the dispatcher at random moments; F3: kill -9 of Redis at a
# random moment) with many seeds, then every other scenario of tests/faults/ once, and the
# figures reliability.md asks for: fault runs judged, faults injected, targets lost and
# duplicated (both must be 0), time per scenario.
#
#   tests/faults/run-long.sh [--build DIR] [--seeds N] [--only f1|f3]
#
# DIR is a build directory with govsweep and tests/gs-simsrv (default: build); N seeds
# (default 50). Exit 0 when every scenario passed and nothing was lost or duplicated.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$src/build seeds=50 only=""
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--seeds N] [--only f1|f3]" >&2; exit 2 ;;
    esac
done
export GS_BIN=$build/govsweep GS_SIMSRV=$build/tests/gs-simsrv GS_SRC=$src GS_TESTS=$src/tests
[ -x "$GS_BIN" ] && [ -x "$GS_SIMSRV" ] || {
    echo "run-long.sh: no govsweep or gs-simsrv in $build (cmake --build $build first)" >&2
    exit 2
}
stats=$(mktemp /tmp/gs-faults-long.XXXXXX)
logs=$(mktemp -d /tmp/gs-faults-long-logs.XXXXXX)
t0=$(date +%s)
failed=()

run() { # run SCRIPT [ENV=VALUE...]: one scenario script, its output in $logs
    local script=$1 name
    shift
    name=$(basename "$script" .sh)
    echo "== $name $*"
    if env GS_FAULT_STATS="$stats" "$@" bash "$here/$script" >"$logs/$name.log" 2>&1; then
        grep '^# [a-z0-9-]*: [0-9]* fault runs' "$logs/$name.log" | sed 's/^# /   /'
    else
        failed+=("$name")
        grep -E '^FAIL|^# [a-z0-9-]*: [0-9]* fault runs' "$logs/$name.log" | sed 's/^/   /'
    fi
}

seedlist=$(seq -s ' ' 1 "$seeds")
case $only in
f1 | "") run test_f1_kill.sh GS_FAULT_SEEDS="$seedlist" ;;
esac
case $only in
f3 | "") run test_f3_redis.sh GS_FAULT_SEEDS="$seedlist" ;;
esac
if [ -z "$only" ]; then
    for s in test_f2_collector.sh test_f2_dispatcher.sh test_f2_worker.sh test_f2_run.sh \
        test_f4_pause.sh test_f5_netcut.sh test_f6_recovery.sh test_h7_poison.sh \
        test_o2_refuse.sh; do
        run "$s"
    done
fi

echo
echo "== figures ($(($(date +%s) - t0)) s in all; logs in $logs)"
python3 - "$stats" <<'EOF'
import re, statistics, sys
runs = faults = lost = dup = 0
times = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "time":
        kind = re.sub(r"-[0-9]+$", "", f[1]) if re.match(r"f[13]-", f[1]) else f[1]
        times.setdefault(kind, []).append(float(f[2]))
    else:
        runs += int(f[1]); faults += int(f[2]); lost += int(f[3]); dup += int(f[4])
print("fault runs judged: %d, faults injected: %d, targets lost: %d, duplicated: %d"
      % (runs, faults, lost, dup))
print("%-34s %5s %7s %7s %7s" % ("scenario (seconds of the run)", "runs", "min", "median", "max"))
for k in sorted(times):
    v = times[k]
    print("%-34s %5d %7.1f %7.1f %7.1f" % (k, len(v), min(v), statistics.median(v), max(v)))
sys.exit(1 if lost or dup else 0)
EOF
figs=$?
rm -f "$stats"
if [ ${#failed[@]} -gt 0 ] || [ $figs -ne 0 ]; then
    echo "FAILED: ${failed[*]:-} (see $logs)"
    exit 1
fi
echo "all scenarios passed"
