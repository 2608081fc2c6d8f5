#!/usr/bin/env bash
# test_simsrv.sh -- the simulated province (gs-simsrv) serves what its files promise.
#
# Starts a small province (8 sites, 12 accounts, the --faults sites) on loopback and
# checks with curl, through the --connect-to lines it writes: the files and their
# determinism, home pages that look like government portals (nav, footer, meta tags,
# charsets), planted dates relative to the reference time (stale >= 15 days, clean <= 14,
# both borderlines, nothing in the future), feeds that parse, every hostile behaviour
# (redirects, huge bodies, gzip bomb, slow, reset, timeout, 502, refused, flapping), HTTPS
# with the test CA and IPv6, keep-alive, and a clean exit on SIGTERM. Then a province
# with every defect row planted, read page by page by the reference checker
# tests/sim/sim_check.py, which must find exactly what truth.jsonl says (and nothing on a
# clean target); the thresholds on both sides; each certificate variant with openssl;
# cloaking for each spider; a province without the holiday calendar. Needs $GS_SIMSRV,
# curl, xmllint, iconv, openssl and python3 (opencc for the Big5 pages). Prints a line per
# check, then "N passed, M failed".
set -euo pipefail

: "${GS_SIMSRV:?GS_SIMSRV must point at the gs-simsrv binary}"
for tool in curl xmllint iconv openssl python3; do
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
check "connect-to ends with the catch-all to the ::1 listener on the port" \
    test "$(tail -n1 "$P1/connect-to.txt")" = "::[::1]:$PORT"
check "connect-to routes port 443 to the HTTPS listener" \
    grep -qxE ":443:127\.0\.0\.1:[0-9]+" "$P1/connect-to.txt"
check "registry header" test "$(head -n1 "$P1/registry.csv")" = "kind,id,name,region,url,owner,platform,menu_url"
check "registry rows: 8 sites + 12 fault sites + 12 accounts" test "$(tail -n +2 "$P1/registry.csv" | grep -c .)" -eq 32
check "registry: 20 sites then 12 accounts" \
    test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f1 | uniq -c | awk '{printf "%s%s ", $1, $2}')" = "20site 12account "
check "registry: ids unique" test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f2 | sort | uniq -d | wc -l)" -eq 0
check "registry: site ids are 10 digits or bm + 8 digits" \
    test "$(grep ^site, "$P1/registry.csv" | cut -d, -f2 | grep -cvE '^([0-9]{10}|bm[0-9]{8})$' || true)" -eq 0
check "registry: account ids are 16 characters" \
    test "$(grep ^account, "$P1/registry.csv" | cut -d, -f2 | grep -cvE '^[0-9]{6}M[0-9]{3}[A-Z]{2}[0-9]{4}$' || true)" -eq 0
check "registry: every host is a fictional sim- host" \
    test "$(tail -n +2 "$P1/registry.csv" | cut -d, -f5 | grep -cvE '^http://(www\.sim-[a-z0-9-]+\.(gov|com|org)\.cn/|feeds\.sim-bridge\.gov\.cn/[a-z-]+/[0-9A-Z]{16}\.(xml|atom|json))$' || true)" -eq 0
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
    "<a href=\"https://zfwzzc\.www\.gov\.cn/check_web/errorInfo/jcInfoNew\?sitecode=$CLEAN_ID\" target=\"_blank\"><img src=\"/images/jiucuo\.png\" alt=\"我为政府网站找错\">我为政府网站找错</a>"; do
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
done < <(py pick "$P1/plan.jsonl" 'o["kind"]=="site" and not o["fault"] and not (set(causes) & {"refused","http-503"})')
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
for HREF in $(py pick "$P1/plan.jsonl" '"refused" in causes' | awk '{print $2}'); do
    rc=0
    get -o /dev/null "http://$HREF/" || rc=$?
    check "refused host $HREF: connection refused (curl exit 7)" test "$rc" -eq 7
done
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

