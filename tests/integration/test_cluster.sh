#!/usr/bin/env bash
# test_cluster.sh -- the cluster of issue 9 on one machine: a central "host" (the default
# network namespace: Redis with a password, the dispatcher and the collector with CURVE and
# an allowlist) and two worker "hosts", each a network namespace of its own joined to the
# central one by a veth pair, reaching it only over tcp on that link. Each worker host has
# its own copy of the simulated province on its own loopback (same seed, same reference
# time: the same sites). A third namespace holds an intruder with a key nobody allowed.
#
# The sweep of the bundled sample completes; its report equals a calm `govsweep run` of the
# same province (the oracle of reliability.md) and the planted truth; both workers took
# tasks; the intruder got none and the dispatcher says why; the workers shared their link
# verdicts through the central Redis (AUTH) from inside their namespaces.
#
# Needs root (CAP_NET_ADMIN) and `ip netns`: skipped with a message where they are missing.
source "$(dirname "$0")/lib.sh"

SUFFIX=$$
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null ||
    ! ip netns add "gsc-probe-$SUFFIX" 2>/dev/null; then
    echo "SKIP: network namespaces are not available here (needs root and ip netns)"
    exit 0
fi
ip netns del "gsc-probe-$SUFFIX"

NSS=()
ns_cleanup() {
    local n
    for n in "${NSS[@]:-}"; do
        [ -n "$n" ] || continue
        # processes started in the namespace first, then the namespace (its veth goes too)
        ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$n" 2>/dev/null || true
    done
}
trap 'ns_cleanup; cleanup' EXIT

# host K NAME: a namespace joined to the central one by veth, central side 10.201.K.1/30
host() {
    local k=$1 n=$2 dev=gsc$1-$SUFFIX
    ip netns add "$n"
    NSS+=("$n")
    ip link add "$dev" type veth peer name eth0 netns "$n"
    ip addr add "10.201.$k.1/30" dev "$dev"
    ip link set "$dev" up
    ip -n "$n" addr add "10.201.$k.2/30" dev eth0
    ip -n "$n" link set eth0 up
    ip -n "$n" link set lo up
}
host 1 "gsc-w1-$SUFFIX"
host 2 "gsc-w2-$SUFFIX"
host 3 "gsc-x-$SUFFIX"

REF=2021-06-15T10:00
SAMPLE=(--seed 2021 --sites 24 --accounts 48 --pages-per-site 60 --defect-rate 0.25
    --reference-time "$REF")
COMMON=(--reference-time "$REF" --allow-private --max-pages 200 --home-retries 1
    --retry-delay-ms 200 --lease-ms 8000 --heartbeat-ms 300)

# the calm run: one machine, private Redis (the oracle's reference)
start_sim "$T/prov" "${SAMPLE[@]}"
N=$(csv_rows "$T/prov/registry.csv")
rc=0
"$GS_BIN" run "$T/prov/registry.csv" --sweep calm "${COMMON[@]}" "${CONNECT_TO[@]}" \
    --out "$T/calm" --state-dir "$T/st" --workers 2 >/dev/null 2>"$T/calm.err" || rc=$?
check "calm run exits 0" [ $rc -eq 0 ]

# each worker host's own province, on its own loopback
sim_in() { # sim_in K NS -> ROUTES_K: the worker's --connect-to and --cacert options
    local k=$1 n=$2
    ip netns exec "$n" "$GS_SIMSRV" --out "$T/prov$k" --port 0 "${SAMPLE[@]}" >"$T/prov$k.log" 2>&1 &
    PIDS+=($!)
    wait_for "$T/prov$k/ready" 20
    local line
    eval "ROUTES_$k=()"
    while IFS= read -r line; do
        [ -n "$line" ] && eval "ROUTES_$k+=(--connect-to \"\$line\")"
    done <"$T/prov$k/connect-to.txt"
    eval "ROUTES_$k+=(--cacert \"$T/prov$k/ca.pem\")"
}
sim_in 1 "gsc-w1-$SUFFIX"
sim_in 2 "gsc-w2-$SUFFIX"
check "the worker hosts' provinces are the calm run's (same registry and truth)" \
    bash -c "cmp -s $T/prov/registry.csv $T/prov1/registry.csv && cmp -s $T/prov/truth.jsonl $T/prov2/truth.jsonl"

