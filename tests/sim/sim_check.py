#!/usr/bin/env python3
"""sim_check.py -- a small reference checker for the simulated province: it reads what
gs-simsrv serves the way checks.md says a checker finds each defect, and compares what it
finds with truth.jsonl, target by target. Every planted defect must be found as its truth
line says, and a clean target (clean.txt) must give no finding at all, so the pages and
the truth are shown to agree. It is the test of tests/integration/test_simsrv.sh, and a
worked example for the author of govsweep's checks of how each page format reads.

usage: sim_check.py OUT_DIR [DATA_DIR]     (python3 standard library only)

OUT_DIR is gs-simsrv's --out (registry.csv, truth.jsonl, clean.txt, plan.jsonl,
connect-to.txt, ca.pem); DATA_DIR (default: the source tree's data/) gives columns.tsv,
spam.tsv, wording.tsv, site-terms.tsv and holidays.tsv; a missing dictionary makes the
checks that need it use the planted terms instead. Fault sites and sites whose home page
is unreachable are not crawled (their truth is tested by test_simsrv.sh with curl).
Prints one line per mismatch and a summary; exits 1 on any mismatch."""
import collections, csv, datetime as dt, html, http.client, json, os, re, shutil, socket, ssl
import subprocess, sys, urllib.parse

OUT = sys.argv[1]
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "data")
plan = [json.loads(l) for l in open(f"{OUT}/plan.jsonl", encoding="utf-8")]
truth = [json.loads(l) for l in open(f"{OUT}/truth.jsonl", encoding="utf-8")]
clean = {l.strip() for l in open(f"{OUT}/clean.txt", encoding="utf-8") if l.strip()}
registry = {r["id"]: r for r in csv.DictReader(open(f"{OUT}/registry.csv", encoding="utf-8"))}
ROUTES = [l.strip() for l in open(f"{OUT}/connect-to.txt") if l.strip()]
CTX = ssl.create_default_context(cafile=f"{OUT}/ca.pem") if os.path.exists(f"{OUT}/ca.pem") else None
# The reference date: the newest date plan.jsonl can tell is "newest" minus newest_days.
o0 = next(o for o in plan if o["newest"])
REF = dt.date.fromisoformat(o0["newest"]) + dt.timedelta(days=o0["newest_days"])

def data(name):
    p = os.path.join(DATA, name)
    return open(p, encoding="utf-8").read().splitlines() if os.path.exists(p) else None

# ---------------------------------------------------------------- dictionaries

def tsv(lines):
    return [l.split("\t") for l in lines or [] if l.strip() and not l.startswith("#")]

COLCLASS, COLTERMS = {}, []
for f in tsv(data("columns.tsv")):
    if f[0] == "class":
        COLCLASS[f[1]] = (int(f[2]), f[3])
    elif f[0] == "term":
        COLTERMS.append((f[1], f[2]))
SPAM = [(f[0], int(f[2]), [] if f[3] == "-" else f[3].split("|")) for f in tsv(data("spam.tsv")) if len(f) >= 4]
WORDING = [(f[0], f[1], [] if len(f) < 5 or f[4] == "-" else f[4].split("|")) for f in tsv(data("wording.tsv")) if len(f) >= 2]
CHANNEL = [f[1] for f in tsv(data("site-terms.tsv")) if f[0] == "channel"] or ["咨询", "留言", "信箱"]
HOLIDAYS = {}
for f in tsv(data("holidays.tsv")):
    if re.match(r"\d{4}-\d\d-\d\d$", f[0]):
        HOLIDAYS[dt.date.fromisoformat(f[0])] = f[1] == "work"
if not SPAM:  # no dictionary yet: the planted terms
    SPAM = [(t["detail"]["term"], 10, []) for t in truth if "term" in t["detail"]]
if not WORDING:
    WORDING = [(t["detail"]["wrong"], t["detail"]["right"], []) for t in truth if "wrong" in t["detail"]]

def workday(d):
    return HOLIDAYS.get(d, d.weekday() < 5)

def workdays_between(a, b):  # working days strictly after a, up to and including b
    return sum(workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))

def column_class(name):
    best = None
    for kw, cls in COLTERMS:
        if kw in name and (best is None or len(kw) > len(best[0])):
            best = (kw, cls)
    return None if best is None or best[1] == "none" else best[1]

