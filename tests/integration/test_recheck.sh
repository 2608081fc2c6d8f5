#!/usr/bin/env bash
# test_recheck.sh -- 整改复核: a sweep of a small simulated province, then the same province
# served again with some of its 不合格 targets fixed (gs-simsrv --fix-targets: the same seed,
# those targets clean) and `govsweep recheck --previous` it. The fixed targets are 已整改,
# the others 仍未整改 with the same evidence (the same pages at the same reference time), an
# account whose feed cannot be read in the re-check is 未能复核 with the reason; recheck.csv
# and the comparison table are checked row by row against an oracle computed from the first
# sweep's files; `govsweep report` writes the same recheck files again; a second re-check
# gets the next id.
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
SIM_ARGS=(--seed 7 --sites 10 --accounts 16 --defect-rate 0.4 --reference-time "$REF"
    --pages-per-site 30)
OPTS=(--reference-time "$REF" --workers 2 --max-pages 20 --home-retries 1 --retry-delay-ms 200
    --lease-ms 5000 --allow-private)
start_redis "$T/redis"
start_sim "$T/prov" "${SIM_ARGS[@]}"
SIM1=$SIM_PID

# One account that the first sweep finds stale is registered under port 8099 of the feeds
# host: reachable now (the catch-all route), refused in the re-check (a route to port 1).
ACC=$(python3 - "$T/prov/truth.jsonl" <<'EOF'
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(l)
    if t["code"] == "M-STALE" and t["veto"]:
        print(t["target"]); break
EOF
)
check "an account planted stale ($ACC)" [ -n "$ACC" ]
sed "/,$ACC,/s#http://feeds.sim-bridge.gov.cn/#http://feeds.sim-bridge.gov.cn:8099/#" \
    "$T/prov/registry.csv" >"$T/registry.csv"
check "its registry url moved to port 8099" grep -q "feeds.sim-bridge.gov.cn:8099/.*$ACC" "$T/registry.csv"

rc=0
"$GS_BIN" run "$T/registry.csv" --redis "$REDIS_URL" --sweep rc1 "${OPTS[@]}" "${CONNECT_TO[@]}" \
    --out "$T/out1" --state-dir "$T/state" >"$T/run1.out" 2>"$T/run1.err" || rc=$?
check "first sweep exits 0" [ $rc -eq 0 ]
check "the stale account is 不合格 in the first sweep" grep -q "^$ACC,.*,不合格," "$T/out1/targets.csv"

# Fix every other 不合格 target (but the one on port 8099), sites and accounts alike.
FIX=$(python3 - "$T/out1/targets.csv" "$ACC" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))
        if r["status"] == "不合格" and r["id"] != sys.argv[2]]
print(",".join(r["id"] for r in rows[::2]))
EOF
)
NFAIL=$(grep -c ',不合格,' "$T/out1/targets.csv" || true)
echo "不合格 in rc1: $NFAIL; fixed: $FIX"
check "some targets fixed, some not" [ -n "$FIX" -a "$(tr ',' '\n' <<<"$FIX" | wc -l)" -lt $((NFAIL - 1)) ]

kill -TERM $SIM1
wait $SIM1 2>/dev/null || true
start_sim "$T/fixed" "${SIM_ARGS[@]}" --fix-targets "$FIX"
check "the fixed province has the same registry" cmp -s "$T/prov/registry.csv" "$T/fixed/registry.csv"

rc=0
"$GS_BIN" recheck --previous rc1 --redis "$REDIS_URL" "${OPTS[@]}" \
    --connect-to "feeds.sim-bridge.gov.cn:8099:127.0.0.1:1" "${CONNECT_TO[@]}" \
    --out "$T/rc" --state-dir "$T/state" >"$T/rc.out" 2>"$T/rc.err" || rc=$?
check "recheck exits 0" [ $rc -eq 0 ]
h() { redis-cli -s "$REDIS_SOCK" --raw HGET "$1" "$2"; }
check "the re-check is sweep rc1-recheck, complete" [ "$(h gs:sweep:rc1-recheck:meta status)" = complete ]
check "its meta names the previous sweep" [ "$(h gs:sweep:rc1-recheck:meta previous)" = rc1 ]
check "it swept exactly the $NFAIL 不合格 targets" [ "$(h gs:sweep:rc1-recheck:meta total)" = "$NFAIL" ]

