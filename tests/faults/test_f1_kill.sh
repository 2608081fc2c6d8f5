#!/usr/bin/env bash
# test_f1_kill.sh -- F1 of reliability.md: kill -9 of a worker, the collector and the
# dispatcher at random moments of one sweep, for each seed of GS_FAULT_SEEDS (CI: 3;
# run-long.sh: 50). A seed draws the order of the three kills and the number of stored
# results at which each lands (a condition polled in Redis, never a clock); `govsweep run`
# restarts what dies, and the oracle judges the run.
source "$(dirname "$0")/lib.sh"

fault_province
calm

for seed in ${GS_FAULT_SEEDS:-1 2 3}; do
    RANDOM=$seed
    id=f1-$seed
    roles=(worker collector dispatcher)
    # Fisher-Yates on the roles, then three distinct thresholds in [1, N-3], ascending
    for ((i = 2; i > 0; i--)); do
        j=$((RANDOM % (i + 1)))
        tmp=${roles[i]}
        roles[i]=${roles[j]}
        roles[j]=$tmp
    done
    mapfile -t at < <(shuf -i 1-$((N - 3)) -n 3 --random-source=<(yes "$seed") | sort -n)
    echo "# $id: ${roles[0]} at ${at[0]}, ${roles[1]} at ${at[1]}, ${roles[2]} at ${at[2]} stored"
    start_sweep "$id"
    landed=0
    for k in 0 1 2; do
        wait_stored "$id" "${at[k]}" || break
        died=$(grep -c "govsweep: ${roles[k]}.* died" "$T/$id.err" || true)
        kill_child "$id" "${roles[k]}" && landed=$((landed + 1))
        # the next kill comes once the killed process is back (F6 kills during recovery)
        wait_restarted "$id" "${roles[k]}" $((died + 1)) || true
    done
    wait_sweep
    check "$id: the three kills landed mid-sweep ($landed)" [ "$landed" -eq 3 ]
    for r in worker collector dispatcher; do
        check "$id: the run restarted the $r" grep -q "govsweep: $r.* died" "$T/$id.err"
    done
    judge "$id" "kill -9 of ${roles[*]}"
done

record f1
finish