def occurrences(text, term, exceptions):
    """Offsets of term in text, but not inside one of its exceptions."""
    ascii_edges = re.match(r"[A-Za-z0-9]", term[0]) or re.match(r"[A-Za-z0-9]", term[-1])
    pat = re.escape(term)
    if ascii_edges:
        pat = r"(?<![A-Za-z0-9])" + pat + r"(?![A-Za-z0-9])"
    spans = [m.span() for m in re.finditer(pat, text, re.I)]
    bad = [m.span() for e in exceptions for m in re.finditer(re.escape(e), text, re.I)]
    return [s for s in spans if not any(b[0] <= s[0] and s[1] <= b[1] for b in bad)]

def spam_terms(text):
    """Distinct spam terms of text (a term inside a longer one found is the longer), and
    whether their weights reach 10."""
    found = {}
    for term, w, exc in SPAM:
        for s in occurrences(text, term, exc):
            found.setdefault(term, []).append(s)
    kept = {}
    for term, spans in found.items():
        longer = [t for t in found if t != term and term.lower() in t.lower()]
        spans = [s for s in spans if not any(any(o[0] <= s[0] and s[1] <= o[1] for o in found[t]) for t in longer)]
        if spans:
            kept[term] = dict((t, w) for t, w, _ in SPAM)[term]
    return kept, sum(kept.values()) >= 10

def wrong_forms(text):
    """Distinct wrong forms of text; one inside a longer wrong form found is the longer."""
    found = {(w, r): occurrences(text, w, exc) for w, r, exc in WORDING}
    found = {k: v for k, v in found.items() if v}
    out = set()
    for (w, r), spans in found.items():
        longer = [s2 for (w2, _), s2 in found.items() if w2 != w and w in w2]
        if any(not any(o[0] <= s[0] and s[1] <= o[1] for l in longer for o in l) for s in spans):
            out.add((w, r))
    return out

def to_simplified(text):
    """Traditional pages are converted to Simplified first (OpenCC when installed)."""
    try:
        return subprocess.run(["opencc", "-c", "t2s.json"], input=text, capture_output=True,
                              text=True, timeout=20).stdout or text
    except (OSError, subprocess.SubprocessError):
        return text

# ---------------------------------------------------------------- fetching

def route(host, port):
    for l in ROUTES:
        h, p, ch, cp = re.match(r"^([^:]*):([^:]*):(\[[^\]]+\]|[^:]+):(\d+)$", l).groups()
        if h in ("", host) and p in ("", str(port)):
            return ch.strip("[]"), int(cp)
    return host, port

def fetch(url, ua="Mozilla/5.0 (compatible; sim_check)", v6_only=False):
    """(status, body bytes, headers); status 0 and the error when the transport fails."""
    u = urllib.parse.urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    ch, cp = route(u.hostname, port)
    if v6_only and ":" not in ch:
        return 0, b"no IPv6 address", {}
    try:
        sock = socket.create_connection((ch, cp), timeout=8)
        if u.scheme == "https":
            sock = CTX.wrap_socket(sock, server_hostname=u.hostname)
            c = http.client.HTTPSConnection(u.hostname, timeout=8)
        else:
            c = http.client.HTTPConnection(u.hostname, timeout=8)
        c.sock = sock
        c.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""),
                  headers={"Host": u.hostname, "User-Agent": ua})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body, dict(r.getheaders())
    except Exception as e:  # every transport failure is a failed fetch
        return 0, str(e).encode(), {}

def decode(body, headers):
    ct = headers.get("Content-Type", "")
    m = re.search(r"charset=([\w-]+)", ct) or re.search(rb'charset="?([\w-]+)', body[:2048])
    cs = (m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1)) if m else None
    cs = {"gb2312": "gb18030", "gbk": "gb18030"}.get((cs or "").lower(), cs)
    for c in [cs, "utf-8", "gb18030"]:
        try:
            if c:
                return body.decode(c)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")

def visible_text(page):
    t = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    t = re.sub(r"(?s)<[^>]+>", " ", t)
    return html.unescape(t)

def meta(page, name):
    m = re.search(r'<meta name="%s" content="([^"]*)"' % name, page)
    return html.unescape(m.group(1)) if m else None

def dates_in(fragment):
    out = []
    for m in re.finditer(r"<span>\[?(?:(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d\d)-(\d\d))\]?</span>", fragment):
        if m.group(1):
            out.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        else:
            d = dt.date(REF.year, int(m.group(4)), int(m.group(5)))
            out.append(d if d <= REF else dt.date(REF.year - 1, d.month, d.day))
    return out

def valid_id(s):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(s[:17], w)) % 11] == s[17].upper()

