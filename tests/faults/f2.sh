# f2.sh -- F2 of reliability.md, sourced by test_f2_*.sh: one sweep per durability point
# and passage (n = 1, 2), the point armed with GS_CRASH_AT=POINT:n in the one child
# GS_CRASH_ROLE names (its first start only, so that the restarted process carries on);
# `govsweep run` restarts the dead process and the oracle judges the run.

# shellcheck shell=bash
# f2_point POINT ROLE [PASSAGES]: the sweeps of one point (passages "1 2" by default)
f2_point() {
    local point=$1 role=$2 n id log
    for n in ${3:-1 2}; do
        id=f2-${point//./-}-$n
        echo "# $id: GS_CRASH_AT=$point:$n in the $role"
        start_sweep "$id" GS_CRASH_AT="$point:$n" GS_CRASH_ROLE="$role"
        wait_sweep
        log=$(log "$id" "$role")
        if grep -q "gs_crash: crash point $point, passage $n reached" "$log" 2>/dev/null; then
            FAULTS=$((FAULTS + 1))
            ok "$id: the $role died at $point, passage $n"
        else
            not_ok "$id: the $role never reached $point, passage $n"
        fi
        check "$id: the run restarted the $role" grep -q "govsweep: $role died (killed by signal 9)" \
            "$T/$id.err"
        check "$id: the restarted $role was not armed again" \
            [ "$(grep -c 'gs_crash: crash point' "$log")" -eq 1 ]
        if [ "$point" = collector.after_store ]; then
            # stored, never acknowledged: re-sent, and answered dup by the restarted one
            check "$id: what it stored and did not acknowledge came again, as dup" \
                grep -Eq "stopping: [0-9]+ stored, [1-9][0-9]* duplicate" "$log"
        fi
        judge "$id" "crash at $point:$n"
    done
}
