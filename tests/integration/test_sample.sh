#!/usr/bin/env bash
# test_sample.sh -- the bundled sample province (samples/province/) is what the README and
# deploy/quickstart.sh say it is: its registry validates, and the simulated-province server
# run with the quickstart's arguments serves exactly that registry.
source "$(dirname "$0")/lib.sh"

SAMPLE=$GS_SRC/samples/province/targets.csv
args=$(grep -o '^SAMPLE_ARGS=(.*)' "$GS_SRC/deploy/quickstart.sh" | sed 's/^SAMPLE_ARGS=(//; s/)$//')
check "quickstart.sh names the sample's arguments" [ -n "$args" ]
# shellcheck disable=SC2086 # the arguments are words by design
"$GS_SIMSRV" --out "$T/gen" --no-serve $args >"$T/gen.log" 2>&1
check "the server with the quickstart's arguments writes the sample registry" \
    cmp "$T/gen/registry.csv" "$SAMPLE"
out=$("$GS_BIN" validate "$SAMPLE")
check "the sample registry validates (24 sites, 48 accounts)" \
    grep -q "ok: 72 targets (24 sites, 48 accounts)" <<<"$out"
finish
