#!/usr/bin/env python3
"""perf_summary.py -- where a govsweep worker's CPU goes, from a `perf record --call-graph
dwarf` of a whole `govsweep run`, for bench/profile.sh.

    perf script -i perf.data -F comm,pid,tid,period,ip,sym,dso | \\
        perf_summary.py --binary build/govsweep --pids 123,124 [--top 30] [--pages N]

Reads perf script's samples with their call chains, keeps those of the given processes
(the workers), and prints:
  - by component: each sample goes to the innermost frame of its chain that belongs to a
    component (libxml2 = parse, libcurl = fetch, libssl/libcrypto = TLS, OpenCC and marisa
    = Traditional-to-Simplified, uchardet and iconv = charset, govsweep's own functions by
    their source file: worker/gs_page.c = page facts, worker/gs_chk_*.c and the site facts
    = checks, common/gs_match.c and gs_dict.c = dictionaries, ...); libc, libstdc++, the
    kernel and unknown frames are skipped so that malloc, strcmp or a system call count
    for the component that called them. Where the unwinder lost the caller (perf's DWARF
    unwinding stops in some libc functions), the sample is named by its leaf: malloc/free,
    libc string functions, kernel. With --pages, µs per page too;
  - the top symbols by self time (the leaf frame) and by children time (every distinct
    symbol of the chain), and self time by shared object.
govsweep's static functions are told apart by source file through `nm -l` of the binary
(a name defined in several files counts for the first; they are few and small).
"""
import argparse
import collections
import re
import subprocess
import sys

GENERIC_DSOS = ("libc.so", "libstdc++", "libm.so", "ld-linux", "[kernel.kallsyms]", "[vdso]",
                "[unknown]", "libgcc_s", "[heap]", "[stack]")

# shared object -> component
DSO_COMPONENTS = [
    ("libxml2", "parse (libxml2)"),
    ("libcurl", "fetch (libcurl)"),
    ("libnghttp2", "fetch (libcurl)"),
    ("libssl", "TLS (OpenSSL)"),
    ("libcrypto", "TLS (OpenSSL)"),
    ("libopencc", "T2S (OpenCC)"),
    ("libmarisa", "T2S (OpenCC)"),
    ("libuchardet", "charset (uchardet, iconv)"),
    ("libhiredis", "Redis (gs_redis, hiredis)"),
    ("libzmq", "ZeroMQ"),
    ("libmsgpack", "result encoding (gs_msg, msgpack)"),
    ("gconv", "charset (uchardet, iconv)"),
    (".so", None),  # any other library: its own name, below
]

# govsweep source file -> component (first match wins)
FILE_COMPONENTS = [
    (r"worker/gs_page\.c", "page facts (gs_page walk)"),
    (r"common/gs_(match|dict)\.c", "dictionaries (gs_match, gs_dict)"),
    (r"common/gs_t2s\.c", "T2S (OpenCC)"),
    (r"common/gs_charset\.c", "charset (uchardet, iconv)"),
    (r"common/gs_date\.c", "dates (gs_date)"),
    (r"common/gs_url\.c", "URLs (gs_url, curl_url_*)"),
    (r"common/gs_(msg|finding)\.c", "result encoding (gs_msg, msgpack)"),
    (r"worker/gs_(chk_[a-z_]*|site|columns|content|hits|checks)\.c", "checks and site facts"),
    (r"worker/gs_(account|chk_account|feed)\.c", "accounts and feeds"),
    (r"worker/gs_fetch\.c", "fetch (libcurl)"),
    (r"worker/gs_(job|worker)\.c", "crawl and loop (gs_job, gs_worker)"),
    (r"common/gs_(redis|store|watch)\.c", "Redis (gs_redis, hiredis)"),
]