# keys: the central pair, two allowed workers, an intruder nobody allowed
K=$T/keys
for name in central w1 w2; do "$GS_BIN" keygen --out "$K" --name $name >/dev/null; done
"$GS_BIN" keygen --out "$T/elsewhere" --name intruder >/dev/null
mkdir -p "$T/allow"
cp "$K/w1.pub" "$K/w2.pub" "$T/allow/"

# the central Redis: a password, reachable on loopback and on the two worker links
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RPORT=$(free_port)
RPASS=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$T/redis"
redis-server --port "$RPORT" --bind "127.0.0.1 10.201.1.1 10.201.2.1" --requirepass "$RPASS" \
    --save "" --appendonly no --dir "$T/redis" >"$T/redis/redis.log" 2>&1 &
PIDS+=($!)
i=0
until redis-cli -p "$RPORT" --no-auth-warning -a "$RPASS" ping 2>/dev/null | grep -q PONG; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "redis did not start" >&2; break; }; sleep 0.1
done
rr() { redis-cli -p "$RPORT" --no-auth-warning -a "$RPASS" --raw "$@"; }
check "a worker host cannot reach the central host's loopback" \
    bash -c "! ip netns exec gsc-w1-$SUFFIX redis-cli -h 127.0.0.1 -p $RPORT ping >/dev/null 2>&1"
check "the central Redis refuses a worker host without the password" \
    bash -c "ip netns exec gsc-w1-$SUFFIX redis-cli -h 10.201.1.1 -p $RPORT ping 2>&1 | grep -q NOAUTH"
export GS_REDIS_PASSWORD=$RPASS
RURL=redis://10.201.1.1:$RPORT

# the central daemons: CURVE on every address of the central host
DPORT=$(free_port)
CPORT=$(free_port)
SEC=(--curve-secret-key "$K/central.key" --curve-public-key "$K/central.pub" --curve-allow "$T/allow")
"$GS_BIN" collector --redis "redis://127.0.0.1:$RPORT" --collector-endpoint "tcp://0.0.0.0:$CPORT" \
    "${SEC[@]}" --heartbeat-ms 300 2>"$T/collector.log" &
PIDS+=($!)
"$GS_BIN" dispatcher --redis "redis://127.0.0.1:$RPORT" --registry "$T/prov/registry.csv" \
    --sweep cl "${COMMON[@]}" --dispatcher-endpoint "tcp://0.0.0.0:$DPORT" "${SEC[@]}" \
    2>"$T/dispatcher.log" &
DPID=$!
PIDS+=($DPID)
wait_for_log() { # FILE STRING (30 s)
    local i=0
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 300 ] && { echo "timed out waiting for '$2' in $1" >&2; return 1; }
        sleep 0.1
    done
}
check "dispatcher: CURVE on" wait_for_log "$T/dispatcher.log" "CURVE on tcp://0.0.0.0:$DPORT"
check "collector: CURVE on" wait_for_log "$T/collector.log" "CURVE on tcp://0.0.0.0:$CPORT"

# worker K NS NAME ARGS...: a worker on host K
worker() {
    local k=$1 n=$2 name=$3; shift 3
    ip netns exec "$n" "$GS_BIN" worker --worker-id "$name" \
        --dispatcher-endpoint "tcp://10.201.$k.1:$DPORT" --collector-endpoint "tcp://10.201.$k.1:$CPORT" \
        --curve-server-key "$K/central.pub" --capacity 8 "${COMMON[@]}" "$@" 2>"$T/$name.log" &
    PIDS+=($!)
    eval "PID_${name//-/_}=$!"
}

