#!/usr/bin/env bash
# sweep.sh -- benchmark a whole `govsweep run` on a generated province served on loopback.
#
# Prints pages, wall seconds, pages/s, CPU µs per page (every govsweep process; the private
# Redis excluded, the simulated server excluded) and the peak RSS of each worker; then,
# measured from outside by bench/measure.py, the CPU of the whole process tree (Redis
# included), the CPU of each kind of process, what the rest of the machine used meanwhile,
# and the workers' RSS over the run: at a quarter, a half, three quarters and the end of
# the pages swept, so that memory that grows with the pages shows (flat: the same at 2x
# and 4x the pages).
#
#   bench/sweep.sh [--sites N] [--accounts N] [--pages-per-site N] [--workers N]
#                  [--capacity N] [--build DIR] [--defect-rate F] [--seed N]
#
# --capacity is the tasks one worker holds at once: --workers 1 --capacity 100 --sites 100
# measures a worker with 100 sites in flight.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
SITES=60 ACCOUNTS=100 PPS=100 WORKERS=2 CAPACITY=16 BUILD=build DEFECT_RATE=0.2 SEED=42
while [ $# -gt 0 ]; do
    case $1 in
    --sites) SITES=$2; shift 2 ;;
    --accounts) ACCOUNTS=$2; shift 2 ;;
    --pages-per-site) PPS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --capacity) CAPACITY=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --defect-rate) DEFECT_RATE=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$BUILD/govsweep" ] || { echo "build first: cmake --preset dev && cmake --build build" >&2; exit 2; }

work=$(mktemp -d /tmp/gs-bench.XXXXXX)
sim=""
cleanup() {
    if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$BUILD/tests/gs-simsrv" --out "$work/prov" --port 0 --seed "$SEED" --sites "$SITES" \
    --accounts "$ACCOUNTS" --pages-per-site "$PPS" --defect-rate "$DEFECT_RATE" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 200); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
connect=()
while IFS= read -r l; do [ -n "$l" ] && connect+=(--connect-to "$l"); done <"$work/prov/connect-to.txt"

python3 "$SRC/bench/measure.py" --out "$work/measure.txt" --roles --series "$work/series.txt" \
    --server-pid "$sim" -- \
    "$BUILD/govsweep" run "$work/prov/registry.csv" --allow-private "${connect[@]}" \
    --cacert "$work/prov/ca.pem" \
    --state-dir "$work/state" --out "$work/out" --workers "$WORKERS" --capacity "$CAPACITY" --max-pages "$PPS" \
    --home-retries 0 >/dev/null 2>"$work/run.err"
line=$(grep "complete in" "$work/run.err")
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "province: $SITES sites x $PPS pages, $ACCOUNTS accounts; $WORKERS workers of capacity $CAPACITY"
echo "${line#govsweep: }"
for f in "$work"/state/logs/worker-*.log; do
    rss=$(grep -o 'peak RSS [0-9]* KiB' "$f" | tail -n1)
    echo "$(basename "$f" .log): $rss"
done

# From outside: the process tree, each kind of process, the machine.
pages=$(sed -n 's/.* complete in [0-9.]* s: \([0-9]*\) pages.*/\1/p' <<<"$line")
awk -v p="${pages:-1}" '
    /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
        printf "process tree: %.2f s CPU (%.0f µs/page, Redis included), wall %.2f s; server %.2f s; the rest of the machine %.2f cores\n",
            r["cpu_s"], r["cpu_s"] * 1e6 / p, r["wall_s"], r["server_cpu_s"], r["others_cpu_s"] / r["wall_s"] }
    /^ROLE/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        printf "  %s x%d: %.2f s CPU (%.0f µs/page), peak RSS %.0f MB, %.2f s waiting for a CPU\n",
            f["name"], f["n"], f["cpu_s"], f["cpu_s"] * 1e6 / p, f["hwm_kib"] / 1024, f["runq_s"] }
' "$work/measure.txt"
# The workers' RSS at the quarters of the run (pages arrive at a near-constant rate).
awk '$3 == "worker" && $4 > 0 { t[NR] = $1; rss[$2] = $4; sum = 0; for (p in rss) sum += rss[p]; s[NR] = sum; last = $1; n = NR }
    END {
        if (!n) exit
        q[1] = 0.25; q[2] = 0.5; q[3] = 0.75; q[4] = 1.0
        out = "workers RSS (all together) at 1/4, 1/2, 3/4 and the end of the run:"
        for (k = 1; k <= 4; k++) {
            best = 0
            for (i in t) if (t[i] <= q[k] * last && (best == 0 || t[i] > t[best])) best = i
            out = out sprintf(" %.0f", s[best] / 1024)
        }
        print out " MB"
    }' "$work/series.txt"
