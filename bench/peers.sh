#!/usr/bin/env bash
# peers.sh -- govsweep side by side with the fetch and parse floors and with its peers (wget,
# Scrapy) on one corpus, in one run, as ../shared/spec/performance.md asks a ratio to be
# measured (issue 10).
#
# The corpus is the simulated province with nothing planted (gs-simsrv --defect-rate 0
# --accounts 0), served on loopback by gs-simsrv; its own rate is measured first with wrk.
# A first, untimed crawl (wget -r, one process per site) gives the URL list. Then, one
# after the other, each timed with bench/measure.py (wall, CPU of the whole process tree,
# the largest process's peak RSS, the server's CPU meanwhile):
#   curl   --parallel --parallel-max 64 over every URL, -o /dev/null (the fetch floor); a
#          second, untimed pass saves the pages for the parse floor;
#   parse  bench-parse-floor: htmlReadMemory + a walk of every <a href> (the parse floor);
#   wget   -r, one process per site, 64 at most at once (fetch + link extraction);
#   scrapy bench/scrapy_spider.py: a CrawlSpider, 128 requests in flight, 2 per host, no
#          delay, lxml parse + title + date regex per page;
#   govsweep run with every website check on (the defaults) and 2 workers, then 1 worker
#          (scaling), then 2 workers with a 100,000-term wording dictionary (matching cost:
#          bench/gen_wording.py's near misses added to the shipped dictionary).
# Prints the machine, one table (pages, wall s, pages/s, CPU µs/page, peak RSS, the
# server's CPU µs/page), the ratios of govsweep to each, the budget of performance.md
# against what was measured, govsweep's CPU by process, and the exact commands.
#
#   bench/peers.sh [--sites N] [--pages-per-site N] [--head-bytes N] [--seed N] [--build DIR]
#                  [--server-threads N] [--wget-procs N] [--curl-parallel N]
#                  [--scrapy-concurrency N] [--dict-terms N] [--passes N] [--repeat N]
#                  [--skip wget,scrapy,scaling,dict] [--keep DIR]
#
# --head-bytes N (default 12000) weighs every page's head with N bytes of inline script, as
# a real portal's head is (bundled libraries, widgets): the pages are then 20-40 KB, as the
# budget's corpus (without it the simulator's pages average ~15 KB). 0: the light pages.
# --repeat N runs every timed command N times and keeps the fastest (by wall): on a shared
# machine the slower runs measure the neighbours. --passes is the parse floor's own passes.
# --keep DIR keeps the corpus, the saved pages, the logs and each run's output in DIR.
# Needs curl, wget, wrk (optional: without it the server is measured by the curl run
# only) and Debian's python3-scrapy for /usr/bin/python3 (deploy/install-deps.sh).
# Nothing leaves the machine: wget and curl go to 127.0.0.1 only, Scrapy's resolver knows
# the simulated hosts only, govsweep gets gs-simsrv's --connect-to lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
SITES=60 PPS=100 HEAD_BYTES=12000 SEED=42 BUILD=build SERVER_THREADS=2 WGET_PROCS=64 CURL_PAR=64
SCRAPY_CONC=128 DICT_TERMS=100000 PASSES=3 REPEAT=1 SKIP="" KEEP=""
while [ $# -gt 0 ]; do
    case $1 in
    --sites) SITES=$2; shift 2 ;;
    --pages-per-site) PPS=$2; shift 2 ;;
    --head-bytes) HEAD_BYTES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --server-threads) SERVER_THREADS=$2; shift 2 ;;
    --wget-procs) WGET_PROCS=$2; shift 2 ;;
    --curl-parallel) CURL_PAR=$2; shift 2 ;;
    --scrapy-concurrency) SCRAPY_CONC=$2; shift 2 ;;
    --dict-terms) DICT_TERMS=$2; shift 2 ;;
    --passes) PASSES=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --skip) SKIP=",$2,"; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
