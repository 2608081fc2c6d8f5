#!/usr/bin/env bash
# test_faults.sh -- kill -9 a worker, the collector and the dispatcher in the middle of a
# sweep (each in its own run); `govsweep run` restarts what dies, and the report must be
# identical to a calm run's, with every target done exactly once and one stream entry per
# finding (the oracle of reliability.md).
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 11 --sites 14 --accounts 10 --defect-rate 0.3 --reference-time "$REF" \
    --pages-per-site 40
N=$(csv_rows "$T/prov/registry.csv")

sweep() { # sweep ID OUT
    "$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep "$1" --reference-time "$REF" \
        --allow-private "${CONNECT_TO[@]}" --out "$2" --state-dir "$T/state-$1" --workers 2 \
        --capacity 3 --max-pages 25 --host-delay-ms 40 --home-retries 1 --retry-delay-ms 200 \
        --lease-ms 2000 --heartbeat-ms 300 --result-retry-ms 1000 --log-level debug
}

t0=$(date +%s)
rc=0
sweep calm "$T/calm" >/dev/null 2>"$T/calm.err" || rc=$?
calm_s=$(( $(date +%s) - t0 ))
check "calm run exits 0 (${calm_s}s)" [ $rc -eq 0 ]

# fault ROLE-PATTERN ID: start a sweep, kill -9 the first matching child after a moment
fault() {
    local role=$1 id=$2 delay=$3
    local t0 rc=0 pid
    t0=$(date +%s)
    sweep "$id" "$T/$id" >/dev/null 2>"$T/$id.err" &
    local runpid=$!
    sleep "$delay"
    pid=$(pgrep -f -- "$GS_BIN $role .*--sweep $id" | head -n1 || true)
    if [ -n "$pid" ]; then
        kill -9 "$pid"
        echo "killed $role (pid $pid) of sweep $id after ${delay}s"
    else
        echo "no $role process of sweep $id to kill (already finished?)"
    fi
    wait $runpid || rc=$?
    local secs=$(( $(date +%s) - t0 ))
    check "$id: run exits 0 after kill -9 of the $role (${secs}s)" [ $rc -eq 0 ]
    check "$id: the $role was killed mid-sweep" [ -n "$pid" ]
    check "$id: the run restarted it" grep -q "$role.* died" "$T/$id.err"
    check "$id: oracle (per-target table identical to the calm run)" \
        python3 "$GS_TESTS/integration/oracle.py" "$T/calm/targets.csv" "$T/$id/targets.csv"
    check "$id: exactly one done marker per target" [ "$(rcli SCARD gs:sweep:$id:done)" -eq "$N" ]
    local nf ns
    nf=$(grep -c . "$T/$id/findings.jsonl" || true)
    ns=$(redis-cli -s "$REDIS_SOCK" --raw XRANGE gs:findings - + | grep -cx "$id" || true)
    check "$id: one stream entry per finding ($nf)" [ "$ns" -eq "$nf" ]
    check "$id: within calm time + 2 leases + margin" [ "$secs" -le $((calm_s + 4 + 20)) ]
}

fault worker f-worker 1.5
fault collector f-collector 1.5
fault dispatcher f-dispatcher 1.5

finish
