#!/usr/bin/env bash
# sweep.sh -- benchmark a whole `govsweep run` on a generated province served on loopback.
#
# Prints pages, wall seconds, pages/s, CPU µs per page (every govsweep process; the private
# Redis excluded, the simulated server excluded) and the peak RSS of each worker.
#
#   bench/sweep.sh [--sites N] [--accounts N] [--pages-per-site N] [--workers N]
#                  [--capacity N] [--build DIR]
#
# --capacity is the tasks one worker holds at once: --workers 1 --capacity 100 --sites 100
# measures a worker with 100 sites in flight.
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=60 ACCOUNTS=100 PPS=100 WORKERS=2 CAPACITY=16 BUILD=build
while [ $# -gt 0 ]; do
    case $1 in
    --sites) SITES=$2; shift 2 ;;
    --accounts) ACCOUNTS=$2; shift 2 ;;
    --pages-per-site) PPS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$BUILD/govsweep" ] || { echo "build first: cmake --preset dev && cmake --build build" >&2; exit 2; }

work=$(mktemp -d /tmp/gs-bench.XXXXXX)
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
"$BUILD/tests/gs-simsrv" --out "$work/prov" --port 0 --seed 42 --sites "$SITES" \
    --accounts "$ACCOUNTS" --pages-per-site "$PPS" --defect-rate 0.2 >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 200); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
connect=()
while IFS= read -r l; do [ -n "$l" ] && connect+=(--connect-to "$l"); done <"$work/prov/connect-to.txt"

"$BUILD/govsweep" run "$work/prov/registry.csv" --allow-private "${connect[@]}" \
    --cacert "$work/prov/ca.pem" \
    --state-dir "$work/state" --out "$work/out" --workers "$WORKERS" --capacity "$CAPACITY" --max-pages "$PPS" \
    --home-retries 0 >/dev/null 2>"$work/run.err"
line=$(grep "complete in" "$work/run.err")
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "province: $SITES sites x $PPS pages, $ACCOUNTS accounts; $WORKERS workers of capacity $CAPACITY"
echo "$line" | sed 's/^govsweep: //'
for f in "$work"/state/logs/worker-*.log; do
    rss=$(grep -o 'peak RSS [0-9]* KiB' "$f" | tail -n1)
    echo "$(basename "$f" .log): $rss"
done