skip() { [[ $SKIP == *",$1,"* ]]; }
[ -d "$BUILD" ] || { echo "configure first: cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo" >&2; exit 2; }
cmake --build "$BUILD" --target govsweep gs-simsrv bench-parse-floor >/dev/null
GS=$SRC/$BUILD/govsweep SIM=$SRC/$BUILD/tests/gs-simsrv PARSE=$SRC/$BUILD/bench/bench-parse-floor
[[ $BUILD == /* ]] && GS=$BUILD/govsweep SIM=$BUILD/tests/gs-simsrv PARSE=$BUILD/bench/bench-parse-floor
for t in curl wget; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }; done
if ! skip scrapy && ! /usr/bin/python3 -c 'import scrapy' 2>/dev/null; then
    echo "Scrapy is not installed for /usr/bin/python3 (apt-get install python3-scrapy; or --skip scrapy)" >&2
    exit 2
fi
MEASURE=(python3 "$SRC/bench/measure.py")

if [ -n "$KEEP" ]; then
    rm -rf "$KEEP" && mkdir -p "$KEEP" && work=$(cd "$KEEP" && pwd)
else
    work=$(mktemp -d /tmp/gs-peers.XXXXXX)
fi
sim=""
cleanup() {
    if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; fi
    [ -n "$KEEP" ] || rm -rf "$work"
}
trap cleanup EXIT
declare -a COMMANDS=()
# note CMD...: remember a command as run, with the work directory written as $WORK
note() {
    local s
    s=$(printf '%q ' "$@")
    COMMANDS+=("${s//$work/\$WORK}")
}

# ---- the machine and the corpus ------------------------------------------------------
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
bsrc=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")
if git -C "$bsrc" rev-parse --short HEAD >/dev/null 2>&1; then
    bsrc="$bsrc at $(git -C "$bsrc" rev-parse --short HEAD)$(git -C "$bsrc" diff --quiet HEAD -- common worker collector dispatcher cli || echo ', with uncommitted changes in the components')"
else
    bsrc="$bsrc (not a git checkout)"
fi
echo "build: $BUILD ($(grep -m1 '^CMAKE_BUILD_TYPE' "$BUILD/CMakeCache.txt" | cut -d= -f2), sanitizers: $(grep -m1 '^GS_SANITIZE' "$BUILD/CMakeCache.txt" | cut -d= -f2)) of $bsrc"
scrapy_v=$(/usr/bin/python3 -c 'import scrapy; print(scrapy.__version__)' 2>/dev/null || echo -)
echo "runs: each timed command $REPEAT time(s), the fastest kept"
echo "tools: $(curl --version | head -n1 | cut -d' ' -f1-2), $(wget --version | head -n1 | cut -d' ' -f1-3), Scrapy $scrapy_v, libxml2 $(xmllint --version 2>&1 | head -n1 | awk '{print $NF}')"

sim_args=(--out "$work/prov" --port 0 --seed "$SEED" --sites "$SITES" --accounts 0
    --pages-per-site "$PPS" --head-bytes "$HEAD_BYTES" --defect-rate 0 --reference-time 2021-06-15
    --threads "$SERVER_THREADS")
note "$SIM" "${sim_args[@]}"
"$SIM" "${sim_args[@]}" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 300); do [ -e "$work/prov/ready" ] && break; sleep 0.1; done
[ -e "$work/prov/ready" ] || { echo "gs-simsrv did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
port=$(cat "$work/prov/port")
python3 -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["kind"] == "site": print(o["host"])' "$work/prov/plan.jsonl" >"$work/hosts.txt"
nsites=$(wc -l <"$work/hosts.txt")

# wget_cmd DIR LOGDIR EXTRA...: sets WCMD to wget -r of every site (one line of stdin a
# host), one process per site, WGET_PROCS at once. wget cannot be told where a host is, so
# it asks 127.0.0.1:PORT with the site's Host header (gs-simsrv serves by Host); the sites'
# links are relative, so each crawl stays on its site and no request leaves the machine.
wget_cmd() {
    local dir=$1 logs=$2
    shift 2
    WCMD=(xargs -P "$WGET_PROCS" -I{} wget -r -l inf -nv -nH --follow-tags=a -e robots=off
        --execute=use_proxy=off --header "Host: {}" "$@" -P "$dir/{}" -o "$logs/{}.log"
        "http://127.0.0.1:$port/")
}
mkdir -p "$work/mirror" "$work/mirror-logs"
wget_cmd "$work/mirror" "$work/mirror-logs"
note "${WCMD[@]}"
COMMANDS[-1]+="<\$WORK/hosts.txt   # the first crawl: the URL list"
"${WCMD[@]}" <"$work/hosts.txt" || true
# The URL list: every page the first crawl fetched, under its site's name.
while IFS= read -r h; do
    sed -n "s|.* URL:http://127.0.0.1:$port\([^ ]*\) .*|http://$h\1|p" "$work/mirror-logs/$h.log"
done <"$work/hosts.txt" >"$work/urls.txt"
nurls=$(wc -l <"$work/urls.txt")
find "$work/mirror" -type f -printf '%s\n' | sort -n >"$work/sizes.txt"
awk -v s="$nsites" '{a[NR] = $1; t += $1; if ($1 >= 20000 && $1 <= 40000) k++}
    END {printf "corpus: %d sites, %d pages (the first crawl), %.1f MB; page bytes mean %d, min %d, median %d, max %d; %.0f%% of the pages are 20-40 KB\n",
         s, NR, t / 1e6, t / NR, a[1], a[int((NR + 1) / 2)], a[NR], 100 * k / NR}' "$work/sizes.txt"

# ---- the server's own rate -----------------------------------------------------------
home_host=$(head -n1 "$work/hosts.txt")
art_path=$(grep -m1 "^http://$home_host/art/" "$work/urls.txt" | sed "s|^http://$home_host||")
if command -v wrk >/dev/null; then
    for p in / "$art_path"; do
        note wrk -t2 -c64 -d3s -H "Host: $home_host" "http://127.0.0.1:$port$p"
        out=$(wrk -t2 -c64 -d3s -H "Host: $home_host" "http://127.0.0.1:$port$p" 2>&1)
        printf 'server: gs-simsrv --threads %s, wrk -t2 -c64 %-40s %8s req/s %10s/s (wrk shares the cores)\n' \
            "$SERVER_THREADS" "$p" "$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")" \
            "$(awk '/Transfer\/sec/ {print $2}' <<<"$out")"
    done
else
    echo "server: wrk not installed; see the server's CPU per page in the table"
fi

# worker_startup DATA_DIR: "CPU_S RSS_KIB" of a worker that has read the data files and built
# its automata: one started alone (its sockets lead nowhere), stopped once it says so.
worker_startup() {
    local log="$work/startup.log" pid t=0
    "$GS" worker --data-dir "$1" --dispatcher-endpoint "ipc://$work/nowhere-d.sock" \
        --collector-endpoint "ipc://$work/nowhere-c.sock" >"$log" 2>&1 &
    pid=$!
    while ! grep -q 'capacity' "$log" && [ $t -lt 600 ]; do sleep 0.05; t=$((t + 1)); done
    awk -v tick="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " ");
        printf "%.2f ", (f[12] + f[13]) / tick }' "/proc/$pid/stat"
    awk '/VmHWM/ { print $2 }' "/proc/$pid/status"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# startup LOG: seconds from the dispatcher listening to the last worker joining
startup() {
    awk '/ listening on / && !t0 { t0 = $1 } / joined / { t1 = $1 } END {
        split(substr(t0, 12), a, ":"); split(substr(t1, 12), b, ":")
        printf "%.2f", (b[1] * 3600 + b[2] * 60 + b[3]) - (a[1] * 3600 + a[2] * 60 + a[3]) }' "$1"
}

# ---- the runs --------------------------------------------------------------------------
# Each run appends "name|pages|wall|cpu|rss|server_cpu|findings|others_cores" to rows.txt.
: >"$work/rows.txt"
# result FILE KEY: a key=value field of a RESULT line
result() { grep -m1 '^RESULT' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
row() { # row NAME PAGES MEASURE_FILE [FINDINGS [PROCESS_MEASURE_FILE]]
    local m=${5:-$3} others
    others=$(awk -v o="$(result "$m" others_cpu_s)" -v w="$(result "$m" wall_s)" \
        'BEGIN { if (w > 0) printf "%.2f", o / w; else print "-" }')
    echo "$1|$2|$(result "$3" wall_s)|$(result "$3" cpu_s)|$(result "$3" maxrss_kib)|$(result "$3" server_cpu_s)|${4:--}|$others" >>"$work/rows.txt"
}

# timed NAME [--roles] -- CMD...: run CMD under measure.py --repeat times, each time in a
# fresh directory $work/NAME.K (written @D@ in CMD) with its stdout and stderr there and
# stdin from $TIMED_STDIN; $work/NAME then points at the fastest (by wall) of them.
TIMED_STDIN=/dev/null
timed() {
    local name=$1 roles=() k d best="" bestwall="" w
    shift
    if [ "$1" = --roles ]; then roles=(--roles); shift; fi
    shift # --
    note "${@//@D@/$work/$name}"
    for ((k = 1; k <= REPEAT; k++)); do
        d="$work/$name.$k"
        rm -rf "$d" && mkdir -p "$d"
        "${MEASURE[@]}" --out "$d/m.txt" --server-pid "$sim" "${roles[@]}" -- "${@//@D@/$d}" \
            <"$TIMED_STDIN" >"$d/stdout" 2>"$d/stderr" || true
        w=$(result "$d/m.txt" wall_s)
        if [ -z "$best" ] || awk -v a="$w" -v b="$bestwall" 'BEGIN { exit !(a < b) }'; then
            best=$k bestwall=$w
        fi
    done
    ln -sfn "$name.$best" "$work/$name"
}

# curl, the fetch floor: one process, a --config file of every URL, no process per URL.
awk '{printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0}' "$work/urls.txt" >"$work/curl.cfg"
timed curl -- curl --parallel --parallel-max "$CURL_PAR" --connect-to "::127.0.0.1:$port" \
    --no-progress-meter -w '%{http_code} %{size_download}\n' -K "$work/curl.cfg"
row "curl --parallel $CURL_PAR (fetch floor)" "$(grep -c '^200 ' "$work/curl/stdout" || true)" "$work/curl/m.txt"

# The pages saved once, for the parse floor (untimed).
mkdir -p "$work/pages"
awk -v d="$work/pages" '{printf "url = \"%s\"\noutput = \"%s/%d.html\"\n", $0, d, NR}' \
    "$work/urls.txt" >"$work/curl-save.cfg"
curl --parallel --parallel-max "$CURL_PAR" --connect-to "::127.0.0.1:$port" --no-progress-meter \
    -K "$work/curl-save.cfg" || true
find "$work/pages" -type f -name '*.html' | sort -V >"$work/pages.list"

timed parse -- "$PARSE" --passes "$PASSES" "$work/pages.list"
# The parse floor's own timing (its best pass, the pages already in memory and in UTF-8),
# not the process's, which includes reading and converting them.
pf=$work/parse/stdout
echo "RESULT wall_s=$(result "$pf" wall_s) cpu_s=$(result "$pf" cpu_s) maxrss_kib=$(result "$pf" rss_kib) server_cpu_s=0" \
    >"$work/parse-own.txt"
row "libxml2 parse + <a href> walk (parse floor)" "$(result "$pf" pages)" "$work/parse-own.txt" - \
    "$work/parse/m.txt"
parse_line=$(grep -E '^(parse floor|conversion)' "$pf" || echo "parse floor: failed")

if ! skip wget; then
    wget_cmd "@D@/sites" "@D@" --delete-after
    TIMED_STDIN=$work/hosts.txt timed wget -- "${WCMD[@]}"
    COMMANDS[-1]+="<\$WORK/hosts.txt"
    row "wget -r, $(( nsites < WGET_PROCS ? nsites : WGET_PROCS )) processes, 1 per site" \
        "$(cat "$work"/wget/*.log | grep -c ' URL:' || true)" "$work/wget/m.txt"
fi

if ! skip scrapy; then
    timed scrapy -- /usr/bin/python3 "$SRC/bench/scrapy_spider.py" --hosts "$work/hosts.txt" \
        --port "$port" --concurrency "$SCRAPY_CONC" --per-host 2
    row "Scrapy CrawlSpider, $SCRAPY_CONC concurrent, 2 per host" \
        "$(result "$work/scrapy/stdout" pages)" "$work/scrapy/m.txt"
fi

# run_govsweep NAME WORKERS [DATA_DIR]: `govsweep run` with every website check on (the
# defaults), a page budget above the sites' size so that it crawls what the others crawl.
connect=()
while IFS= read -r l; do [ -n "$l" ] && connect+=(--connect-to "$l"); done <"$work/prov/connect-to.txt"
max_pages=$(( PPS * 2 > 200 ? PPS * 2 : 200 ))
run_govsweep() {
    local name=$1 workers=$2 data=${3:-} extra=() pages findings label
    [ -n "$data" ] && extra=(--data-dir "$data")
    timed "gs-$name" --roles -- "$GS" run "$work/prov/registry.csv" --reference-time 2021-06-15 \
        --allow-private "${connect[@]}" --cacert "$work/prov/ca.pem" --state-dir @D@/state \
        --out @D@/out --workers "$workers" --max-pages "$max_pages" "${extra[@]}"
    local d="$work/gs-$name"
    pages=$(sed -n 's/.* complete in [0-9.]* s: \([0-9]*\) pages.*/\1/p' "$d/stderr" | tail -n1)
    findings=$(wc -l <"$d/out/findings.jsonl" 2>/dev/null || echo "?")
    [ -n "$pages" ] || { echo "govsweep run ($name) failed:" >&2; tail -n5 "$d/stderr" >&2; pages=0; }
    label="govsweep run, $workers worker"
    [ "$workers" -gt 1 ] && label+=s
    [ -n "$data" ] && label+=", $(printf "%'d" "$DICT_TERMS")-term wording"
    row "$label" "$pages" "$d/m.txt" "$findings"
}
run_govsweep w2 2
skip scaling || run_govsweep w1 1
if ! skip dict; then
    cp -r "$SRC/data" "$work/data-dict"
    gen=(python3 "$SRC/bench/gen_wording.py" --base "$SRC/data/wording.tsv" --pages "$work/pages.list"
        --terms "$DICT_TERMS" --out "$work/data-dict/wording.tsv")
    note "${gen[@]}"
    "${gen[@]}" 2>"$work/gen_wording.log"
    run_govsweep dict 2 "$work/data-dict"
    read -r su_ship_cpu su_ship_rss <<<"$(worker_startup "$SRC/data")"
    read -r su_dict_cpu su_dict_rss <<<"$(worker_startup "$work/data-dict")"
fi

# ---- the table, the ratios, the budget --------------------------------------------------
echo
python3 - "$work/rows.txt" "$nurls" "$(nproc)" ${su_dict_cpu:+"$su_ship_cpu" "$su_ship_rss" "$su_dict_cpu" "$su_dict_rss"} <<'EOF'
import sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    name, pages, wall, cpu, rss, server, findings, others = line.rstrip("\n").split("|")
    # others: cores the rest of the machine used during the run
    def num(s):
        try:
            return float(s)
        except ValueError:
            return 0.0
    rows.append(dict(name=name, pages=int(num(pages)), wall=num(wall), cpu=num(cpu),
                     rss=num(rss), server=num(server), findings=findings, others=num(others)))
nurls, ncores = int(sys.argv[2]), int(sys.argv[3])
hdr = (f"{'run':<46} {'pages':>6} {'wall s':>7} {'pages/s':>7} {'CPU µs/page':>11} "
       f"{'peak RSS':>8} {'server µs/p':>11} {'others':>6} {'findings':>8}")
print(hdr)
print("-" * len(hdr))
for r in rows:
    p = max(r["pages"], 1)
    r["rate"] = r["pages"] / r["wall"] if r["wall"] > 0 else 0
    r["us"] = r["cpu"] * 1e6 / p
    srv = f"{r['server'] * 1e6 / p:.0f}" if r["server"] > 0 else "-"
    rate = f"{r['rate']:.0f}" if not r["name"].startswith("libxml2") else "-"
    others = f"{r['others']:.2f}"
    print(f"{r['name']:<46} {r['pages']:>6} {r['wall']:>7.2f} {rate:>7} {r['us']:>11.0f} "
          f"{r['rss'] / 1024:>6.0f}MB {srv:>11} {others:>6} {r['findings']:>8}")
print()
print(f"pages: the URLs of the first crawl ({nurls}) for curl and the parse floor, the pages each crawler fetched for the others")
print("CPU: user+system of the whole process tree (govsweep: run, Redis, collector, dispatcher, workers), the server's left out;")
print("peak RSS: of the largest single process (the parse floor's holds the whole corpus); server µs/p: gs-simsrv's CPU")
print("per page during the run; others: cores the rest of the machine used meanwhile (other people's jobs on a shared")
print(f"machine: the wall times are only as good as this is small)")
g = next((r for r in rows if r["name"].startswith("govsweep run, 2 workers") and "wording" not in r["name"]), None)
if not g:
    sys.exit(0)
print()
print("govsweep (2 workers) against each: throughput = its pages/s ÷ theirs, CPU = its µs/page ÷ theirs")
fetch = next((r for r in rows if r["name"].startswith("curl")), None)
parse = next((r for r in rows if r["name"].startswith("libxml2")), None)
for r in rows:
    if r is g or r["name"].startswith("govsweep"):
        continue
    t = f"{g['rate'] / r['rate']:6.2f}×" if r["rate"] > 0 and not r["name"].startswith("libxml2") else "      -"
    c = f"{g['us'] / r['us']:6.2f}×" if r["us"] > 0 else "-"
    print(f"  vs {r['name']:<46} throughput {t}   CPU {c}")
if fetch and parse:
    floors = fetch["us"] + parse["us"]
    print(f"  vs the two floors together ({floors:.0f} µs/page)                 CPU {g['us'] / floors:6.2f}×")
w1 = next((r for r in rows if r["name"] == "govsweep run, 1 worker"), None)
if w1:
    print(f"  scaling: 2 workers ÷ 1 worker: pages/s {g['rate'] / w1['rate']:.2f}× "
          f"(CPU µs/page {g['us']:.0f} vs {w1['us']:.0f})")
d = next((r for r in rows if "wording" in r["name"]), None)
if d:
    print(f"  matching: {d['name'][len('govsweep run, 2 workers, '):]} ÷ shipped: CPU µs/page "
          f"{d['us'] / g['us']:.2f}× ({d['us']:.0f} vs {g['us']:.0f}), wall {d['wall'] / g['wall']:.2f}×, "
          f"findings {d['findings']} vs {g['findings']}")
    if len(sys.argv) > 4:
        sc, sr, dc, dr = (float(x) for x in sys.argv[4:8])
        extra = (d["us"] - g["us"]) * d["pages"] / 1e6
        start = 2 * (dc - sc)
        print(f"    a worker's start-up (data files read, automata built): {sc:.2f} s CPU and {sr / 1024:.0f} MB "
              f"with the shipped files, {dc:.2f} s and {dr / 1024:.0f} MB with {d['name'].split(', ')[-1]};")
        print(f"    of the {extra:.2f} CPU-s more, {start:.2f} s are the 2 workers' start-up, the rest "
              f"{(extra - start) * 1e6 / d['pages']:.0f} µs/page of scanning (a large automaton misses the caches)")
print()
print("budget (performance.md) against this run:")
def verdict(ok):
    return "meets" if ok else "MISSES"
print(f"  ≥ 3,000 pages/s for the whole run: {g['rate']:.0f} pages/s — {verdict(g['rate'] >= 3000)}")
s = next((r for r in rows if r["name"].startswith("Scrapy")), None)
if s and s["rate"] > 0:
    print(f"  ≥ 10× Scrapy side by side: {g['rate'] / s['rate']:.1f}× — {verdict(g['rate'] >= 10 * s['rate'])}")
print(f"  ≤ 500 µs CPU per page, everything included: {g['us']:.0f} µs — {verdict(g['us'] <= 500)}")
srv_us = g["server"] * 1e6 / max(g["pages"], 1)
print(f"  what the CPU per page allows on {ncores} cores, all of them govsweep's: {ncores * 1e6 / g['us']:.0f} pages/s; "
      f"sharing them with the server ({srv_us:.0f} µs/page): {ncores * 1e6 / (g['us'] + srv_us):.0f} pages/s")
if d:
    print(f"  {d['name'].split(', ')[-1].replace('-term wording', ' terms')} cost about what the shipped dictionary does: {d['us'] / g['us']:.2f}× CPU — "
          f"{verdict(d['us'] <= 1.1 * g['us'])} (within 10%)")
EOF

echo
echo "govsweep by process (sampled every 0.1 s): CPU µs per page of the run's pages, cores used over the run,"
echo "peak RSS, seconds its main threads waited for a CPU (run queue); start-up: from the dispatcher listening to"
echo "the last worker joining (the workers read the data files, build the automata, connect)"
for n in w2 w1 dict; do
    m="$work/gs-$n/m.txt"
    [ -f "$m" ] || continue
    pages=$(sed -n 's/.* complete in [0-9.]* s: \([0-9]*\) pages.*/\1/p' "$work/gs-$n/stderr" | tail -n1)
    wall=$(result "$m" wall_s)
    line=$(grep '^ROLE' "$m" | awk -v p="${pages:-1}" -v w="$wall" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        printf "%s%s×%d %.0f µs/page, %.2f cores, %.0f MB, runq %.1f s", sep, f["name"], f["n"],
               f["cpu_s"] * 1e6 / p, f["cpu_s"] / w, f["hwm_kib"] / 1024, f["runq_s"]; sep = "; " }')
    echo "  $n: $line"
    echo "  $n: start-up $(startup "$work/gs-$n/state/logs/dispatcher.log") s"
done
echo "  w2: the workers' own count: $(grep -ho 'peak RSS [0-9]* KiB, cpu [0-9.]* s' "$work"/gs-w2/state/logs/worker-*.log 2>/dev/null | paste -sd';' - | sed 's/;/; /g')"
echo
echo "$parse_line"
echo
echo "commands (WORK=$work$([ -n "$KEEP" ] || echo ', removed at exit')):"
for c in "${COMMANDS[@]}"; do echo "  $c"; done
