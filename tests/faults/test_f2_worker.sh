#!/usr/bin/env bash
# test_f2_worker.sh -- F2 of reliability.md for a worker: a crash after sending a result
# and before its ack, at a lease renewal (a heartbeat listing leases), after the ack and
# its done (f2.sh). The point is armed in worker-1 only.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/f2.sh"

fault_province
calm
f2_point worker.after_result worker-1
f2_point worker.heartbeat worker-1
f2_point worker.after_done worker-1
record f2-worker
finish
