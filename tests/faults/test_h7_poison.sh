#!/usr/bin/env bash
# test_h7_poison.sh -- H7 of reliability.md: a target that kills the worker process every
# time it is given one (GS_CRASH_AT=worker.target:ID in every worker, every start). Each
# lease of it lapses with its dead worker; after max_attempts leases the dispatcher reports
# it 未检查 with the reason, and every other target is reported exactly as in the calm run
# (also those the dying workers held at the time: their lapses must not use up their
# attempts).
source "$(dirname "$0")/lib.sh"

fault_province
calm

# the poison: a site of the calm run with findings (so that losing them shows)
poison=$(python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))
        if r["kind"] == "site" and int(r["findings"]) > 0 and int(r["pages"]) > 1]
print(rows[len(rows) // 2]["id"])' "$T/o-calm/targets.csv")
id=h7-poison
echo "# $id: every worker dies when it takes $poison"
start_sweep "$id" GS_CRASH_AT="worker.target:$poison" GS_CRASH_ROLE=worker GS_CRASH_ALWAYS=1
wait_sweep
deaths=$(cat "$(state "$id")"/logs/worker-*.log | grep -c "gs_crash: crash point worker.target for $poison" || true)
FAULTS=$((FAULTS + deaths))
check "$id: a worker died each of the 3 times it was given $poison ($deaths)" [ "$deaths" -eq 3 ]
check "$id: the dispatcher gave up on it after 3 leases" \
    grep -q "$poison: 3 次派发均未在租约期内完成" "$(log "$id" dispatcher)"
JUDGE_ARGS=(--unchecked "$poison" "3 次派发均未在租约期内完成（工作进程崩溃、卡死或失联）")
judge "$id" "a target that kills its worker"

record h7
finish