# the intruder knocks first: refused, and nothing is leased while it is alone
worker 3 "gsc-x-$SUFFIX" intruder --curve-secret-key "$T/elsewhere/intruder.key" \
    --curve-public-key "$T/elsewhere/intruder.pub"
check "the dispatcher refuses the intruder's key, over the network" \
    wait_for_log "$T/dispatcher.log" "refused CURVE client 10.201.3.2: key $(head -c 40 "$T/elsewhere/intruder.pub")"
check "the intruder's log says its key was refused" wait_for_log "$T/intruder.log" "refused our key"
check "nothing leased while only the intruder knocks" [ "$(rr HLEN gs:sweep:cl:epoch)" = 0 ]

# the two worker hosts, one worker each, sharing link verdicts through the central Redis
worker 1 "gsc-w1-$SUFFIX" host1-1 --curve-secret-key "$K/w1.key" --curve-public-key "$K/w1.pub" \
    --redis "$RURL" "${ROUTES_1[@]}"
RURL=redis://10.201.2.1:$RPORT
worker 2 "gsc-w2-$SUFFIX" host2-1 --curve-secret-key "$K/w2.key" --curve-public-key "$K/w2.pub" \
    --redis "$RURL" "${ROUTES_2[@]}"
rc=0
for _ in $(seq 1 1800); do kill -0 $DPID 2>/dev/null || break; sleep 0.1; done
wait $DPID || rc=$?
check "the cluster's sweep completes (dispatcher exits 0)" [ $rc -eq 0 ]
check "both worker hosts joined" \
    bash -c "grep -q 'worker host1-1 joined' $T/dispatcher.log && grep -q 'worker host2-1 joined' $T/dispatcher.log"
check "the intruder never joined" bash -c "! grep -q 'worker intruder joined' $T/dispatcher.log"

for w in host1-1 host2-1 intruder; do
    v=PID_${w//-/_}
    kill -TERM "${!v}" 2>/dev/null || true
    wait "${!v}" 2>/dev/null || true
done
tasks() { grep -o "stopping: [0-9]* tasks received" "$T/$1.log" | grep -o '[0-9]*' | head -n1; }
t1=$(tasks host1-1) t2=$(tasks host2-1)
check "both worker hosts did part of the sweep ($t1 + $t2 tasks)" \
    [ "${t1:-0}" -gt 0 -a "${t2:-0}" -gt 0 -a $((${t1:-0} + ${t2:-0})) -ge "$N" ]
check "the intruder received 0 tasks" [ "$(tasks intruder)" = 0 ]

"$GS_BIN" report --redis "redis://127.0.0.1:$RPORT" --sweep cl --out "$T/cl" >/dev/null
check "oracle: the cluster's report equals the calm run's" \
    python3 "$GS_TESTS/integration/oracle.py" "$T/calm/targets.csv" "$T/cl/targets.csv"
check "one done marker per target" [ "$(rr SCARD gs:sweep:cl:done)" -eq "$N" ]
CODES=$(grep -o '"code":"[^"]*"' "$T/prov/truth.jsonl" | cut -d'"' -f4 | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086 # the codes are words
check "the cluster's findings match the planted truth" \
    python3 "$GS_TESTS/integration/compare_truth.py" "$T/prov/truth.jsonl" "$T/prov/clean.txt" \
    "$T/cl/findings.jsonl" "$T/cl/targets.csv" $CODES

# link verdicts, shared from inside the namespaces: each URL checked once in the sweep
mine=0 other=0
for w in host1-1 host2-1; do
    l=$(grep -o 'link verdicts [0-9]* checked here, [0-9]* taken from [^,]*, [0-9]* from' "$T/$w.log" | tail -1)
    set -- $(tr -cs '0-9' ' ' <<<"$l")
    mine=$((mine + ${1:-0})) other=$((other + ${3:-0}))
done
check "each link URL checked once across the two hosts ($mine checks)" \
    [ "$mine" -gt 0 -a "$mine" -eq "$(rr HLEN gs:sweep:cl:links)" ]
check "verdicts found by one host were taken by the other ($other)" [ "$other" -gt 0 ]

finish