def privacy(text):
    ids = {m for m in re.findall(r"(?<!\d)(\d{17}[\dXx])(?!\d)", text) if valid_id(m)}
    mobiles = set(re.findall(r"(?<!\d)(1[3-9]\d{9})(?!\d)", text))
    return ids, mobiles

# ---------------------------------------------------------------- a site

def check_site(o, reg):
    host, sid, name = o["host"], o["id"], reg["name"]
    found = []
    big5 = o["charset"] == "big5"
    home_url = f"http://{host}/"
    def read(body, hd):
        page = decode(body, hd)
        return to_simplified(page) if big5 else page
    st, body, hd = fetch(home_url)
    if st != 200:
        return [("W-UNREACHABLE",)]
    home = read(body, hd)
    pages = {home_url: home}
    queue = collections.deque()
    links = {}  # url -> on_home
    def take_links(url, page):
        for m in re.finditer(r'(?:href|src)="([^"]+)"', page):
            link = html.unescape(m.group(1))
            if link.startswith(("javascript:", "#", "mailto:")):
                continue
            a = urllib.parse.urljoin(url, link)
            links[a] = links.get(a, False) or url == home_url
            if urllib.parse.urlsplit(a).hostname == host and a.startswith("http:") and a not in pages and a not in queue \
                    and not re.search(r"\.(png|jpg|gif|doc|pdf)$", a):
                queue.append(a)
    take_links(home_url, home)
    status = {home_url: 200}
    while queue:
        url = queue.popleft()
        st, body, hd = fetch(url)
        status[url] = st
        if st == 200:
            pages[url] = read(body, hd)
            take_links(url, pages[url])
    for url in links:
        if url not in status:
            status[url] = fetch(url)[0]
    for url, on_home in links.items():
        if status[url] != 200:
            found.append(("W-LINK-BROKEN", url, on_home))

    # home page: freshness, header, footer
    newest = max(dates_in(home), default=None)
    if newest and (REF - newest).days > 14:
        found.append(("W-HOME-STALE", (REF - newest).days))
    title = re.search(r"<title>(.*?)</title>", home, re.S).group(1)
    h1 = re.search(r'<h1 class="site-name">(.*?)</h1>', home)
    alt = re.search(r'<a class="logo"[^>]*><img [^>]*alt="([^"]*)"', home)
    if name not in html.unescape(title) and not (h1 and name in h1.group(1)) and not (alt and name in alt.group(1)) \
            and meta(home, "SiteName") != name:
        found.append(("W-HEADER",))
    foot = home[home.index('<div class="footer">'):]
    code = re.search(r"网站标识码：([0-9A-Za-z]+)", foot)
    have = {
        "conac": "bszs.conac.cn/sitename" in foot,
        "sponsor": "主办单位：" in foot,
        "contact": "联系电话：" in foot,
        "sitecode": bool(code and re.fullmatch(r"[0-9]{10}|bm[0-9]{8}", code.group(1)) and code.group(1) == sid),
        "icp": bool(re.search(r"湘ICP备\d+号", foot)),
        "psb": bool(re.search(r"公网安备 ?\d{14}号", foot)),
        "zhaocuo": f"zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?sitecode={sid}" in html.unescape(foot)
                   and "我为政府网站找错" in foot,
    }
    missing = sorted(k for k, v in have.items() if not v)
    if missing:
        found.append(("W-FOOTER", tuple(missing)))

    # tags on every page, by the kind of page
    absent = set()
    for url, page in pages.items():
        path = urllib.parse.urlsplit(url).path
        want = ["SiteName", "SiteDomain", "SiteIDCode"]
        if path.startswith("/col/") or path.endswith("lyxd/index.html"):
            want.append("ColumnName")
        if path.startswith("/art/") or "/msg_" in path:
            want += ["ArticleTitle", "PubDate", "ContentSource"]
        absent |= {w for w in want if meta(page, w) is None}
    if absent:
        found.append(("W-META", tuple(sorted(absent))))

    # columns: the nav's (level 1) and the others found (level 2)
    nav = re.search(r'<ul class="nav">(.*?)</ul>', home, re.S).group(1)
    level1 = set(re.findall(r'href="(/col/[^"/]+/index.html)"', nav))
    cols = {}
    for url, page in pages.items():
        # Column names as the navigation, a side navigation or the 政务公开 page give them.
        for path, cname in re.findall(r'<(?:li|h2)><a href="(/col/[^"/]+/index.html)">([^<]+)</a></(?:li|h2)>', page):
            cols.setdefault(path, cname)
    stale, blank, first, total = [], [], 0, 0
    for path, cname in cols.items():
        page = pages.get(f"http://{host}{path}")
        if page is None:
            continue
        body_part = page[page.index('<div class="content-list">'):]
        body_part = body_part[:body_part.index('<div class="footer">')]
        items = dates_in(body_part)
        if not items:
            if 'class="gk-block"' not in body_part:
                blank.append(cname)
            continue
        cls = column_class(cname)
        if cls and cls in COLCLASS and (REF - max(items)).days > COLCLASS[cls][0]:
            days, rule = COLCLASS[cls]
            stale.append(cname)
            total += 1
            first += rule == "first" or (rule == "level1" and path in level1)
    veto = first >= 5 or total >= 10
    found += [("W-COLUMN-STALE", c, veto) for c in stale]
    found += [("W-COLUMN-BLANK", c, len(blank) >= 5) for c in blank]

    # content: spam, hidden links, redirects, wrong forms, personal data
    def simp(t):
        return t  # Big5 pages are converted as they are read
    sec = set()
    for url, page in pages.items():
        text = simp(visible_text(page) + " " + html.unescape(title if url == home_url else ""))
        terms, hit = spam_terms(text)
        if hit:
            sec.add("spam-title" if url == home_url and spam_terms(simp(html.unescape(title)))[1] else "spam-text")
        for m in re.finditer(r'<(div|p|marquee)([^>]*)>\s*<a href="(https?://[^"/]+)/?[^"]*"', page):
            attrs, link_host = m.group(2), urllib.parse.urlsplit(m.group(3)).hostname
            hidden = re.search(r"display:\s*none|visibility:\s*hidden|left:\s*-\d{4}px|font-size:\s*0|height=1", attrs)
            if hidden and not link_host.endswith(".gov.cn"):
                sec.add("hidden-link")
        if re.search(r"document\.referrer\)\)\{window\.location\.href|document\.write\('<iframe src=\"http://(?![^\"]*gov\.cn)", page):
            sec.add("script-redirect")
    st, body, hd = fetch(home_url, ua="Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)")
    spider = read(body, hd) if st == 200 else ""
    if spider != home and spam_terms(simp(visible_text(spider)))[1] and not spam_terms(simp(visible_text(home)))[1]:
        sec.add("cloaking")
    found += [("W-SECURITY", c) for c in sec]
    wrongs = set()
    for page in pages.values():
        wrongs |= wrong_forms(simp(visible_text(page)))
    found += [("W-WORDING", w) for w, r in wrongs]
    for url, page in pages.items():
        ids, mobiles = privacy(visible_text(page))
        if ids:
            found.append(("W-PRIVACY", "id-number", len(ids)))
        if len(mobiles) >= 5:
            found.append(("W-PRIVACY", "mobile", len(mobiles)))

    # articles: service guides, policy interpretations, duplicates
    posts = collections.defaultdict(set)
    colnum = {}
    for url, page in pages.items():
        m = re.search(r"/art/\d+/\d+/\d+/art_(\d+)_\d+\.html$", url)
        if not m:
            continue
        crumb = re.search(r'&gt; <a href="(/col/[^"]+)">([^<]+)</a> &gt; 正文', page)
        cname = crumb.group(2) if crumb else ""
        content = page[page.index('<div class="content">'):page.index('<div class="prevnext">')]
        h = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
        posts[(h, re.sub(r'<p class="related">.*?</p>', "", content))].add(m.group(1))
        if cname == "办事服务":
            have = {to_simplified(html.unescape(x)) if big5 else x for x in re.findall(r"<h3>([^<]+)</h3>", content)}
            elements = ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "收费标准", "办理时间", "联系电话", "办理流程"]
            miss = tuple(e for e in elements if e not in have)
            if miss:
                found.append(("W-SERVICE", url, miss))
        if cname == "政策文件" and "相关解读：<a" not in content:
            found.append(("W-POLICY-INTERP", url))
    for (h, _), nums in posts.items():
        if len(nums) >= 3:
            found.append(("W-DUP-POST", html.unescape(h), len(nums)))

    # interaction: a working channel on the home page, and the board's messages
    channel = [u for u, t in re.findall(r'<a href="([^"]+)"[^>]*>([^<]*)</a>', home)
               if any(c in t for c in CHANNEL) and status.get(urllib.parse.urljoin(home_url, u)) == 200]
    if not channel:
        found.append(("W-INTERACT", "no-channel"))
    else:
        late, slow, worst = 0, 0, None
        for page in pages.values():
            table = re.search(r'<table class="msg-list">(.*?)</table>', page, re.S)
            for row in re.findall(r"<tr><td>\d+</td><td>.*?</td><td>([\d-]+)</td><td>([\d-]*)</td><td>([^<]+)</td></tr>", table.group(1) if table else ""):
                asked = dt.date.fromisoformat(row[0])
                end = dt.date.fromisoformat(row[1]) if row[1] else REF
                if (REF - asked).days > 365:
                    continue
                slow += workdays_between(asked, end) > 5
                if (end - asked).days > 90:
                    late += 1
                    if worst is None or asked < worst[0]:
                        worst = (asked, "late-90" if row[1] else "unanswered-90")
        if worst:
            found.append(("W-INTERACT", worst[1]))
        if slow:
            found.append(("W-INTERACT-SLOW", slow))

    # transport
    if not host.endswith(".gov.cn"):
        found.append(("W-DOMAIN",))
    if not os.path.exists(f"{OUT}/ipv6-unavailable") and fetch(home_url, v6_only=True)[0] != 200:
        found.append(("W-IPV6",))
    if CTX:
        ch, cp = route(host, 443)
        try:
            with socket.create_connection((ch, cp), timeout=5) as sock:
                raw = ssl.create_default_context(cafile=f"{OUT}/ca.pem")
                raw.check_hostname, raw.verify_mode = False, ssl.CERT_NONE
                with raw.wrap_socket(sock, server_hostname=host) as s:
                    der = s.getpeercert(binary_form=True)
            st, _, _ = fetch(f"https://{host}/")
            if st != 200:
                found.append(("W-HTTPS", "invalid"))  # expired, untrusted or wrong host
            else:
                pem = ssl.DER_cert_to_PEM_cert(der)
                out = subprocess.run(["openssl", "x509", "-noout", "-checkend", str(30 * 86400)],
                                     input=pem, capture_output=True, text=True)
                if out.returncode != 0:
                    found.append(("W-HTTPS", "expiring"))
        except OSError:
            found.append(("W-HTTPS", "none"))
    return found

