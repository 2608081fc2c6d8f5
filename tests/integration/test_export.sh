#!/usr/bin/env bash
# test_export.sh -- `govsweep export` and the example stream consumer (tools/gs-consume.py)
# on a real sweep of a small simulated province against a real redis-server.
#
# export: the JSON lines are findings.jsonl byte for byte, the CSV has one row per finding
# with the same fields, both from --redis and from a state directory's private Redis, and
# the exit codes are 0 / 1 (Redis away) / 2 (bad usage). The consumer (reliability.md F7):
# killed with SIGKILL after writing but before acknowledging, and again after reading but
# before writing, then replaced by another consumer that claims the dead one's entries
# (XAUTOCLAIM), then following new entries of a second sweep until SIGTERM -- and in the
# end its file holds every stream entry exactly once, as XRANGE has it, nothing pending.
source "$(dirname "$0")/lib.sh"

CONSUME="$GS_SRC/tools/gs-consume.py"
REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 11 --sites 8 --accounts 10 --defect-rate 0.5 --reference-time "$REF" \
    --pages-per-site 10
SWEEP_OPTS=(--allow-private "${CONNECT_TO[@]}" --reference-time "$REF" --workers 2 --max-pages 10
    --home-retries 0 --retry-delay-ms 100 --lease-ms 5000)

rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep ex1 --out "$T/out" \
    --state-dir "$T/state" "${SWEEP_OPTS[@]}" >"$T/run.out" 2>"$T/run.err" || rc=$?
check "sweep ex1 exits 0" [ $rc -eq 0 ]
NF=$(grep -c . "$T/out/findings.jsonl" || true)
check "the sweep raised findings ($NF)" [ "$NF" -gt 5 ]
check "report.html and report.xlsx written" test -s "$T/out/report.html" -a -s "$T/out/report.xlsx"

# ---- export ------------------------------------------------------------------------------
rc=0
"$GS_BIN" export --redis "$REDIS_URL" --sweep ex1 --format jsonl >"$T/export.jsonl" 2>"$T/export.err" || rc=$?
check "export jsonl exits 0" [ $rc -eq 0 ]
check "export jsonl = findings.jsonl, byte for byte" cmp -s "$T/export.jsonl" "$T/out/findings.jsonl"
check "export wrote nothing on stderr" [ ! -s "$T/export.err" ]
rc=0
"$GS_BIN" export --sweep ex1 --format=csv --redis "$REDIS_URL" >"$T/export.csv" || rc=$?
check "export csv exits 0 (--format=csv, options in any order)" [ $rc -eq 0 ]
cat >"$T/csvcheck.py" <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
head = ["sweep", "target", "kind", "region", "code", "veto", "url", "evidence", "detail"]
assert rows[0] == head, rows[0]
assert len(rows) - 1 == len(lines), (len(rows) - 1, len(lines))
for row, obj in zip(rows[1:], lines):
    rec = dict(zip(head, row))
    for k in head[:5] + ["url", "evidence"]:
        assert rec[k] == obj[k], (k, rec[k], obj[k])
    assert rec["veto"] == ("true" if obj["veto"] else "false")
    assert json.loads(rec["detail"]) == obj["detail"], (rec["detail"], obj["detail"])
print(len(rows) - 1)
EOF
check "export csv: a header and one row per finding, the same fields" \
    test "$(python3 "$T/csvcheck.py" "$T/export.csv" "$T/out/findings.jsonl")" = "$NF"
check "export csv lines end in CRLF" test "$(head -1 "$T/export.csv" | od -An -c | tr -d ' \n' | tail -c 4)" = '\r\n'

code_of() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo $rc; }
check "no --sweep: exit 2" [ "$(code_of "$GS_BIN" export --redis "$REDIS_URL" --format jsonl)" -eq 2 ]
check "no --format: exit 2" [ "$(code_of "$GS_BIN" export --redis "$REDIS_URL" --sweep ex1)" -eq 2 ]
check "--format xml: exit 2" [ "$(code_of "$GS_BIN" export --redis "$REDIS_URL" --sweep ex1 --format xml)" -eq 2 ]
check "an unknown sweep: exit 2" [ "$(code_of "$GS_BIN" export --redis "$REDIS_URL" --sweep nope --format jsonl)" -eq 2 ]
check "a bad sweep id: exit 2" [ "$(code_of "$GS_BIN" export --redis "$REDIS_URL" --sweep 'a b' --format jsonl)" -eq 2 ]
check "no --redis and no state directory: exit 2" \
    [ "$(code_of "$GS_BIN" export --state-dir "$T/none" --sweep ex1 --format jsonl)" -eq 2 ]
