# lib.sh -- what the fault scenarios of tests/faults/ share (sourced, not run).
#
# Each scenario sweeps one simulated province twice or more with `govsweep run` and its
# private Redis (AOF, appendfsync always): once calm, then with its faults, and judges
# every fault run by the oracle of reliability.md (judge.py): the per-target table
# identical to the calm run's, exactly one done marker per target, one stream entry per
# finding, nothing lost, duplicated or unexpected, exit 0 within the calm time plus two
# lease periods plus a margin. Faults land on conditions (so many results stored, a task
# held, a lease re-issued), never on a clock. The province is slowed by its own options
# (pages per site, host_delay_ms, capacity 2), not by sleeps, so that a kill lands
# mid-sweep. Everything started is stopped at exit (tests/integration/lib.sh).
#
# Environment: GS_BIN, GS_SIMSRV, GS_TESTS as for the integration tests; GS_FAULT_SEEDS
# (the random scenarios' seeds, default "1 2 3"); GS_FAULT_STATS (a file each scenario
# appends its figures to, which run-long.sh sums: see record).
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
GS_TESTS=${GS_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FAULTS_DIR=$GS_TESTS/faults

REF=2021-06-15T10:00
LEASE_MS=${LEASE_MS:-2000}
HEARTBEAT_MS=${HEARTBEAT_MS:-300}
# A restart, a re-crawl of the targets a dead process held, a worker's result re-sent:
# what a fault may cost beyond two lease periods.
MARGIN_S=${MARGIN_S:-15}
FAULTS=0 # faults injected by this scenario (kills, crash points, pauses, cuts)
JUDGE_ARGS=() # judge.py's options (H7: --unchecked ID REASON)

# fault_province [gs-simsrv options]: the simulated province every scenario sweeps, with
# the test CA and connect-to lines in CONNECT_TO; N = its number of targets.
SIM_ARGS=(--seed 11 --sites 10 --accounts 6 --defect-rate 0.3 --reference-time "$REF"
    --pages-per-site 40)
fault_province() {
    start_sim "$T/prov" "${SIM_ARGS[@]}" "$@"
    N=$(csv_rows "$T/prov/registry.csv")
    sweep_opts
}

# The options of every sweep: 2 workers of capacity 2, a delay between two requests to
# one host, short leases and heartbeats so that lapses cost seconds. WORKER_OPTS are the
# ones a worker started by hand needs as well (F5), less the way to the province.
sweep_opts() {
    WORKER_OPTS=(--capacity 2 --host-delay-ms 30 --home-retries 1 --retry-delay-ms 200
        --lease-ms "$LEASE_MS" --heartbeat-ms "$HEARTBEAT_MS" --result-retry-ms 1000
        --log-level debug)
    SWEEP_OPTS=(--reference-time "$REF" --allow-private "${CONNECT_TO[@]}" --workers 2
        --max-pages 25 "${WORKER_OPTS[@]}" "$@")
}

# state ID: the state directory of sweep ID (private Redis, sockets, logs)
state() { echo "$T/s-$1"; }

# start_sweep ID [ENV=VALUE...]: `govsweep run` of sweep ID in the background, with the
# given environment; RUN_PID, RUN_T0 set. Output in $T/o-ID, stderr in $T/ID.err.
start_sweep() {
    local id=$1
    shift
    RUN_T0=$(date +%s.%N)
    env "$@" "$GS_BIN" run "$T/prov/registry.csv" --sweep "$id" "${SWEEP_OPTS[@]}" \
        --out "$T/o-$id" --state-dir "$(state "$id")" >>"$T/$id.out" 2>>"$T/$id.err" &
    RUN_PID=$!
}

# wait_sweep: wait for the run started last; RUN_RC, RUN_SECS (since start_sweep)
wait_sweep() {
    RUN_RC=0
    wait "$RUN_PID" 2>/dev/null || RUN_RC=$? # (no "Killed" line: 137 is checked)
    RUN_SECS=$(awk -v a="$(date +%s.%N)" -v b="$RUN_T0" 'BEGIN { printf "%.1f", a - b }')
}

# secs_since T0: seconds (one decimal) since a date +%s.%N
secs_since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

# rstate ID CMD...: a command to the private Redis of sweep ID while it runs
rstate() {
    local s
    s=$(state "$1")
    shift
    REDISCLI_AUTH=$(cat "$s/redis.pass" 2>/dev/null) redis-cli -s "$s/redis.sock" --raw "$@" \
        2>/dev/null
}

# stored ID: results stored so far in sweep ID (0 while Redis is not up)
stored() {
    local v
    v=$(rstate "$1" HGET "gs:sweep:$1:stats" "done" || true)
    case $v in '' | *[!0-9]*) echo 0 ;; *) echo "$v" ;; esac
}