def truth_keys_site(lines):
    keys = []
    for t in lines:
        c, d = t["code"], t["detail"]
        k = {"W-LINK-BROKEN": (c, d.get("url"), d.get("on_home")),
             "W-FOOTER": (c, tuple(d.get("missing", []))),
             "W-META": (c, tuple(d.get("missing", []))),
             "W-COLUMN-STALE": (c, d.get("column"), t["veto"]),
             "W-COLUMN-BLANK": (c, d.get("column"), t["veto"]),
             "W-WORDING": (c, d.get("wrong")),
             "W-SECURITY": (c, d.get("cause")),
             "W-INTERACT": (c, d.get("cause")),
             "W-INTERACT-SLOW": (c, d.get("count")),
             "W-SERVICE": (c, d.get("url"), tuple(d.get("missing", []))),
             "W-POLICY-INTERP": (c, d.get("url")),
             "W-DUP-POST": (c, d.get("title"), d.get("columns")),
             "W-PRIVACY": (c, d.get("kind"), d.get("count")),
             "W-HOME-STALE": (c, d.get("days")),
             "W-HTTPS": (c, "invalid" if d.get("cause") in ("expired", "untrusted", "wrong-host") else d.get("cause")),
             }.get(c, (c,))
        keys.append(k)
    return keys

