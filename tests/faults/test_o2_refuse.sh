#!/usr/bin/env bash
# test_o2_refuse.sh -- O2 of reliability.md.
#  - Redis refusing writes mid-sweep: `CONFIG SET maxmemory 1` (noeviction) on the private
#    Redis, until the collector has been refused three times, then `maxmemory 0` again.
#    While refused nothing may be marked done (the done markers stay as they were), the
#    collector says why in its log and acknowledges nothing; the workers keep their results
#    and re-send them; then the sweep completes and the oracle holds.
#  - `govsweep report --out` on a full disk: a tmpfs of its own (a mount namespace, root
#    or an unprivileged user namespace; SKIP where neither is allowed), full from the
#    start, then with room for the first two files only: exit 1, an error naming the file
#    that could not be written, every file written whole (identical to the calm report's)
#    or not at all, and no temporary file left.
source "$(dirname "$0")/lib.sh"

fault_province
calm

id=o2-refuse
start_sweep "$id"
refused=0
if wait_stored "$id" $((N / 3)); then
    d0=$(rstate "$id" SCARD "gs:sweep:$id:done")
    rstate "$id" CONFIG SET maxmemory-policy noeviction >/dev/null
    rstate "$id" CONFIG SET maxmemory 1 >/dev/null
    FAULTS=$((FAULTS + 1))
    echo "  redis refuses writes from $d0 of $N done"
    # resent_twice: has a worker re-sent one result twice since writes were refused (two
    # result_retry_ms periods, every result finished meanwhile held and re-sent)?
    declare -A since
    for f in "$(state "$id")"/logs/worker-*.log; do since[$f]=$(wc -l <"$f"); done
    resent_twice() {
        local f
        for f in "${!since[@]}"; do tail -n +$((since[$f] + 1)) "$f"; done |
            grep -o "re-sent the result of [^ ]*" | sort | uniq -d | grep -q .
    }
    moved=0 i=0
    until [ "$(grep -c 'storing .* failed: .*OOM command not allowed' "$(log "$id" collector)")" -ge 3 ] &&
        resent_twice; do
        [ "$(rstate "$id" SCARD "gs:sweep:$id:done")" = "$d0" ] || moved=1
        i=$((i + 1))
        [ $i -gt 1500 ] && break
        sleep 0.02
    done
    [ "$(rstate "$id" SCARD "gs:sweep:$id:done")" = "$d0" ] || moved=1
    rstate "$id" CONFIG SET maxmemory 0 >/dev/null
    echo "  writes allowed again after $((i / 50)).$((i % 50 * 2)) s; the collector said:"
    grep -m1 'storing .* failed' "$(log "$id" collector)" | cut -c1-300 | sed 's/^/    /'
    echo "  the dispatcher: $(grep -c 'cannot lease' "$(log "$id" dispatcher)") leases refused"
    refused=1
fi
wait_sweep
check "$id: redis refused writes mid-sweep" [ "$refused" -eq 1 ]
check "$id: nothing was marked done while it refused" [ "${moved:-1}" -eq 0 ]
check "$id: the collector logged the refusal, and that the workers will re-send" \
    grep -q "storing .* failed: .*OOM command not allowed.*; workers will re-send" \
    "$(log "$id" collector)"
check "$id: the workers re-sent their results" \
    grep -q "re-sent the result of" "$(state "$id")"/logs/worker-*.log
judge "$id" "redis refusing writes"

# report_full NAME ROOM: govsweep report of the calm sweep into a tmpfs with ROOM bytes
# free (0: full); prints the exit status, the files there, then its stderr
report_full() {
    local room=$2 fs=$T/$1
    mkdir -p "$fs"
    local script='
        mount -t tmpfs -o size=1m tmpfs "$1" || exit 99
        dd if=/dev/zero of="$1/filler" bs=4k >/dev/null 2>&1
        if [ "$2" -gt 0 ]; then
            rm "$1/filler"
            dd if=/dev/zero of="$1/filler" bs=4k count=$(( (1048576 - $2) / 4096 )) >/dev/null 2>&1
        fi
        "$3" report --state-dir "$4" --sweep calm --out "$1/report" >/dev/null 2>"$1.err"
        echo "rc=$?"
        ls -A "$1/report" 2>/dev/null
        cp "$1"/report/* "$1.copy/" 2>/dev/null || true
        cat "$1.err"'
    mkdir -p "$fs.copy"
    unshare -m sh -c "$script" sh "$fs" "$room" "$GS_BIN" "$(state calm)" 2>/dev/null ||
        unshare -Urm sh -c "$script" sh "$fs" "$room" "$GS_BIN" "$(state calm)"
}

out=$(report_full full 0 || true)
if ! grep -q '^rc=' <<<"$out"; then
    echo "SKIP - report on a full disk: no mount namespace here (not root, no user namespaces)"
else
    FAULTS=$((FAULTS + 1))
    check "report on a full disk: exit 1" grep -qx 'rc=1' <<<"$out"
    check "report on a full disk: the error names the file and says why" \
        grep -q "cannot write $T/full/report/findings.jsonl.tmp: No space left on device" <<<"$out"
    check "report on a full disk: no file left behind" [ -z "$(ls -A "$T/full.copy")" ]

    # room for findings.jsonl and targets.csv, not for report.md as well
    room=$(($(stat -c %s "$T/o-calm/findings.jsonl") + $(stat -c %s "$T/o-calm/targets.csv") + 8192))
    out=$(report_full part "$room" || true)
    FAULTS=$((FAULTS + 1))
    echo "$out" | sed 's/^/  /'
    check "report on a disk that fills up: exit 1" grep -qx 'rc=1' <<<"$out"
    check "report on a disk that fills up: the error names the file and says why" \
        grep -q "cannot write $T/part/report/[a-z.]*tmp: No space left on device" <<<"$out"
    check "report on a disk that fills up: no temporary file left" \
        bash -c "! ls '$T/part.copy' | grep -q tmp"
    whole=1
    for f in "$T"/part.copy/*; do
        [ -e "$f" ] || continue
        cmp -s "$f" "$T/o-calm/$(basename "$f")" || { echo "  $(basename "$f") differs"; whole=0; }
    done
    check "report on a disk that fills up: what was written is whole ($(ls "$T/part.copy" | tr '\n' ' '))" \
        [ "$whole" -eq 1 ]
    check "report on a disk that fills up: the first files were written" \
        [ -e "$T/part.copy/findings.jsonl" ]
fi

record o2
finish
