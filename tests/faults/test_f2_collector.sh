#!/usr/bin/env bash
# test_f2_collector.sh -- F2 of reliability.md for the collector: a crash with a batch
# received and not stored, after the store and before any ack, after an ack (f2.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/f2.sh"

fault_province
calm
f2_point collector.before_store collector
f2_point collector.after_store collector
f2_point collector.after_ack collector
record f2-collector
finish