# ---------------------------------------------------------------- the faults added later
rc=0
get -o "$T/reset.out" -D "$T/reset.h" http://www.sim-fault-reset.gov.cn/ || rc=$?
RESETN=$(wc -c <"$T/reset.out")
RESETLEN=$(grep -i '^Content-Length:' "$T/reset.h" | tr -dc 0-9)
check "reset host: 4096 of $RESETLEN body bytes, then the connection is reset (curl exit 56, got $rc)" \
    test "$rc" -eq 56 -a "$RESETN" -eq 4096 -a "$RESETLEN" -gt 4096
rc=0
get -v --max-time 3 -o "$T/timeout.out" http://www.sim-fault-timeout.gov.cn/ 2>"$T/timeout.err" || rc=$?
check "timeout host: connects, then nothing until curl gives up (exit 28, got $rc)" \
    bash -c 'test "$1" -eq 28 && test ! -s "$2" && grep -q "Connected to" "$3"' _ "$rc" "$T/timeout.out" "$T/timeout.err"
all_code() { # all_code HOST CODE: every path answers CODE
    local p
    for p in / /index.html /col/zwdt/index.html /robots.txt; do
        [ "$(code_of "http://$1$p")" = "$2" ] || return 1
    done
}
check "bad-gateway host answers 502 on every path" all_code www.sim-fault-badgateway.gov.cn 502
check "truth: reset, timeout, http-502 and the refused fault site are W-UNREACHABLE veto" \
    bash -c 'for c in reset timeout http-502; do grep -q "\"W-UNREACHABLE\",\"veto\":true,\"detail\":{\"cause\":\"$c\"}" "$1" || exit 1; done' _ "$P1/truth.jsonl"
check "truth: the flapping site has no line (the availability watch decides)" \
    bash -c '! grep -q "\"target\":\"$(grep -o "[0-9]*,[^,]*,省直部门,http://www.sim-fault-flap.gov.cn/" "$1" | cut -d, -f1)\"" "$2"' _ "$P1/registry.csv" "$P1/truth.jsonl"
check "plan: the flapping site carries its rate (0.1)" grep -q '"flap_rate":0.1' "$P1/plan.jsonl"
# 100 requests to the flapping host: exactly 10 % fail, alternately 503 and a stall.
FLAP=""
for i in $(seq 1 100); do
    FLAP+="$(get --max-time 1 -o /dev/null -w '%{http_code}' http://www.sim-fault-flap.gov.cn/robots.txt || true) "
done
N200=$(grep -o 200 <<<"$FLAP" | wc -l)
N503=$(grep -o 503 <<<"$FLAP" | wc -l)
N000=$(grep -o 000 <<<"$FLAP" | wc -l)
check "flap: 100 requests give 90 x 200, 5 x 503, 5 stalls ($N200/$N503/$N000)" \
    test "$N200" -eq 90 -a "$N503" -eq 5 -a "$N000" -eq 5
check "flap: the 10th request fails first, deterministically" test "$(cut -d' ' -f10 <<<"$FLAP")" = 503
# Requests 101-109 pass, 110 is a 503, 120 a stall: it must outlast a 15 s probe deadline.
for i in $(seq 101 119); do get --max-time 1 -o /dev/null http://www.sim-fault-flap.gov.cn/robots.txt || true; done
rc=0
get --max-time 16 -o /dev/null http://www.sim-fault-flap.gov.cn/robots.txt || rc=$?
check "flap: a stalled answer outlasts the 15 s probe deadline (curl --max-time 16: exit $rc)" test "$rc" -eq 28

# ---------------------------------------------------------------- HTTPS and IPv6
check "ca.pem is the test CA" bash -c 'openssl x509 -in "$1" -noout -subject | grep -q "gs-simsrv simulated province test CA"' _ "$P1/ca.pem"
check "ca.pem is a CA certificate" bash -c 'openssl x509 -in "$1" -noout -text | grep -q "CA:TRUE"' _ "$P1/ca.pem"
get --cacert "$P1/ca.pem" -o "$T/home-https.html" "https://$CLEAN_HOST/"
check "clean site over HTTPS with ca.pem: the same home page" cmp -s "$T/home.html" "$T/home-https.html"
rc=0
get -o /dev/null "https://$CLEAN_HOST/" || rc=$?
check "clean site over HTTPS without ca.pem: not trusted (curl exit 60, got $rc)" test "$rc" -eq 60
check "national hosts answer over HTTPS too (the conac badge, 找错)" \
    bash -c 'for u in https://bszs.conac.cn/sitename https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew; do
        [ "$(curl -s "${@:2}" --cacert "$1" -o /dev/null -w "%{http_code}" "$u")" = 200 ] || exit 1; done' _ "$P1/ca.pem" "${CT[@]}"
check "clean site over IPv6 only (curl -6): served from ::1" \
    test "$(get -6 -o /dev/null -w '%{http_code} %{remote_ip}' "http://$CLEAN_HOST/")" = "200 ::1"
check "no ipv6-unavailable marker on a machine with ::1" test ! -e "$P1/ipv6-unavailable"

# ---------------------------------------------------------------- every defect: a province that has them all
# The sample province's size (24 sites, 48 accounts) with the --faults sites: every row of
# the defect table is planted, and the reference checker (tests/sim/sim_check.py) reads
# every page and feed and must find exactly what truth.jsonl says, and nothing on a clean
# target.
SIMCHECK=$(cd "$(dirname "$0")/../sim" && pwd)/sim_check.py
DATA=$(cd "$(dirname "$0")/../.." && pwd)/data
FULL=(--seed 2021 --sites 24 --accounts 48 --pages-per-site 60 --defect-rate 0.25 --faults --reference-time "$REF")
P2="$T/full"
start "$P2" "${FULL[@]}"
CT2=()
while IFS= read -r line; do [ -n "$line" ] && CT2+=(--connect-to "$line"); done <"$P2/connect-to.txt"
get2() { curl -s "${CT2[@]}" --max-time 10 "$@"; }
check "full province: every defect row planted (no warning)" bash -c '! grep -q "not planted" "$1"' _ "$P2.log"
check "full province: a truth line for every finding code of data/codes.tsv" \
    bash -c 'for c in $(grep -v "^#" "$1/codes.tsv" | cut -f1); do grep -q "\"code\":\"$c\"" "$2" || { echo "     no $c"; exit 1; }; done' _ "$DATA" "$P2/truth.jsonl"
check "full province: some targets stay clean" test "$(grep -c . "$P2/clean.txt")" -ge 10
check "full province: clean.txt and truth.jsonl are disjoint" \
    test "$(cat "$P2/clean.txt" <(grep -o '"target":"[^"]*"' "$P2/truth.jsonl" | cut -d'"' -f4 | sort -u) | sort | uniq -d | wc -l)" -eq 0
check "full province: WeChat accounts list their menu in the registry" \
    test "$(grep -cE ',微信(订阅|服务)号,http://feeds\.sim-bridge\.gov\.cn/menu/[0-9A-Z]{16}\.json$' "$P2/registry.csv")" -eq "$(grep -cE ',微信(订阅|服务)号,' "$P2/registry.csv")"
python3 "$SIMCHECK" "$P2" "$DATA" >"$T/simcheck.txt" 2>&1 && rc=0 || rc=$?
sed 's/^/     /' "$T/simcheck.txt" | tail -n 25
check "sim_check.py: every page and feed shows exactly what truth.jsonl says" test "$rc" -eq 0
"$GS_SIMSRV" --out "$T/f1" "${FULL[@]}" --no-serve >/dev/null 2>&1
"$GS_SIMSRV" --out "$T/f2" "${FULL[@]}" --no-serve >/dev/null 2>&1
for f in registry.csv truth.jsonl clean.txt plan.jsonl; do
    check "full province, --no-serve twice: identical $f" cmp -s "$T/f1/$f" "$T/f2/$f"
done
check "full province: serving writes the same truth" cmp -s "$T/f1/truth.jsonl" "$P2/truth.jsonl"

# The thresholds on both sides, as the truth states them (the pages agree, by sim_check).
cat >"$T/sides.py" <<'PY'
import collections, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for l in lines:
    by[(l["target"], l["code"])].append(l)
want = sys.argv[2]
def cols(code, veto):
    return sorted(len(v) for (t, c), v in by.items() if c == code and v[0]["veto"] == veto)
if want == "stale-days":   # a news column at 15 days, a notice at 184, personnel at 366
    days = {(l["detail"]["cause"], l["detail"]["days"]) for l in lines if l["code"] == "W-COLUMN-STALE"}
    assert {("news", 15), ("notice", 184), ("personnel", 366)} <= days, days
elif want == "stale-count":  # 4 (+1 second-level) and 9 stale without veto, 5 and 10 with
    assert {5, 10} <= set(cols("W-COLUMN-STALE", True)), cols("W-COLUMN-STALE", True)
    assert 9 in cols("W-COLUMN-STALE", False), cols("W-COLUMN-STALE", False)
elif want == "blank":       # 4 blank columns without veto, 5 with
    assert 4 in cols("W-COLUMN-BLANK", False) and 5 in cols("W-COLUMN-BLANK", True)
elif want == "interact":    # 91 days: unanswered and late, both a veto, and slow replies
    d = {(l["detail"]["cause"], l["detail"].get("days")) for l in lines if l["code"] == "W-INTERACT"}
    assert {("unanswered-90", 91), ("late-90", 91), ("no-channel", None)} <= d, d
    assert all(l["veto"] is False for l in lines if l["code"] == "W-INTERACT-SLOW")
PY
for s in stale-days stale-count blank interact; do
    check "truth on both sides of the thresholds: $s" python3 "$T/sides.py" "$P2/truth.jsonl" "$s"
done
# The borderline companions (exactly at the limit: not stale) as the pages show them.
BORDER=$(py pick "$P2/plan.jsonl" '"borderline" in causes' | head -n1 | awk '{print $2}')
for pair in bmdt:14 zcwj:183 ghjh:365 yw:15 tzgg:184 rsxx:366; do
    read -r age newest _ <<<"$(py newest "$REF" <(get2 "http://$BORDER/col/${pair%%:*}/index.html" | iconv -f "$(enc_of "$(grep "\"$BORDER\"" "$P2/plan.jsonl" | grep -o '"charset":"[^"]*"' | cut -d'"' -f4)")" -t UTF-8))"
    check "borderline site $BORDER: column ${pair%%:*} newest $newest is ${pair##*:} days old" test "$age" -eq "${pair##*:}"
done

# HTTPS variants, with curl and openssl
tls_host() { py pick "$P2/plan.jsonl" "\"$1\" in causes and 'W-HTTPS' in codes" | head -n1 | awk '{print $2}'; }
tls_rc() { local rc=0; get2 --cacert "$P2/ca.pem" -o /dev/null "https://$1/" || rc=$?; echo "$rc"; }
peer_cert() { openssl s_client -connect "127.0.0.1:$(grep -oE '^:443:127\.0\.0\.1:[0-9]+$' "$P2/connect-to.txt" | cut -d: -f4)" \
    -servername "$1" </dev/null 2>/dev/null | openssl x509 2>/dev/null; }
check "W-HTTPS none: port 443 refused (curl exit 7)" test "$(tls_rc "$(tls_host none)")" -eq 7
check "W-HTTPS expired: not verified (curl exit 60), notAfter in the past" \
    bash -c 'test "$1" -eq 60 && test -n "$2" && ! openssl x509 -noout -checkend 0 <<<"$2" >/dev/null' _ "$(tls_rc "$(tls_host expired)")" "$(peer_cert "$(tls_host expired)")"
check "W-HTTPS expiring: verified, and expires within 30 days" \
    bash -c 'test "$1" -eq 0 && openssl x509 -noout -checkend 0 <<<"$2" >/dev/null && ! openssl x509 -noout -checkend 2592000 <<<"$2" >/dev/null' _ "$(tls_rc "$(tls_host expiring)")" "$(peer_cert "$(tls_host expiring)")"
check "W-HTTPS untrusted: self-signed (curl exit 60)" \
    bash -c 'test "$1" -eq 60 && [ "$(openssl x509 -noout -subject <<<"$2" | sed "s/^subject=//")" = "$(openssl x509 -noout -issuer <<<"$2" | sed "s/^issuer=//")" ]' _ "$(tls_rc "$(tls_host untrusted)")" "$(peer_cert "$(tls_host untrusted)")"
check "W-HTTPS wrong-host: made out to another name (curl exit 60)" \
    bash -c 'test "$1" -eq 60 && openssl x509 -noout -ext subjectAltName <<<"$2" | grep -q "DNS:www.sim-shared-hosting.gov.cn"' _ "$(tls_rc "$(tls_host wrong-host)")" "$(peer_cert "$(tls_host wrong-host)")"
V4=$(py pick "$P2/plan.jsonl" '"v4-only" in causes' | head -n1 | awk '{print $2}')
rc=0
get2 -6 -o /dev/null "http://$V4/" || rc=$?
check "W-IPV6 site $V4: fails over IPv6 (curl -6 exit $rc), answers over IPv4" \
    bash -c 'test "$1" -ne 0 && [ "$(curl -s "${@:3}" -o /dev/null -w "%{http_code}" "http://$2/")" = 200 ]' _ "$rc" "$V4" "${CT2[@]}"
# Cloaking: what a spider is shown
CLOAK=$(py pick "$P2/plan.jsonl" '"cloaking" in causes' | head -n1 | awk '{print $2}')
CLOAK_CS=$(enc_of "$(grep "\"$CLOAK\"" "$P2/plan.jsonl" | grep -o '"charset":"[^"]*"' | cut -d'"' -f4)")
# home_text UA: the cloaking site's home page as that User-Agent gets it, in Simplified UTF-8
home_text() {
    local t2s=(cat)
    command -v opencc >/dev/null && t2s=(opencc -c t2s.json)
    get2 -A "$1" "http://$CLOAK/" | iconv -f "$CLOAK_CS" -t UTF-8 | python3 -c 'import html,sys; print(html.unescape(sys.stdin.read()))' | "${t2s[@]}"
}
home_text "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" >"$T/cloak-browser.html"
for ua in Baiduspider "Sogou web spider" 360Spider Googlebot bingbot; do
    home_text "Mozilla/5.0 (compatible; $ua/2.0)" >"$T/cloak-spider.html"
    check "cloaking site $CLOAK: $ua gets the spam title, a browser does not" \
        bash -c 'grep -q "<title>网上娱乐城" "$1" && ! grep -q "网上娱乐城" "$2"' _ "$T/cloak-spider.html" "$T/cloak-browser.html"
done

# ---------------------------------------------------------------- no holiday calendar; small provinces
mkdir -p "$T/nodata"
for f in columns.tsv spam.tsv wording.tsv site-terms.tsv; do [ -e "$DATA/$f" ] && cp "$DATA/$f" "$T/nodata/"; done
P3="$T/nohol"
start "$P3" --seed 5 --sites 12 --accounts 8 --reference-time 2020-10-20T15:30 --data-dir "$T/nodata"
check "without holidays.tsv the server says so" grep -q "no holidays.tsv" "$P3.log"
python3 "$SIMCHECK" "$P3" "$T/nodata" >"$T/simcheck3.txt" 2>&1 && rc=0 || rc=$?
tail -n 5 "$T/simcheck3.txt" | sed 's/^/     /'
check "sim_check.py without a calendar: pages and truth agree (Monday-Friday only)" test "$rc" -eq 0
"$GS_SIMSRV" --out "$T/tiny" --seed 1 --sites 6 --accounts 6 --reference-time "$REF" --no-serve 2>"$T/tiny.err" >/dev/null
check "a province too small for every row says so" grep -q "defect rows not planted" "$T/tiny.err"
"$GS_SIMSRV" --out "$T/zero" --seed 1 --sites 12 --accounts 12 --reference-time "$REF" --defect-rate 0 --no-serve >/dev/null 2>&1
check "--defect-rate 0: every target clean, no truth" \
    bash -c 'test ! -s "$1/truth.jsonl" && test "$(grep -c . "$1/clean.txt")" -eq 24' _ "$T/zero"
check "option errors: --flap-rate 2 is refused (exit 2)" \
    bash -c '"$1" --out "$2/bad" --flap-rate 2 --no-serve 2>/dev/null; test $? -eq 2' _ "$GS_SIMSRV" "$T"

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