# wait_stored ID COUNT: until COUNT results of ID are stored; 1 when the run ended first
wait_stored() {
    while [ "$(stored "$1")" -lt "$2" ]; do
        kill -0 "$RUN_PID" 2>/dev/null || return 1
        sleep 0.05
    done
}

# children ROLE: pids of the running children of the run started last that play ROLE
# (collector, dispatcher, worker, redis)
children() {
    local p a
    for p in $(pgrep -P "$RUN_PID" 2>/dev/null || true); do
        if [ "$1" = redis ]; then
            a=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | sed -n 1p || true)
            case $a in *redis-server*) echo "$p" ;; esac
        else
            a=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | sed -n 2p || true)
            [ "$a" = "$1" ] && echo "$p"
        fi
    done
    return 0
}

# child ROLE: one of them, at random (RANDOM, seeded by the scenario)
child() {
    local pids
    mapfile -t pids < <(children "$1")
    [ ${#pids[@]} -gt 0 ] && echo "${pids[RANDOM % ${#pids[@]}]}"
    return 0
}

# kill_child ID ROLE: kill -9 one ROLE child of the running sweep ID; says what it did.
# 0 when a process was killed while the sweep was not complete.
kill_child() {
    local id=$1 role=$2 pid n
    pid=$(child "$role")
    n=$(stored "$id")
    if [ -z "$pid" ] || [ "$n" -ge "$N" ]; then
        echo "  no $role to kill in $id ($n of $N stored)"
        return 1
    fi
    kill -9 "$pid"
    FAULTS=$((FAULTS + 1))
    echo "  kill -9 $role (pid $pid) of $id with $n of $N results stored"
}

# wait_restarted ID ROLE COUNT: until the run has said COUNT times that ROLE died and was
# restarted (its stderr), and a ROLE process runs again; 1 when the run ended first.
wait_restarted() {
    local id=$1 role=$2 count=$3
    while [ "$(grep -c "govsweep: $role.* died" "$T/$id.err" || true)" -lt "$count" ] ||
        [ -z "$(children "$role")" ]; do
        kill -0 "$RUN_PID" 2>/dev/null || return 1
        sleep 0.05
    done
}

# log ID NAME: the log file of child NAME (collector, dispatcher, worker-1, redis)
log() { echo "$(state "$1")/logs/$2.log"; }

# open_state ID: start the private Redis of sweep ID again on its AOF (after its run),
# for the checks; REDIS_PID
open_state() {
    local s
    s=$(state "$1")
    redis-server "$s/redis.conf" >>"$s/logs/redis-judge.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    local i=0
    until [ "$(rstate "$1" PING)" = PONG ]; do
        i=$((i + 1))
        [ $i -gt 200 ] && { echo "the AOF of $1 does not load: $(tail -3 "$s/logs/redis-judge.log")"; return 1; }
        sleep 0.05
    done
}

# close_state: stop the Redis open_state started
close_state() {
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
}

# calm: the calm run every fault run is compared with (sweep "calm"); CALM_S its seconds
calm() {
    start_sweep calm
    wait_sweep
    CALM_S=$RUN_SECS
    check "calm run exits 0 ($(printf '%.1f' "$CALM_S") s, $N targets)" [ "$RUN_RC" -eq 0 ]
    open_state calm &&
        python3 "$FAULTS_DIR/judge.py" --dump "$(state calm)/redis.sock" \
            "$(state calm)/redis.pass" calm "$T/calm-stream.json"
    local pages
    pages=$(rstate calm HGET gs:sweep:calm:stats pages)
    close_state
    # a province that cannot be reached would pass every oracle: the calm run must crawl
    check "calm run crawled the province ($pages pages)" [ "${pages:-0}" -gt $((N * 5)) ]
    LIMIT_S=$(awk -v c="$CALM_S" -v l="$LEASE_MS" -v m="$MARGIN_S" \
        'BEGIN { printf "%.1f", c + 2 * l / 1000 + m }')
}

# aof_ok ID: redis-check-aof finds the AOF of sweep ID whole
aof_ok() {
    local m
    m=$(ls "$(state "$1")"/appendonlydir/*.manifest 2>/dev/null | head -n1)
    [ -n "$m" ] && redis-check-aof "$m" >"$T/$1.check-aof" 2>&1 &&
        grep -q 'is valid' "$T/$1.check-aof"
}

# judge ID WHAT: the oracle for the fault run of sweep ID, which has just ended (RUN_RC,
# RUN_SECS): exit 0 in time, then judge.py on its report and its Redis (reopened on the
# AOF: what the oracle sees is what survived), and the AOF checked whole.
judge() {
    local id=$1 what=$2
    check "$id: $what: run exits 0 ($(printf '%.1f' "$RUN_SECS") s)" [ "$RUN_RC" -eq 0 ]
    check "$id: within calm time + 2 leases + margin ($(printf '%.1f' "$RUN_SECS") <= $LIMIT_S s)" \
        awk -v a="$RUN_SECS" -v b="$LIMIT_S" 'BEGIN { exit !(a <= b) }'
    if open_state "$id"; then
        check "$id: oracle" env GS_JUDGE_FIGURES="$T/figures" python3 "$FAULTS_DIR/judge.py" \
            "${JUDGE_ARGS[@]}" "$T/o-calm" "$T/o-$id" "$T/prov/registry.csv" \
            "$(state "$id")/redis.sock" "$(state "$id")/redis.pass" "$id" "$T/calm-stream.json"
        close_state
    else
        not_ok "$id: oracle: the state cannot be reopened"
        echo "$N 0" >>"$T/figures" # nothing can be shown to have survived
    fi
    RUNS=$((RUNS + 1))
    echo "$id $(printf '%.1f' "$RUN_SECS")" >>"$T/times"
    check "$id: redis-check-aof: the AOF is valid" aof_ok "$id"
    # in a sanitizer build, what a process that exited (not killed) found is in its log
    check "$id: no sanitizer report in any process's log" no_sanitizer_report "$id"
    # the credit held: a task beyond a worker's capacity is ignored and burns an attempt
    check "$id: no worker was leased more than its capacity" \
        bash -c "! grep -h 'beyond capacity' '$(state "$id")'/logs/worker-*.log"
}

# no_sanitizer_report ID: no AddressSanitizer, LeakSanitizer or UBSan report in the logs
no_sanitizer_report() {
    ! grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$(state "$1")"/logs/*.log \
        "$T/$1.err"
}

# record SCENARIO: say this script's figures -- fault runs judged, faults injected,
# targets lost and duplicated (summed over its runs, as judge.py counted them), seconds --
# and append them to GS_FAULT_STATS for run-long.sh: "SCENARIO RUNS FAULTS LOST DUP SECS
# FAILED", then one "time RUN SECS" line per fault run.
record() {
    local lost=0 dup=0 l d
    if [ -e "$T/figures" ]; then
        while read -r l d; do
            lost=$((lost + l))
            dup=$((dup + d))
        done <"$T/figures"
    fi
    local secs
    secs=$(secs_since "$SCENARIO_T0")
    echo "# $1: $RUNS fault runs, $FAULTS faults injected, targets lost $lost, duplicated $dup, $secs s"
    [ -n "${GS_FAULT_STATS:-}" ] || return 0
    echo "$1 $RUNS $FAULTS $lost $dup $secs $FAIL" >>"$GS_FAULT_STATS"
    [ -e "$T/times" ] && sed 's/^/time /' "$T/times" >>"$GS_FAULT_STATS"
    return 0
}
RUNS=0
SCENARIO_T0=$(date +%s.%N)
