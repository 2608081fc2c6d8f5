#!/usr/bin/env bash
# test_report_browser.sh -- report.html as a browser shows it: a real sweep of a small
# simulated province writes the report, headless Chromium renders it with the network
# cut off (its own network namespace when unshare works, as root in CI), and
#   - the rendered DOM has the region tables (one row per region, the 合计 row), the SVG
#     chart with one bar per kind and region that has checked targets, links that open
#     apart, and nothing that runs (no script, no event attribute);
#   - nothing was refused by the page's Content-Security-Policy (it asks for nothing);
#   - the screenshot is a 1280x2000 PNG that is not blank: it has ink and contrast;
#   - the screenshot of the golden report.html (tests/data/report/, the fixed sweep of the
#     unit tests, whose 合格率 are known: 50%, 100%, 100%, 75% for websites, 0%, 100%, 50%
#     for new media) shows the red of the title and the chart's bars in both colours.
# Without a Chromium that starts (the package is in deploy/install-deps.sh), it prints
# SKIP with the reason and passes.
source "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: chromium is not installed (deploy/install-deps.sh installs it)"
    exit 0
fi
NETNS=()
if unshare -n true 2>/dev/null; then
    NETNS=(unshare -n)
fi
chrome() { # chrome ARGS... : one headless run with a fresh profile, bounded in time
    local profile
    profile=$(mktemp -d "$T/chrome.XXXXXX")
    timeout 120 "${NETNS[@]}" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@"
}

# does it start at all?
echo '<!DOCTYPE html><title>t</title><p id="probe">ok</p>' >"$T/probe.html"
if ! chrome --dump-dom "file://$T/probe.html" >"$T/probe.dom" 2>"$T/probe.err" ||
    ! grep -q 'id="probe"' "$T/probe.dom"; then
    echo "SKIP: chromium cannot start here: $(grep -v '^$' "$T/probe.err" | tail -3 | tr '\n' ' ')"
    exit 0
fi
echo "# chromium: $("$CHROMIUM" --version 2>/dev/null | head -1); network: ${NETNS[*]:-not isolated (no unshare)}"

REF=2021-06-15T10:00
start_redis "$T/redis"
start_sim "$T/prov" --seed 5 --sites 14 --accounts 14 --defect-rate 0.4 --reference-time "$REF" \
    --pages-per-site 10
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$REDIS_URL" --sweep br1 --reference-time "$REF" \
    --allow-private "${CONNECT_TO[@]}" --out "$T/out" --state-dir "$T/state" --workers 2 \
    --max-pages 10 --home-retries 0 --retry-delay-ms 100 --lease-ms 5000 \
    >"$T/run.out" 2>"$T/run.err" || rc=$?
check "sweep exits 0" [ $rc -eq 0 ]
check "report.html written" test -s "$T/out/report.html"

# what the DOM should hold, from targets.csv: regions, and bars (kind x region with
# something checked, plus the two 合计 bars when anything of the kind was checked)
read -r NREG NBARS < <(python3 - "$T/out/targets.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
regions, checked = [], {}
for r in rows:
    if r["region"] not in regions:
        regions.append(r["region"])
    if r["status"] in ("合格", "不合格"):
        checked[(r["region"], r["kind"])] = checked.get((r["region"], r["kind"]), 0) + 1
kinds = {k for (_, k) in checked}
print(len(regions), len(checked) + len(kinds))
EOF
)
echo "# $NREG regions, $NBARS bars expected"

rc=0
chrome --enable-logging=stderr --v=0 --dump-dom "file://$T/out/report.html" >"$T/report.dom" \
    2>"$T/dom.err" || rc=$?
check "chromium renders report.html (exit 0)" [ $rc -eq 0 ]
cat >"$T/domcheck.py" <<'EOF'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.total, self.bars, self.links = [], {}, {}, 0, [0, 0]
        self.scripts = self.handlers = self.svg = 0
        self.table = None
        self.section = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if any(k.startswith("on") for k in a):
            self.handlers += 1
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self.table = a.get("id")
        if tag == "tbody":
            self.section = "tbody"
        if tag == "tfoot":
            self.section = "tfoot"
        if tag == "tr" and self.table:
            key = (self.table, self.section)
            self.rows[key] = self.rows.get(key, 0) + 1
        if tag == "svg" and a.get("id") == "chart-pass-rate":
            self.svg += 1
        if tag == "rect" and a.get("class") == "bar":
            self.bars += 1
        if tag == "a" and a.get("href", "").startswith("http"):
            self.links[0] += 1
            self.links[1] += a.get("rel") == "noopener noreferrer"
    def handle_endtag(self, tag):
        if tag == "table":
            self.table, self.section = None, None

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
nreg, nbars = int(sys.argv[2]), int(sys.argv[3])
problems = []
for t in ("t-site", "t-account"):
    if d.rows.get((t, "tbody"), 0) != nreg:
        problems.append("%s has %d region rows, want %d" % (t, d.rows.get((t, "tbody"), 0), nreg))
    if d.rows.get((t, "tfoot"), 0) != 1:
        problems.append("%s has no 合计 row" % t)
