#!/usr/bin/env bash
# test_sweep.sh -- a whole `govsweep run` of a small simulated province against a real
# redis-server: the expected findings (compared with the planted truth), one report row
# per target, and the bytes in Redis (done markers, result hashes, stream entries,
# counters) agree with each other.
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 7 --sites 10 --accounts 16 --defect-rate 0.4 --reference-time "$REF" \
    --pages-per-site 30

N=$(csv_rows "$T/prov/registry.csv")
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep it1 --reference-time "$REF" \
    --allow-private "${CONNECT_TO[@]}" --out "$T/out" --state-dir "$T/state" --workers 2 \
    --max-pages 200 --home-retries 1 --retry-delay-ms 200 --lease-ms 5000 \
    >"$T/run.out" 2>"$T/run.err" || rc=$?
check "run exits 0" [ $rc -eq 0 ]
check "report files written" test -s "$T/out/targets.csv" -a -s "$T/out/report.md" -a -e "$T/out/findings.jsonl"
check "one targets.csv row per registry target ($N)" [ "$(csv_rows "$T/out/targets.csv")" -eq "$N" ]
check "every id once in targets.csv" [ "$(tail -n +2 "$T/out/targets.csv" | cut -d, -f1 | sort | uniq -d | wc -l)" -eq 0 ]
check "the notice tables printed" grep -q "合格率" "$T/run.out"

# Every code the province planted, and the codes it plants nowhere here but must not be
# raised on a clean target either: findings compared with the truth, per target and per
# finding (column, URL, wrong form ...), veto included.
CODES=$(grep -o '"code":"[^"]*"' "$T/prov/truth.jsonl" | cut -d'"' -f4 | sort -u | tr '\n' ' ')
ALL=$(cut -f1 "$GS_SRC/data/codes.tsv" | grep -E '^[WM]-' | tr '\n' ' ')
rc=0
# shellcheck disable=SC2086 # the codes are words
python3 "$GS_TESTS/integration/compare_truth.py" "$T/prov/truth.jsonl" "$T/prov/clean.txt" \
    "$T/out/findings.jsonl" "$T/out/targets.csv" $CODES $ALL >"$T/compare.txt" 2>&1 || rc=$?
cat "$T/compare.txt"
check "findings match the planted truth for every code ($(wc -w <<<"$CODES") planted)" [ $rc -eq 0 ]
check "the province planted most of the catalogue" [ "$(wc -w <<<"$CODES")" -ge 20 ]

# Redis agrees with the files
check "done set has every target" [ "$(rcli SCARD gs:sweep:it1:done)" -eq "$N" ]
check "sweep marked complete" [ "$(rcli HGET gs:sweep:it1:meta status)" = complete ]
NF=$(grep -c . "$T/out/findings.jsonl" || true)
check "one stream entry per finding ($NF)" [ "$(rcli XLEN gs:findings)" -eq "$NF" ]
check "stats count the findings" [ "$(rcli HGET gs:sweep:it1:stats findings)" -eq "$NF" ]
first=$(sed -n 2p "$T/prov/registry.csv" | cut -d, -f2)
check "result hash of $first has a status" grep -qE '合格|不合格|未检查' <<<"$(redis-cli -s "$REDIS_SOCK" --raw HGET gs:sweep:it1:result:$first status)"
sum=0
for r in $(redis-cli -s "$REDIS_SOCK" --raw LRANGE gs:sweep:it1:regions 0 -1); do
    for f in site_checked site_unchecked account_checked account_unchecked; do
        v=$(redis-cli -s "$REDIS_SOCK" --raw HGET "gs:sweep:it1:region:$r" $f)
        sum=$((sum + ${v:-0}))
    done
done
check "region counters add up to the targets ($sum)" [ "$sum" -eq "$N" ]
checked=$(grep -c '"veto":true' "$T/out/findings.jsonl" || true)
check "some veto findings were raised" [ "$checked" -gt 0 ]

# link verdicts are shared: every URL is checked once in the sweep, however many sites and
# workers meet it (the footer's national links are on every site)
mine=0 known=0
for log in $(find "$T/state" -name 'worker-*.log'); do
    l=$(grep -o 'link verdicts [0-9]* checked here, [0-9]* taken from [^,]*, [0-9]* from' "$log" | tail -1)
    set -- $(tr -cs '0-9' ' ' <<<"$l")
    mine=$((mine + ${1:-0})) known=$((known + ${2:-0} + ${3:-0}))
done
check "each link URL checked once in the sweep ($mine checks)" [ "$mine" -gt 0 -a "$mine" -eq "$(rcli HLEN gs:sweep:it1:links)" ]
check "links met by several sites were taken from the first check ($known)" [ "$known" -ge "$(grep -c '^site,' "$T/prov/registry.csv")" ]
check "no link check left claimed" [ "$(redis-cli -s "$REDIS_SOCK" --raw HVALS gs:sweep:it1:links | grep -c '^P|')" -eq 0 ]
check "the links hash expires with the quarter" [ "$(rcli TTL gs:sweep:it1:links)" -gt 86400 ]

# a second run of the same sweep id resumes and finds everything done: nothing re-run
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep it1 --reference-time "$REF" \
    --allow-private "${CONNECT_TO[@]}" --out "$T/out2" --state-dir "$T/state" --workers 1 \
    >/dev/null 2>"$T/run2.err" || rc=$?
check "re-running a finished sweep exits 0" [ $rc -eq 0 ]
check "re-run adds no stream entries" [ "$(rcli XLEN gs:findings)" -eq "$NF" ]
check "re-run report identical" cmp -s "$T/out/targets.csv" "$T/out2/targets.csv"

# report subcommand reproduces the files from Redis
"$GS_BIN" report --redis "$REDIS_URL" --sweep it1 --out "$T/out3" >/dev/null
check "govsweep report reproduces targets.csv" cmp -s "$T/out/targets.csv" "$T/out3/targets.csv"
check "govsweep report reproduces findings.jsonl" cmp -s "$T/out/findings.jsonl" "$T/out3/findings.jsonl"

# without --allow-private the loopback-mapped sites are refused, and say so
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep it-private --reference-time "$REF" \
    "${CONNECT_TO[@]}" --out "$T/out4" --state-dir "$T/state" --workers 1 --home-retries 0 \
    >/dev/null 2>"$T/run4.err" || rc=$?
check "a sweep without --allow-private still completes" [ $rc -eq 0 ]
check "loopback refused by the SSRF guard" grep -q "refused: private or loopback address" "$T/out4/findings.jsonl"

finish
