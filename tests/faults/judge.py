#!/usr/bin/env python3
"""judge.py -- the oracle of reliability.md for one fault run, from its report and its Redis.

usage: judge.py CALM_OUT FAULT_OUT REGISTRY SOCKET PASSWORD_FILE SWEEP [CALM_STREAM]

Passes (exit 0) when
  - the per-target table (id, status, veto codes, findings, pages) of FAULT_OUT/targets.csv
    is identical to CALM_OUT's (tests/integration/oracle.py, the one oracle);
  - the done markers of SWEEP are exactly the registry's ids (nothing lost, nothing
    unexpected), its stats count each target once (done = targets) and its meta says
    complete; the region counters add up to the registry, once per target;
  - the findings stream holds one entry per finding: per target as many as its result
    hash says and its findings.jsonl lines, with the same (code, veto, url, evidence), and
    the same multiset as the calm run's findings.jsonl;
  - with CALM_STREAM (a file of the calm run's stream entries, written by this script with
    --dump), the fault run's entries equal the calm run's.
Prints one line per check; "judge: N checks, M failed" at the end.

usage: judge.py --dump SOCKET PASSWORD_FILE SWEEP OUT   (the stream entries of SWEEP, sorted)

With --unchecked ID [REASON] first (H7: a target that kills its worker every time), the
calm table is expected with that target 未检查 (no veto, no finding, no page), its reason
containing REASON, and none of its calm findings.
"""
import collections
import csv
import json
import os
import socket
import subprocess
import sys


