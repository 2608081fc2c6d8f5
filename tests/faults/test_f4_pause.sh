#!/usr/bin/env bash
# test_f4_pause.sh -- F4 of reliability.md: a worker paused (SIGSTOP) past its lease, then
# resumed (SIGCONT). It is paused right after it took a task T, so T is mid-crawl; its
# lease lapses and T is leased again to the other worker -- which is then paused in turn
# for the moment it takes the resumed worker to finish T, so that the late result of the
# first lease reaches the collector before the second is done: it must be refused as
# stale (the lease epoch), not stored; the oracle holds.
LEASE_MS=3000 # the second worker's short pause stays within its lease
source "$(dirname "$0")/lib.sh"

fault_province
calm

# worker_log PID: the log file of the worker with that pid
worker_log() { grep -l "worker\[$1\]" "$(state "$id")"/logs/worker-*.log 2>/dev/null | head -n1; }
# tasks_taken LOG PID: how many tasks that worker process has taken
tasks_taken() { grep -c "worker\[$2\] debug: task .* epoch " "$1" 2>/dev/null || true; }
# epoch_of ID TARGET: the current lease epoch of TARGET in Redis
epoch_of() { rstate "$1" HGET "gs:sweep:$1:epoch" "$2"; }

id=f4-pause
start_sweep "$id"
exercised=0
wait_stored "$id" 2 || true
mapfile -t workers < <(children worker)
w1=${workers[0]:-} w2=${workers[1]:-}
if [ -n "$w1" ] && [ -n "$w2" ]; then
    l1=$(worker_log "$w1")
    n0=$(tasks_taken "$l1" "$w1")
    while [ "$(tasks_taken "$l1" "$w1")" -le "$n0" ] && kill -0 "$RUN_PID" 2>/dev/null; do
        sleep 0.01
    done
    kill -STOP "$w1"
    FAULTS=$((FAULTS + 1))
    read -r target epoch < <(grep "worker\[$w1\] debug: task .* epoch " "$l1" | tail -n1 |
        sed 's/.* task \([^ ]*\) epoch \([0-9]*\) .*/\1 \2/')
    echo "  SIGSTOP worker (pid $w1) holding $target epoch $epoch, $(stored "$id") of $N stored"
    # until its lease lapsed and the target was leased again (to the other worker)
    while [ "$(epoch_of "$id" "$target")" = "$epoch" ] && kill -0 "$RUN_PID" 2>/dev/null; do
        sleep 0.02
    done
    kill -STOP "$w2"
    echo "  $target leased again (epoch $(epoch_of "$id" "$target")); SIGSTOP the other worker" \
        "(pid $w2), SIGCONT the first"
    kill -CONT "$w1"
    i=0
    until grep -q "refused a stale result for $target (epoch $epoch)" "$(log "$id" collector)"; do
        i=$((i + 1))
        [ $i -gt 600 ] && break
        sleep 0.02
    done
    kill -CONT "$w2"
    echo "  SIGCONT the other worker after $((i / 50)).$((i % 50 * 2)) s"
    exercised=1
fi
wait_sweep
check "$id: a worker was paused past its lease mid-sweep" [ "$exercised" -eq 1 ]
check "$id: the dispatcher gave its task to another worker (lease epoch ${epoch:-?} lapsed)" \
    grep -q "lease of $target (epoch $epoch) expired; re-queued" "$(log "$id" dispatcher)"
check "$id: the paused worker's late result was refused as stale" \
    grep -q "refused a stale result for $target (epoch $epoch)" "$(log "$id" collector)"
check "$id: and the collector counted it (stale > 0 when it stopped)" \
    grep -Eq "stopping: [0-9]+ stored, [0-9]+ duplicate, [1-9][0-9]* stale" "$(log "$id" collector)"
judge "$id" "SIGSTOP of a worker past its lease"

record f4
finish