def symbol_files(binary):
    """Function name -> source file, from the binary's debug information."""
    out = subprocess.run(["nm", "-l", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    files = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] in "tTwW":
            files.setdefault(parts[2], parts[3].rsplit(":", 1)[0])
    return files


def component(sym, dso, files, binary_name):
    """The component a frame belongs to, or None for a generic frame (libc, kernel...)."""
    if dso == "inlined" or dso.endswith(binary_name) or dso == binary_name:
        f = files.get(sym)
        if f is None:
            return None if dso == "inlined" else "govsweep (unknown file)"
        for pat, comp in FILE_COMPONENTS:
            if re.search(pat, f):
                return comp
        return "govsweep " + "/".join(f.rsplit("/", 2)[-2:])
    if any(g in dso for g in GENERIC_DSOS):
        return None
    for key, comp in DSO_COMPONENTS:
        if key in dso:
            return comp or dso.rsplit("/", 1)[-1].split(".so")[0]
    return None


def named(sym, dso):
    """A symbol's name, or for a library's static function (no symbol) the library's."""
    if sym == "[unknown]":
        return "[unknown] in " + dso.rsplit("/", 1)[-1]
    return sym


def lost_caller(sym, dso):
    """A name for a sample whose chain the unwinder cut short inside libc or the kernel."""
    if "kernel" in dso:
        return "kernel, caller lost (network on loopback, scheduling)"
    if re.search(r"malloc|free|tcache|unlink_chunk|consolidate|realloc|calloc|memalign", sym):
        return "malloc/free, caller lost"
    if re.search(r"^_*(str|mem|wmem|__strn?case)", sym):
        return "libc string functions, caller lost"
    return "other, caller lost"


def samples(stream):
    """(pid, period, [(sym, dso), ...] leaf first) of every sample of perf script."""
    head, chain = None, []
    for line in stream:
        if not line.strip():
            if head:
                yield head[0], head[1], chain
            head, chain = None, []
            continue
        if line[0] not in " \t":
            parts = line.split()
            # comm may hold spaces: the pid/tid field is the first with a slash
            idx = next(i for i, p in enumerate(parts) if "/" in p and p.split("/")[0].isdigit())
            head = (int(parts[idx].split("/")[0]), int(parts[idx + 1]) if idx + 1 < len(parts) else 1)
            continue
        m = re.match(r"\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$", line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1).strip())
            chain.append((sym, m.group(2)))
    if head:
        yield head[0], head[1], chain


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pids", required=True, help="comma-separated process ids to keep")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--pages", type=int, default=0, help="pages of the run, for µs per page")
    a = ap.parse_args()
    pids = {int(p) for p in a.pids.split(",") if p}
    files = symbol_files(a.binary)
    binary_name = a.binary.rsplit("/", 1)[-1]

    total = 0
    by_comp, self_sym, child_sym, self_dso = (collections.Counter() for _ in range(4))
    kernel = 0
    for pid, period, chain in samples(sys.stdin):
        if pid not in pids or not chain:
            continue
        total += period
        leaf_sym, leaf_dso = chain[0]
        self_sym[named(leaf_sym, leaf_dso)] += period
        # an inlined frame shares its ip with the real function's frame after it
        real_dso = next((d for _, d in chain if d != "inlined"), leaf_dso)
        self_dso[real_dso.rsplit("/", 1)[-1]] += period
        if "kernel" in leaf_dso:
            kernel += period
        for sym in {named(s, d) for s, d in chain if s != "[unknown]" or d != "[unknown]"}:
            child_sym[sym] += period
        if any(s.startswith("curl_url") for s, _ in chain):
            # libcurl's URL API, called to resolve and normalize links: not the fetch
            comp = "URLs (gs_url, curl_url_*)"
        else:
            comp = next((c for c in (component(s, d, files, binary_name) for s, d in chain) if c),
                        None) or lost_caller(leaf_sym, leaf_dso)
        by_comp[comp] += period
    if not total:
        print("perf_summary: no sample of the given processes", file=sys.stderr)
        return 1

    cpu_s = total / 1e9  # cpu-clock periods are nanoseconds

    def pct(v):
        return 100.0 * v / total

    def per_page(v):
        return f"{v / 1e3 / a.pages:8.0f} µs/page" if a.pages else ""

    print(f"worker samples: {cpu_s:.2f} s of CPU ({len(pids)} processes); "
          f"{pct(kernel):.1f}% of it in the kernel (leaf frame)")
    print()
    print("by component (innermost frame of a known component; libc and kernel frames count for their caller):")
    for comp, v in by_comp.most_common():
        if pct(v) < 0.1:
            continue
        print(f"  {pct(v):6.1f}%  {per_page(v)}  {comp}")
    print()
    print(f"top {a.top} symbols by self time:")
    for sym, v in self_sym.most_common(a.top):
        print(f"  {pct(v):6.1f}%  {sym}")
    print()
    print(f"top {a.top} symbols by children time (the symbol and everything it called):")
    for sym, v in child_sym.most_common(a.top):
        print(f"  {pct(v):6.1f}%  {sym}")
    print()
    print("self time by shared object:")
    for dso, v in self_dso.most_common(15):
        print(f"  {pct(v):6.1f}%  {dso}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