# the registry of the re-check: the previous sweep's rows of those targets, every column
check "registry written into the state directory" test -s "$T/state/rc1-recheck.csv"
check "its header is the registry's" [ "$(head -n1 "$T/state/rc1-recheck.csv")" = "$(head -n1 "$T/registry.csv")" ]
python3 - "$T/registry.csv" "$T/out1/targets.csv" >"$T/expect-registry.csv" <<'EOF'
import csv, sys
bad = {r["id"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8-sig"))
       if r["status"] == "不合格"}
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
print(lines[0])
for l in lines[1:]:
    if l.split(",")[1] in bad:
        print(l)
EOF
check "its rows are the registry's rows of the 不合格 targets, in order" cmp -s "$T/expect-registry.csv" "$T/state/rc1-recheck.csv"

# the oracle: recheck.csv and the comparison table from the first sweep's files
python3 - "$T/out1" "$T/rc" "$FIX" "$ACC" "$T" <<'EOF'
import csv, io, json, sys
out1, rc, fix, acc, tmp = sys.argv[1:]
fix = set(fix.split(","))
prev = list(csv.DictReader(open(out1 + "/targets.csv", encoding="utf-8-sig")))
now = {r["id"]: r for r in csv.DictReader(open(rc + "/targets.csv", encoding="utf-8-sig"))}
found = [json.loads(l) for l in open(out1 + "/findings.jsonl", encoding="utf-8") if l.strip()]
def evidence(tid, code):  # in (url, evidence) order, as gs_report_recheck.c lists them
    fs = sorted((f for f in found if f["target"] == tid and f["code"] == code and f["veto"]),
                key=lambda f: (f["url"].encode(), f["evidence"].encode()))
    return "；".join(f["evidence"] for f in fs if f["evidence"]), (fs[0]["url"] if fs else "")
def field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s
rows = ["id,name,region,kind,code,code_name,result,previous_evidence,evidence,url,reason"]
for r in prev:
    if r["status"] != "不合格":
        continue
    for code in [c for c in r["veto_codes"].split(",") if c]:
        before, url = evidence(r["id"], code)
        if r["id"] == acc:
            res, ev, url, why = "未能复核", "", "", now[r["id"]]["reason"]
        elif r["id"] in fix:
            res, ev, url, why = "已整改", "", "", ""
        else:
            res, ev, why = "仍未整改", before, ""
        rows.append(",".join(field(x) for x in
                    [r["id"], r["name"], r["region"], r["kind"], code, "@" + code, res, before,
                     ev, url, why]))
open(tmp + "/expect-recheck.csv", "w", encoding="utf-8", newline="").write("\r\n".join(rows) + "\r\n")
# the comparison: per region in registry order, the previous counts, minus the fixed
def rate(checked, problem):
    if not checked:
        return "—"
    bp = (20000 * (checked - problem) + checked) // (2 * checked)
    return "%d.%02d%%" % (bp // 100, bp % 100)
lines = []
for kind in ("site", "account"):
    regions = []
    for r in prev:
        if r["region"] not in regions:
            regions.append(r["region"])
    tot = [0, 0, 0]
    for i, g in enumerate(regions + [None]):
        if g is None:
            checked, before, fixed = tot
        else:
            sel = [r for r in prev if r["region"] == g and r["kind"] == kind]
            checked = sum(r["status"] in ("合格", "不合格") for r in sel)
            before = sum(r["status"] == "不合格" for r in sel)
            fixed = sum(r["status"] == "不合格" and r["id"] in fix for r in sel)
            tot = [tot[0] + checked, tot[1] + before, tot[2] + fixed]
        after = before - fixed
        head = "| %d | %s |" % (i + 1, g) if g is not None else "| 合计 | |"
        lines.append("%s %d | %d | %s | %d | %d | %s |" % (head, checked, before,
                     rate(checked, before), fixed, after, rate(checked, after)))
open(tmp + "/expect-compare.txt", "w", encoding="utf-8").write("\n".join(lines) + "\n")
EOF
# code names come from data/codes.tsv: put them into the oracle's rows
python3 - "$GS_SRC/data/codes.tsv" "$T/expect-recheck.csv" <<'EOF'
import sys
names = {}
for l in open(sys.argv[1], encoding="utf-8"):
    p = l.rstrip("\n").split("\t")
    if len(p) >= 2 and not l.startswith("#"):
        names[p[0]] = p[1]
s = open(sys.argv[2], encoding="utf-8", newline="").read()
for code, name in names.items():
    s = s.replace(",@" + code + ",", "," + (('"' + name + '"') if "," in name else name) + ",")
open(sys.argv[2], "w", encoding="utf-8", newline="").write(s)
EOF
# curl's error texts carry the milliseconds a connection took ("after 1 ms"): not compared
ms() { sed -E 's/after [0-9]+ ms/after N ms/g' "$@"; }
tail -c +4 "$T/rc/recheck.csv" | ms >"$T/recheck-nobom.csv"
ms -i "$T/expect-recheck.csv"
check "recheck.csv starts with a BOM" [ "$(head -c 3 "$T/rc/recheck.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
if cmp -s "$T/expect-recheck.csv" "$T/recheck-nobom.csv"; then ok "recheck.csv is the oracle's, row for row"; else
    not_ok "recheck.csv is the oracle's, row for row"; diff "$T/expect-recheck.csv" "$T/recheck-nobom.csv" | head -20 || true; fi
for id in $(tr ',' ' ' <<<"$FIX"); do
    check "fixed $id: every code 已整改" [ "$(grep -c "^$id,.*,已整改," "$T/rc/recheck.csv")" -gt 0 -a "$(grep "^$id," "$T/rc/recheck.csv" | grep -vc ',已整改,')" -eq 0 ]
done
check "$ACC is 未能复核 with the reason" grep -q "^$ACC,.*,未能复核,.*账号订阅源无法读取" "$T/rc/recheck.csv"
NOPEN=$(grep -c ',仍未整改,' "$T/rc/recheck.csv" || true)
check "the unfixed targets are 仍未整改 ($NOPEN codes)" [ "$NOPEN" -gt 0 ]
check "no new problems in the re-check" [ "$(grep -c ',新发现问题,' "$T/rc/recheck.csv" || true)" -eq 0 ]

# the comparison table of recheck.md: every region row and the total, sites then accounts
sed -n '/^## 二、/,/^## 三、/p' "$T/rc/recheck.md" | grep -E '^\| ([0-9]+|合计) \|' >"$T/got-compare.txt"
if cmp -s "$T/expect-compare.txt" "$T/got-compare.txt"; then ok "comparison table: before and after per region"; else
    not_ok "comparison table: before and after per region"; diff "$T/expect-compare.txt" "$T/got-compare.txt" || true; fi
check "recheck.md: the notice's wording" grep -q "仍未按要求完成整改" "$T/rc/recheck.md"
check "recheck.md: fixed ones" grep -q "已完成整改" "$T/rc/recheck.md"
check "recheck.md: 未能复核 list with the reason" grep -q "^| 1 | .* | $ACC | 账号订阅源无法读取" "$T/rc/recheck.md"
check "the run printed the comparison" grep -q "整改前后对比" "$T/rc.out"
check "... and the 仍未整改 list" grep -q "仍未整改的" "$T/rc.out"
check "the re-check's own report is written too" test -s "$T/rc/targets.csv" -a -s "$T/rc/report.md"

# the same files again from Redis
"$GS_BIN" report --redis "$REDIS_URL" --sweep rc1-recheck --out "$T/rep" >/dev/null 2>&1
check "govsweep report writes recheck.csv again" cmp -s "$T/rc/recheck.csv" "$T/rep/recheck.csv"
check "govsweep report writes recheck.md again" cmp -s "$T/rc/recheck.md" "$T/rep/recheck.md"

# a second re-check of the same sweep: the next id
rc=0
"$GS_BIN" recheck --previous rc1 --redis "$REDIS_URL" "${OPTS[@]}" \
    --connect-to "feeds.sim-bridge.gov.cn:8099:127.0.0.1:1" "${CONNECT_TO[@]}" \
    --out "$T/rc2" --state-dir "$T/state" >/dev/null 2>"$T/rc2.err" || rc=$?
check "a second recheck exits 0" [ $rc -eq 0 ]
check "... as rc1-recheck-2" [ "$(h gs:sweep:rc1-recheck-2:meta previous)" = rc1 ]
check "... with the same verdicts" cmp -s <(ms "$T/rc/recheck.csv") <(ms "$T/rc2/recheck.csv")

# bad input
rc=0
"$GS_BIN" recheck --previous nosuch --redis "$REDIS_URL" --state-dir "$T/state" >/dev/null 2>&1 || rc=$?
check "recheck of an unknown sweep: exit 2" [ $rc -eq 2 ]
redis-cli -s "$REDIS_SOCK" HSET gs:sweep:half:meta status running >/dev/null
rc=0
"$GS_BIN" recheck --previous half --redis "$REDIS_URL" --state-dir "$T/state" >/dev/null 2>"$T/half.err" || rc=$?
check "recheck of an unfinished sweep: exit 2" [ $rc -eq 2 ]
check "... saying so" grep -q "not complete" "$T/half.err"
rc=0
"$GS_BIN" recheck --redis "$REDIS_URL" >/dev/null 2>&1 || rc=$?
check "recheck without --previous: exit 2" [ $rc -eq 2 ]

finish
