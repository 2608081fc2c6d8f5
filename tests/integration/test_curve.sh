#!/usr/bin/env bash
# test_curve.sh -- a cluster with CURVE across "machines" (loopback tcp): a dispatcher and
# a collector with the central key pair and an allowlist, a Redis with a password, an
# allowed worker and three intruders (unknown key; allowed key but the wrong server key;
# no security at all) on the same sweep of a small simulated province. The sweep completes
# and its report equals a calm `govsweep run` of the same province (the oracle), the
# intruders get 0 tasks (their logs and metrics, the dispatcher's counters), and malformed
# frames sent to every socket by gs-zsend (truncated, oversized, wrong-typed, unknown
# version, wrong frames: scenario M1) are dropped and counted without harm. Also: keygen's
# files, modes and refusals; the setups that must not start (A1: secret key readable by
# others or not ours, no or empty allowlist, plain tcp beyond loopback, Redis without a
# password); the embedded Redis refusing unauthenticated commands (A2); the metrics
# endpoint and its counters adding up.
source "$(dirname "$0")/lib.sh"

ZSEND=${GS_ZSEND:-$(dirname "$GS_SIMSRV")/gs-zsend}
REF=2021-06-15T10:00
start_sim "$T/prov" --seed 5 --sites 6 --accounts 6 --defect-rate 0.4 --reference-time "$REF" \
    --pages-per-site 15
N=$(csv_rows "$T/prov/registry.csv")
COMMON=(--reference-time "$REF" --allow-private "${CONNECT_TO[@]}" --max-pages 10 --home-retries 1
    --retry-delay-ms 200 --lease-ms 8000 --heartbeat-ms 300)

