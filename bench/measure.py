#!/usr/bin/env python3
"""measure.py -- run one benchmark command and measure its whole process tree, for
bench/peers.sh and bench/profile.sh.

    measure.py --out FILE [--server-pid PID] [--roles] [--interval S] [--series FILE]
               -- COMMAND ARGS...

Writes to FILE (the command's own output is left alone):

    RESULT wall_s=... cpu_s=... user_s=... sys_s=... maxrss_kib=... server_cpu_s=...
           others_cpu_s=... steal_s=... exit=N

- cpu_s is the CPU time (user + system) of the command and of every descendant it waited
  for: wait4()'s resource usage, which the kernel accumulates up the tree, so it is exact
  and counts processes however short-lived (wget's 60 processes, govsweep's Redis);
- maxrss_kib is the peak RSS of the largest single process of the tree (what getrusage
  reports for children: not a sum);
- server_cpu_s is the CPU the server (gs-simsrv, --server-pid) used meanwhile, read from
  /proc before and after, so that its share can be shown and left out of the command's;
- others_cpu_s is the CPU every other process of the machine used meanwhile (/proc/stat's
  busy time less the command's and the server's), steal_s the time the hypervisor gave to
  other guests: on a shared machine they say how far the wall time can be trusted.

With --roles it also samples the tree every --interval seconds (0.1) through
/proc/PID/task/TID/children and writes one line per role:

    ROLE name=worker n=2 cpu_s=... hwm_kib=... runq_s=...

where the role is govsweep's subcommand (run, worker, collector, dispatcher), redis-server
or the program's name, cpu_s the last sampled CPU of the role's processes together (a
lower bound: the last interval before a process exits is missed) and hwm_kib the largest
VmHWM (peak RSS) of one of them, runq_s the time their main threads were ready to run
but waited for a CPU (/proc/PID/schedstat): the share of the wall a busy machine took.
With --series FILE (and --roles) every sample is also written there, one line per process:
"SECONDS PID ROLE RSS_KIB", for memory over the run.
"""
import argparse
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid):
    """utime + stime of one process in seconds, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name may hold spaces and parentheses: fields start after the last ')'
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid):
    """Direct children of pid (every thread's), or [] once it is gone."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def role_of(pid):
    """govsweep's subcommand, or the program's base name."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return None
    if not argv:
        return None
    prog = os.path.basename(argv[0].split(" ")[0])
    if prog == "govsweep" and len(argv) > 1:
        return argv[1]
    if "redis-server" in argv[0]:  # Redis rewrites its argv[0] to "redis-server ADDR"
        return "redis-server"
    return prog


def runq_s(pid):
    """Time the main thread waited on a run queue, in seconds (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_s():
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", "rb") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user already)
    busy = v[0] + v[1] + v[2] + v[5] + v[6]
    return busy / TICK, v[7] / TICK


def mem_kib(pid):
    """(VmHWM, VmRSS) of a process in KiB, 0 when gone."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return hwm, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--roles", action="store_true")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--series")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")

    server0 = proc_cpu_s(a.server_pid) if a.server_pid else None
    busy0, steal0 = machine_busy_s()
    t0 = time.monotonic()
    series = open(a.series, "w", encoding="utf-8") if a.series else None
    child = subprocess.Popen(cmd)
    seen = {}  # pid -> [role, cpu_s, hwm_kib, runq_s]
    status = None
    while status is None:
        if a.roles:
            todo = [child.pid]
            while todo:
                pid = todo.pop()
                cpu = proc_cpu_s(pid)
                if cpu is None:
                    continue
                entry = seen.get(pid)
                if entry is None:
                    entry = seen[pid] = [role_of(pid), 0.0, 0, 0.0]
                hwm, rss = mem_kib(pid)
                entry[1] = max(entry[1], cpu)
                entry[2] = max(entry[2], hwm)
                entry[3] = max(entry[3], runq_s(pid))
                if series and entry[0] and rss:  # no VmRSS: exited, not yet reaped
                    series.write(f"{time.monotonic() - t0:.2f} {pid} {entry[0]} {rss}\n")
                todo.extend(children(pid))
        # wait4 on our child only, without blocking, so the sampling goes on meanwhile
        pid, st, ru = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            status, rusage = st, ru
            break
        time.sleep(a.interval if a.roles else 0.02)
    wall = time.monotonic() - t0
    if series:
        series.close()
    server1 = proc_cpu_s(a.server_pid) if a.server_pid else None
    busy1, steal1 = machine_busy_s()
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code  # reaped here: Popen must not wait for it again

    with open(a.out, "w", encoding="utf-8") as f:
        server = server1 - server0 if server0 is not None and server1 is not None else -1
        cpu = rusage.ru_utime + rusage.ru_stime
        others = max(0.0, (busy1 - busy0) - cpu - max(server, 0.0))
        f.write(
            "RESULT wall_s={:.3f} cpu_s={:.3f} user_s={:.3f} sys_s={:.3f} maxrss_kib={} "
            "server_cpu_s={:.3f} others_cpu_s={:.3f} steal_s={:.3f} exit={}\n".format(
                wall,
                cpu,
                rusage.ru_utime,
                rusage.ru_stime,
                rusage.ru_maxrss,
                server,
                others,
                steal1 - steal0,
                code,
            )
        )
        roles = {}
        for role, pcpu, hwm, rq in seen.values():
            if role is None:  # gone before its command line could be read
                continue
            r = roles.setdefault(role, [0, 0.0, 0, 0.0])
            r[0] += 1
            r[1] += pcpu
            r[2] = max(r[2], hwm)
            r[3] += rq
        for role in sorted(roles):
            n, pcpu, hwm, rq = roles[role]
            f.write(f"ROLE name={role} n={n} cpu_s={pcpu:.3f} hwm_kib={hwm} runq_s={rq:.3f}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
