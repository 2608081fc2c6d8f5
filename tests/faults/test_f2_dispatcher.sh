#!/usr/bin/env bash
# test_f2_dispatcher.sh -- F2 of reliability.md for the dispatcher: a crash after writing
# a lease epoch and before sending the task, after sending it, after marking a target done,
# and after marking the sweep complete (once: there is one such moment) (f2.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/f2.sh"

fault_province
calm
f2_point dispatcher.after_epoch dispatcher
f2_point dispatcher.after_send dispatcher
f2_point dispatcher.after_done dispatcher
f2_point dispatcher.after_complete dispatcher 1
record f2-dispatcher
finish
