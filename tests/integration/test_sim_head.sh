#!/usr/bin/env bash
# test_sim_head.sh -- gs-simsrv --head-bytes (the benchmark's 20-40 KB pages) weighs every
# site page's head and changes nothing a check reads: the same province swept with and
# without it gives the same targets and the same findings (code, veto, URL, evidence),
# while every page is heavier by about the bytes asked.
source "$(dirname "$0")/lib.sh"

REF=2021-06-15T10:00
PROV=(--seed 7 --sites 6 --accounts 2 --defect-rate 0.5 --reference-time "$REF" --pages-per-site 30)
start_sim "$T/light" "${PROV[@]}"
LIGHT_CT=("${CONNECT_TO[@]}")
LIGHT_PORT=$(cat "$T/light/port")
start_sim "$T/heavy" "${PROV[@]}" --head-bytes 12000
HEAVY_CT=("${CONNECT_TO[@]}")
HEAVY_PORT=$(cat "$T/heavy/port")

host=$(grep -o 'www\.sim-[a-z0-9]*\.gov\.cn' "$T/light/registry.csv" | head -n1)
size() { curl -s --noproxy '*' -H "Host: $host" "http://127.0.0.1:$1$2" | wc -c; }
l=$(size "$LIGHT_PORT" /) h=$(size "$HEAVY_PORT" /)
echo "     home page of $host: $l bytes, $h with --head-bytes 12000"
d=$((h - l))
check "the home page is heavier by about 12,000 bytes" [ "$d" -ge 11800 -a "$d" -le 12100 ]
check "--head-bytes above the ceiling is refused" \
    bash -c '! "$1" --out "$2" --no-serve --head-bytes 999999999 2>/dev/null' _ "$GS_SIMSRV" "$T/bad"

sweep() { # sweep NAME CONNECT-TO...
    local name=$1
    shift
    "$GS_BIN" run "$T/$name/registry.csv" --sweep "$name" --reference-time "$REF" --allow-private \
        "$@" --out "$T/out-$name" --state-dir "$T/st-$name" --workers 1 >/dev/null 2>"$T/$name.err"
}
check "sweep of the light pages exits 0" sweep light "${LIGHT_CT[@]}"
check "sweep of the heavy pages exits 0" sweep heavy "${HEAVY_CT[@]}"
check "targets.csv identical" cmp -s "$T/out-light/targets.csv" "$T/out-heavy/targets.csv"
norm() { python3 -c 'import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(l)
    print(json.dumps([f["target"], f["code"], f["veto"], f["url"], f["evidence"]], ensure_ascii=False))' "$1" | sort; }
norm "$T/out-light/findings.jsonl" >"$T/light.norm"
norm "$T/out-heavy/findings.jsonl" >"$T/heavy.norm"
check "the same findings ($(grep -c . "$T/light.norm")), code, veto, URL and evidence" \
    cmp -s "$T/light.norm" "$T/heavy.norm"
check "... and some were found" [ -s "$T/light.norm" ]
diff "$T/light.norm" "$T/heavy.norm" | head -10 || true
finish