# ---------------------------------------------------------------- an account

def check_account(o, reg):
    found = []
    st, body, hd = fetch(o["url"])
    text = body.decode("utf-8", "replace")
    if st in (404, 410) or "该账号已注销" in text:
        return [("M-CLOSED",)]
    fmt = o["format"]
    if fmt == "json":
        items = [(i["title"], i["content_html"], dt.datetime.fromisoformat(i["date_published"])) for i in json.loads(text)["items"]]
    elif fmt == "atom":
        items = [(html.unescape(t), c, dt.datetime.fromisoformat(p)) for t, p, c in
                 re.findall(r"<entry>\n<title>(.*?)</title>.*?<published>([^<]+)</published>.*?<!\[CDATA\[(.*?)\]\]>", text, re.S)]
    else:
        import email.utils
        items = [(t, c, email.utils.parsedate_to_datetime(p)) for t, c, p in
                 re.findall(r"<item>\n<title><!\[CDATA\[(.*?)\]\]></title>\n<description><!\[CDATA\[(.*?)\]\]></description>\n<pubDate>([^<]+)</pubDate>", text, re.S)]
    cst = dt.timezone(dt.timedelta(hours=8))
    newest = max(p.astimezone(cst).date() for _, _, p in items)
    if (REF - newest).days > 14:
        found.append(("M-STALE", (REF - newest).days))
    for title, content, _ in items:
        tt, hit_t = spam_terms(title)
        if hit_t:
            found.append(("M-SECURITY", "spam-title", max(tt, key=tt.get)))
        tc, hit_c = spam_terms(visible_text(content))
        if hit_c:
            found.append(("M-SECURITY", "spam-text", max(tc, key=tc.get)))
        for w, r in wrong_forms(title + visible_text(content)):
            found.append(("M-WORDING", w))
        ids, mobiles = privacy(visible_text(content))
        if ids:
            found.append(("M-PRIVACY", "id-number", len(ids)))
        if len(mobiles) >= 5:
            found.append(("M-PRIVACY", "mobile", len(mobiles)))
    if reg["menu_url"]:
        st, body, _ = fetch(reg["menu_url"])
        menu = json.loads(body)
        if not any(re.search("咨询|互动|留言", e["name"]) for e in menu):
            found.append(("M-INTERACT",))
        for e in menu:
            if fetch(e["url"])[0] != 200:
                found.append(("M-MENU-LINK", e["url"]))
    st, body, _ = fetch(o["profile"])
    prof = body.decode("utf-8", "replace")
    shown = {"name": html.unescape(re.search(r'<h1 class="account-name">(.*?)</h1>', prof).group(1)),
             "owner": html.unescape(re.search(r"认证主体：(.*?)</p>", prof).group(1))}
    m = re.search(r"账号类型：(.*?)</p>", prof)
    if m:
        shown["type"] = m.group(1)
    want = {"name": reg["name"], "owner": reg["owner"]}
    if reg["platform"].startswith("微信"):
        want["type"] = reg["platform"][2:]
    for k in ("type", "name", "owner"):
        if k in want and shown.get(k) != want[k]:
            found.append(("M-FILING", k, want[k], shown.get(k)))
    return found

