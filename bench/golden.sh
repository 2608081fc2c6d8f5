#!/usr/bin/env bash
# golden.sh -- "never by skipping work": sweep a fixed simulated province with planted
# defects and compare what govsweep found with the golden output in bench/golden/, so that
# an optimization that changes what is found (a page not fetched, a check not run, a
# finding lost or added) shows as a difference before it is kept.
#
#   bench/golden.sh [--build DIR] [--update] [--keep DIR]
#
# The province: gs-simsrv --seed 2021 --sites 24 --accounts 48 --reference-time
# 2021-06-15T10:00 (every defect row of the catalogue planted, no fault sites: their
# timeouts would make the run slow and timing-dependent). The sweep: `govsweep run` with
# the same reference time and every default. Compared: findings.jsonl and targets.csv of
# the report, after two normalizations, of what the clock writes, not the sweep: the time
# each finding's page was fetched (detail.fetch.at), and the expiry date and days left of
# the simulated certificate that expires 10 days after the server started (W-HTTPS
# expiring), are blanked. Everything else --
# every finding with its evidence and detail, the SHA-256 of the page it was read from,
# each target's status, pages and ledger -- must be byte for byte the same.
#
# Exit status 0 when they match, 1 when they differ (a diff is printed), 2 for bad usage.
# --update writes the new output into bench/golden/ instead (review the diff first: only an
# intended change of behaviour may update the golden files).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=build UPDATE=0 KEEP=""
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --update) UPDATE=1; shift ;;
    --keep) KEEP=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -d "$BUILD" ] || { echo "configure first: cmake -S . -B $BUILD" >&2; exit 2; }
cmake --build "$BUILD" --target govsweep gs-simsrv >/dev/null
B=$(cd "$BUILD" && pwd)
GOLDEN=$SRC/bench/golden
REF=2021-06-15T10:00

if [ -n "$KEEP" ]; then
    rm -rf "$KEEP" && mkdir -p "$KEEP" && work=$(cd "$KEEP" && pwd)
else
    work=$(mktemp -d /tmp/gs-golden.XXXXXX)
fi
sim=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
    [ -n "$KEEP" ] || rm -rf "$work"
}
trap cleanup EXIT

"$B/tests/gs-simsrv" --out "$work/prov" --port 0 --seed 2021 --sites 24 --accounts 48 \
    --reference-time "$REF" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 300); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
[ -e "$work/prov/ready" ] || { echo "gs-simsrv did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
connect=()
while IFS= read -r l; do [ -n "$l" ] && connect+=(--connect-to "$l"); done <"$work/prov/connect-to.txt"
if ! "$B/govsweep" run "$work/prov/registry.csv" --reference-time "$REF" --allow-private \
    "${connect[@]}" --cacert "$work/prov/ca.pem" --state-dir "$work/state" --out "$work/out" \
    >"$work/run.out" 2>"$work/run.err"; then
    echo "golden: govsweep run failed:" >&2
    tail -n 20 "$work/run.err" >&2
    exit 1
fi
grep 'complete in' "$work/run.err" | sed 's/^govsweep: /golden: /'

# The fields the clock writes: the fetch time of each finding's page, the expiring
# certificate's date and days left.
mkdir -p "$work/new"
python3 - "$work/out/findings.jsonl" "$work/new/findings.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        o = json.loads(line)
        fetch = o.get("detail", {}).get("fetch") if isinstance(o.get("detail"), dict) else None
        if isinstance(fetch, dict) and "at" in fetch:
            fetch["at"] = "-"
        # the simulated certificate expires 10 days after the server started: its date
        # and the days left are the calendar's too
        if o.get("code") == "W-HTTPS" and o["detail"].get("cause") == "expiring":
            o["detail"]["expires"], o["detail"]["days_left"] = "-", "-"
            o["evidence"] = "HTTPS 证书将于 - 到期（剩余 - 天）"
        out.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
EOF
cp "$work/out/targets.csv" "$work/new/targets.csv"

if [ "$UPDATE" = 1 ]; then
    mkdir -p "$GOLDEN"
    cp "$work/new/findings.jsonl" "$work/new/targets.csv" "$GOLDEN/"
    echo "golden: bench/golden/ updated: $(wc -l <"$GOLDEN/findings.jsonl") findings, $(($(wc -l <"$GOLDEN/targets.csv") - 1)) targets"
    exit 0
fi
[ -f "$GOLDEN/findings.jsonl" ] || { echo "golden: no bench/golden/ yet (run with --update)" >&2; exit 2; }

status=0
for f in findings.jsonl targets.csv; do
    if cmp -s "$GOLDEN/$f" "$work/new/$f"; then
        echo "golden: $f matches ($(wc -l <"$GOLDEN/$f") lines)"
    else
        status=1
        echo "golden: $f DIFFERS from bench/golden/$f:"
        diff -u "$GOLDEN/$f" "$work/new/$f" | head -n 60 || true
    fi
done
if [ $status -ne 0 ]; then
    echo "golden: findings by code, golden -> now:"
    join -a1 -a2 -e0 -o 0,1.2,2.2 \
        <(grep -o '"code":"[^"]*"' "$GOLDEN/findings.jsonl" | sort | uniq -c | awk '{print $2, $1}' | sort) \
        <(grep -o '"code":"[^"]*"' "$work/new/findings.jsonl" | sort | uniq -c | awk '{print $2, $1}' | sort) |
        awk '$2 != $3 { printf "  %s %d -> %d\n", $1, $2, $3 }' | sed 's/"code"://; s/"//g'
fi
exit $status
