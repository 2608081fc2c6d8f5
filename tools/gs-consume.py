#!/usr/bin/env python3
"""gs-consume.py -- an example downstream consumer of govsweep's findings stream.

govsweep appends one entry per finding to the Redis stream gs:findings (docs/redis-keys.md,
"The findings stream"). This script is what an integrator would copy: it reads the stream
with a consumer group, appends every entry to a JSON-lines file, fsyncs, and only then
acknowledges it (XACK), so that a crash at any moment loses nothing:

  1. on start it first re-reads its own pending entries (XREADGROUP ... 0): delivered to it
     before a crash but never acknowledged;
  2. it claims entries that other consumers of the group were given and left unacknowledged
     for longer than --claim-idle-ms (XAUTOCLAIM): Redis 7.0 never redelivers them by itself,
     so a dead consumer's entries would otherwise wait forever;
  3. then it reads new entries (XREADGROUP ... >), blocking up to --block-ms, and repeats 2
     now and then.

An entry written to the file but not yet acknowledged when the process died is delivered
again; the ids already in the output file are skipped (and acknowledged), so the file holds
each entry once. A real sink does the same with its own unique key (the stream id).

Python 3 standard library only: the small RESP client below (some 60 lines) speaks to Redis.

  gs-consume.py --redis unix:///var/lib/govsweep/redis.sock --group billing \\
                --consumer host1 --out findings-consumed.jsonl
  password: in the URL (redis://:PASS@host:6379/0, unix:///sock?password=PASS) or in
  $GS_REDIS_PASSWORD, as govsweep takes it. --drain: stop when nothing is left to read.
Exit: 0 done (--drain) or stopped by SIGTERM/SIGINT; 1 Redis failed; 2 bad usage.
Test hooks (tests/integration/test_export.sh): GS_CONSUME_KILL_AFTER_READ=N kills the
process with SIGKILL once N entries have been read, before they are written;
GS_CONSUME_KILL_BEFORE_ACK=N once N entries are written and fsynced, before the XACK.
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import time
import urllib.parse

STREAM = "gs:findings"


class RedisError(Exception):
    """An error reply (-ERR ...)."""


class Redis:
    """A minimal RESP2 client: one connection, one command at a time."""

    def __init__(self, url, timeout=30.0):
        u = urllib.parse.urlsplit(url)
        q = urllib.parse.parse_qs(u.query)
        if u.scheme == "unix":
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(u.path)
            user, password, db = None, q.get("password", [None])[0], q.get("db", ["0"])[0]
        elif u.scheme in ("redis", "rediss"):
            host = u.hostname or "127.0.0.1"
            self.sock = socket.create_connection((host, u.port or 6379), timeout)
            if u.scheme == "rediss":
                tls = ssl.create_default_context()
                self.sock = tls.wrap_socket(self.sock, server_hostname=host)
            user = urllib.parse.unquote(u.username) if u.username else None
            password = urllib.parse.unquote(u.password) if u.password else None
            db = u.path.strip("/") or "0"
        else:
            raise ValueError("unsupported Redis URL %r (redis://, rediss:// or unix://)" % url)
        self.f = self.sock.makefile("rb")
        password = password or os.environ.get("GS_REDIS_PASSWORD")
        if password:
            self.call("AUTH", *([user] if user else []), password)
        if db != "0":
            self.call("SELECT", db)

    def call(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(parts))
        return self._reply()

    def _reply(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection to Redis lost")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection to Redis lost")
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError("not a RESP reply: %r" % line[:40])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def text(b):
    return b.decode("utf-8", errors="replace") if isinstance(b, bytes) else b


def record(entry_id, fields):
    """A stream entry as one JSON object: the stream id, then its fields as govsweep wrote
    them, veto as a boolean and detail parsed from its JSON text."""
    rec = {"id": entry_id}
    for k, v in zip(fields[0::2], fields[1::2]):
        k, v = text(k), text(v)
        if k == "veto":
            v = v == "true"
        elif k == "detail":
            try:
                v = json.loads(v)
            except ValueError:
                pass  # kept as the text it was
        rec[k] = v
    return rec


class Consumer:
    def __init__(self, args):
        self.a = args
        self.r = None
        self.stop = False
        self.read = self.written = self.skipped = 0
        self.kill_after_read = int(os.environ.get("GS_CONSUME_KILL_AFTER_READ", "0"))
        self.kill_before_ack = int(os.environ.get("GS_CONSUME_KILL_BEFORE_ACK", "0"))
        # ids already in the output file: written before a crash, maybe not acknowledged
        self.done = set()
        if os.path.exists(args.out):
            with open(args.out, "rb") as f:
                for line in f:
                    try:
                        self.done.add(json.loads(line)["id"])
                    except (ValueError, KeyError, TypeError):
                        pass  # a torn last line: its entry is pending and comes again
        self.out = open(args.out, "ab")

    def log(self, msg):
        print("gs-consume %s/%s: %s" % (self.a.group, self.a.consumer, msg), file=sys.stderr,
              flush=True)

    def connect(self):
        # a blocking read must not look like a dead connection
        self.r = Redis(self.a.redis, timeout=max(30.0, self.a.block_ms / 1000.0 + 10.0))
        try:
            self.r.call("XGROUP", "CREATE", STREAM, self.a.group, self.a.start, "MKSTREAM")
            self.log("created group at %s" % self.a.start)
        except RedisError as e:
            if not str(e).startswith("BUSYGROUP"):
                raise

    def handle(self, entries):
        """Write a batch, fsync it, then acknowledge it: never the other way round."""
        self.read += len(entries)
        if self.kill_after_read and self.read >= self.kill_after_read:
            os.kill(os.getpid(), signal.SIGKILL)  # test hook: read, not written
        ids = []
        for entry_id, fields in entries:
            entry_id = text(entry_id)
            ids.append(entry_id)
            if fields is None or entry_id in self.done:
                self.skipped += 1  # trimmed from the stream, or already in the file
                continue
            line = json.dumps(record(entry_id, fields), ensure_ascii=False, separators=(",", ":"))
            self.out.write(line.encode() + b"\n")
            self.done.add(entry_id)
            self.written += 1
        self.out.flush()
        os.fsync(self.out.fileno())
        if self.kill_before_ack and self.written >= self.kill_before_ack:
            os.kill(os.getpid(), signal.SIGKILL)  # test hook: written, not acknowledged
        if ids:
            self.r.call("XACK", STREAM, self.a.group, *ids)

    def xread(self, start, block=None):
        cmd = ["XREADGROUP", "GROUP", self.a.group, self.a.consumer, "COUNT", self.a.count]
        if block is not None:
            cmd += ["BLOCK", block]
        reply = self.r.call(*cmd, "STREAMS", STREAM, start)
        return reply[0][1] if reply else []

    def pending(self):
        """Step 1: what was delivered to this consumer and never acknowledged."""
        n, after = 0, "0"
        while not self.stop:
            entries = self.xread(after)
            if not entries:
                break
            self.handle(entries)
            n += len(entries)
            after = text(entries[-1][0])
        if n:
            self.log("re-read %d pending entries" % n)

    def claim(self):
        """Step 2: entries other consumers left unacknowledged past --claim-idle-ms."""
        n, cursor = 0, "0-0"
        while not self.stop:
            reply = self.r.call("XAUTOCLAIM", STREAM, self.a.group, self.a.consumer,
                                self.a.claim_idle_ms, cursor, "COUNT", self.a.count)
            cursor, entries = reply[0], reply[1]  # Redis 7 adds the deleted ids as [2]
            if entries:
                self.handle(entries)
                n += len(entries)
            if text(cursor) == "0-0":
                break
        if n:
            self.log("claimed %d entries idle for more than %d ms" % (n, self.a.claim_idle_ms))

    def follow(self):
        """Step 3: new entries; claims again every --claim-every-ms."""
        last_claim = time.monotonic()
        while not self.stop:
            # draining, a read returns at once; following, it waits for new entries
            entries = self.xread(">", None if self.a.drain else self.a.block_ms)
            if entries:
                self.handle(entries)
            elif self.a.drain:
                return
            if (time.monotonic() - last_claim) * 1000 >= self.a.claim_every_ms:
                self.claim()
                last_claim = time.monotonic()

    def run(self):
        failures, connected = 0, False
        while not self.stop:
            try:
                self.connect()
                connected = True
                self.pending()
                self.claim()
                self.follow()
                break
            except (OSError, ConnectionError) as e:
                # un-acknowledged entries stay pending: step 1 picks them up again. Never
                # connected at all is a configuration error, not an outage.
                failures += 1
                if not connected or (self.a.drain and failures > 5):
                    self.log("giving up: %s" % e)
                    return 1
                self.log("redis: %s; reconnecting" % e)
                time.sleep(min(1.0 * failures, 10.0))
            finally:
                if self.r:
                    self.r.close()
                    self.r = None
        self.log("stopped: %d read, %d written, %d skipped"
                 % (self.read, self.written, self.skipped))
        return 0


def main():
    p = argparse.ArgumentParser(
        description="Consume govsweep's gs:findings stream into a JSON-lines file.")
    p.add_argument("--redis", required=True,
                   help="redis://[:PASS@]HOST[:PORT][/DB], rediss://..., unix:///PATH[?password=P]")
    p.add_argument("--group", required=True, help="consumer group (one per downstream system)")
    p.add_argument("--consumer", required=True,
                   help="this consumer's name within the group (stable across restarts)")
    p.add_argument("--out", required=True, help="JSON-lines file the entries are appended to")
    p.add_argument("--start", default="0",
                   help="where a new group starts: 0 = the whole stream, $ = only new entries")
    p.add_argument("--count", type=int, default=100, help="entries per read (and per fsync)")
    p.add_argument("--block-ms", type=int, default=5000,
                   help="how long one read waits for new entries")
    p.add_argument("--claim-idle-ms", type=int, default=60000,
                   help="claim other consumers' entries unacknowledged this long")
    p.add_argument("--claim-every-ms", type=int, default=30000,
                   help="how often to look for such entries while following")
    p.add_argument("--drain", action="store_true",
                   help="exit once nothing is left to read instead of following")
    args = p.parse_args()
    if args.count < 1 or args.block_ms < 0 or args.claim_idle_ms < 0:
        p.error("--count must be positive, --block-ms and --claim-idle-ms not negative")
    c = Consumer(args)

    def on_signal(signum, frame):
        c.stop = True  # finish the batch in hand (written, fsynced, acknowledged), then exit

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return c.run()
    except (RedisError, ValueError) as e:
        c.log("error: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
