#!/usr/bin/env bash
# page.sh -- the per-page cost of the fact extraction and of all the checks (issue 4), on
# pages of the simulated province saved once, then the matcher's throughput with a
# 10,000-entry dictionary (bench/match.sh's figure for that size).
#
#   bench/page.sh [--sites N] [--pages-per-site N] [--passes N] [--build DIR]
#
# The province is clean (--defect-rate 0); its pages average about 15 KB (home pages larger,
# articles smaller; bench/peers.sh prints the mean it measured): wget -r crawls each site
# once (the URL list), curl saves every page; bench-page then parses them into facts, feeds
# them into their sites and runs every W- check, in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=20 PPS=100 PASSES=3 BUILD=build
while [ $# -gt 0 ]; do
    case $1 in
    --sites) SITES=$2; shift 2 ;;
    --pages-per-site) PPS=$2; shift 2 ;;
    --passes) PASSES=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -d "$BUILD" ] || { echo "configure first: cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo" >&2; exit 2; }
cmake --build "$BUILD" --target bench-page bench-match gs-simsrv >/dev/null
B=$(cd "$BUILD" && pwd)
work=$(mktemp -d /tmp/gs-page.XXXXXX)
sim=""
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

"$B/tests/gs-simsrv" --out "$work/prov" --port 0 --seed 42 --sites "$SITES" --accounts 0 \
    --pages-per-site "$PPS" --defect-rate 0 --reference-time 2021-06-15 >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 300); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
port=$(cat "$work/prov/port")
python3 -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["kind"] == "site": print(o["host"])' "$work/prov/plan.jsonl" >"$work/hosts.txt"
# the URL list: what wget -r of each site fetches (by Host header: no request leaves)
mkdir -p "$work/logs"
xargs -P 4 -I{} wget -r -l inf -nv -nH --follow-tags=a -e robots=off --execute=use_proxy=off \
    --header "Host: {}" --delete-after -P "$work/m/{}" -o "$work/logs/{}.log" \
    "http://127.0.0.1:$port/" <"$work/hosts.txt" || true
while IFS= read -r h; do
    sed -n "s|.* URL:http://127.0.0.1:$port\([^ ]*\) .*|http://$h\1|p" "$work/logs/$h.log"
done <"$work/hosts.txt" | grep -v '/robots.txt$' >"$work/urls.txt"
mkdir -p "$work/pages"
awk -v d="$work/pages" '{printf "url = \"%s\"\noutput = \"%s/%d.html\"\n", $0, d, NR}' \
    "$work/urls.txt" >"$work/save.cfg"
curl --parallel --parallel-max 32 --connect-to "::127.0.0.1:$port" --no-progress-meter \
    -K "$work/save.cfg" || true
awk -v d="$work/pages" '{printf "%s/%d.html\n", d, NR}' "$work/urls.txt" >"$work/pages.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "build: $BUILD ($(grep -m1 CMAKE_BUILD_TYPE "$B/CMakeCache.txt" | cut -d= -f2))"
GS_DATA_DIR=$PWD/data "$B/bench/bench-page" "$work/urls.txt" "$work/pages.txt" --passes "$PASSES"
echo
echo "matcher, 10,000 terms (bench/match.sh):"
bash bench/match.sh --build "$BUILD" --pages 50 | grep -E '^(dictionary|near-miss +10000|random +10000|gs_dict_scan)'
