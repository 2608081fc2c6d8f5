#!/usr/bin/env bash
# profile.sh -- where govsweep's CPU goes: `perf record --call-graph dwarf` of a whole
# `govsweep run` on the clean simulated province that bench/peers.sh measures, then the
# workers' profile by component, by symbol (self and children) and by shared object
# (bench/perf_summary.py), and every process's share of the samples.
#
#   bench/profile.sh [--sites N] [--pages-per-site N] [--head-bytes N] [--seed N] [--workers N]
#                    [--freq HZ] [--top N] [--build DIR] [--out DIR]
#
# --out DIR keeps perf.data, the logs and the summaries there (perf report -i DIR/perf.data
# then reads it again). DWARF call graphs, since neither govsweep's RelWithDebInfo build
# nor Debian's libraries keep frame pointers; they cost ~8 KB a sample, so the default
# frequency is modest. Needs perf (Debian package linux-perf) and root or
# kernel.perf_event_paranoid <= 1. --head-bytes (default 12000) weighs the pages as
# bench/peers.sh does (20-40 KB). The run under perf is slower than without it: read the
# shares, not the wall time; bench/peers.sh gives the times.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
SITES=60 PPS=100 HEAD_BYTES=12000 SEED=42 WORKERS=2 FREQ=999 TOP=30 BUILD=build OUT=""
while [ $# -gt 0 ]; do
    case $1 in
    --sites) SITES=$2; shift 2 ;;
    --pages-per-site) PPS=$2; shift 2 ;;
    --head-bytes) HEAD_BYTES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --freq) FREQ=$2; shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
[ -d "$BUILD" ] || { echo "configure first: cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo" >&2; exit 2; }
cmake --build "$BUILD" --target govsweep gs-simsrv >/dev/null
B=$(cd "$BUILD" && pwd)

if [ -n "$OUT" ]; then
    rm -rf "$OUT" && mkdir -p "$OUT" && work=$(cd "$OUT" && pwd)
else
    work=$(mktemp -d /tmp/gs-profile.XXXXXX)
fi
sim=""
cleanup() {
    if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
    [ -n "$OUT" ] || rm -rf "$work"
}
trap cleanup EXIT

"$B/tests/gs-simsrv" --out "$work/prov" --port 0 --seed "$SEED" --sites "$SITES" --accounts 0 \
    --pages-per-site "$PPS" --head-bytes "$HEAD_BYTES" --defect-rate 0 --reference-time 2021-06-15 >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 300); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
[ -e "$work/prov/ready" ] || { echo "gs-simsrv did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
connect=()
while IFS= read -r l; do [ -n "$l" ] && connect+=(--connect-to "$l"); done <"$work/prov/connect-to.txt"
max_pages=$(( PPS * 2 > 200 ? PPS * 2 : 200 ))

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cmd=(perf record -o "$work/perf.data" -F "$FREQ" --call-graph dwarf -- "$B/govsweep" run
    "$work/prov/registry.csv" --reference-time 2021-06-15 --allow-private "${connect[@]}"
    --cacert "$work/prov/ca.pem" --state-dir "$work/state" --out "$work/out"
    --workers "$WORKERS" --max-pages "$max_pages")
echo "command: ${cmd[*]//$work/\$WORK}"
"${cmd[@]}" >"$work/run.out" 2>"$work/run.err"
grep 'complete in' "$work/run.err" | sed 's/^govsweep: /run (under perf): /'
pages=$(sed -n 's/.* complete in [0-9.]* s: \([0-9]*\) pages.*/\1/p' "$work/run.err" | tail -n1)

# The processes: ids from the logs' "role[pid]" prefixes and Redis's "pid:M" lines.
declare -A role=()
for f in "$work"/state/logs/{worker-*,collector,dispatcher}.log; do
    p=$(grep -m1 -o '\(worker\|collector\|dispatcher\)\[[0-9]*\]' "$f" || true)
    [ -n "$p" ] && role[${p//[^0-9]/}]=${p%%\[*}
done
rp=$(grep -m1 -o '^[0-9]*:M' "$work/state/logs/redis.log" | cut -d: -f1 || true)
[ -n "$rp" ] && role[$rp]=redis-server
workers=$(for p in "${!role[@]}"; do if [ "${role[$p]}" = worker ]; then echo "$p"; fi; done | paste -sd, -)

echo
echo "share of all samples by process (the rest: govsweep run itself, ZeroMQ's threads, ...):"
perf report -i "$work/perf.data" --sort pid --stdio -g none --no-children 2>/dev/null |
    awk '/^ +[0-9.]+%/ { print $1, $2 }' | while read -r pct who; do
    p=${who%%:*}
    printf '  %7s  %-14s %s\n' "$pct" "${role[$p]:-${who#*:}}" "pid $p"
done | head -n 12

echo
perf script -i "$work/perf.data" -F comm,pid,tid,period,ip,sym,dso 2>/dev/null |
    python3 "$SRC/bench/perf_summary.py" --binary "$B/govsweep" --pids "$workers" \
        --pages "${pages:-0}" --top "$TOP" | tee "$work/summary.txt"
[ -z "$OUT" ] || echo "kept in $work (perf report -i $work/perf.data)"
