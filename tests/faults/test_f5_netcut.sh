#!/usr/bin/env bash
# test_f5_netcut.sh -- F5 of reliability.md: a worker cut off by the network.
#
# The dispatcher and the collector (`govsweep run` with one worker of its own) listen on
# plain tcp (zmq_insecure) on the host's end of a veth pair; a second worker runs in a
# network namespace on the other end (a private /30) and reaches its own copy of the
# simulated province on its loopback (the same seed: byte-identical pages), so that the cut
# parts it from the central host only, as a partition would. While it crawls a target the
# host's end of the link is taken down: the dispatcher must declare it dead when the
# connection's heartbeats stop (ZMTP, heartbeat_ms x heartbeat_liveness: the drop says
# "unreachable", not "silent past its lease"), re-issue its leases when they lapse, and once
# the link is up again and the worker back, refuse what it sends for the old leases; the
# oracle holds. SKIP (exit 0) where network namespaces cannot be made (not root, no
# CAP_NET_ADMIN, no `ip netns`).
# A lease well past heartbeat x liveness (1.5 s): with 2 s the two came within half a
# second, and a sanitizer build's slower ZMTP timers let the lease win the race.
LEASE_MS=4000
source "$(dirname "$0")/lib.sh"

NS=gsf5-$$
HOST_IF=gf5a$$
NS_IF=gf5b$$
NET=10.231.$(($$ % 250 + 1))
f5_cleanup() {
    local p
    for p in ${NSW_PID:-} ${NSS_PID:-}; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$HOST_IF" 2>/dev/null || true
    return 0
}
trap 'f5_cleanup; cleanup' EXIT

if ! command -v ip >/dev/null || ! ip netns add "$NS" 2>/dev/null; then
    echo "SKIP - F5 needs network namespaces (root or CAP_NET_ADMIN, iproute2): $(id -un)"
    exit 0
fi
if ! ip link add "$HOST_IF" type veth peer name "$NS_IF" ||
    ! ip link set "$NS_IF" netns "$NS" ||
    ! ip addr add "$NET.1/30" dev "$HOST_IF" || ! ip link set "$HOST_IF" up ||
    ! ip -n "$NS" addr add "$NET.2/30" dev "$NS_IF" || ! ip -n "$NS" link set "$NS_IF" up ||
    ! ip -n "$NS" link set lo up; then
    echo "SKIP - F5: the veth pair cannot be set up here"
    exit 0
fi

fault_province
calm

# the province again, inside the namespace
ip netns exec "$NS" "$GS_SIMSRV" --out "$T/prov-ns" --port 0 "${SIM_ARGS[@]}" >"$T/prov-ns.log" 2>&1 &
NSS_PID=$!
wait_for "$T/prov-ns/ready" 20
check "F5: the namespace serves the same province" cmp -s "$T/prov/registry.csv" "$T/prov-ns/registry.csv"
CONNECT_NS=()
while IFS= read -r line; do
    [ -n "$line" ] && CONNECT_NS+=(--connect-to "$line")
done <"$T/prov-ns/connect-to.txt"
CONNECT_NS+=(--cacert "$T/prov-ns/ca.pem")

# free_port: a tcp port free on the host's end of the link
free_port() {
    python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$NET.1"
}
DISP=tcp://$NET.1:$(free_port)
COLL=tcp://$NET.1:$(free_port)

id=f5-netcut
sweep_opts --workers 1 --dispatcher-endpoint "$DISP" --collector-endpoint "$COLL" --zmq-insecure
start_sweep "$id"
ip netns exec "$NS" "$GS_BIN" worker --dispatcher-endpoint "$DISP" --collector-endpoint "$COLL" \
    --zmq-insecure --worker-id netns-1 --allow-private "${CONNECT_NS[@]}" "${WORKER_OPTS[@]}" \
    >"$T/netns-worker.log" 2>&1 &
NSW_PID=$!
PIDS+=("$NSW_PID" "$NSS_PID")

cut=0
wait_stored "$id" 2 || true
n0=$(grep -c "debug: task .* epoch " "$T/netns-worker.log" || true)
while [ "$(grep -c "debug: task .* epoch " "$T/netns-worker.log" || true)" -le "$n0" ] &&
    kill -0 "$RUN_PID" 2>/dev/null; do
    sleep 0.01
done
if kill -0 "$RUN_PID" 2>/dev/null; then
    read -r target epoch < <(grep "debug: task .* epoch " "$T/netns-worker.log" | tail -n1 |
        sed 's/.* task \([^ ]*\) epoch \([0-9]*\) .*/\1 \2/')
    ip link set "$HOST_IF" down
    t_cut=$(date +%s.%N)
    FAULTS=$((FAULTS + 1))
    cut=1
    echo "  link down while the namespace's worker crawls $target (epoch $epoch), $(stored "$id") of $N stored"
    # until the lease lapsed and the target is leased again
    until [ "$(rstate "$id" HGET "gs:sweep:$id:epoch" "$target")" != "$epoch" ]; do
        kill -0 "$RUN_PID" 2>/dev/null || break
        sleep 0.02
    done
    ip link set "$HOST_IF" up
    echo "  link up after $(secs_since "$t_cut") s: $target leased again (epoch" \
        "$(rstate "$id" HGET "gs:sweep:$id:epoch" "$target"))"
fi
wait_sweep
dlog=$(log "$id" dispatcher)
check "F5: the link was cut while the worker held a lease" [ "$cut" -eq 1 ]
if grep -q "worker netns-1 dropped" "$dlog"; then
    t_dead=$(grep -m1 "worker netns-1 dropped" "$dlog" | cut -c1-23)
    secs=$(python3 -c 'import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1]).timestamp(); print("%.1f" % (t - float(sys.argv[2])))' "$t_dead" "$t_cut")
    echo "  declared dead $secs s after the cut (heartbeat x liveness = $((HEARTBEAT_MS * 5)) ms, lease $LEASE_MS ms)"
fi
check "F5: declared dead when its connection's heartbeats stopped (unreachable)" \
    grep -q "worker netns-1 dropped (unreachable)" "$dlog"
check "F5: its lease of $target lapsed and was re-issued" \
    grep -q "lease of $target (epoch $epoch) expired; re-queued" "$dlog"
check "F5: the worker came back after the link did" [ "$(grep -c "worker netns-1 joined" "$dlog")" -ge 2 ]
check "F5: what it sent for its old lease was refused or known" \
    grep -Eq "task $target (stale|dup)" "$T/netns-worker.log"
judge "$id" "a worker cut off by the network"

record f5
finish
