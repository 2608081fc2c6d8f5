#!/usr/bin/env bash
# test_f6_recovery.sh -- F6 of reliability.md: crashes during the recovery from a crash.
#  - every collector dies right after its second store (GS_CRASH_ALWAYS: the restarted
#    ones too), so each restart is killed while the workers are still re-sending what the
#    last one stored and did not acknowledge;
#  - every dispatcher dies holding an unsent lease (after its third lease epoch), so each
#    restart dies while it is adopting the leases the workers still hold;
#  - the private Redis killed, and killed again as soon as its restart answers, while the
#    daemons reconnect.
# The oracle judges each run.
source "$(dirname "$0")/lib.sh"

fault_province
calm

# crashes ID ROLE: how many times a ROLE process of ID died at its crash point
crashes() { grep -c "gs_crash: crash point" "$(state "$1")/logs/$2.log" || true; }

for spec in collector:collector.after_store:2 dispatcher:dispatcher.after_epoch:3; do
    role=${spec%%:*} at=${spec#*:}
    id=f6-$role-every
    echo "# $id: GS_CRASH_AT=$at in every $role (GS_CRASH_ALWAYS=1)"
    start_sweep "$id" GS_CRASH_AT="$at" GS_CRASH_ROLE="$role" GS_CRASH_ALWAYS=1
    wait_sweep
    c=$(crashes "$id" "$role")
    FAULTS=$((FAULTS + c))
    check "$id: the $role died $c times, restarts killed in their recovery" [ "$c" -ge 2 ]
    judge "$id" "a $role dying at $at every time"
done

id=f6-redis-twice
echo "# $id: kill -9 of redis, and again as soon as its restart answers"
start_sweep "$id"
twice=0
if wait_stored "$id" $((N / 3)) && kill_child "$id" redis; then
    # the restarted Redis answers PING: kill it at once, before the daemons are back
    until [ "$(grep -c 'private redis died' "$T/$id.err" || true)" -ge 1 ] &&
        [ "$(rstate "$id" PING)" = PONG ]; do
        kill -0 "$RUN_PID" 2>/dev/null || break
        sleep 0.01
    done
    kill_child "$id" redis && twice=1
fi
wait_sweep
check "$id: redis killed twice, the second time in its recovery" [ "$twice" -eq 1 ]
check "$id: the run restarted it twice" [ "$(grep -c 'private redis died' "$T/$id.err")" -eq 2 ]
judge "$id" "kill -9 of redis twice"

record f6
finish