if d.svg != 1:
    problems.append("the chart is missing")
if d.bars != nbars:
    problems.append("%d bars, want %d" % (d.bars, nbars))
if d.links[0] == 0 or d.links[0] != d.links[1]:
    problems.append("links %d, with rel=noopener noreferrer %d" % tuple(d.links))
if d.scripts or d.handlers:
    problems.append("%d scripts, %d event attributes" % (d.scripts, d.handlers))
print("; ".join(problems) or "ok")
EOF
check "rendered DOM: region tables with 合计, the SVG chart and its bars, safe links, no script" \
    test "$(python3 "$T/domcheck.py" "$T/report.dom" "$NREG" "$NBARS")" = ok
check "no request refused by the Content-Security-Policy (the page asks for nothing)" \
    bash -c "! grep -Ei 'Content.Security.Policy|Refused to' '$T/dom.err'"

rc=0
chrome --screenshot="$T/report.png" --window-size=1280,2000 "file://$T/out/report.html" \
    >/dev/null 2>"$T/shot.err" || rc=$?
check "chromium takes a screenshot (exit 0)" [ $rc -eq 0 ]
cp "$GS_TESTS/data/report/report.html" "$T/golden.html"
rc=0
chrome --screenshot="$T/golden.png" --window-size=1280,2000 "file://$T/golden.html" \
    >/dev/null 2>"$T/shot2.err" || rc=$?
check "chromium takes a screenshot of the golden report.html (exit 0)" [ $rc -eq 0 ]
cat >"$T/pngcheck.py" <<'EOF'
# A PNG read with the standard library: chunks, zlib, the five row filters.
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, ihdr = 8, [], None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
    elif kind == b"IDAT":
        idat.append(data[pos + 8:pos + 8 + n])
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
if depth != 8 or ctype not in (2, 6) or interlace:
    sys.exit("unexpected PNG format: depth %d colour type %d interlace %d" % (depth, ctype, interlace))
bpp = 3 if ctype == 2 else 4
stride = w * bpp
raw = zlib.decompress(b"".join(idat))
prev = bytes(stride)
ink = total = 0
lum_sum = lum_sq = 0
colours = {"site": 0, "account": 0, "title": 0}
want = {"site": (0x1f, 0x5f, 0xa8), "account": (0xd9, 0x82, 0x2b), "title": (0xcc, 0x00, 0x00)}
for y in range(h):
    base = y * (stride + 1)
    f = raw[base]
    cur = bytearray(raw[base + 1:base + 1 + stride])
    if f == 1:
        for i in range(bpp, stride):
            cur[i] = (cur[i] + cur[i - bpp]) & 255
    elif f == 2:
        cur = bytearray((a + b) & 255 for a, b in zip(cur, prev))
    elif f == 3:
        for i in range(stride):
            left = cur[i - bpp] if i >= bpp else 0
            cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = bytes(cur)
    if y % 2:
        continue
    for x in range(0, stride, 2 * bpp):  # every other pixel of every other row
        r, g, b = cur[x], cur[x + 1], cur[x + 2]
        total += 1
        lum = (299 * r + 587 * g + 114 * b) // 1000
        lum_sum += lum
        lum_sq += lum * lum
        ink += lum < 200
        for k, (wr, wg, wb) in want.items():
            if abs(r - wr) < 16 and abs(g - wg) < 16 and abs(b - wb) < 16:
                colours[k] += 1
mean = lum_sum / total
sd = (lum_sq / total - mean * mean) ** 0.5
print("%dx%d ink %.2f%% sd %.1f site %d account %d title %d"
      % (w, h, 100.0 * ink / total, sd, colours["site"], colours["account"], colours["title"]))
EOF
# stats: "WxH ink P% sd S site N account N title N" (pixels sampled one in four)
for shot in report golden; do
    stats=$(python3 "$T/pngcheck.py" "$T/$shot.png" 2>&1 || true)
    echo "# $shot.png: $stats"
    read -r size _ ink _ sd _ site _ account _ title <<<"$stats"
    check "$shot.png is a 1280x2000 PNG" [ "$size" = 1280x2000 ]
    check "$shot.png has ink (text and lines on more than 2% of it)" \
        python3 -c "import sys; sys.exit(0 if float('${ink%\%}') > 2 else 1)"
    check "$shot.png has contrast (luminance sd > 20)" \
        python3 -c "import sys; sys.exit(0 if float('$sd') > 20 else 1)"
    check "$shot.png shows the red title" [ "${title:-0}" -gt 50 ]
done
# the golden page's bars: 1820 px of website bars and 840 px of new-media bars, 13 px high
check "golden.png: the chart's website bars are drawn" [ "${site:-0}" -gt 3000 ]
check "golden.png: the chart's new-media bars are drawn" [ "${account:-0}" -gt 1500 ]

finish
