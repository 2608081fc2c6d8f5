#!/usr/bin/env bash
# quickstart.sh -- from a fresh Debian 12 machine to a finished sweep of the bundled sample
# province: installs the packages, builds, serves the sample province on loopback (the
# simulated province server, nothing leaves the machine) and runs `govsweep run` on it with
# a private Redis. The notice tables are printed at the end; the files are in out/sample/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc 2>/dev/null || echo 2)"

# The sample province: samples/province/ describes it (its registry is the file
# samples/province/targets.csv); the server plants its defects relative to today.
SAMPLE_ARGS=(--seed 2021 --sites 24 --accounts 48 --pages-per-site 60 --defect-rate 0.25)
work=$(mktemp -d /tmp/govsweep-sample.XXXXXX)
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
build/tests/gs-simsrv --out "$work" --port 0 "${SAMPLE_ARGS[@]}" >"$work.log" 2>&1 &
sim=$!
for _ in $(seq 1 100); do [ -e "$work/ready" ] && break; sleep 0.1; done
[ -e "$work/ready" ] || { echo "the sample server did not start:" >&2; cat "$work.log" >&2; exit 1; }
cmp -s "$work/registry.csv" samples/province/targets.csv ||
    echo "note: the served province differs from samples/province/targets.csv" >&2

connect=()
while IFS= read -r line; do [ -n "$line" ] && connect+=(--connect-to "$line"); done <"$work/connect-to.txt"

# --allow-private: the sample is served on loopback, which the crawler refuses otherwise;
# --cacert: its sites answer HTTPS with certificates of the test CA the server made.
build/govsweep run samples/province/targets.csv --allow-private "${connect[@]}" \
    --cacert "$work/ca.pem" \
    --state-dir state/sample --out out/sample "$@"
