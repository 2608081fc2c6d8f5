#!/usr/bin/env bash
# test_judge.sh -- a sweep is judged by the settings it was planned with (common/gs_judge.h):
# a worker whose own configuration says otherwise (stale after 3000 days, no link checks,
# depth 1 ...) still reports what a calm run reports, because the thresholds travel with
# each task; a dispatcher killed mid-sweep and restarted with other thresholds says so and
# goes on with the planned ones. Judged by the oracle of reliability.md against a calm
# `govsweep run`, and by the planted truth.
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 13 --sites 8 --accounts 8 --defect-rate 0.5 --reference-time "$REF" \
    --pages-per-site 30
N=$(csv_rows "$T/prov/registry.csv")
COMMON=(--reference-time "$REF" --allow-private --home-retries 1 --retry-delay-ms 200
    --lease-ms 3000 --heartbeat-ms 300)
# what a lenient worker host would judge by, were it left to itself
LENIENT=(--stale-days 3000 --column-stale-veto 1000 --column-stale-total-veto 1000
    --column-blank-veto 1000 --interact-reply-days 3000 --link-checks 0 --max-depth 1
    --max-links-per-page 5 --privacy-mobiles 1000 --cert-warn-days 0 --dup-post-columns 1000)

rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep calm "${COMMON[@]}" \
    "${CONNECT_TO[@]}" --out "$T/calm" --state-dir "$T/st" --workers 2 >/dev/null 2>"$T/calm.err" || rc=$?
check "calm run exits 0" [ $rc -eq 0 ]
check "the meta keeps the planned settings" \
    grep -q '"stale_days":14' <<<"$(redis-cli -s "$REDIS_SOCK" --raw HGET gs:sweep:calm:meta judge)"

wait_log() { # FILE STRING (30 s)
    local i=0
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 300 ] && { echo "timed out waiting for '$2' in $1" >&2; return 1; }
        sleep 0.1
    done
}
"$GS_BIN" collector --redis "$REDIS_URL" --collector-endpoint "tcp://127.0.0.1:*" \
    --heartbeat-ms 300 2>"$T/collector.log" &
PIDS+=($!)
wait_log "$T/collector.log" "listening on tcp://"
CEP=$(grep -o 'listening on tcp://[0-9.:]*' "$T/collector.log" | head -n1 | sed 's/listening on //')

# dispatcher ID LOG ARGS...
dispatcher() {
    local id=$1 log=$2; shift 2
    "$GS_BIN" dispatcher --redis "$REDIS_URL" --registry "$T/prov/registry.csv" --sweep "$id" \
        "${COMMON[@]}" --dispatcher-endpoint "tcp://127.0.0.1:${DPORT:-*}" "$@" 2>"$log" &
    DPID=$!
    PIDS+=($DPID)
    wait_log "$log" "listening on tcp://"
    DPORT=$(grep -o 'listening on tcp://[0-9.]*:[0-9]*' "$log" | head -n1 | sed 's/.*://')
}
worker() { # worker NAME ARGS...
    local name=$1; shift
    "$GS_BIN" worker --worker-id "$name" --dispatcher-endpoint "tcp://127.0.0.1:$DPORT" \
        --collector-endpoint "$CEP" --capacity 4 "${COMMON[@]}" "${CONNECT_TO[@]}" "$@" \
        2>"$T/$name.log" &
    PIDS+=($!)
    eval "PID_$name=$!"
}
wait_done() { # wait_done: the dispatcher's exit code once the sweep is complete (120 s)
    local rc=0
    for _ in $(seq 1 1200); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
    wait "$DPID" || rc=$?
    return $rc
}

# 1. a lenient worker host: the sweep's settings win
dispatcher j1 "$T/d1.log"
worker lenient "${LENIENT[@]}"
rc=0
wait_done || rc=$?
check "a sweep with a lenient worker completes" [ $rc -eq 0 ]
kill -TERM "$PID_lenient" 2>/dev/null || true
"$GS_BIN" report --redis "$REDIS_URL" --sweep j1 --out "$T/j1" >/dev/null
check "oracle: the lenient worker reports what the calm run reports" \
    python3 "$GS_TESTS/integration/oracle.py" "$T/calm/targets.csv" "$T/j1/targets.csv"
CODES=$(grep -o '"code":"[^"]*"' "$T/prov/truth.jsonl" | cut -d'"' -f4 | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086 # the codes are words
check "... and the planted truth ($(wc -w <<<"$CODES") codes)" \
    python3 "$GS_TESTS/integration/compare_truth.py" "$T/prov/truth.jsonl" "$T/prov/clean.txt" \
    "$T/j1/findings.jsonl" "$T/j1/targets.csv" $CODES
check "the truth has stale columns and homes for the thresholds to matter" \
    grep -qE '"code":"W-(COLUMN|HOME)-STALE"' "$T/prov/truth.jsonl"

# 2. the dispatcher killed mid-sweep and restarted with other thresholds
DPORT=""
dispatcher j2 "$T/d2.log"
worker w2 --stale-days 14
i=0
until [ "$(rcli SCARD gs:sweep:j2:done)" -ge 3 ] || [ $i -gt 600 ]; do i=$((i + 1)); sleep 0.05; done
kill -9 "$DPID"
wait "$DPID" 2>/dev/null || true
before=$(rcli SCARD gs:sweep:j2:done)
check "the dispatcher was killed mid-sweep ($before of $N done)" [ "$before" -ge 3 -a "$before" -lt "$N" ]
dispatcher j2 "$T/d2b.log" "${LENIENT[@]}"
rc=0
wait_done || rc=$?
check "the restarted dispatcher completes the sweep" [ $rc -eq 0 ]
check "it says it keeps the planned settings" \
    grep -q "sweep j2 keeps the settings it was planned with, not this configuration's: .*stale_days 14 (now 3000)" "$T/d2b.log"
"$GS_BIN" report --redis "$REDIS_URL" --sweep j2 --out "$T/j2" >/dev/null
check "oracle: the restarted sweep reports what the calm run reports" \
    python3 "$GS_TESTS/integration/oracle.py" "$T/calm/targets.csv" "$T/j2/targets.csv"
check "one done marker per target" [ "$(rcli SCARD gs:sweep:j2:done)" -eq "$N" ]

# 3. a meta whose judge is broken is refused with the key named (exit 2), not guessed
rcli HSET gs:sweep:j2:meta judge '{"stale_days":"many"}' >/dev/null
rc=0
timeout 30 "$GS_BIN" dispatcher --redis "$REDIS_URL" --registry "$T/prov/registry.csv" --sweep j2 \
    "${COMMON[@]}" --dispatcher-endpoint "tcp://127.0.0.1:*" >/dev/null 2>"$T/d3.log" || rc=$?
check "a broken judge in the meta: the dispatcher refuses to go on, naming it" \
    bash -c "[ $rc -ne 0 ] && grep -q 'gs:sweep:j2:meta judge' $T/d3.log"

finish
