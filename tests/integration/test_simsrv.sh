#!/usr/bin/env bash
# test_simsrv.sh -- the simulated province (gs-simsrv) serves what its files promise.
#
# Starts a small province (8 sites, 12 accounts, the --faults sites) on loopback and
# checks with curl, through the --connect-to lines it writes: the files and their
# determinism, home pages that look like government portals (nav, footer, meta tags,
# charsets), planted dates relative to the reference time (stale >= 15 days, clean <= 14,
# both borderlines, nothing in the future), feeds that parse, every planted defect and
# hostile behaviour, keep-alive, and a clean exit on SIGTERM. Needs only $GS_SIMSRV,
# curl, xmllint, iconv and python3. Prints a line per check, then "N passed, M failed".
set -euo pipefail

: "${GS_SIMSRV:?GS_SIMSRV must point at the gs-simsrv binary}"
for tool in curl xmllint iconv python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 0; }
done

T=$(mktemp -d /tmp/gs-simsrv.XXXXXX)
PIDS=()
PASS=0
FAIL=0
cleanup() {
    local p
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
    done
    if [ "${GS_KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

REF=2021-06-15
ARGS=(--seed 7 --sites 8 --accounts 12 --faults --reference-time "$REF" --defect-rate 0.3)

# start DIR ARGS... -> PID of the server in LAST_PID; waits (bounded) for DIR/ready
start() {
    local d=$1 i=0
    shift
    "$GS_SIMSRV" --out "$d" --port 0 "$@" >"$d.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    while [ ! -e "$d/ready" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$LAST_PID" 2>/dev/null; then
            echo "gs-simsrv did not become ready:" >&2
            cat "$d.log" >&2
            return 1
        fi
        sleep 0.1
    done
}

# The helper that reads the plan and pages (python3, standard library only).
cat >"$T/sim.py" <<'PY'
import datetime as dt, email.utils, json, re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head -n1` is fine

def plan(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]

def dates(text, ref):
    """Every date shown on a page, year-less ones inferred from the reference date."""
    out = []
    for m in re.finditer(r"(20\d\d)(?:-(\d\d)-(\d\d)|/(\d{1,2})/(\d{1,2})|\.(\d\d)\.(\d\d)|年(\d{1,2})月(\d{1,2})日)", text):
        g = [x for x in m.groups()[1:] if x is not None]
        try:
            out.append(dt.date(int(m.group(1)), int(g[0]), int(g[1])))
        except ValueError:
            pass
    for m in re.finditer(r"<span>\[?(\d\d)-(\d\d)\]?</span>", text):
        d = dt.date(ref.year, int(m.group(1)), int(m.group(2)))
        if d > ref:
            d = dt.date(ref.year - 1, d.month, d.day)
        out.append(d)
    return out

def feed_times(path, fmt):
    """Post times of a feed as aware datetimes."""
    data = open(path, "rb").read()
    if fmt == "json":
        return [dt.datetime.fromisoformat(i["date_published"]) for i in json.loads(data)["items"]]
    s = data.decode("utf-8")
    if fmt == "atom":
        return [dt.datetime.fromisoformat(x) for x in re.findall(r"<published>([^<]+)</published>", s)]
    return [email.utils.parsedate_to_datetime(x) for x in re.findall(r"<pubDate>([^<]+)</pubDate>", s)]

cmd = sys.argv[1]
ref = dt.date.fromisoformat(sys.argv[2]) if cmd in ("newest", "feed-newest") else None
if cmd == "newest":          # newest REF FILE -> age in days of the newest date, max date
    ds = dates(open(sys.argv[3], encoding="utf-8", errors="replace").read(), ref)
    print((ref - max(ds)).days if ds else -1, max(ds) if ds else "none", len(ds))
elif cmd == "feed-newest":   # feed-newest REF FILE FMT -> CST calendar age of the newest post
    cst = dt.timezone(dt.timedelta(hours=8))
    ts = feed_times(sys.argv[3], sys.argv[4])
    print((ref - max(ts).astimezone(cst).date()).days, len(ts))
elif cmd == "pick":          # pick PLAN.jsonl EXPR -> hosts/urls of targets where EXPR holds
    for o in plan(sys.argv[2]):
        if eval(sys.argv[3], {}, {"o": o, "codes": [d["code"] for d in o["defects"]],
                                  "causes": [d["cause"] for d in o["defects"]]}):
            print(o["id"], o["host"], o["url"], o.get("charset", o.get("format")), o["newest_days"])
elif cmd == "truth":         # truth TRUTH.jsonl -> checks the records, prints code counts
    seen = {}
    for l in open(sys.argv[2], encoding="utf-8"):
        r = json.loads(l)
        assert set(r) == {"target", "code", "veto", "detail"}, r
        assert isinstance(r["veto"], bool) and isinstance(r["detail"], dict), r
        seen.setdefault(r["code"], []).append(r)
    for c, rs in sorted(seen.items()):
        print(c, len(rs), " ".join(str(r["detail"].get("days", r["detail"].get("cause"))) for r in rs))
PY
py() { python3 "$T/sim.py" "$@"; }

# ---------------------------------------------------------------- start and files
P1="$T/prov"
start "$P1" "${ARGS[@]}"
PID1=$LAST_PID
PORT=$(cat "$P1/port")
CT=()
while IFS= read -r line; do [ -n "$line" ] && CT+=(--connect-to "$line"); done <"$P1/connect-to.txt"
get() { curl -s "${CT[@]}" --max-time 10 "$@"; }

for f in registry.csv truth.jsonl clean.txt connect-to.txt plan.jsonl port ready; do
    check "file $f written" test -e "$P1/$f"
done
check "port file holds the bound port ($PORT)" grep -qxE '[0-9]{2,5}' "$P1/port"
check "connect-to ends with the catch-all to the port" \
    test "$(tail -n1 "$P1/connect-to.txt")" = "::127.0.0.1:$PORT"
check "registry header" test "$(head -n1 "$P1/registry.csv")" = "kind,id,name,region,url,owner,platform,menu_url"
check "registry rows: 8 sites + 7 fault sites + 12 accounts" test "$(tail -n +2 "$P1/registry.csv" | grep -c .)" -eq 27
check "registry: 15 sites then 12 accounts" \
    test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f1 | uniq -c | awk '{printf "%s%s ", $1, $2}')" = "15site 12account "
check "registry: ids unique" test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f2 | sort | uniq -d | wc -l)" -eq 0
check "registry: site ids are 10 digits or bm + 8 digits" \
    test "$(grep ^site, "$P1/registry.csv" | cut -d, -f2 | grep -cvE '^([0-9]{10}|bm[0-9]{8})$' || true)" -eq 0
check "registry: account ids are 16 characters" \
    test "$(grep ^account, "$P1/registry.csv" | cut -d, -f2 | grep -cvE '^[0-9]{6}M[0-9]{3}[A-Z]{2}[0-9]{4}$' || true)" -eq 0
check "registry: every host is a fictional sim- host" \
    test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f5 | grep -cvE '^http://(www\.sim-[a-z0-9-]+\.gov\.cn/|feeds\.sim-bridge\.gov\.cn/[a-z-]+/[0-9A-Z]{16}\.(xml|atom|json))$' || true)" -eq 0
check "registry: 省直部门 first" test "$(sed -n 2p "$P1/registry.csv" | cut -d, -f4)" = "省直部门"
check "registry: accounts have platforms" \
    test "$(grep ^account, "$P1/registry.csv" | cut -d, -f7 | grep -c . || true)" -eq 12

# ---------------------------------------------------------------- truth
TRUTH=$(py truth "$P1/truth.jsonl")
echo "$TRUTH" | sed 's/^/     truth: /'
check "truth: W-HOME-STALE planted, one exactly 15 days" grep -qE '^W-HOME-STALE [0-9]+ (.* )?15( |$)' <<<"$TRUTH"
check "truth: W-UNREACHABLE refused, 503, loop, chain, slow" \
    bash -c 'for c in refused http-503 redirect-loop redirect-chain slow; do grep -q "^W-UNREACHABLE .*$c" <<<"$1" || exit 1; done' _ "$TRUTH"
check "truth: M-STALE planted, one exactly 15 days" grep -qE '^M-STALE [0-9]+ (.* )?15( |$)' <<<"$TRUTH"
check "truth: M-CLOSED as 404, 410 and marker" \
    bash -c 'for c in http-404 http-410 marker; do grep -q "^M-CLOSED .*$c" <<<"$1" || exit 1; done' _ "$TRUTH"
check "truth: M-CLOSED is not a veto, the others are" \
    bash -c '! grep -q "\"M-CLOSED\",\"veto\":true" "$1" && ! grep -qE "\"(W-HOME-STALE|W-UNREACHABLE|M-STALE)\",\"veto\":false" "$1"' _ "$P1/truth.jsonl"
check "truth: a closed account is never also M-STALE" \
    test "$(grep -E '"M-(STALE|CLOSED)"' "$P1/truth.jsonl" | grep -o '"target":"[^"]*"' | sort | uniq -d | wc -l)" -eq 0
check "clean.txt and truth.jsonl are disjoint" \
    test "$(cat "$P1/clean.txt" <(grep -o '"target":"[^"]*"' "$P1/truth.jsonl" | cut -d'"' -f4 | sort -u) | sort | uniq -d | wc -l)" -eq 0
check "plan: a clean site exactly 14 days (borderline)" \
    test -n "$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and not codes and o["newest_days"]==14')"
check "plan: a clean account exactly 14 days (borderline)" \
    test -n "$(py pick "$P1/plan.jsonl" 'o["kind"]=="account" and not codes and o["newest_days"]==14')"

# ---------------------------------------------------------------- determinism
"$GS_SIMSRV" --out "$T/d1" "${ARGS[@]}" --no-serve >/dev/null 2>&1
"$GS_SIMSRV" --out "$T/d2" "${ARGS[@]}" --no-serve >/dev/null 2>&1
for f in registry.csv truth.jsonl clean.txt plan.jsonl; do
    check "--no-serve twice: identical $f" cmp -s "$T/d1/$f" "$T/d2/$f"
done
check "--no-serve and serving write the same truth" cmp -s "$T/d1/truth.jsonl" "$P1/truth.jsonl"
check "--no-serve: connect-to names port 0" test "$(tail -n1 "$T/d1/connect-to.txt")" = "::127.0.0.1:0"
"$GS_SIMSRV" --out "$T/d3" --seed 8 --sites 8 --accounts 12 --faults --reference-time "$REF" --no-serve >/dev/null 2>&1
check "another seed plants another province" bash -c '! cmp -s "$1" "$2"' _ "$T/d1/plan.jsonl" "$T/d3/plan.jsonl"
start "$T/prov2" "${ARGS[@]}"
CT2=(--connect-to "::127.0.0.1:$(cat "$T/prov2/port")")

# ---------------------------------------------------------------- home pages
enc_of() { case $1 in gbk*) echo GBK ;; gb18030) echo GB18030 ;; big5) echo BIG5 ;; *) echo UTF-8 ;; esac; }
home_utf8() { get "http://$1/" | iconv -f "$(enc_of "$2")" -t UTF-8; } # home_utf8 HOST CHARSET
code_of() { get -o /dev/null -w '%{http_code}' "$@"; }
has_all() { # has_all FILE PATTERN... (grep -E)
    local f=$1 pat
    shift
    for pat in "$@"; do grep -qE -- "$pat" "$f" || return 1; done
}
lacks() { ! grep -qiE -- "$2" "$1"; }

read -r CLEAN_ID CLEAN_HOST _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and not o["defects"] and o["charset"]=="utf-8"' | head -n1)"
get "http://$CLEAN_HOST/" -o "$T/home.html" -D "$T/home.h"
check "home of $CLEAN_HOST: 200 with utf-8 declared" grep -qi '^Content-Type: text/html; charset=utf-8' "$T/home.h"
SIZE=$(wc -c <"$T/home.html")
check "home: a realistic size ($SIZE bytes)" test "$SIZE" -ge 12000 -a "$SIZE" -le 80000
NAV=$(sed -n '/<ul class="nav">/,/<\/ul>/p' "$T/home.html" | grep -c '<li>')
check "home: <ul class=\"nav\"> with 8-12 entries ($NAV)" test "$NAV" -ge 8 -a "$NAV" -le 12
check "home: nav starts with 首页 and links columns" \
    has_all "$T/home.html" '<li><a href="/">首页</a></li>' '<li><a href="/col/[a-z]+/index.html">'
check "home: SiteIDCode equals the registry id" grep -q "<meta name=\"SiteIDCode\" content=\"$CLEAN_ID\">" "$T/home.html"
check "home: SiteName and SiteDomain" \
    has_all "$T/home.html" '<meta name="SiteName" content="' "<meta name=\"SiteDomain\" content=\"$CLEAN_HOST\">"
check "home: title and logo alt are the registered name" \
    has_all "$T/home.html" "<title>$(grep ",$CLEAN_ID," "$P1/registry.csv" | cut -d, -f3)</title>" \
    "<img src=\"/images/logo.png\" alt=\"$(grep ",$CLEAN_ID," "$P1/registry.csv" | cut -d, -f3)\">"
for item in 主办单位 联系电话 "网站标识码：$CLEAN_ID" '湘ICP备[0-9]{8}号' '湘公网安备 [0-9]{14}号' '&copy; [0-9]{4}-2021' 版权所有 \
    'https?://bszs\.conac\.cn/sitename\?method=show&amp;id=' \
    "https://zfwzzc\.www\.gov\.cn/check_web/errorInfo_querySiteInfo\.action\?sitecode=$CLEAN_ID"; do
    check "home footer: $item" grep -qE "$item" "$T/home.html"
done
check "home: phone like 0731-88886666" grep -qE '联系电话：0[0-9]{3}-[0-9]{8}' "$T/home.html"
check "home: inline CSS and JS" has_all "$T/home.html" '<style' '<script'
check "home: same bytes from a second server with the same arguments" \
    cmp -s "$T/home.html" <(curl -s "${CT2[@]}" "http://$CLEAN_HOST/")
check "home: /index.html is the home page" cmp -s "$T/home.html" <(get "http://$CLEAN_HOST/index.html")

# every internal link of the home page resolves
BROKEN=0
for u in $(grep -oE 'href="/[^"]*"' "$T/home.html" | cut -d'"' -f2 | sort -u); do
    code=$(code_of "http://$CLEAN_HOST$u")
    [ "$code" = 200 ] || { echo "     broken: $u ($code)"; BROKEN=$((BROKEN + 1)); }
done
check "home: every internal link answers 200" test "$BROKEN" -eq 0

# encodings
read -r _ GBK_HOST _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and o.get("charset")=="gbk" and "refused" not in causes' | head -n1)"
get "http://$GBK_HOST/" -o "$T/gbk.html" -D "$T/gbk.h"
check "GBK site $GBK_HOST: declared gbk in header and meta" \
    bash -c 'grep -qi "^Content-Type: text/html; charset=gbk" "$1" && grep -q "charset=gbk\">" "$2"' _ "$T/gbk.h" "$T/gbk.html"
check "GBK site: bytes are GBK (iconv -f GBK)" bash -c 'iconv -f GBK -t UTF-8 "$1" | grep -q 人民政府' _ "$T/gbk.html"
check "GBK site: bytes are not UTF-8" bash -c '! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1' _ "$T/gbk.html"
read -r _ NODECL_HOST _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and o.get("charset")=="gbk-undeclared" and "refused" not in causes' | head -n1)"
get "http://$NODECL_HOST/" -o "$T/nodecl.html" -D "$T/nodecl.h"
check "undeclared GBK site $NODECL_HOST: no charset in header or page" \
    bash -c '! grep -qi charset "$1" && ! grep -qi "charset" "$2"' _ "$T/nodecl.h" "$T/nodecl.html"
check "undeclared GBK site: GBK bytes" bash -c 'iconv -f GBK -t UTF-8 "$1" | grep -q 人民政府' _ "$T/nodecl.html"
read -r _ BIG5_HOST _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and o.get("charset")=="big5" and "refused" not in causes' | head -n1)"
get "http://$BIG5_HOST/" -o "$T/big5.html" -D "$T/big5.h"
check "Big5 site $BIG5_HOST: declared big5, Traditional text in valid Big5" \
    bash -c 'grep -qi "charset=big5" "$1" && iconv -f BIG5 -t UTF-8 "$2" | grep -q "網站"' _ "$T/big5.h" "$T/big5.html"

# ---------------------------------------------------------------- dates
FUTURE=0
WRONG=0
while read -r id host _ cs days; do
    home_utf8 "$host" "$cs" >"$T/d.html" 2>/dev/null || true
    read -r age newest _ <<<"$(py newest "$REF" "$T/d.html")"
    if [ "$age" -lt 0 ]; then
        echo "     $host shows $newest, after $REF"
        FUTURE=$((FUTURE + 1))
    fi
    if [ "$age" -ne "$days" ]; then
        echo "     $host newest $newest ($age days), planned $days"
        WRONG=$((WRONG + 1))
    fi
done < <(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and not (set(causes) & {"refused","http-503","redirect-loop","redirect-chain","slow","huge-body","huge-body-chunked","gzip-bomb","malformed-html"})')
check "no home page shows a date after the reference date" test "$FUTURE" -eq 0
check "every home page's newest date is the planned one" test "$WRONG" -eq 0
read -r _ STALE_HOST _ STALE_CS _ <<<"$(py pick "$P1/plan.jsonl" '"W-HOME-STALE" in codes and o["newest_days"]==15')"
read -r age newest _ <<<"$(py newest "$REF" <(home_utf8 "$STALE_HOST" "$STALE_CS"))"
check "borderline stale site $STALE_HOST: newest home date $newest is 15 days old" test "$age" -eq 15
read -r _ B14_HOST _ B14_CS _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and not codes and o["newest_days"]==14' | head -n1)"
read -r age newest _ <<<"$(py newest "$REF" <(home_utf8 "$B14_HOST" "$B14_CS"))"
check "borderline clean site $B14_HOST: newest home date $newest is 14 days old" test "$age" -eq 14
check "home lists use year-less dates somewhere ([06-28] or 06-28)" \
    grep -qE '"home_formats":\[[^]]*"\[?mm-dd\]?"' "$P1/plan.jsonl"

# column pages and articles of the clean site
get "http://$CLEAN_HOST/col/zwdt/index.html" -o "$T/col.html"
check "column page: ColumnName meta and a dated list" \
    has_all "$T/col.html" '<meta name="ColumnName" content="政务动态">' '<ul class="list">' '<span>20[0-9]{2}'
ART=$(grep -oE 'href="/art/[^"]+"' "$T/home.html" | head -n1 | cut -d'"' -f2)
get "http://$CLEAN_HOST$ART" -o "$T/art.html"
ART_DAY=$(echo "$ART" | awk -F/ '{printf "%04d-%02d-%02d", $3, $4, $5}')
check "article $ART: ArticleTitle, PubDate of its URL's day, ContentSource" \
    has_all "$T/art.html" '<meta name="ArticleTitle" content="' \
    "<meta name=\"PubDate\" content=\"$ART_DAY [0-9]{2}:[0-9]{2}\">" '<meta name="ContentSource" content="'
check "article: a wrong date in the URL is 404" test "$(code_of "http://$CLEAN_HOST${ART/\/art\/20/\/art\/19}")" = 404
check "robots.txt allows all" test "$(get "http://$CLEAN_HOST/robots.txt")" = "$(printf 'User-agent: *\nDisallow:')"
check "favicon.ico is 404" test "$(code_of "http://$CLEAN_HOST/favicon.ico")" = 404
check "unknown host is 404" test "$(code_of http://www.sim-nosuch.gov.cn/)" = 404
check "HEAD on a home page: 200 with a length" \
    bash -c 'curl -sI "${@:2}" "http://$1/" | grep -qi "^Content-Length: [1-9]"' _ "$CLEAN_HOST" "${CT[@]}"
check "keep-alive: the second request reuses the connection" \
    bash -c 'curl -sv "${@:2}" "http://$1/robots.txt" "http://$1/robots.txt" 2>&1 >/dev/null | grep -q "Re-using existing connection"' _ "$CLEAN_HOST" "${CT[@]}"

# pagination and the page budget: a bigger site
start "$T/big" --seed 3 --sites 1 --accounts 0 --pages-per-site 200 --reference-time "$REF" --defect-rate 0
BIG=(--connect-to "::127.0.0.1:$(cat "$T/big/port")")
read -r _ BIG_HOST _ <<<"$(py pick "$T/big/plan.jsonl" 'True')"
BIG_PAGES=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["pages"])' "$T/big/plan.jsonl")
check "a --pages-per-site 200 site has about 200 pages ($BIG_PAGES)" test "$BIG_PAGES" -ge 180 -a "$BIG_PAGES" -le 220
curl -s "${BIG[@]}" "http://$BIG_HOST/col/zwdt/index.html" -o "$T/p1.html"
N1=$(sed -n '/<div class="content-list">/,/<\/ul>/p' "$T/p1.html" | grep -ac '<li>')
check "column page 1 lists 15-20 items ($N1)" test "$N1" -ge 15 -a "$N1" -le 20
check "column page links index_2.html in <div class=\"page\">" env LC_ALL=C grep -aq '<div class="page">.*href="/col/zwdt/index_2.html"' "$T/p1.html"
check "index_2.html is served" test "$(curl -s -o /dev/null -w '%{http_code}' "${BIG[@]}" "http://$BIG_HOST/col/zwdt/index_2.html")" = 200

# ---------------------------------------------------------------- feeds
FEEDBAD=0
CLOSEDOK=0
while read -r id _ url fmt days; do
    code=$(get -o "$T/feed" -w '%{http_code}' "$url")
    if [ -n "$(py pick "$P1/plan.jsonl" "o['id']=='$id' and o['closed']")" ]; then
        if [ "$code" = 404 ] || [ "$code" = 410 ] || { [ "$code" = 200 ] && grep -q 该账号已注销 "$T/feed"; }; then
            CLOSEDOK=$((CLOSEDOK + 1))
        else
            echo "     closed $url answered $code"
            FEEDBAD=$((FEEDBAD + 1))
        fi
        continue
    fi
    case $fmt in
    json) python3 -m json.tool "$T/feed" >/dev/null 2>&1 || { echo "     bad JSON: $url"; FEEDBAD=$((FEEDBAD + 1)); } ;;
    *) xmllint --noout "$T/feed" 2>/dev/null || { echo "     bad XML: $url"; FEEDBAD=$((FEEDBAD + 1)); } ;;
    esac
    read -r age n <<<"$(py feed-newest "$REF" "$T/feed" "$fmt")"
    if [ "$code" != 200 ] || [ "$age" -ne "$days" ] || [ "$n" -lt 10 ] || [ "$n" -gt 20 ]; then
        echo "     $url: $code, newest post $age days old, $n posts (planned $days days)"
        FEEDBAD=$((FEEDBAD + 1))
    fi
done < <(py pick "$P1/plan.jsonl" 'o["kind"]=="account"')
check "feeds parse (xmllint / json.tool), 10-20 posts, newest as planned" test "$FEEDBAD" -eq 0
check "closed accounts answer 404, 410 or the 该账号已注销 page (3)" test "$CLOSEDOK" -eq 3
check "feed formats: RSS, Atom and JSON Feed all present" \
    has_all "$P1/plan.jsonl" '"format":"rss"' '"format":"atom"' '"format":"json"'
read -r _ _ GMT_URL _ GMT_DAYS <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="account" and o["gmt"] and not o["closed"]' | head -n1)"
get "$GMT_URL" -o "$T/gmt.xml"
check "an RSS feed in GMT: pubDate ... GMT" \
    grep -qE '<pubDate>[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} [0-9:]{8} GMT</pubDate>' "$T/gmt.xml"
check "the GMT feed's newest post is on the planned CST day" \
    test "$(py feed-newest "$REF" "$T/gmt.xml" rss | cut -d' ' -f1)" = "$GMT_DAYS"
read -r _ _ CST_URL _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="account" and o["format"]=="rss" and not o["gmt"] and not o["closed"]' | head -n1)"
check "other RSS feeds in +0800" bash -c 'curl -s "${@:2}" "$1" | grep -q "<pubDate>.* +0800</pubDate>"' _ "$CST_URL" "${CT[@]}"
read -r _ _ MS_URL MS_FMT _ <<<"$(py pick "$P1/plan.jsonl" '"M-STALE" in codes and o["newest_days"]==15')"
get "$MS_URL" -o "$T/ms"
check "borderline stale account: newest post exactly 15 days old" test "$(py feed-newest "$REF" "$T/ms" "$MS_FMT" | cut -d' ' -f1)" = 15
read -r _ _ MC_URL MC_FMT _ <<<"$(py pick "$P1/plan.jsonl" 'o["kind"]=="account" and not codes and o["newest_days"]==14')"
get "$MC_URL" -o "$T/mc"
check "borderline clean account: newest post exactly 14 days old" test "$(py feed-newest "$REF" "$T/mc" "$MC_FMT" | cut -d' ' -f1)" = 14
check "feed: same bytes from the second server" cmp -s "$T/mc" <(curl -s "${CT2[@]}" "$MC_URL")

# ---------------------------------------------------------------- unreachable and hostile sites
all_503() {
    local p
    for p in / /index.html /col/zwdt/index.html /robots.txt; do
        [ "$(code_of "http://$1$p")" = 503 ] || return 1
    done
}
H503=$(py pick "$P1/plan.jsonl" '"http-503" in causes' | awk '{print $2}')
check "503 site $H503 answers 503 on every path" all_503 "$H503"
HREF=$(py pick "$P1/plan.jsonl" '"refused" in causes' | awk '{print $2}')
rc=0
get -o /dev/null "http://$HREF/" || rc=$?
check "refused host $HREF: connection refused (curl exit 7)" test "$rc" -eq 7
rc=0
get -L --max-redirs 5 -o /dev/null http://www.sim-fault-loop.gov.cn/ || rc=$?
check "redirect loop: curl --max-redirs 5 fails with 47" test "$rc" -eq 47
check "redirect chain: 50 redirects, then the home page" \
    test "$(get -L --max-redirs 60 -o /dev/null -w '%{http_code} %{num_redirects}' http://www.sim-fault-chain.gov.cn/)" = "200 50"
rc=0
get -L --max-redirs 20 -o /dev/null http://www.sim-fault-chain.gov.cn/ || rc=$?
check "redirect chain: a browser's 20 redirects are not enough (47)" test "$rc" -eq 47
rc=0
get --max-filesize 1000000 -o /dev/null http://www.sim-fault-huge.gov.cn/ || rc=$?
check "huge body: a Content-Length of 100 MB, refused by --max-filesize (63)" test "$rc" -eq 63
check "huge body: all 104857600 bytes stream" \
    test "$(get -o /dev/null -w '%{size_download}' http://www.sim-fault-huge.gov.cn/)" = 104857600
get -D "$T/chunked.h" -o /dev/null http://www.sim-fault-hugechunked.gov.cn/
check "huge chunked body: chunked, no Content-Length" \
    bash -c 'grep -qi "^Transfer-Encoding: chunked" "$1" && ! grep -qi "^Content-Length" "$1"' _ "$T/chunked.h"
HEADN=$( (get http://www.sim-fault-hugechunked.gov.cn/ || true) | head -c 1000000 | wc -c)
check "huge chunked body: head -c 1000000 gets its bytes ($HEADN)" test "$HEADN" -eq 1000000
RSS_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$PID1/status")
check "server RSS stays small after streaming 200 MB (${RSS_KB} kB)" test "$RSS_KB" -lt 102400
get -D "$T/bomb.h" -o "$T/bomb.gz" http://www.sim-fault-bomb.gov.cn/
BOMB=$(wc -c <"$T/bomb.gz")
check "gzip bomb: Content-Encoding: gzip" grep -qi '^Content-Encoding: gzip' "$T/bomb.h"
check "gzip bomb: $BOMB bytes on the wire" test "$BOMB" -lt 2000000
check "gzip bomb: inflates to exactly 1 GiB, CRC valid, a home page first" python3 - "$T/bomb.gz" <<'PY'
import sys, zlib
d = zlib.decompressobj(31)
out = d.decompress(open(sys.argv[1], "rb").read(), 1 << 20)
assert out.startswith(b"<!DOCTYPE html>"), out[:40]
n = len(out)
while d.unconsumed_tail:
    n += len(d.decompress(d.unconsumed_tail, 1 << 26))
n += len(d.flush())
assert d.eof and n == 1 << 30, (d.eof, n)
PY
rc=0
get --max-time 3 -o "$T/slow.out" http://www.sim-fault-slow.gov.cn/ || rc=$?
SLOWN=$(wc -c <"$T/slow.out")
check "slow host: a byte a second (timed out after 3 s with $SLOWN bytes, exit $rc)" \
    test "$rc" -eq 28 -a "$SLOWN" -ge 2 -a "$SLOWN" -le 4
get -o "$T/mal.html" http://www.sim-fault-malformed.gov.cn/
check "malformed HTML: NULs, bytes that are not UTF-8, no closing tag" python3 - "$T/mal.html" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"\0") >= 3 and b"\xff\xfe" in b and b"</html>\n" not in b[-100:]
PY
read -r age newest _ <<<"$(py newest "$REF" "$T/mal.html")"
check "malformed HTML: still shows a fresh date ($newest)" test "$age" -ge 0 -a "$age" -le 14

# ---------------------------------------------------------------- shutdown
get --max-time 30 -o /dev/null http://www.sim-fault-slow.gov.cn/ &
SLOWPID=$!
sleep 1.5
T1=$(date +%s%N)
kill -TERM "$PID1"
rc=0
wait "$PID1" || rc=$?
MS=$((($(date +%s%N) - T1) / 1000000))
check "SIGTERM with a slow download in flight: exit 0 in ${MS} ms" test "$rc" -eq 0 -a "$MS" -lt 5000
wait "$SLOWPID" 2>/dev/null || true
check "log says it stopped" grep -q "stopping after" "$P1.log"
check "ready is removed on exit" test ! -e "$P1/ready"
for pid in "${PIDS[@]:1}"; do
    kill -INT "$pid"
    rc=0
    wait "$pid" || rc=$?
    check "SIGINT to server $pid: exit 0" test "$rc" -eq 0
done
PIDS=()

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