def truth_keys_account(lines):
    keys = []
    for t in lines:
        c, d = t["code"], t["detail"]
        keys.append({"M-STALE": (c, d.get("days")),
                     "M-SECURITY": (c, d.get("cause"), d.get("term")),
                     "M-WORDING": (c, d.get("wrong")),
                     "M-PRIVACY": (c, d.get("kind"), d.get("count")),
                     "M-MENU-LINK": (c, d.get("url")),
                     "M-FILING": (c, d.get("cause"), d.get("registry"), d.get("shown")),
                     "M-DUPLICATE": (c, tuple(d.get("others", []))),
                     }.get(c, (c,)))
    return keys

# ---------------------------------------------------------------- compare

by_target = collections.defaultdict(list)
for t in truth:
    by_target[t["target"]].append(t)
groups = collections.defaultdict(list)
for rid, r in registry.items():
    if r["kind"] == "account":
        groups[(r["owner"], r["platform"])].append(rid)

bad = checked = 0
for o in plan:
    reg = registry[o["id"]]
    causes = {d["cause"] for d in o["defects"]}
    if o["kind"] == "site":
        if o["fault"] or {"refused", "http-503"} & causes:
            continue
        if o["charset"] == "big5" and not shutil.which("opencc"):
            print(f"{o['id']}: a Big5 site, not read (install opencc to convert it)")
            continue
        got = check_site(o, reg)
        want = truth_keys_site(by_target[o["id"]])
    else:
        got = check_account(o, reg)
        ids = groups[(reg["owner"], reg["platform"])]
        if ids.index(o["id"]) > 0:
            got.append(("M-DUPLICATE", tuple(i for i in ids if i != o["id"])))
        want = truth_keys_account(by_target[o["id"]])
    checked += 1
    g, w = collections.Counter(got), collections.Counter(want)
    if o["id"] in clean and got:
        print(f"clean target {o['id']} gives findings: {sorted(got)}")
        bad += 1
    if g != w:
        print(f"{o['id']} {o['host']} ({', '.join(sorted(c or '-' for c in causes))}):")
        for k in sorted((w - g).elements(), key=str):
            print(f"   planted, not found: {k}")
        for k in sorted((g - w).elements(), key=str):
            print(f"   found, not planted: {k}")
        bad += 1
print(f"sim_check: {checked} targets read, {bad} disagree with truth.jsonl")
sys.exit(1 if bad else 0)
