#!/usr/bin/env python3
"""mkcorpus.py -- (re)write the fuzz targets' seed corpora, corpus/TARGET/, from the test
fixtures: the charset pages and the check scenarios' pages (page), the feed fixtures
(feed), the registry fixtures and the sample province (registry), the URL resolution
cases (url), the date scan and parse cases (date), and one message of every type as the
encoders of common/gs_msg.c write them, valid and broken (msg; msgpack written by hand,
Debian's python3 has no msgpack module).

    python3 tests/fuzz/mkcorpus.py        # from the source tree's root or anywhere

Files are named by content (sha1, as libFuzzer names what it finds), so running it again
adds nothing that is already there. A corpus is seeds, not a record: run.sh grows its own
copy and leaves these alone."""
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX = 256 * 1024  # GS_FUZZ_MAX_INPUT


def put(target, blob):
    blob = blob[:MAX]
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


def unescape(s):
    """The escapes of tests/unit/case_tsv.h: \\t \\n \\r \\\\ \\xHH."""
    out, i = bytearray(), 0
    b = s.encode()
    while i < len(b):
        if b[i] == 0x5C and i + 1 < len(b):
            c = chr(b[i + 1])
            if c in "tnr\\":
                out += {"t": b"\t", "n": b"\n", "r": b"\r", "\\": b"\\"}[c]
                i += 2
                continue
            if c == "x" and i + 3 < len(b) + 1:
                try:
                    out.append(int(b[i + 2:i + 4].decode(), 16))
                    i += 4
                    continue
                except ValueError:
                    pass
        out.append(b[i])
        i += 1
    return bytes(out)


