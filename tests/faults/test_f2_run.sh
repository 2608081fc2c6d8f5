#!/usr/bin/env bash
# test_f2_run.sh -- F2 of reliability.md at the private Redis start: `govsweep run` itself
# killed (GS_CRASH_AT=run.redis_started:n, GS_CRASH_ROLE=run) right after it started its
# Redis (n = 1), and right after it restarted a Redis that was killed mid-sweep (n = 2).
# Nothing restarts a dead supervisor: its children must go with it (no orphan holds the
# state directory), and the same command run again resumes the sweep, which the oracle
# judges, in the time of both runs together.
source "$(dirname "$0")/lib.sh"

fault_province
calm

# orphans ID: processes still running on the state directory of ID (none expected)
orphans() {
    local i=0
    while pgrep -f -- "$(state "$1")/" >/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && { pgrep -af -- "$(state "$1")/"; return 1; }
        sleep 0.05
    done
}

for n in 1 2; do
    id=f2-run-redis_started-$n
    echo "# $id: GS_CRASH_AT=run.redis_started:$n in govsweep run"
    start_sweep "$id" GS_CRASH_AT="run.redis_started:$n" GS_CRASH_ROLE=run
    t0=$RUN_T0
    if [ "$n" = 2 ]; then
        wait_stored "$id" $((N / 3)) || true
        kill_child "$id" redis || true
    fi
    wait_sweep
    check "$id: govsweep run killed at the point (exit $RUN_RC)" [ "$RUN_RC" -eq 137 ]
    if grep -q "gs_crash: crash point run.redis_started, passage $n reached" "$T/$id.err"; then
        FAULTS=$((FAULTS + 1))
        ok "$id: it died at run.redis_started, passage $n"
    else
        not_ok "$id: it never reached run.redis_started, passage $n"
    fi
    check "$id: no process of the dead run is left on its state directory" orphans "$id"
    start_sweep "$id"
    RUN_T0=$t0 # the sweep's time is that of both runs
    wait_sweep
    check "$id: the second run resumed the sweep" grep -q "resuming" "$(log "$id" dispatcher)"
    judge "$id" "govsweep run killed at run.redis_started:$n, then run again"
done

record f2-run
finish