check "Redis away: exit 1" \
    [ "$(code_of "$GS_BIN" export --redis "unix://$T/no-such.sock" --sweep ex1 --format jsonl)" -eq 1 ]
"$GS_BIN" --help >"$T/help.txt" 2>&1 || true
check "usage names export" grep -q "govsweep export" "$T/help.txt"

# from a state directory: the private Redis of `govsweep run`, restarted on its AOF
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --sweep ex2 --out "$T/pout" --state-dir "$T/pstate" \
    "${SWEEP_OPTS[@]}" >/dev/null 2>"$T/run2.err" || rc=$?
check "sweep ex2 with a private Redis exits 0" [ $rc -eq 0 ]
rc=0
"$GS_BIN" export --state-dir "$T/pstate" --sweep ex2 --format jsonl >"$T/pexport.jsonl" || rc=$?
check "export --state-dir exits 0" [ $rc -eq 0 ]
check "export --state-dir = that sweep's findings.jsonl" cmp -s "$T/pexport.jsonl" "$T/pout/findings.jsonl"

# ---- the stream consumer -----------------------------------------------------------------
XLEN=$(rcli XLEN gs:findings)
check "one stream entry per finding of ex1 ($XLEN)" [ "$XLEN" -eq "$NF" ]
OUT=$T/consumed.jsonl
consume() { # consume CONSUMER [options...] -> exit status in $crc
    local c=$1; shift
    crc=0
    python3 "$CONSUME" --redis "$REDIS_URL" --group audit --consumer "$c" --out "$OUT" \
        --count 2 --drain "$@" >>"$T/consume.log" 2>&1 || crc=$?
}
lines() { grep -c . "$1" 2>/dev/null || true; }
pending() { redis-cli -s "$REDIS_SOCK" --raw XPENDING gs:findings audit | head -1; }
pending_of() { # entries pending on one consumer (the extended form lists id, consumer, ...)
    redis-cli -s "$REDIS_SOCK" --raw XPENDING gs:findings audit - + 1000 "$1" | grep -c -- '-' || true
}

# 1. killed after writing 4 entries, before acknowledging the second batch
GS_CONSUME_KILL_BEFORE_ACK=4 consume c1
check "consumer c1 killed by SIGKILL between write and ack" [ "$crc" -eq 137 ]
check "4 entries written" [ "$(lines "$OUT")" -eq 4 ]
check "2 entries pending (written, not acknowledged)" [ "$(pending)" -eq 2 ]
# 2. restarted: re-reads its 2 pending (already in the file: skipped, acknowledged), then
#    is killed after reading 2 new ones, before writing them
GS_CONSUME_KILL_AFTER_READ=4 consume c1
check "consumer c1 killed again, between read and write" [ "$crc" -eq 137 ]
check "still 4 entries written: the re-read pending ones were not written twice" [ "$(lines "$OUT")" -eq 4 ]
check "the 2 read but unwritten entries are pending, on c1" [ "$(pending_of c1)" -eq 2 ]
check "c1 re-read its pending entries first" grep -q "c1: re-read 2 pending entries" "$T/consume.log"
# 3. c1 is dead: c2 claims its entries (XAUTOCLAIM; idle 0 ms so the test need not wait)
#    and drains the rest
consume c2 --claim-idle-ms 0
check "consumer c2 drains the stream and exits 0" [ "$crc" -eq 0 ]
check "c2 claimed c1's 2 entries" grep -q "c2: claimed 2 entries" "$T/consume.log"
check "nothing pending" [ "$(pending)" -eq 0 ]
# 4. c1 comes back: nothing to do, nothing written twice
consume c1
check "consumer c1 restarted finds nothing left, exits 0" [ "$crc" -eq 0 ]

cat >"$T/streamcheck.py" <<'EOF'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gs_consume", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
r = m.Redis(sys.argv[2])
ids, recs = [], {}
reply = r.call("XRANGE", "gs:findings", "-", "+")
for entry_id, fields in reply:
    rec = m.record(m.text(entry_id), fields)
    ids.append(rec["id"])
    recs[rec["id"]] = rec
out = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
got = [o["id"] for o in out]
assert len(got) == len(set(got)), "an entry was written twice"
assert sorted(got) == sorted(ids), ("lost", sorted(set(ids) - set(got)), "extra", sorted(set(got) - set(ids)))
for o in out:
    assert o == recs[o["id"]], (o, recs[o["id"]])
# the records are the findings: the same objects as findings.jsonl, once each
if len(sys.argv) > 4:
    want = sorted(json.dumps(json.loads(l), sort_keys=True) for f in sys.argv[4:] for l in open(f, encoding="utf-8") if l.strip())
    have = sorted(json.dumps({k: v for k, v in o.items() if k != "id"}, sort_keys=True) for o in out)
    assert want == have, "consumed records differ from findings.jsonl"
print(len(got))
EOF
check "every stream entry consumed exactly once, as XRANGE has it, = findings.jsonl" \
    test "$(python3 "$T/streamcheck.py" "$CONSUME" "$REDIS_URL" "$OUT" "$T/out/findings.jsonl")" = "$NF"

# 5. following: new entries of a second sweep arrive while the consumer blocks; SIGTERM
#    stops it after the batch in hand
python3 "$CONSUME" --redis "$REDIS_URL" --group audit --consumer c3 --out "$OUT" --block-ms 200 \
    >>"$T/consume.log" 2>&1 &
CPID=$!
PIDS+=($CPID)
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep ex3 --out "$T/out3" \
    --state-dir "$T/state3" "${SWEEP_OPTS[@]}" >/dev/null 2>"$T/run3.err" || rc=$?
check "sweep ex3 exits 0" [ $rc -eq 0 ]
TOTAL=$(rcli XLEN gs:findings)
for _ in $(seq 1 300); do
    [ "$(lines "$OUT")" -ge "$TOTAL" ] && break
    sleep 0.1
done
kill -TERM "$CPID" 2>/dev/null || true
crc=0
wait "$CPID" || crc=$?
check "the following consumer stops on SIGTERM with exit 0" [ "$crc" -eq 0 ]
check "it consumed ex3's entries too: every entry once ($TOTAL)" \
    test "$(python3 "$T/streamcheck.py" "$CONSUME" "$REDIS_URL" "$OUT" "$T/out/findings.jsonl" "$T/out3/findings.jsonl")" = "$TOTAL"
check "nothing pending at the end" [ "$(pending)" -eq 0 ]
check "a bad Redis URL is exit 1" [ "$(code_of python3 "$CONSUME" --redis "unix://$T/none.sock" --group g --consumer c --out "$T/x.jsonl" --drain)" -eq 1 ]
check "no --group is exit 2" [ "$(code_of python3 "$CONSUME" --redis "$REDIS_URL" --consumer c --out "$T/x.jsonl")" -eq 2 ]

finish