def tsv(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield line.split("\t")


def files(d, exts):
    for name in sorted(os.listdir(d)):
        if name.endswith(exts):
            yield os.path.join(d, name)


# ---- page: the first byte picks the Content-Type (fuzz_page.c's table; bit 7: t2s)
def pages():
    for p in files(os.path.join(DATA, "charset"), (".html",)):
        body = open(p, "rb").read()
        put("page", b"\x00" + body)
        put("page", b"\x83" + body)  # declared GBK, Traditional conversion on
    chunks = []
    for p in files(os.path.join(DATA, "checks"), (".case", ".pages")):
        chunks.append(open(p, "rb").read())
    for p in files(os.path.join(DATA, "checks", "base"), (".pages",)):
        chunks.append(open(p, "rb").read())
    seen = 0
    for c in chunks:
        for m in re.finditer(rb"^--- page \S+ \d+[^\n]*\n(.*?)(?=^--- |\Z)", c, re.S | re.M):
            put("page", b"\x02" + m.group(1))
            seen += 1
    put("page", b"\x02" + open(os.path.join(DATA, "feed", "html_page.html"), "rb").read())
    return seen


# ---- feed: the first byte picks the Content-Type hint (fuzz_feed.c's table)
def feeds():
    for p in files(os.path.join(DATA, "feed"), (".xml", ".json", ".rdf", ".html")):
        body = open(p, "rb").read()
        put("feed", (b"\x04" if p.endswith(".json") else b"\x00") + body)


def registries():
    for p in files(os.path.join(DATA, "registry"), (".csv",)):
        put("registry", open(p, "rb").read())
    sample = os.path.join(ROOT, "samples", "province", "targets.csv")
    if os.path.exists(sample):
        put("registry", open(sample, "rb").read())


def urls():
    for f in tsv(os.path.join(DATA, "url", "resolve_cases.tsv")):
        if len(f) >= 2:
            put("url", unescape(f[0]) + b"\n" + unescape(f[1]))


def dates():
    for f in tsv(os.path.join(DATA, "date", "scan_cases.tsv")):
        put("date", unescape(f[0]))
    for f in tsv(os.path.join(DATA, "date", "parse_cases.tsv")):
        put("date", unescape(f[0]))


# ---- msg: a little msgpack
def mp(v):
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if v >= 0:
            return b"\xcf" + struct.pack(">Q", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, str):
        b = v.encode()
        return (bytes([0xA0 | len(b)]) if len(b) < 32 else b"\xda" + struct.pack(">H", len(b))) + b
    if isinstance(v, list):
        return (bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdc" + struct.pack(">H", len(v))) + b"".join(mp(x) for x in v)
    if isinstance(v, dict):
        head = bytes([0x80 | len(v)]) if len(v) < 16 else b"\xde" + struct.pack(">H", len(v))
        return head + b"".join(mp(k) + mp(x) for k, x in v.items())
    raise TypeError(v)


def msgs():
    finding = {"code": "W-HOME-STALE", "veto": True, "url": "http://www.sim-test.gov.cn/",
               "evidence": "首页超过14天未更新", "detail": '{"newest":"2021-05-31","days":15}'}
    task = {"v": 1, "t": "task", "sweep": "2021Q2-20210615", "target": "4300000001", "epoch": 3,
            "attempt": 1, "kind": "site", "url": "http://www.sim-test.gov.cn/", "name": "湖南省测试厅网站",
            "region": "省直部门", "owner": "湖南省测试厅", "platform": "", "menu_url": "",
            "ref": 1623722400, "max_pages": 200, "lease_ms": 15000}
    acct = dict(task, kind="account", target="A000000000000001", platform="微信订阅号",
                url="http://feeds.sim-bridge.gov.cn/wx/A000000000000001.xml",
                menu_url="http://feeds.sim-bridge.gov.cn/menu/A000000000000001.json",
                pre=[dict(finding, code="M-DUPLICATE", veto=False)])
    watched = dict(task, watch={"id": "watch-20210601", "start": 1622476800, "end": 1623081600,
                                "complete": True, "probes": 140, "failed": 8, "rate_bp": 571,
                                "decided": True, "veto": True})
    result = {"v": 1, "t": "result", "sweep": "2021Q2-20210615", "target": "4300000001", "epoch": 3,
              "worker": "host:123", "kind": "site", "region": "省直部门", "checked": True, "reason": "",
              "pages": 42, "bytes": 123456, "newest": "2021-05-31",
              "ledger": {"links": 300, "skipped": 2}, "findings": [finding, dict(finding, code="W-FOOTER", veto=False)]}
    unchecked = dict(result, checked=False, reason="首页无法访问：refused", findings=[])
    out = [
        {"v": 1, "t": "hello", "worker": "host:123", "capacity": 16, "tasks": []},
        {"v": 1, "t": "hello", "worker": "host:123", "capacity": 16, "tasks": [["4300000001", 3], ["A000000000000001", 1]]},
        {"v": 1, "t": "hb", "tasks": [["4300000001", 3]]},
        {"v": 1, "t": "done", "sweep": "2021Q2-20210615", "target": "4300000001", "epoch": 3, "outcome": "stored"},
        {"v": 1, "t": "ack", "sweep": "2021Q2-20210615", "target": "4300000001", "epoch": 3, "outcome": "dup"},
        {"v": 1, "t": "ack", "sweep": "2021Q2-20210615", "target": "4300000001", "epoch": 3, "outcome": "stale"},
        {"v": 1, "t": "reset"},
        task, acct, watched, result, unchecked,
        {"v": 2, "t": "reset"},                                # unknown version
        {"v": 1, "t": "hello", "worker": 5, "capacity": "x", "tasks": {}},  # wrong types
        {"v": 1, "t": "nonsense"},
    ]
    for m in out:
        b = mp(m)
        put("msg", b)
        put("msg", b[:len(b) // 2])  # truncated
    put("msg", b"\x91" * 40)  # nested past the depth limit
    put("msg", b"\xdf\xff\xff\xff\xff")  # a map announcing 4 G pairs in 5 bytes


def main():
    n = pages()
    feeds()
    registries()
    urls()
    dates()
    msgs()
    for t in sorted(os.listdir(OUT)):
        print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds")
    print(f"(page: {n} pages of the check scenarios)", file=sys.stderr)


if __name__ == "__main__":
    main()