class Redis:
    """Just enough RESP2 over a unix socket for the checks: no library to install."""

    def __init__(self, path, password):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        if password:
            self.cmd("AUTH", password)

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.s.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            raise IOError("redis closed the connection")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise IOError("redis: " + rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise IOError("redis: unexpected reply %r" % line)


def without_fetch_time(detail):
    """A finding's detail without the time its evidence was fetched ("fetch": {"at"}),
    the one field two sweeps of the same pages may not share."""
    try:
        d = json.loads(detail)
    except ValueError:
        return detail
    if isinstance(d, dict) and isinstance(d.get("fetch"), dict):
        d["fetch"].pop("at", None)
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def stream_entries(r, sweep):
    """Every entry of gs:findings that belongs to sweep, as sorted tuples."""
    out, start = [], "-"
    while True:
        batch = r.cmd("XRANGE", "gs:findings", start, "+", "COUNT", 1000)
        for eid, fields in batch:
            f = dict(zip(fields[0::2], fields[1::2]))
            if f.get("sweep") == sweep:
                out.append((f["target"], f["code"], f["veto"], f["url"], f["evidence"],
                            without_fetch_time(f["detail"])))
        if len(batch) < 1000:
            break
        start = "(" + batch[-1][0]
    return sorted(out)


def password(path):
    try:
        return open(path).read().strip()
    except OSError:
        return ""


def main(argv):
    if argv[1:2] == ["--dump"]:
        sock, pwfile, sweep, out = argv[2:6]
        r = Redis(sock, password(pwfile))
        with open(out, "w") as fp:
            json.dump(stream_entries(r, sweep), fp, ensure_ascii=False)
        return 0
    unchecked, reason = "", ""
    if argv[1:2] == ["--unchecked"]:
        unchecked, reason = argv[2], argv[3]
        argv = argv[:1] + argv[4:]
    calm_out, fault_out, registry, sock, pwfile, sweep = argv[1:7]
    calm_stream = argv[7] if len(argv) > 7 else ""
    checks = failed = 0

    def check(ok, what):
        nonlocal checks, failed
        checks += 1
        if not ok:
            failed += 1
        print(("  ok   " if ok else "  FAIL ") + what)

    here = os.path.dirname(os.path.abspath(__file__))
    oracle = os.path.join(here, "..", "integration", "oracle.py")
    expected = os.path.join(calm_out, "targets.csv")
    if unchecked:
        # the calm table with the poisoned target as the dispatcher reports it
        rows = list(csv.DictReader(open(expected, encoding="utf-8-sig")))
        fields = list(rows[0].keys())
        for row in rows:
            if row["id"] == unchecked:
                row.update(status="未检查", veto_codes="", findings="0", pages="0")
        expected = os.path.join(fault_out, "expected-targets.csv")
        with open(expected, "w", encoding="utf-8", newline="") as fp:
            w = csv.DictWriter(fp, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        got = {r["id"]: r for r in csv.DictReader(
            open(os.path.join(fault_out, "targets.csv"), encoding="utf-8-sig"))}
        why = got.get(unchecked, {}).get("reason", "")
        check(got.get(unchecked, {}).get("status") == "未检查" and reason in why,
              "%s reported 未检查 with the reason: %s" % (unchecked, why))
    o = subprocess.run([sys.executable, oracle, expected,
                        os.path.join(fault_out, "targets.csv")], capture_output=True, text=True)
    check(o.returncode == 0, "per-target table identical to the calm run's: "
          + o.stdout.strip().replace("\n", "\n       "))

    ids = [row["id"] for row in csv.DictReader(open(registry, encoding="utf-8-sig"))]
    r = Redis(sock, password(pwfile))
    p = "gs:sweep:%s:" % sweep
    done = r.cmd("SMEMBERS", p + "done")
    check(sorted(done) == sorted(ids),
          "done markers: %d for %d targets, %d missing, %d unexpected"
          % (len(done), len(ids), len(set(ids) - set(done)), len(set(done) - set(ids))))
    stats = dict(zip(*[iter(r.cmd("HGETALL", p + "stats"))] * 2))
    check(int(stats.get("done", 0)) == len(ids),
          "each target stored once: stats done = %s" % stats.get("done"))
    meta_status = r.cmd("HGET", p + "meta", "status")
    check(meta_status == "complete", "sweep marked complete (%s)" % meta_status)
    counted = 0
    for region in r.cmd("LRANGE", p + "regions", 0, -1):
        h = dict(zip(*[iter(r.cmd("HGETALL", p + "region:" + region))] * 2))
        counted += sum(int(v) for k, v in h.items() if k.endswith(("_checked", "_unchecked")))
    check(counted == len(ids), "region counters count %d targets" % counted)

    stream = stream_entries(r, sweep)
    per_target = collections.Counter(e[0] for e in stream)
    wrong = []
    for t in ids:
        n = r.cmd("HGET", p + "result:" + t, "nfindings")
        if int(n or -1) != per_target.get(t, 0):
            wrong.append("%s: %s in the result, %d on the stream" % (t, n, per_target.get(t, 0)))
    check(not wrong, "one stream entry per finding of each result (%d entries)%s"
          % (len(stream), "".join("\n       " + w for w in wrong[:10])))
    check(int(stats.get("findings", 0)) == len(stream),
          "stats findings = %s = stream entries" % stats.get("findings"))

    def jsonl(path):
        rows = []
        for line in open(path, encoding="utf-8"):
            if line.strip():
                f = json.loads(line)
                rows.append((f["target"], f["code"], "true" if f["veto"] else "false", f["url"],
                             f["evidence"]))
        return collections.Counter(rows)

    fault_f = jsonl(os.path.join(fault_out, "findings.jsonl"))
    calm_f = jsonl(os.path.join(calm_out, "findings.jsonl"))
    calm_f = collections.Counter({k: v for k, v in calm_f.items() if k[0] != unchecked})
    on_stream = collections.Counter(e[:5] for e in stream)
    check(on_stream == fault_f, "the stream holds exactly the report's findings (%d)"
          % sum(fault_f.values()))
    diff = (calm_f - fault_f) + (fault_f - calm_f)
    check(not diff, "findings identical to the calm run's (%d)%s" % (
        sum(calm_f.values()), "".join("\n       %s" % (k,) for k in list(diff)[:10])))
    if calm_stream:
        calm_entries = sorted(tuple(e) for e in json.load(open(calm_stream, encoding="utf-8"))
                              if e[0] != unchecked)
        check(calm_entries == stream,
              "stream entries identical to the calm run's (details too, but the fetch time)")
    # the figures reliability.md asks for: targets lost (no done marker, or missing from
    # the report) and duplicated (stored twice, or with more stream entries than findings)
    report_ids = {r["id"] for r in csv.DictReader(
        open(os.path.join(fault_out, "targets.csv"), encoding="utf-8-sig"))}
    lost = len(set(ids) - set(done)) + len(set(ids) - report_ids)
    dup = max(0, int(stats.get("done", 0)) - len(ids))
    for t in ids:
        n = r.cmd("HGET", p + "result:" + t, "nfindings")
        if per_target.get(t, 0) > int(n or 0):
            dup += 1
    print("judge: %d checks, %d failed; targets lost %d, duplicated %d"
          % (checks, failed, lost, dup))
    figures = os.environ.get("GS_JUDGE_FIGURES")
    if figures:
        with open(figures, "a") as fp:
            fp.write("%d %d\n" % (lost, dup))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
