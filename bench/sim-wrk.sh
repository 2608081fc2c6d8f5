#!/usr/bin/env bash
# sim-wrk.sh -- measure the simulated province server (gs-simsrv) with wrk, so that it is
# never the bottleneck of a sweep benchmark: small pages at 64 connections (the figure
# held to >= 20,000 requests/s on a 2-core machine), a message page and a full home page
# for scale, then 10,000 connections open at once (file limits raised for wrk within this
# script; gs-simsrv raises its own to the hard limit).
#
#   bench/sim-wrk.sh [--build DIR] [--duration S] [--connections N] [--threads N]
#
# Prints requests/s and latency of each run, the connections the server held during the
# 10,000-connection run (counted with ss), and "PASS"/"FAIL" against the two targets.
# Needs wrk (Debian package wrk), curl and ss (iproute2). tests/sim/README.md records figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build DURATION=5 CONNS=10000 THREADS=2
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
SIM=$BUILD/tests/gs-simsrv
[ -x "$SIM" ] || { echo "build first: cmake --build $BUILD --target gs-simsrv" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

# wrk holds one descriptor per connection, plus a few.
want=$((CONNS + 512))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
    ulimit -Hn "$want" 2>/dev/null || { echo "ulimit -n $want refused (hard limit $hard)" >&2; exit 2; }
fi
ulimit -n "$want"

work=$(mktemp -d /tmp/gs-simwrk.XXXXXX)
sim=""
cleanup() {
    if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$SIM" --out "$work/prov" --port 0 --seed 42 --sites 60 --accounts 100 --pages-per-site 100 \
    --threads "$THREADS" --reference-time 2021-06-15 >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 200); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
[ -e "$work/prov/ready" ] || { echo "gs-simsrv did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
port=$(cat "$work/prov/port")
host=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["kind"] == "site" and not o["defects"] and o["charset"] == "utf-8":
        print(o["host"]); break' "$work/prov/plan.jsonl")

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: gs-simsrv --threads $THREADS, 60 sites x 100 pages, host $host, port $port"

# run NAME PATH CONNECTIONS -> prints the summary, sets RPS
run() {
    local name=$1 path=$2 conns=$3 out
    out=$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s -H "Host: $host" \
        "http://127.0.0.1:$port$path" 2>&1)
    RPS=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
    local lat errs bytes
    lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
    errs=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr -s ' ' | paste -sd';' - || true)
    bytes=$(awk '/Transfer\/sec/ {print $2}' <<<"$out")
    printf '%-44s %9s req/s  latency avg %-9s %s/s %s\n' "$name, $conns conns" "$RPS" "$lat" \
        "$bytes" "${errs:+ [$errs]}"
}

size() { curl -s -o /dev/null -w '%{size_download}' -H "Host: $host" "http://127.0.0.1:$port$1"; }
run "small page /robots.txt ($(size /robots.txt) B)" /robots.txt 64
small=$RPS
run "message page ($(size /hdjl/lyxd/msg_1.html) B)" /hdjl/lyxd/msg_1.html 64
run "home page ($(size /) B)" / 64

# 10,000 open connections: count what the server holds half-way through the run.
wrk -t"$THREADS" -c"$CONNS" -d"$((DURATION * 2))s" --timeout 10s -H "Host: $host" \
    "http://127.0.0.1:$port/robots.txt" >"$work/wrk-many.txt" 2>&1 &
wrkpid=$!
sleep "$DURATION"
held=$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)
wait "$wrkpid" || true
many=$(awk '/Requests\/sec/ {printf "%d", $2}' "$work/wrk-many.txt")
errs=$(grep -E "Socket errors" "$work/wrk-many.txt" | tr -s ' ' || true)
printf '%-44s %9s req/s  %s connections held by the server%s\n' "small page, $CONNS conns" \
    "$many" "$held" "${errs:+ [$errs]}"

status=0
if [ "$small" -ge 20000 ]; then echo "PASS small pages: $small >= 20000 req/s"; else
    echo "FAIL small pages: $small < 20000 req/s"; status=1; fi
if [ "$held" -ge "$CONNS" ]; then echo "PASS connections: $held >= $CONNS held open"; else
    echo "FAIL connections: $held < $CONNS held open"; status=1; fi
exit $status
