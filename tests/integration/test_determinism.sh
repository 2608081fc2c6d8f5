#!/usr/bin/env bash
# test_determinism.sh -- the same province swept with one connection per host and with
# eight (responses then arrive in every order), with 1 and with 2 workers, with a page
# budget and a depth bound that cut every site: the same pages, ledgers and findings, byte
# for byte (fetch times aside). The crawl reads pages in the order it enqueued them
# (worker/gs_job.c), so which pages a budget or a depth keeps does not depend on timing.
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 3 --sites 8 --accounts 4 --defect-rate 0.4 --reference-time "$REF" \
    --pages-per-site 60
sweep() { # sweep ID WORKERS HOST_CONNECTIONS
    "$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep "$1" --reference-time "$REF" \
        --allow-private "${CONNECT_TO[@]}" --out "$T/$1" --state-dir "$T/st-$1" --workers "$2" \
        --host-connections "$3" --max-pages 25 --max-depth 2 --home-retries 1 --retry-delay-ms 200 \
        >/dev/null 2>"$T/$1.err"
}
# findings without the fetch time of their evidence (wall clock)
norm() { python3 -c 'import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(l); f.pop("sweep", None)
    fe = f.get("detail", {}).get("fetch") if isinstance(f.get("detail"), dict) else None
    if isinstance(fe, dict): fe.pop("at", None)
    print(json.dumps(f, ensure_ascii=False, sort_keys=True))' "$1"; }

rc=0
sweep one 1 1 || rc=$?
check "one connection per host: exits 0" [ $rc -eq 0 ]
rc=0
sweep many 2 8 || rc=$?
check "eight connections per host, two workers: exits 0" [ $rc -eq 0 ]
rc=0
sweep many1 1 8 || rc=$?
check "eight connections per host, one worker: exits 0" [ $rc -eq 0 ]
check "the budget and the depth bound cut the sites (skipped pages in the ledgers)" \
    grep -qE 'skipped\.(budget|depth)' "$T/one/targets.csv"
check "targets.csv identical, ledgers included" cmp -s "$T/one/targets.csv" "$T/many/targets.csv"
norm "$T/one/findings.jsonl" >"$T/one.norm"
norm "$T/many/findings.jsonl" >"$T/many.norm"
check "findings identical but for fetch times ($(grep -c . "$T/one.norm") findings)" \
    cmp -s "$T/one.norm" "$T/many.norm"
check "... and again with one worker" cmp -s "$T/one/targets.csv" "$T/many1/targets.csv"
if ! cmp -s "$T/one/targets.csv" "$T/many/targets.csv"; then
    diff "$T/one/targets.csv" "$T/many/targets.csv" | head -20
fi
if ! cmp -s "$T/one.norm" "$T/many.norm"; then
    diff "$T/one.norm" "$T/many.norm" | cut -c1-600 | head -20
fi
finish
