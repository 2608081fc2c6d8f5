# lib.sh -- shared helpers of the integration tests (sourced, not run).
#
# Each test runs real processes: govsweep ($GS_BIN), the simulated province ($GS_SIMSRV),
# a private redis-server on a unix socket in a temporary directory. Everything started
# is stopped and the directory removed on exit, whatever happens. Each check prints a
# line; the test ends with "N passed, M failed" and fails when M > 0.
set -euo pipefail

: "${GS_BIN:?GS_BIN must point at the govsweep binary}"
: "${GS_SIMSRV:?GS_SIMSRV must point at gs-simsrv}"
GS_SRC=${GS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

T=$(mktemp -d /tmp/gs-it.XXXXXX)
PIDS=()
PASS=0
FAIL=0

cleanup() {
    local p
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
    done
    # anything left that was started from this test directory
    pkill -9 -f "$T/" 2>/dev/null || true
    if [ "${GS_KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
    local d=$1; shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# wait_for FILE SECONDS
wait_for() {
    local f=$1 s=$2 i=0
    while [ ! -e "$f" ]; do
        i=$((i + 1))
        [ $i -gt $((s * 10)) ] && { echo "timed out waiting for $f" >&2; return 1; }
        sleep 0.1
    done
}

# start_redis DIR -> sets REDIS_URL and REDIS_SOCK
start_redis() {
    local d=$1
    mkdir -p "$d"
    redis-server --port 0 --unixsocket "$d/redis.sock" --unixsocketperm 700 --dir "$d" \
        --save "" --appendonly no --daemonize no >"$d/redis.log" 2>&1 &
    PIDS+=($!)
    REDIS_SOCK=$d/redis.sock
    REDIS_URL=unix://$REDIS_SOCK
    local i=0
    until redis-cli -s "$REDIS_SOCK" ping >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "redis did not start" >&2; return 1; }
        sleep 0.1
    done
}

rcli() { redis-cli -s "$REDIS_SOCK" --no-raw "$@" | sed 's/^(integer) //; s/^"//; s/"$//'; }

# start_sim DIR ARGS... -> serves a simulated province; sets CONNECT_TO, the array of
# options that reach it: a --connect-to per line of DIR/connect-to.txt, and --cacert with
# the test CA it made (its sites answer HTTPS with certificates of that CA)
start_sim() {
    local d=$1; shift
    "$GS_SIMSRV" --out "$d" --port 0 "$@" >"$d.log" 2>&1 &
    SIM_PID=$!
    PIDS+=($SIM_PID)
    wait_for "$d/ready" 20
    CONNECT_TO=()
    local line
    while IFS= read -r line; do
        [ -n "$line" ] && CONNECT_TO+=(--connect-to "$line")
    done <"$d/connect-to.txt"
    if [ -e "$d/ca.pem" ]; then CONNECT_TO+=(--cacert "$d/ca.pem"); fi
}

# csv_rows FILE -> number of data rows of a CSV (header excluded, no embedded newlines)
csv_rows() { tail -n +2 "$1" | grep -c . || true; }
