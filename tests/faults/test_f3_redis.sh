#!/usr/bin/env bash
# test_f3_redis.sh -- F3 of reliability.md: kill -9 of the private Redis of `govsweep run`
# mid-sweep (at a number of stored results drawn from each seed of GS_FAULT_SEEDS), which
# run restarts on its AOF; then, for each seed again, with the last AOF record torn: Redis
# stopped (SIGSTOP), its AOF cut short by 1-60 bytes, killed, and restarted by run on the
# short file. The oracle holds each time, and redis-check-aof finds the AOF whole
# afterwards. No other process dies with Redis (they once did, of SIGPIPE on the dead
# socket), and the torn record is cut off by run before Redis loads the file: Redis 7.0's
# aof-load-truncated keeps half a transaction, which the next load folds into the next
# one -- a result stored twice (this test found it).
source "$(dirname "$0")/lib.sh"

# only_redis_died ID: the run restarted Redis and nothing else -- but a dispatcher that
# exits 1 at the end because a done marker it was told of is not in Redis: the test tears
# bytes off the AOF wherever they are, which may take a write Redis had acknowledged (a
# real crash cannot: appendfsync always answers after the fsync); the restarted
# dispatcher leases that target again.
only_redis_died() {
    local others
    others=$(grep "govsweep: .* died" "$T/$1.err" | grep -v "private redis died" || true)
    if grep -q "dispatcher died (exit 1)" <<<"$others" &&
        grep -q "error: only [0-9]* of $N targets done in Redis" "$(log "$1" dispatcher)"; then
        echo "  (the tear took an acknowledged store: the dispatcher found its done marker gone)"
        others=$(grep -v "dispatcher died (exit 1)" <<<"$others" || true)
    fi
    [ -z "$others" ] || { echo "$others"; return 1; }
}

fault_province
calm

for seed in ${GS_FAULT_SEEDS:-1 2 3}; do
    RANDOM=$seed
    id=f3-kill-$seed
    at=$((1 + RANDOM % (N - 3)))
    echo "# $id: kill -9 of redis at $at stored"
    start_sweep "$id"
    wait_stored "$id" "$at" && kill_child "$id" redis
    landed=$?
    wait_sweep
    check "$id: redis was killed mid-sweep" [ "$landed" -eq 0 ]
    check "$id: the run restarted it on its AOF" grep -q "private redis died" "$T/$id.err"
    check "$id: no other process died with it" only_redis_died "$id"
    judge "$id" "kill -9 of redis"
done

for seed in ${GS_FAULT_SEEDS:-1 2 3}; do
    RANDOM=$seed
    id=f3-torn-$seed
    at=$((1 + RANDOM % (N - 3)))
    tear=$((1 + RANDOM % 60))
    echo "# $id: redis stopped at $at stored, its AOF cut by $tear bytes, killed"
    start_sweep "$id"
    landed=1
    if wait_stored "$id" "$at"; then
        rpid=$(child redis)
        n=$(stored "$id")
        kill -STOP "$rpid"
        aof=$(ls "$(state "$id")"/appendonlydir/*.incr.aof | sort -V | tail -n1)
        size=$(stat -c %s "$aof")
        truncate -s $((size - tear)) "$aof"
        kill -9 "$rpid"
        kill -CONT "$rpid" 2>/dev/null || true
        FAULTS=$((FAULTS + 1))
        landed=0
        echo "  $(basename "$aof"): $size -> $((size - tear)) bytes, redis (pid $rpid) killed with $n stored"
    fi
    wait_sweep
    check "$id: redis was stopped and its AOF torn mid-sweep" [ "$landed" -eq 0 ]
    check "$id: the run restarted it" grep -q "private redis died" "$T/$id.err"
    check "$id: no other process died with it" only_redis_died "$id"
    # Redis 7.0's aof-load-truncated would keep half a transaction (gs_aof.h): the run cuts
    # the torn record off before Redis loads the file
    check "$id: the run cut the torn record off before the restart" \
        grep -q "private redis: .*incr.aof ended inside .*cut to" "$T/$id.err"
    grep "private redis: .*ended inside" "$T/$id.err" | sed 's/^/  /' || true
    judge "$id" "torn last AOF record"
done

record f3
finish