# metric URL NAME: the value of one sample ("" when absent)
metric() { curl -s --max-time 10 "$1" | awk -v n="$2" '$1 == n { print $2; exit }'; }
# wait_metric URL NAME MIN: until the sample reaches MIN (a hang guard of 30 s)
wait_metric() {
    local i=0 v
    while :; do
        v=$(metric "$1" "$2")
        [ -n "$v" ] && [ "$v" -ge "$3" ] && return 0
        i=$((i + 1)); [ $i -gt 300 ] && { echo "timed out: $2 = ${v:-none}, want >= $3" >&2; return 1; }
        sleep 0.1
    done
}
# wait_log FILE PATTERN: until the log has the line (30 s)
wait_log() {
    local i=0
    until grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 300 ] && { echo "timed out waiting for '$2' in $1" >&2; return 1; }
        sleep 0.1
    done
}
metrics_url() { echo "http://127.0.0.1:$(grep -o 'metrics on .* (port [0-9]*)' "$1" | grep -o '[0-9]*)$' | tr -d ')')/metrics"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- 1. a calm run on one machine: private Redis, ipc sockets, no keys to manage ----------
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --sweep calm "${COMMON[@]}" --out "$T/calm" --state-dir "$T/st" \
    --workers 2 >"$T/calm.out" 2>"$T/calm.err" || rc=$?
check "calm run exits 0 (embedded Redis, ipc sockets, no keys)" [ $rc -eq 0 ]
check "govsweep run serves no metrics by default" bash -c "! grep -q 'metrics on' $T/st/logs/*.log"
check "the run's daemons talk over ipc:// in the state directory" \
    [ "$(grep -h "listening on ipc://$T/st/" "$T"/st/logs/*.log | wc -l)" -ge 2 ]

# A2: the embedded Redis is a unix socket only, with a password; restarted on its own
# configuration it refuses every command until AUTH.
conf=$T/st/redis.conf
check "embedded redis listens on no TCP port" grep -qx "port 0" "$conf"
check "embedded redis has requirepass" grep -q "^requirepass " "$conf"
check "embedded redis socket is 0700" grep -qx "unixsocketperm 700" "$conf"
check "redis.pass and redis.conf are mode 0600" \
    [ "$(stat -c %a "$T/st/redis.pass")$(stat -c %a "$conf")" = 600600 ]
redis-server "$conf" >"$T/a2.log" 2>&1 &
A2PID=$!
PIDS+=($A2PID)
i=0
until [ -S "$T/st/redis.sock" ] && redis-cli -s "$T/st/redis.sock" ping 2>&1 | grep -q NOAUTH; do
    i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
out=$(redis-cli -s "$T/st/redis.sock" GET gs:sweep:calm:meta 2>&1 || true)
check "A2: unauthenticated command refused (NOAUTH)" grep -q NOAUTH <<<"$out"
out=$(redis-cli -s "$T/st/redis.sock" --no-auth-warning -a wrong-password PING 2>&1 || true)
check "A2: a wrong password refused" grep -qiE "WRONGPASS|invalid" <<<"$out"
pass=$(cat "$T/st/redis.pass")
check "A2: with the state directory's password it answers" \
    [ "$(redis-cli -s "$T/st/redis.sock" --no-auth-warning -a "$pass" HGET gs:sweep:calm:meta status)" = complete ]
kill "$A2PID"; wait "$A2PID" 2>/dev/null || true
# metrics only when asked: the same (complete) sweep again, each child on a port of its own
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --sweep calm "${COMMON[@]}" --out "$T/calm2" --state-dir "$T/st" \
    --workers 1 --metrics-listen 127.0.0.1:0 >/dev/null 2>"$T/calm2.err" || rc=$?
check "govsweep run --metrics-listen passes it to its children" \
    bash -c "[ $rc -eq 0 ] && grep -q 'metrics on 127.0.0.1:0 (port [1-9]' $T/st/logs/dispatcher.log"

# ---- 2. keys ---------------------------------------------------------------------------
K=$T/keys
for name in central w1 w2 zsend; do
    "$GS_BIN" keygen --out "$K" --name $name >"$T/keygen-$name.out" 2>&1
done
"$GS_BIN" keygen --out "$T/elsewhere" --name intruder >/dev/null
check "keygen: secret key mode 0600, public 0644" \
    [ "$(stat -c %a "$K/central.key") $(stat -c %a "$K/central.pub")" = "600 644" ]
check "keygen: Z85 keys of 40 characters" \
    [ "$(head -c 40 "$K/w1.key" | tr -dc '0-9a-zA-Z.:+=^!/*?&<>()[]{}@%$#-' | wc -c)" -eq 40 ]
check "keygen says where the .pub goes" grep -q "curve_allow" "$T/keygen-w1.out"
before=$(cat "$K/w1.key")
rc=0
"$GS_BIN" keygen --out "$K" --name w1 >/dev/null 2>"$T/keygen-again.err" || rc=$?
check "keygen refuses to overwrite (exit 2, says --force)" \
    bash -c "[ $rc -eq 2 ] && grep -q -- --force $T/keygen-again.err"
check "the refused keygen left the key alone" [ "$(cat "$K/w1.key")" = "$before" ]
"$GS_BIN" keygen --out "$K" --name wtmp >/dev/null
first=$(cat "$K/wtmp.key")
"$GS_BIN" keygen --out "$K" --name wtmp --force >/dev/null
check "keygen --force replaces the pair" [ "$(cat "$K/wtmp.key")" != "$first" ]
rc=0
"$GS_BIN" keygen --out "$K" --name ../escape >/dev/null 2>&1 || rc=$?
check "keygen refuses a name with a path in it" [ $rc -eq 2 ]

ALLOW=$T/allow
mkdir -p "$ALLOW"
cp "$K/w1.pub" "$K/w2.pub" "$K/zsend.pub" "$ALLOW/"

# ---- 3. Redis with a password on loopback tcp -------------------------------------------
RPORT=$(free_port)
RPASS=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$T/r2"
redis-server --port "$RPORT" --bind 127.0.0.1 --requirepass "$RPASS" --save "" --appendonly no \
    --dir "$T/r2" >"$T/r2/redis.log" 2>&1 &
PIDS+=($!)
i=0
until redis-cli -p "$RPORT" --no-auth-warning -a "$RPASS" ping 2>/dev/null | grep -q PONG; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "redis did not start" >&2; break; }; sleep 0.1
done
RURL=redis://127.0.0.1:$RPORT
AURL=redis://:$RPASS@127.0.0.1:$RPORT
SEC=(--curve-secret-key "$K/central.key" --curve-public-key "$K/central.pub" --curve-allow "$ALLOW")

# refuse ROLE ID MESSAGE ARGS...: the daemon must not start (exit 2) and say why
refuse() {
    local role=$1 id=$2 msg=$3 rc=0; shift 3
    timeout 30 "$GS_BIN" "$role" "$@" >"$T/refuse-$id.log" 2>&1 || rc=$?
    check "refused ($id): $role exits 2 and says '$msg'" \
        bash -c "[ $rc -eq 2 ] && grep -qF -- '$msg' $T/refuse-$id.log"
}
DARGS=(--registry "$T/prov/registry.csv" --sweep refused "${COMMON[@]}")
refuse dispatcher nopass "without a password" --redis "$RURL" "${DARGS[@]}"
refuse collector nopass "without a password" --redis "$RURL"
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --redis "$RURL" --state-dir "$T/st-nopass" --out "$T/nopass" \
    >/dev/null 2>"$T/run-nopass.err" || rc=$?
check "govsweep run refuses it too, before starting anything (exit 2)" \
    bash -c "[ $rc -eq 2 ] && grep -q 'without a password' $T/run-nopass.err && [ ! -e $T/st-nopass/logs/dispatcher.log ]"
rc=0
timeout 30 "$GS_BIN" dispatcher --redis "$RURL" --redis-insecure "${DARGS[@]}" \
    --dispatcher-endpoint "tcp://127.0.0.1:*" >"$T/insecure.log" 2>&1 || rc=$?
check "--redis-insecure passes the rule (then Redis itself says NOAUTH)" \
    bash -c "! grep -q 'without a password' $T/insecure.log && grep -q NOAUTH $T/insecure.log"
cp "$K/central.key" "$K/loose.key"
chmod 644 "$K/loose.key"
refuse dispatcher loose "chmod 600 $K/loose.key" --redis "$AURL" "${DARGS[@]}" \
    --dispatcher-endpoint "tcp://127.0.0.1:*" --curve-secret-key "$K/loose.key" --curve-allow "$ALLOW"
if [ "$(id -u)" -eq 0 ]; then
    cp "$K/central.key" "$K/theirs.key"
    chown 65534 "$K/theirs.key"
    refuse collector notours "run: chown 0 $K/theirs.key" --redis "$AURL" \
        --collector-endpoint "tcp://127.0.0.1:*" --curve-secret-key "$K/theirs.key" --curve-allow "$ALLOW"
fi
refuse dispatcher noallow "without an allowlist" --redis "$AURL" "${DARGS[@]}" \
    --dispatcher-endpoint "tcp://127.0.0.1:*" --curve-secret-key "$K/central.key"
mkdir -p "$T/empty-allow"
refuse collector emptyallow "holds no client key" --redis "$AURL" \
    --collector-endpoint "tcp://127.0.0.1:*" --curve-secret-key "$K/central.key" --curve-allow "$T/empty-allow"
refuse collector plain "zmq_insecure" --redis "$AURL" --collector-endpoint "tcp://0.0.0.0:*"
refuse worker halfkeys "curve_secret_key" --dispatcher-endpoint "tcp://192.0.2.1:5570" \
    --collector-endpoint "tcp://192.0.2.1:5571" --curve-server-key "$K/central.pub"

# ---- 4. the cluster ---------------------------------------------------------------------
"$GS_BIN" collector --redis "$AURL" --collector-endpoint "tcp://127.0.0.1:*" "${SEC[@]}" \
    --heartbeat-ms 300 --metrics-listen 127.0.0.1:0 2>"$T/collector.log" &
CPID=$!
PIDS+=($CPID)
GS_REDIS_PASSWORD=$RPASS "$GS_BIN" dispatcher --redis "$RURL" --registry "$T/prov/registry.csv" \
    --sweep cur "${COMMON[@]}" --dispatcher-endpoint "tcp://127.0.0.1:*" "${SEC[@]}" \
    --metrics-listen 127.0.0.1:0 2>"$T/dispatcher.log" &
DPID=$!
PIDS+=($DPID)
wait_log "$T/collector.log" "metrics on"
wait_log "$T/dispatcher.log" "metrics on"
CEP=$(grep -o 'listening on tcp://[0-9.:]*' "$T/collector.log" | head -n1 | sed 's/listening on //')
DEP=$(grep -o 'listening on tcp://[0-9.:]*' "$T/dispatcher.log" | head -n1 | sed 's/listening on //')
CM=$(metrics_url "$T/collector.log")
DM=$(metrics_url "$T/dispatcher.log")
check "dispatcher and collector say CURVE is on" \
    bash -c "grep -q 'CURVE on tcp://127.0.0.1' $T/dispatcher.log && grep -q 'CURVE on tcp://127.0.0.1' $T/collector.log"
check "metrics: dispatcher sees Redis up, the whole queue, no worker" \
    [ "$(metric "$DM" govsweep_redis_up) $(metric "$DM" govsweep_queue_depth) $(metric "$DM" govsweep_workers_connected)" = "1 $N 0" ]

WARGS=(--dispatcher-endpoint "$DEP" --collector-endpoint "$CEP" --capacity 4 "${COMMON[@]}"
    --metrics-listen 127.0.0.1:0)
worker() { # worker NAME ARGS...
    local name=$1; shift
    "$GS_BIN" worker --worker-id "$name" "${WARGS[@]}" "$@" 2>"$T/$name.log" &
    PIDS+=($!)
    eval "${name//-/_}_PID=$!"
}
worker intruder --curve-secret-key "$T/elsewhere/intruder.key" --curve-server-key "$K/central.pub"
worker wrongsrv --curve-secret-key "$K/w2.key" --curve-server-key "$T/elsewhere/intruder.pub"
worker plain
check "dispatcher refused the unknown key" wait_metric "$DM" 'govsweep_handshakes_refused_total{reason="unknown_key"}' 1
check "collector refused the unknown key" wait_metric "$CM" 'govsweep_handshakes_refused_total{reason="unknown_key"}' 1
check "dispatcher refused the wrong server key" \
    wait_metric "$DM" 'govsweep_handshakes_refused_total{reason="protocol"}' 1
# refusals URL: every refused handshake (whichever side of a security mismatch closes first,
# the other sees the connection go without a reason)
refusals() {
    local r n=0 v
    for r in unknown_key protocol other; do
        v=$(metric "$1" "govsweep_handshakes_refused_total{reason=\"$r\"}")
        n=$((n + ${v:-0}))
    done
    echo $n
}
i=0
until [ "$(refusals "$DM")" -ge 3 ] || [ $i -gt 300 ]; do i=$((i + 1)); sleep 0.1; done
check "dispatcher refused all three intruders ($(refusals "$DM") refusals)" [ "$(refusals "$DM")" -ge 3 ]
check "the refusal names the intruder's key" \
    grep -qF "refused CURVE client 127.0.0.1: key $(head -c 40 "$T/elsewhere/intruder.pub")" "$T/dispatcher.log"
check "the intruder's log says its key was refused" grep -q "refused our key" "$T/intruder.log"
check "no task leased while only intruders knock" [ "$(metric "$DM" govsweep_tasks_leased_total)" = 0 ]

# M1: malformed frames from an authenticated peer to the dispatcher and the collector
ZKEYS=(--secret-key "$K/zsend.key" --server-key "$K/central.pub")
CASES=(truncated wrong-type bad-version garbage empty frames)
check "gs-zsend delivers to the dispatcher" \
    "$ZSEND" connect "$DEP" --id zsend-d "${ZKEYS[@]}" "${CASES[@]}" oversized:1100000
check "gs-zsend delivers to the collector" \
    "$ZSEND" connect "$CEP" --id zsend-c "${ZKEYS[@]}" "${CASES[@]}" oversized:4250000 unexpected-hello
DROP=govsweep_messages_dropped_total
# drops URL: "malformed oversized version frames unexpected" counts
drops() {
    local r out=""
    for r in malformed oversized version frames unexpected; do
        out="$out $(metric "$1" "$DROP{reason=\"$r\"}")"
    done
    echo $out
}
# the last case sent arrives last: wait for it, then every count is final
wait_metric "$DM" "$DROP{reason=\"oversized\"}" 1 || true
wait_metric "$CM" "$DROP{reason=\"unexpected\"}" 1 || true
check "dispatcher dropped and counted them: 4 malformed, 1 oversized, 1 version, 1 frames" \
    [ "$(drops "$DM")" = "4 1 1 1 0" ]
check "collector dropped and counted them, and the hello it does not take" \
    [ "$(drops "$CM")" = "4 1 1 1 1" ]
# beyond the transport ceiling: libzmq closes that connection; nothing is counted or harmed
"$ZSEND" connect "$CEP" --id zsend-huge "${ZKEYS[@]}" oversized:8000000 >/dev/null 2>&1 || true
check "the collector survives a frame beyond ZMQ_MAXMSGSIZE" kill -0 $CPID
check "... and counts nothing more for it" [ "$(metric "$CM" "$DROP{reason=\"malformed\"}")" = 4 ]

# the allowed worker
worker w1 --curve-secret-key "$K/w1.key" --curve-public-key "$K/w1.pub" --curve-server-key "$K/central.pub"
rc=0
for _ in $(seq 1 1200); do kill -0 $DPID 2>/dev/null || break; sleep 0.1; done
wait $DPID || rc=$?
check "the CURVE sweep completes (dispatcher exits 0)" [ $rc -eq 0 ]
check "dispatcher: worker w1 joined" grep -q "worker w1 joined" "$T/dispatcher.log"
check "dispatcher: no intruder ever joined" \
    bash -c "! grep -qE 'worker (intruder|wrongsrv|plain) joined' $T/dispatcher.log"
line=$(grep "sweep cur complete" "$T/dispatcher.log" || true)
echo "  $line" | sed 's/.*info: /  /'
check "dispatcher's counters: $N leased, $N done, 0 reissued, 0 unchecked" \
    grep -qE "complete: $N targets; this run leased $N, done $N, lease expired 0, reissued 0, unchecked 0" <<<"$line"
check "dispatcher's counters: every malformed frame dropped (7)" grep -q "; 7 messages dropped;" <<<"$line"

"$GS_BIN" report --redis "$AURL" --sweep cur --out "$T/cur" >/dev/null
check "oracle: the CURVE sweep's report equals the calm run's" \
    python3 "$GS_TESTS/integration/oracle.py" "$T/calm/targets.csv" "$T/cur/targets.csv"
rr() { redis-cli -p "$RPORT" --no-auth-warning -a "$RPASS" --raw "$@"; }
check "one done marker per target" [ "$(rr SCARD gs:sweep:cur:done)" -eq "$N" ]
NF=$(grep -c . "$T/cur/findings.jsonl" || true)
check "one stream entry per finding ($NF)" [ "$(rr XLEN gs:findings)" -eq "$NF" ]

# metrics add up
PAGES=$(python3 -c "import csv,sys; print(sum(int(r['pages']) for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'))))" "$T/cur/targets.csv")
W1M=$(metrics_url "$T/w1.log")
check "collector: $N results stored, 0 dup, 0 stale" \
    [ "$(metric "$CM" 'govsweep_results_stored_total{outcome="stored"}') $(metric "$CM" 'govsweep_results_stored_total{outcome="dup"}') $(metric "$CM" 'govsweep_results_stored_total{outcome="stale"}')" = "$N 0 0" ]
check "collector: pages and findings of the stored results ($PAGES, $NF)" \
    [ "$(metric "$CM" govsweep_pages_total) $(metric "$CM" govsweep_findings_total)" = "$PAGES $NF" ]
check "worker w1: $N tasks received, $N acknowledged, none held" \
    [ "$(metric "$W1M" govsweep_tasks_leased_total) $(metric "$W1M" govsweep_tasks_done_total) $(metric "$W1M" govsweep_tasks_inflight)" = "$N $N 0" ]
check "worker w1: pages and findings agree with the collector" \
    [ "$(metric "$W1M" govsweep_pages_total) $(metric "$W1M" govsweep_findings_total)" = "$PAGES $NF" ]
LIFTED=$(metric "$W1M" 'govsweep_page_parses_total{path="lifted"}')
REPARSED=$(metric "$W1M" 'govsweep_page_parses_total{path="reparsed"}')
check "worker w1: parse paths counted ($LIFTED lifted, $REPARSED parsed again, of $PAGES pages)" \
    bash -c "[ -n '$LIFTED' ] && [ -n '$REPARSED' ] && [ $(( ${LIFTED:-0} + ${REPARSED:-0} )) -le $PAGES ]"
for x in intruder wrongsrv plain; do
    xm=$(metrics_url "$T/$x.log")
    check "$x: 0 tasks (its metrics)" [ "$(metric "$xm" govsweep_tasks_leased_total)" = 0 ]
    pid_var=${x}_PID
    kill -TERM "${!pid_var}"
    wait "${!pid_var}" || true
    check "$x: 0 tasks (its log)" grep -q "stopping: 0 tasks received, 0 acknowledged" "$T/$x.log"
done
check "plain peer: told about the security mismatch" grep -q "security mismatch" "$T/plain.log"
kill -TERM "$w1_PID"
rc=0
wait "$w1_PID" || rc=$?
check "worker w1 stops cleanly" [ $rc -eq 0 ]

# ---- 5. M1 on the worker's side: a fake dispatcher sends it malformed frames ------------
FEP=tcp://127.0.0.1:$(free_port)
"$ZSEND" bind "$FEP" --peer w-m1 truncated wrong-type bad-version garbage empty frames \
    oversized:4250000 unexpected-ack hb >"$T/zbind.out" 2>&1 &
ZPID=$!
PIDS+=($ZPID)
"$GS_BIN" worker --worker-id w-m1 --dispatcher-endpoint "$FEP" \
    --collector-endpoint "tcp://127.0.0.1:$(free_port)" --heartbeat-ms 300 \
    --metrics-listen 127.0.0.1:0 2>"$T/w-m1.log" &
WPID=$!
PIDS+=($WPID)
rc=0
wait $ZPID || rc=$?
check "gs-zsend delivered to the worker" [ $rc -eq 0 ]
wait_log "$T/w-m1.log" "metrics on"
WM=$(metrics_url "$T/w-m1.log")
wait_metric "$WM" "$DROP{reason=\"unexpected\"}" 1 || true
check "worker dropped and counted them: 4 malformed, 1 each oversized, version, frames, unexpected" \
    [ "$(drops "$WM")" = "4 1 1 1 1" ]
check "worker: still running, holding nothing" \
    bash -c "kill -0 $WPID && [ \"\$(curl -s $WM | grep '^govsweep_tasks_inflight ' | cut -d' ' -f2)\" = 0 ]"
kill -TERM $WPID
rc=0
wait $WPID || rc=$?
check "worker stops cleanly after the malformed frames" [ $rc -eq 0 ]
kill -TERM $CPID
rc=0
wait $CPID || rc=$?
check "collector stops cleanly" [ $rc -eq 0 ]

finish
